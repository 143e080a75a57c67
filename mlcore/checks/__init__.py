"""Project policy checks behind ``mlcore check …`` and the pre-commit hooks in ``.pre-commit-hooks.yaml``.

One module per policy, each a set of pure functions over paths and text that return
:class:`Finding` objects: ``notebooks`` (MLC1xx), ``datafiles`` (MLC2xx), ``hyperparams`` (MLC3xx),
``configs`` (MLC4xx) and ``branches`` (MLC5xx). Paths are repository-relative POSIX strings, as
pre-commit passes them.

Example:
    >>> from mlcore.checks.hyperparams import check_source
    >>> print(*check_source("src/m/train.py", "fit(n_estimators=500)"))
    src/m/train.py:1: MLC301 hard-coded hyperparameter n_estimators=500; move it to conf/ (or add '# mlcore: allow-literal')
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Finding", "project_files"]

_SKIPPED_DIRS = {".git", ".venv", "venv", "__pycache__", "node_modules"}


@dataclass(frozen=True, order=True)
class Finding:
    """One violation: where it is, which rule it breaks and what to do about it.

    Example:
        >>> str(Finding("data/x.csv", None, "MLC201", "data file"))
        'data/x.csv: MLC201 data file'
    """

    file: str
    line: int | None
    rule: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.rule} {self.message}" if where else f"{self.rule} {self.message}"


def project_files(root: Path) -> list[str]:
    """The files git would commit under ``root`` (tracked or untracked, not ignored), relative paths.

    Outside a git repository, every file except those under ``.git``, ``.venv`` and similar folders.

    Example:
        >>> "mlcore/checks/__init__.py" in project_files(Path(__file__).parents[2])
        True
    """
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=root,
        capture_output=True,
        check=False,
    )
    if listed.returncode == 0:
        names = (name for name in listed.stdout.decode().split("\0") if name)
        return sorted(name for name in names if (root / name).is_file())
    return sorted(
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file() and not _SKIPPED_DIRS.intersection(path.relative_to(root).parts)
    )
