"""Helpers for tests that start servers: a free loopback port and stopping a whole process group."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


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


START_TIMEOUT = 300  # seconds; about 8 s on a quiet 2-core machine, 95 s seen when it was busy


@contextlib.contextmanager
def _server(name: str, command: list[str], folder: Path, uri: str, ready: Any) -> Iterator[str]:
    """Start ``command`` in its own process group (log in ``folder``), wait until
    ``ready(uri)``; yield ``uri``. Stops the whole group on exit, and fails if a process of it
    outlives the server."""
    env = {**os.environ, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"}
    log_path = folder / f"{name.replace(' ', '-')}.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=env
        )
        started = time.perf_counter()
        try:
            while True:
                if server.poll() is not None:
                    pytest.fail(f"{name} exited: {log_path.read_text()[-3000:]}")
                if time.perf_counter() - started > START_TIMEOUT:
                    pytest.fail(f"{name} not healthy after {START_TIMEOUT} s")
                try:
                    if ready(uri):
                        break
                except OSError:
                    time.sleep(0.25)
            print(f"\n{name} healthy after {time.perf_counter() - started:.1f} s")
            yield uri
        finally:
            print(f"{name} and children stopped in {stop_group(server):.1f} s")
    assert not group_members(server.pid), f"processes of the {name} outlived it"


def _answers(url: str, expected: bytes | None = None) -> bool:
    with urllib.request.urlopen(url, timeout=2) as answer:
        return expected is None or answer.read() == expected


@contextlib.contextmanager
def mlflow_server(folder: Path, artifacts_destination: str | None = None) -> Iterator[str]:
    """Start ``mlflow server`` (SQLite backend, artifacts served) under ``folder``; yield its URI.

    ``artifacts_destination``: where it stores the artifacts (default ``folder/artifacts``; an
    ``s3://`` URI takes the ``AWS_*`` variables of this process).
    """
    from mlcore._mlflow_store import create_store

    folder.mkdir(parents=True, exist_ok=True)
    create_store(folder / "mlflow.db")  # as a project's first run makes it, without migrations
    port = free_port()
    command = [
        str(Path(sys.executable).with_name("mlflow")),
        "server",
        "--backend-store-uri", f"sqlite:///{folder}/mlflow.db",
        "--artifacts-destination", artifacts_destination or str(folder / "artifacts"),
        "--host", "127.0.0.1",
        "--port", str(port),
        "--workers", "1",
    ]  # fmt: skip
    uri = f"http://127.0.0.1:{port}"
    with _server("mlflow server", command, folder, uri, lambda u: _answers(f"{u}/health", b"OK")):
        yield uri


@contextlib.contextmanager
def s3_server(folder: Path) -> Iterator[str]:
    """Start moto's S3-compatible server (``moto_server``, its server mode) on loopback; yield
    its endpoint URL."""
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    command = [
        str(Path(sys.executable).with_name("moto_server")),
        "-H",
        "127.0.0.1",
        "-p",
        str(port),
    ]
    with _server("s3 server", command, folder, f"http://127.0.0.1:{port}", _answers):
        yield f"http://127.0.0.1:{port}"
