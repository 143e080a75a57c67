"""Errors that carry a message meant for the person running the pipeline."""

from __future__ import annotations

__all__ = ["ConfigError", "DataError", "MlcoreError"]


class MlcoreError(Exception):
    """Base class: the message says what is wrong and where; no traceback is needed."""


class ConfigError(MlcoreError, ValueError):
    """A config value is missing, unknown or of the wrong type."""


class DataError(MlcoreError, ValueError):
    """Input data cannot be used: missing file or column, empty table, a single class..."""
