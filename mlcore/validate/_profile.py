"""Profiling a trusted snapshot into an expectation list, and writing it as Hydra YAML."""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from mlcore._files import write_atomic
from mlcore.errors import ConfigError, DataError
from mlcore.validate._spec import check_expectations

__all__ = ["dump_expectations_yaml", "profile_expectations"]

log = logging.getLogger("mlcore.validate")  # the public package's logger, as before the split


def _round_out(value: float, *, up: bool, integer: bool, decimals: int = 4) -> int | float:
    scale = 1 if integer else 10**decimals
    rounded = (math.ceil if up else math.floor)(value * scale) / scale
    return int(rounded) if integer else float(rounded)


def _column_expectations(
    name: str, series: pd.Series, *, max_categories: int, margin: float, is_key: bool
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [
        {"type": "column_exists", "column": name},
        {"type": "dtype", "column": name, "dtype": str(series.dtype)},
    ]
    null_share = float(series.isna().mean()) if len(series) else 0.0
    if null_share == 0.0:
        out.append({"type": "not_null", "column": name})
    elif null_share < 1.0:  # allow the share to double, by at least one point
        cap = min(1.0, null_share + max(null_share, 0.01))
        out.append({"type": "null_share_at_most", "column": name, "max_share": round(cap, 4)})
    values = series.dropna()
    if is_key or values.empty or pd.api.types.is_datetime64_any_dtype(series):
        return out
    is_bool = pd.api.types.is_bool_dtype(series)
    if pd.api.types.is_numeric_dtype(series) and not is_bool:
        if set(values.unique().tolist()) <= {0, 1}:  # a 0/1 flag or label
            out.append({"type": "in_set", "column": name, "values": [0, 1]})
            return out
        lo, hi = float(values.min()), float(values.max())
        span = margin * (hi - lo)
        integer = pd.api.types.is_integer_dtype(series)
        low = _round_out(lo - span, up=False, integer=integer)
        out.append(
            {
                "type": "between",
                "column": name,
                "min": max(low, 0) if lo >= 0 else low,  # never-negative columns stay so
                "max": _round_out(hi + span, up=True, integer=integer),
            }
        )
        return out
    distinct = values.unique()
    if len(distinct) <= max_categories:
        cast = bool if is_bool else str
        out.append({"type": "in_set", "column": name, "values": sorted(cast(v) for v in distinct)})
    return out


def profile_expectations(
    frame: pd.DataFrame,
    *,
    entity_col: str | None = None,
    date_col: str | None = None,
    max_categories: int = 20,
    margin: float = 0.1,
    row_count_range: tuple[float, float | None] = (0.5, 2.0),
) -> list[dict[str, Any]]:
    """Draft an expectation list from a trusted snapshot, for a human to review and commit.

    Per column: it exists and keeps its dtype; ``not_null`` when it has no nulls, otherwise
    ``null_share_at_most`` twice the observed share (at least one point more); numeric columns
    ``between`` their range widened by ``margin`` times the range (a column that is never
    negative keeps a lower bound of 0), or ``in_set [0, 1]`` for 0/1 flags; strings, booleans
    and categoricals with at most ``max_categories`` values ``in_set``. Datetime columns get no
    range, nor do ``entity_col`` and ``date_col`` (new ids and dates are expected).
    ``entity_col`` is ``unique`` on its own, or together with ``date_col`` for a panel
    (neither when the snapshot has duplicates: a warning is logged). The row count must lie in
    ``row_count_range`` times the snapshot's (``None``: no upper bound).

    Example:
        >>> df = pd.DataFrame({"id": [1, 2, 3], "plan": ["a", "b", "a"]})
        >>> [e["type"] for e in profile_expectations(df, entity_col="id")][:3]
        ['row_count_between', 'column_exists', 'dtype']
    """
    wanted = [c for c in (entity_col, date_col) if c is not None]
    missing = [c for c in wanted if c not in frame.columns]
    if missing:
        raise DataError(f"profile_expectations: column(s) {missing} not in the snapshot")
    if frame.empty:
        raise DataError("profile_expectations: the snapshot has no rows to learn from")
    if margin < 0:
        raise ConfigError(f"profile_expectations: margin must be >= 0, got {margin}")
    low, high = row_count_range
    n = len(frame)
    out: list[dict[str, Any]] = [
        {
            "type": "row_count_between",
            "min": math.floor(n * low),
            "max": None if high is None else math.ceil(n * high),
        }
    ]
    for name in frame.columns:
        out += _column_expectations(
            str(name),
            frame[name],
            max_categories=max_categories,
            margin=margin,
            is_key=name in wanted,
        )
    if entity_col is not None:
        keys = [[entity_col]] + ([[entity_col, date_col]] if date_col else [])
        key = next((k for k in keys if not frame.duplicated(subset=k).any()), None)
        if key is None:
            log.warning("profile_expectations: %s has duplicates; no 'unique' expectation", keys)
        elif len(key) == 1:
            out.append({"type": "unique", "column": entity_col})
        else:
            out.append({"type": "unique", "columns": key})
    return out


def dump_expectations_yaml(
    expectations: Sequence[Mapping[str, Any]], path: str | Path, *, source: str = "a snapshot"
) -> Path:
    """Write ``expectations`` as a Hydra ``validation`` group file (atomically), after checking it.

    Example:
        >>> import tempfile
        >>> p = dump_expectations_yaml([{"type": "not_null", "column": "id"}], Path(tempfile.mkdtemp()) / "v.yaml")
        >>> print(p.read_text().splitlines()[-3:])
        ['expectations:', '- type: not_null', '  column: id']
    """
    from omegaconf import OmegaConf

    specs = check_expectations(expectations)
    body = OmegaConf.to_yaml(OmegaConf.create({"expectations": specs}))
    header = (
        f"# Profiled from {source} by mlcore.validate.profile_expectations.\n"
        "# Review every bound and set, loosen or delete what is too strict, then commit.\n"
        "# severity: error stops the pipeline; warning only reports.\n"
    )
    return write_atomic(Path(path), header + body)
