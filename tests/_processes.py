"""Helpers for tests that start servers: a free loopback port and stopping a whole process group."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from pathlib import Path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def group_members(pgid: int) -> set[int]:
    """Live (not zombie) processes of process group ``pgid``, read from ``/proc``."""
    members = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended while we looked
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.add(int(stat.parent.name))
    return members


def stop_group(server: subprocess.Popen, timeout: float = 60) -> float:
    """SIGTERM the server's process group, wait for every member (SIGKILL after ``timeout``);
    return the seconds it took. The server must have been started with ``start_new_session``."""
    started = time.perf_counter()
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):  # the group is already gone
            os.killpg(server.pid, sig)
        deadline = time.monotonic() + timeout
        while group_members(server.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        if not group_members(server.pid):
            break
    server.wait(timeout)
    return time.perf_counter() - started
