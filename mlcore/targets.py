"""Churn labels from a monthly panel or an event log, with censored snapshots dropped, not guessed.

A snapshot is an entity at period ``t`` (a month by default), described by what is known at the
end of ``t``. The entity's churn period ``c`` comes from one of two definitions:

``cancel``
    the period of its first cancellation row (``cancel_col`` is true).
``inactivity``
    the period of its last activity, once the data run past its expected next activity: the
    last active day plus the median gap between its distinct active days (``default_gap``, or the
    population's median, for an entity active on a single day) plus ``tolerance``. Before that
    point the entity is not known to have churned.

For a horizon ``N`` the two options of the target trade-off are:

``within``
    1 when ``t < c <= t + N``: churns within the next N periods (more positives, vaguer).
``in``
    1 when ``c == t + N``: churns in period ``t + N`` (clear-cut, more margin to act).

Dropped snapshots, counted by reason in :attr:`TargetResult.dropped`:

- ``churned``: ``t >= c``; the entity is no longer a customer at risk.
- ``censored``: the horizon runs past the end of the data (``t + N`` after the last period), or
  past what is known of an entity not yet known to have churned (inactivity: ``t + N`` at or
  after its last active period). Such a label is unknown; calling it 0 would be a guess.
- ``churned_before_target`` (``in`` only): ``t < c < t + N``; the entity leaves before the target
  period, so "churns in period t + N" does not apply to it.

Example:
    >>> import pandas as pd
    >>> panel = pd.DataFrame({
    ...     "id": [1, 1, 1, 2, 2, 2],
    ...     "month": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"] * 2),
    ...     "cancel": [0, 0, 1, 0, 0, 0],
    ... })
    >>> res = churn_labels(panel, entity_col="id", date_col="month", horizon=1, cancel_col="cancel")
    >>> res.frame["churn"].tolist(), res.dropped
    ([0, 1, 0, 0], {'churned': 1, 'censored': 1, 'churned_before_target': 0})
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mlcore._frame import as_dates, require_columns
from mlcore.errors import ConfigError, DataError

__all__ = ["DEFINITIONS", "MODES", "SNAPSHOTS", "TargetResult", "churn_labels", "churn_periods"]

MODES = ("in", "within")
DEFINITIONS = ("cancel", "inactivity")
SNAPSHOTS = ("rows", "periods")
_NEVER = np.iinfo(np.int64).max // 2  # further than any period from the data


@dataclass(frozen=True)
class TargetResult:
    """Labelled snapshots and the number of snapshots dropped, by reason."""

    frame: pd.DataFrame
    dropped: dict[str, int]


def _choice(name: str, value: str, options: tuple[str, ...]) -> None:
    if value not in options:
        raise ConfigError(f"churn_labels: {name} must be one of {list(options)}, got {value!r}")


def _timedelta(name: str, value: str | pd.Timedelta, *, positive: bool) -> pd.Timedelta:
    try:
        delta = pd.Timedelta(value)
    except (TypeError, ValueError):
        raise ConfigError(f"churn_labels: {name} is not a duration: {value!r}") from None
    if delta is pd.NaT or delta < pd.Timedelta(0) or (positive and delta == pd.Timedelta(0)):
        raise ConfigError(
            f"churn_labels: {name} must be a duration {'>' if positive else '>='} 0, got {value!r}"
        )
    return delta


def _ordinals(dates: pd.Series, freq: str) -> np.ndarray:
    try:
        return pd.PeriodIndex(dates, freq=freq).asi8
    except (TypeError, ValueError) as exc:
        raise ConfigError(
            f"churn_labels: freq {freq!r} is not a period frequency ({exc})"
        ) from None


def churn_periods(
    data: pd.DataFrame,
    *,
    entity_col: str,
    date_col: str,
    definition: str = "cancel",
    cancel_col: str | None = None,
    activity_col: str | None = None,
    tolerance: str | pd.Timedelta = "0D",
    default_gap: str | pd.Timedelta | None = None,
    freq: str = "M",
    end: str | pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Per entity: its churn period, or the last period it is known to be a customer.

    Returns a frame indexed by entity with ``churned`` (known to have churned by the end of the
    data), ``churn`` (a period ordinal: the churn period if churned, else the first period in
    which it could still churn) and the data's ``end_period``; see the module docstring for the
    definitions. ``end`` (the last moment the data cover) defaults to the end of the latest
    date's period.

    Example:
        >>> log = pd.DataFrame({"id": [1, 1, 2], "day": pd.to_datetime(
        ...     ["2024-01-03", "2024-01-10", "2024-03-30"])})
        >>> per = churn_periods(log, entity_col="id", date_col="day", definition="inactivity")
        >>> per["churned"].tolist(), per["churn"].tolist()  # 648 = January 2024
        ([True, False], [648, 650])
    """
    _choice("definition", definition, DEFINITIONS)
    require_columns(
        data,
        what="churn_labels",
        entity_col=entity_col,
        date_col=date_col,
        cancel_col=cancel_col,
        activity_col=activity_col,
    )
    dates = as_dates(data[date_col], what="churn_labels")
    latest = dates.max()
    _ordinals(pd.Series([latest]), freq)  # a clear error for a bad freq
    end_time = pd.Period(latest, freq=freq).end_time if end is None else pd.Timestamp(end)
    if latest > end_time:
        raise DataError(f"churn_labels: the data run past end={end!r} (latest {latest})")
    end_period = int(_ordinals(pd.Series([end_time]), freq)[0])
    entities = data[entity_col]
    if definition == "cancel":
        if cancel_col is None:
            raise ConfigError("churn_labels: definition 'cancel' needs cancel_col")
        flagged = data[cancel_col].fillna(False).astype(bool).to_numpy()
        periods = pd.Series(_ordinals(dates, freq), index=entities.index)
        churn = periods[flagged].groupby(entities[flagged]).min()
        per = pd.DataFrame(index=pd.Index(entities.unique(), name=entity_col))
        per["churned"] = per.index.isin(churn.index)
        per["churn"] = churn.reindex(per.index).fillna(end_period + 1).astype(np.int64)
    else:
        active = (
            np.ones(len(data), dtype=bool)
            if activity_col is None
            else (data[activity_col].fillna(0) > 0).to_numpy()
        )
        days = (
            pd.DataFrame({"entity": entities[active], "day": dates[active].dt.normalize()})
            .drop_duplicates()
            .sort_values(["entity", "day"])
        )
        by_entity = days.groupby("entity")["day"]
        gaps = days["day"] - by_entity.shift()
        typical = gaps.groupby(days["entity"]).median()
        if default_gap is None:
            if typical.isna().all():
                raise DataError(
                    "churn_labels: no entity is active on two distinct days; pass default_gap"
                )
            fallback = typical.median()
        else:
            fallback = _timedelta("default_gap", default_gap, positive=True)
        last = by_entity.max()
        deadline = (
            last + typical.fillna(fallback) + _timedelta("tolerance", tolerance, positive=False)
        )
        last_period = pd.Series(_ordinals(last, freq), index=last.index)
        per = pd.DataFrame(index=pd.Index(entities.unique(), name=entity_col))
        per["churned"] = (deadline < end_time).reindex(per.index, fill_value=False).to_numpy()
        # An entity never active has no known state: every snapshot of it is censored.
        per["churn"] = last_period.reindex(per.index).fillna(-_NEVER).astype(np.int64)
    per["end_period"] = end_period
    return per


