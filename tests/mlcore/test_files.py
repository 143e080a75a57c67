"""Atomic writes: never half-written, and readable as the umask allows."""

import os
import stat

from mlcore._files import write_atomic


def test_an_atomic_write_gets_the_umask_permissions_not_the_temporary_files(tmp_path):
    old = os.umask(0o022)
    try:
        path = write_atomic(tmp_path / "report.html", "<html></html>")
        assert stat.S_IMODE(path.stat().st_mode) == 0o644
        os.umask(0o007)
        path = write_atomic(tmp_path / "shared.md", b"# shared")
        assert stat.S_IMODE(path.stat().st_mode) == 0o660
    finally:
        os.umask(old)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html", "shared.md"]
