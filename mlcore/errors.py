"""Errors that carry a message meant for the person running the pipeline."""

from __future__ import annotations

import errno
import logging
import sys
from collections.abc import Callable
from typing import Any

__all__ = ["ConfigError", "DataError", "MlcoreError", "run_main"]

log = logging.getLogger(__name__)
UNWRITABLE = {errno.EACCES, errno.EPERM, errno.EROFS}


class MlcoreError(Exception):
    """Base class: the message says what is wrong and where; no traceback is needed."""


class ConfigError(MlcoreError, ValueError):
    """A config value is missing, unknown or of the wrong type."""


class DataError(MlcoreError, ValueError):
    """Input data cannot be used: missing file or column, empty table, a single class..."""


def run_main(action: Callable[[], Any], error_code: int = 1) -> tuple[int, Any]:
    """Run ``action``; a user error prints one ``ERROR:`` line and gives ``(error_code, None)``.

    Errors meant for the user (bad config, bad data, failed validation) name what and where; the
    full traceback goes to the log at debug level. A ``ValueError`` from a library is taken as bad
    input too, and so is a database error of the MLflow store (locked, damaged) or a folder the
    run may not write to (permissions, a read-only file system); any other exception (a
    ``KeyError`` or ``TypeError`` from a bug) propagates with its traceback.

    Example:
        >>> run_main(lambda: 42)
        (0, 42)
    """
    try:
        return 0, action()
    except (MlcoreError, ValueError) as exc:
        log.debug("failed", exc_info=True)
        print(f"ERROR: {exc}", file=sys.stderr)
        return error_code, None
    except OSError as exc:
        if exc.errno not in UNWRITABLE:
            raise
        log.debug("failed", exc_info=True)
        print(
            f"ERROR: cannot write {exc.filename or 'a file'!r}: {exc.strerror}; give this user "
            "write access to that folder, or point the config key naming it (paths.*, "
            "tracking.*) to a folder it may write to",
            file=sys.stderr,
        )
        return error_code, None
    except Exception as exc:
        if not _is_store_error(exc):
            raise
        log.debug("failed", exc_info=True)
        cause = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        print(
            f"ERROR: the MLflow store (tracking.uri) cannot be used: {cause}; if it is locked, "
            "another process is writing to it: retry when it ends",
            file=sys.stderr,
        )
        return error_code, None


def _is_store_error(exc: BaseException) -> bool:
    """A database error of the MLflow store (SQLAlchemy's), e.g. a locked SQLite file."""
    return any(
        cls.__module__ == "sqlalchemy.exc" and cls.__name__ == "DatabaseError"
        for cls in type(exc).__mro__
    )
