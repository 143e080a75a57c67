"""Small file helpers shared by the modules that write artifacts."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

__all__ = ["file_sha256", "write_atomic"]


def _file_mode() -> int:
    """The mode ``open()`` would give a new file: 0o666 less the process umask."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def write_atomic(path: Path, data: str | bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file and a rename: never a half-written file.

    The file gets the permissions of a plainly written one (the umask's), not the temporary
    file's 0600, so a teammate on a shared drive can read a report.

    Example:
        >>> p = write_atomic(Path(tempfile.mkdtemp()) / "a.txt", "hi")
        >>> p.read_text()
        'hi'
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = "wb" if isinstance(data, bytes) else "w"
    with tempfile.NamedTemporaryFile(mode, dir=path.parent, delete=False, suffix=".tmp") as tmp:
        try:
            tmp.write(data)
            os.chmod(tmp.name, _file_mode())
        except BaseException:
            tmp.close()
            os.unlink(tmp.name)
            raise
    os.replace(tmp.name, path)
    return path


def file_sha256(path: Path) -> str | None:
    """The sha256 of the file at ``path`` (hex), None when there is no such file.

    Example:
        >>> file_sha256(Path("/no/such/uv.lock")) is None
        True
    """
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
