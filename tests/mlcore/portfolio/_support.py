"""Helpers of the portfolio tests: a real ``mlflow server`` on loopback, headless Chromium."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests._processes import free_port, group_members, stop_group

START_TIMEOUT = 300  # seconds; about 8 s on a quiet 2-core machine, 95 s seen when it was busy


@contextlib.contextmanager
def mlflow_server(folder: Path) -> Iterator[str]:
    """Start ``mlflow server`` (SQLite backend, artifacts served) under ``folder``; yield its URI.

    Stops the whole process group on exit, and fails if a process of it outlives the server.
    """
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    command = [
        str(Path(sys.executable).with_name("mlflow")),
        "server",
        "--backend-store-uri", f"sqlite:///{folder}/mlflow.db",
        "--artifacts-destination", str(folder / "artifacts"),
        "--host", "127.0.0.1",
        "--port", str(port),
        "--workers", "1",
    ]  # fmt: skip
    env = {**os.environ, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"}
    log_path = folder / "server.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=env
        )
        uri = f"http://127.0.0.1:{port}"
        started = time.perf_counter()
        try:
            while True:
                if server.poll() is not None:
                    pytest.fail(f"mlflow server exited: {log_path.read_text()[-3000:]}")
                if time.perf_counter() - started > START_TIMEOUT:
                    pytest.fail(f"mlflow server not healthy after {START_TIMEOUT} s")
                try:
                    with urllib.request.urlopen(f"{uri}/health", timeout=2) as answer:
                        if answer.read() == b"OK":
                            break
                except OSError:
                    time.sleep(0.25)
            print(f"\nmlflow server healthy after {time.perf_counter() - started:.1f} s")
            yield uri
        finally:
            print(f"mlflow server and children stopped in {stop_group(server):.1f} s")
    assert not group_members(server.pid), "processes of the server outlived it"


CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def chromium(page: Path, profile: Path, *args: str) -> subprocess.CompletedProcess:
    """Run headless Chromium (Debian's ``chromium``) on ``page``; skip the test without it."""
    import shutil

    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary is None:
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    return subprocess.run(
        [binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args, page.as_uri()],
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )
