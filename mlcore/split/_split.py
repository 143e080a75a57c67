"""Splitting a frame: by entity hash, by date (out of time), or both; the per-set report."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mlcore._frame import as_dates, require_columns
from mlcore.errors import ConfigError
from mlcore.split._hash import DEFAULT_FRACTIONS, SET_NAMES, check_fractions, hash_codes

__all__ = ["SPLIT_KINDS", "SplitResult", "split_frame", "split_report"]

SPLIT_KINDS = ("hash", "oot", "combined")


@dataclass(frozen=True)
class SplitResult:
    """The three sets of a split, a per-set report and the rows dropped to avoid leakage."""

    train: pd.DataFrame
    validation: pd.DataFrame
    test: pd.DataFrame
    report: pd.DataFrame
    dropped: int = 0

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in SET_NAMES:
            raise KeyError(f"no set {name!r} in a split; use one of {list(SET_NAMES)}")
        return getattr(self, name)


def split_report(
    parts: Mapping[str, pd.DataFrame],
    *,
    entity_col: str,
    target_col: str | None = None,
    date_col: str | None = None,
) -> pd.DataFrame:
    """One row per set: rows, entities, and the positive rate and date range when given.

    Example:
        >>> df = pd.DataFrame({"id": [1, 1, 2], "y": [0, 1, 1]})
        >>> split_report({"train": df}, entity_col="id", target_col="y").to_dict("records")
        [{'set': 'train', 'rows': 3, 'entities': 2, 'positive_rate': 0.6666666666666666}]
    """
    rows = []
    for name, part in parts.items():
        row: dict[str, Any] = {
            "set": name,
            "rows": len(part),
            "entities": int(part[entity_col].nunique()),
        }
        if target_col is not None:  # the mean of the target: the positive rate of a 0/1 one
            numeric = pd.api.types.is_numeric_dtype(part[target_col].dtype)
            row["positive_rate"] = (
                float(part[target_col].mean()) if len(part) and numeric else float("nan")
            )
        if date_col is not None:
            row["date_min"] = part[date_col].min()
            row["date_max"] = part[date_col].max()
        rows.append(row)
    return pd.DataFrame(rows)


def _cutoffs(cutoffs: Mapping[str, Any] | None, gap: pd.DateOffset) -> list[pd.Timestamp]:
    """Period boundaries ``[validation - gap, validation, test - gap, test]`` (naive)."""
    if not isinstance(cutoffs, Mapping) or set(cutoffs) != {"validation", "test"}:
        raise ConfigError(
            "split cutoffs must be a mapping with exactly the keys 'validation' and 'test' "
            f"(dates), got {cutoffs!r}"
        )
    parsed = {}
    for name in ("validation", "test"):
        try:
            stamp = pd.Timestamp(cutoffs[name])
        except (TypeError, ValueError):
            raise ConfigError(f"split cutoffs.{name}: not a date: {cutoffs[name]!r}") from None
        if stamp is pd.NaT:
            raise ConfigError(f"split cutoffs.{name}: not a date: {cutoffs[name]!r}")
        parsed[name] = stamp.tz_convert("UTC").tz_localize(None) if stamp.tz else stamp
    valid, test = parsed["validation"], parsed["test"]
    if not valid < test:
        raise ConfigError(
            f"split cutoffs out of order: validation ({valid.date()}) must be before "
            f"test ({test.date()})"
        )
    if not valid < test - gap:
        raise ConfigError(
            f"split gap {gap} leaves no validation period between the cutoffs {valid.date()} "
            f"and {test.date()}"
        )
    return [valid - gap, valid, test - gap, test]


def _gap(gap_days: int, gap_months: int) -> pd.DateOffset:
    for name, value in (("gap_days", gap_days), ("gap_months", gap_months)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
            raise ConfigError(f"split {name} must be an integer >= 0, got {value!r}")
    return pd.DateOffset(months=int(gap_months), days=int(gap_days))


# Period code by the number of boundaries <= date: before, gap, validation, gap, test.
_PERIOD_OF_SLOT = np.array([0, -1, 1, -1, 2], dtype=np.int8)


def _period_codes(dates: pd.Series, boundaries: Sequence[pd.Timestamp]) -> np.ndarray:
    edges = np.array([b.to_datetime64() for b in boundaries], dtype="datetime64[ns]")
    slots = np.searchsorted(edges, dates.to_numpy(dtype="datetime64[ns]"), side="right")
    return _PERIOD_OF_SLOT[slots]


def set_codes(
    frame: pd.DataFrame,
    *,
    entity_col: str,
    fractions: Mapping[str, float] | None = None,
    salt: str = "",
    target_col: str | None = None,
    kind: str = "hash",
    date_col: str | None = None,
    cutoffs: Mapping[str, Any] | None = None,
    gap_days: int = 0,
    gap_months: int = 0,
) -> np.ndarray:
    """The set of each row under a split definition: 0 train, 1 validation, 2 test, -1 dropped.

    The same arguments as :func:`split_frame`, which splits by these codes; the promotion gate
    uses them to find which rows another split definition trained on.

    Example:
        >>> set_codes(pd.DataFrame({"id": range(6)}), entity_col="id").tolist()
        [2, 0, 0, 0, 0, 0]
    """
    if kind not in SPLIT_KINDS:
        raise ConfigError(f"split kind must be one of {list(SPLIT_KINDS)}, got {kind!r}")
    if kind != "hash" and date_col is None:
        raise ConfigError(f"split kind {kind!r} needs a date column (date_col)")
    require_columns(
        frame, what="split", entity_col=entity_col, date_col=date_col, target_col=target_col
    )
    if kind == "oot":
        codes = None
    else:
        ratios = check_fractions(DEFAULT_FRACTIONS if fractions is None else fractions, SET_NAMES)
        codes = hash_codes(frame[entity_col], ratios, salt)
    if kind != "hash":
        boundaries = _cutoffs(cutoffs, _gap(gap_days, gap_months))
        periods = _period_codes(as_dates(frame[date_col], what="split"), boundaries)
        codes = periods if codes is None else np.where(codes == periods, periods, np.int8(-1))
    return codes


def split_frame(
    frame: pd.DataFrame,
    *,
    entity_col: str,
    fractions: Mapping[str, float] | None = None,
    salt: str = "",
    target_col: str | None = None,
    kind: str = "hash",
    date_col: str | None = None,
    cutoffs: Mapping[str, Any] | None = None,
    gap_days: int = 0,
    gap_months: int = 0,
) -> SplitResult:
    """Split a frame into train / validation / test by entity hash, by date, or both.

    ``fractions`` (default :data:`DEFAULT_FRACTIONS`) and ``salt`` drive the ``hash`` and
    ``combined`` kinds; ``date_col``, ``cutoffs`` and the gap drive ``oot`` and ``combined``. All
    rows of an entity go to one set (``hash``), or to their entity's set when in its period
    (``combined``). The report has one row per set, with date ranges when ``date_col`` is given.

    Example:
        >>> df = pd.DataFrame({"id": range(100), "y": [0, 1] * 50})
        >>> res = split_frame(df, entity_col="id", fractions=DEFAULT_FRACTIONS)
        >>> int(res.report["rows"].sum()), res.dropped
        (100, 0)
    """
    codes = set_codes(
        frame,
        entity_col=entity_col,
        fractions=fractions,
        salt=salt,
        target_col=target_col,
        kind=kind,
        date_col=date_col,
        cutoffs=cutoffs,
        gap_days=gap_days,
        gap_months=gap_months,
    )
    parts = {
        name: frame.take(np.flatnonzero(codes == index)).reset_index(drop=True)
        for index, name in enumerate(SET_NAMES)
    }
    report = split_report(parts, entity_col=entity_col, target_col=target_col, date_col=date_col)
    return SplitResult(**parts, report=report, dropped=int((codes < 0).sum()))
