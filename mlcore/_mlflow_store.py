"""A new SQLite MLflow store copied from an empty one made once per MLflow version.

MLflow builds a new SQLite store by running every schema migration (alembic, about 80 of them,
each committed to disk): 2-5 s on a project's first run, and on every test that makes a store.
The first time, :func:`create_store` has MLflow do exactly that on a scratch file in memory
(``/dev/shm``) and keeps the result in the user's cache (``$XDG_CACHE_HOME/mlcore``, else
``~/.cache/mlcore``) as ``mlflow-<version>.db``; after that, a new store is a copy of it. The
copy holds the schema and no experiment: MLflow adds its ``Default`` experiment when it first
opens the store, as it does for a store it made itself. When anything of this fails (no cache
folder, an MLflow without the function), MLflow makes the store itself, as before.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path

from mlcore._files import write_atomic

__all__ = ["create_store"]

log = logging.getLogger(__name__)


def _cache_dir() -> Path:
    root = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(root) / "mlcore"


def _copy_new(source: Path, target: Path) -> None:
    """Copy ``source`` to ``target`` through a temporary file beside it; never replace a
    ``target`` that appeared meanwhile (another process made it)."""
    staged = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    shutil.copyfile(source, staged)
    try:
        os.link(staged, target)
    except FileExistsError:
        pass
    finally:
        staged.unlink()


def _template() -> Path:
    """The empty store of this MLflow version, made in the cache when it is not there."""
    import mlflow
    import sqlalchemy
    from mlflow.store.db.utils import _initialize_tables

    cached = _cache_dir() / f"mlflow-{mlflow.__version__}.db"
    if cached.is_file():
        return cached
    scratch = "/dev/shm" if os.path.isdir("/dev/shm") else None  # in memory: no disk syncs
    with tempfile.TemporaryDirectory(dir=scratch) as tmp:
        made = Path(tmp) / "empty.db"
        engine = sqlalchemy.create_engine(f"sqlite:///{made}")
        try:
            _initialize_tables(engine)  # what MLflow's SqlAlchemyStore runs on an empty file
        finally:
            engine.dispose()
        return write_atomic(cached, made.read_bytes())


def create_store(path: Path) -> bool:
    """Put an empty MLflow store at ``path`` when there is no file there; True if it did.

    Example:
        >>> target = Path(tempfile.mkdtemp()) / "mlflow.db"
        >>> create_store(target), create_store(target)
        (True, False)
    """
    if path.exists():
        return False
    try:
        _copy_new(_template(), path)
    except (ImportError, OSError) as exc:  # MLflow makes the store itself when it opens it
        log.debug("no cached MLflow store (%s): MLflow creates %s", exc, path)
        return False
    return True
