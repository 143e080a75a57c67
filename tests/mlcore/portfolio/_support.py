"""Helpers of the portfolio tests: headless Chromium (the server comes from tests._processes)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests._processes import mlflow_server

__all__ = ["chromium", "mlflow_server"]

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


def chromium(page: Path | str, profile: Path, *args: str) -> subprocess.CompletedProcess:
    """Run headless Chromium (Debian's ``chromium``) on ``page`` (a file or a URL); skip the
    test without it."""
    import shutil

    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary is None:
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    return subprocess.run(
        [binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args, _address(page)],
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )


def _address(page: Path | str) -> str:
    return page.as_uri() if isinstance(page, Path) else page
