"""Checks every step makes of its input frame: the columns it needs, and a column of dates.

Bottom layer: imports only :mod:`mlcore.errors` and third-party libraries.
"""

from __future__ import annotations

import pandas as pd

from mlcore.errors import DataError

__all__ = ["as_dates", "require_columns"]


def require_columns(frame: pd.DataFrame, *, what: str, **columns: str | None) -> None:
    """Check that ``frame`` is a non-empty DataFrame with the columns, else raise DataError.

    Each keyword names a column's role for the message (``entity_col="id"``); ``None`` is skipped.

    Example:
        >>> require_columns(pd.DataFrame({"id": [1]}), what="split", entity_col="id")
    """
    if not isinstance(frame, pd.DataFrame):
        raise DataError(f"{what}: expected a pandas DataFrame, got {type(frame).__name__}")
    missing = [f"{col!r} ({role})" for role, col in columns.items() if col and col not in frame]
    if missing:
        raise DataError(f"{what}: missing column(s) {', '.join(missing)} in the data")
    if frame.empty:
        raise DataError(f"{what}: the data has no rows")


def as_dates(values: pd.Series, *, what: str) -> pd.Series:
    """``values`` as naive datetimes (converted to UTC if tz-aware); numbers and NaT are errors.

    Example:
        >>> as_dates(pd.Series(["2024-01-31"], name="d"), what="split").dt.month.tolist()
        [1]
    """
    if pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype):
        raise DataError(f"{what}: date column {values.name!r} holds {values.dtype}, not dates")
    try:
        dates = pd.to_datetime(values)
    except (TypeError, ValueError) as exc:
        raise DataError(
            f"{what}: date column {values.name!r} does not hold dates ({exc})"
        ) from None
    if dates.dt.tz is not None:
        dates = dates.dt.tz_convert("UTC").dt.tz_localize(None)
    if dates.hasnans:
        raise DataError(
            f"{what}: date column {values.name!r} has {int(dates.isna().sum())} missing value(s)"
        )
    return dates