def churn_labels(
    data: pd.DataFrame,
    *,
    entity_col: str,
    date_col: str,
    horizon: int,
    mode: str = "within",
    definition: str = "cancel",
    cancel_col: str | None = None,
    activity_col: str | None = None,
    tolerance: str | pd.Timedelta = "0D",
    default_gap: str | pd.Timedelta | None = None,
    freq: str = "M",
    end: str | pd.Timestamp | None = None,
    snapshots: str = "rows",
    label_col: str = "churn",
) -> TargetResult:
    """Label churn ``in`` or ``within`` the next ``horizon`` periods (see the module docstring).

    ``snapshots="rows"``: ``data`` is a panel and each row is a snapshot, returned with the label
    added. ``snapshots="periods"``: ``data`` is an event log; one snapshot per entity and period
    is made, from its first event to the period before it churns (or the end of the data), with
    columns ``entity_col``, ``date_col`` (the period's start) and the label.

    Example:
        >>> log = pd.DataFrame({"id": [7, 7, 7], "cancel": [False, False, True],
        ...     "day": pd.to_datetime(["2024-01-05", "2024-02-10", "2024-04-09"])})
        >>> res = churn_labels(log, entity_col="id", date_col="day", horizon=2,
        ...                    cancel_col="cancel", snapshots="periods")
        >>> res.frame["churn"].tolist(), res.dropped["censored"]
        ([0, 1], 1)
    """
    _choice("mode", mode, MODES)
    _choice("snapshots", snapshots, SNAPSHOTS)
    if isinstance(horizon, bool) or not isinstance(horizon, int | np.integer) or horizon < 1:
        raise ConfigError(f"churn_labels: horizon must be an integer >= 1, got {horizon!r}")
    if label_col in data:
        raise DataError(f"churn_labels: the data already has a column {label_col!r}")
    per = churn_periods(
        data,
        entity_col=entity_col,
        date_col=date_col,
        definition=definition,
        cancel_col=cancel_col,
        activity_col=activity_col,
        tolerance=tolerance,
        default_gap=default_gap,
        freq=freq,
        end=end,
    )
    end_period = int(per["end_period"].iloc[0])
    if snapshots == "rows":
        frame = data
        t = _ordinals(as_dates(data[date_col], what="churn_labels"), freq)
        rows = per.reindex(data[entity_col])
    else:
        first = (
            pd.Series(
                _ordinals(as_dates(data[date_col], what="churn_labels"), freq), index=data.index
            )
            .groupby(data[entity_col])
            .min()
        )
        stop = np.where(per["churned"], per["churn"] - 1, end_period)
        counts = np.clip(stop - first.reindex(per.index).to_numpy() + 1, 0, None)
        owner = np.repeat(np.arange(len(per)), counts)
        t = np.repeat(first.reindex(per.index).to_numpy(), counts) + (
            np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        )
        rows = per.iloc[owner]
        frame = pd.DataFrame(
            {
                entity_col: per.index.to_numpy()[owner],
                date_col: pd.PeriodIndex.from_ordinals(t, freq=freq).to_timestamp(),
            }
        )
    churn, known = rows["churn"].to_numpy(), rows["churned"].to_numpy()
    target = t + horizon
    gone = known & (t >= churn)
    censored = ~gone & ((target > end_period) | (~known & (target >= churn)))
    early = ~gone & ~censored & known & (churn < target) if mode == "in" else np.zeros_like(gone)
    keep = ~(gone | censored | early)
    hit = churn <= target if mode == "within" else churn == target
    labelled = frame.loc[keep].assign(**{label_col: (known & hit)[keep].astype(np.int64)})
    dropped = {
        "churned": int(gone.sum()),
        "censored": int(censored.sum()),
        "churned_before_target": int(early.sum()),
    }
    return TargetResult(frame=labelled.reset_index(drop=True), dropped=dropped)
