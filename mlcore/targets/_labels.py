"""Churn labels: the churn period of each entity, and the labelled snapshots (see mlcore.targets)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mlcore._frame import as_dates, require_columns
from mlcore.errors import ConfigError, DataError

__all__ = [
    "DEFINITIONS",
    "MODES",
    "REASONS",
    "SNAPSHOTS",
    "TargetResult",
    "churn_labels",
    "churn_periods",
    "edge_warning",
]

MODES = ("in", "within")
DEFINITIONS = ("cancellation", "inactivity")
SNAPSHOTS = ("rows", "periods")
REASONS = ("churned", "censored", "churned_before_target", "never_active")


@dataclass(frozen=True)
class TargetResult:
    """Labelled snapshots, the snapshots dropped by reason, and the positive rate per period.

    ``by_period`` is indexed by the period's start, with ``rows``, ``positives`` and
    ``positive_rate`` of the kept snapshots.
    """

    frame: pd.DataFrame
    dropped: dict[str, int]
    by_period: pd.DataFrame


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


def _overdue(
    entities: pd.Series,
    dates: pd.Series,
    active: np.ndarray,
    tolerance: str | pd.Timedelta,
    default_gap: str | pd.Timedelta | None,
) -> pd.Series:
    """Per active entity: the moment it is overdue (last active day + typical gap + tolerance)."""
    days = (
        pd.DataFrame({"entity": entities[active], "day": dates[active].dt.normalize()})
        .drop_duplicates()
        .sort_values(["entity", "day"])
    )
    by_entity = days.groupby("entity")["day"]
    typical = (days["day"] - by_entity.shift()).groupby(days["entity"]).median()
    if default_gap is None:
        if typical.isna().all():
            raise DataError(
                "churn_labels: no entity is active on two distinct days; pass default_gap"
            )
        fallback = typical.median()
    else:
        fallback = _timedelta("default_gap", default_gap, positive=True)
    return (
        by_entity.max()
        + typical.fillna(fallback)
        + _timedelta("tolerance", tolerance, positive=False)
    )


def churn_periods(
    data: pd.DataFrame,
    *,
    entity_col: str,
    date_col: str,
    definition: str = "cancellation",
    cancel_col: str | None = None,
    activity_col: str | None = None,
    tolerance: str | pd.Timedelta = "0D",
    default_gap: str | pd.Timedelta | None = None,
    freq: str = "M",
    end: str | pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Per entity: whether it churned inside the data, and its churn period.

    Returns a frame indexed by entity with ``churned`` (churned by the end of the data),
    ``churn`` (a period ordinal: the churn period, or the period after the data's last if not
    churned), ``first`` (the period of its first row), ``never_active`` and the data's
    ``end_period``; see the module docstring for the definitions. ``end`` (the last moment the
    data cover) defaults to the end of the latest date's period.

    Example:
        >>> log = pd.DataFrame({"id": [1, 1, 2], "day": pd.to_datetime(
        ...     ["2024-01-03", "2024-01-10", "2024-03-30"])})
        >>> per = churn_periods(log, entity_col="id", date_col="day", definition="inactivity")
        >>> per["churned"].tolist(), per["churn"].tolist()  # 648 = January 2024, 651 = April
        ([True, False], [648, 651])
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
    if definition == "cancellation" and cancel_col is None:
        raise ConfigError("churn_labels: definition 'cancellation' needs cancel_col")
    dates = as_dates(data[date_col], what="churn_labels")
    latest = dates.max()
    _ordinals(pd.Series([latest]), freq)  # a clear error for a bad freq
    end_time = pd.Period(latest, freq=freq).end_time if end is None else pd.Timestamp(end)
    if latest > end_time:
        raise DataError(f"churn_labels: the data run past end={end!r} (latest {latest})")
    end_period = int(_ordinals(pd.Series([end_time]), freq)[0])
    entities = data[entity_col]
    periods = pd.Series(_ordinals(dates, freq), index=entities.index)
    per = pd.DataFrame(index=pd.Index(entities.unique(), name=entity_col))
    per["first"] = periods.groupby(entities).min().reindex(per.index).to_numpy()
    if definition == "cancellation":
        flagged = data[cancel_col].fillna(False).astype(bool).to_numpy()
        churn = periods[flagged].groupby(entities[flagged]).min()
        per["never_active"] = False
    else:
        active = (
            np.ones(len(data), dtype=bool)
            if activity_col is None
            else (data[activity_col].fillna(0) > 0).to_numpy()
        )
        deadline = _overdue(entities, dates, active, tolerance, default_gap)
        deadline = deadline[deadline <= end_time]
        churn = pd.Series(_ordinals(deadline, freq), index=deadline.index)
        per["never_active"] = ~per.index.isin(entities[active].unique())
    per["churned"] = per.index.isin(churn.index)
    per["churn"] = churn.reindex(per.index).fillna(end_period + 1).astype(np.int64)
    per["end_period"] = end_period
    return per


def _period_snapshots(
    data: pd.DataFrame, per: pd.DataFrame, entity_col: str, date_col: str, freq: str
) -> tuple[pd.DataFrame, np.ndarray, pd.DataFrame]:
    """One snapshot per entity and period, from its first row to its churn period or the end."""
    end_period = int(per["end_period"].iloc[0])
    first = per["first"].to_numpy()
    stop = np.minimum(per["churn"].to_numpy(), end_period)
    counts = np.clip(stop - first + 1, 0, None)
    owner = np.repeat(np.arange(len(per)), counts)
    t = np.repeat(first, counts) + (
        np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    )
    frame = pd.DataFrame(
        {
            entity_col: per.index.to_numpy()[owner],
            date_col: pd.PeriodIndex.from_ordinals(t, freq=freq).to_timestamp(),
        }
    )
    return frame, t, per.iloc[owner]


def churn_labels(
    data: pd.DataFrame,
    *,
    entity_col: str,
    date_col: str,
    horizon: int,
    mode: str = "within",
    definition: str = "cancellation",
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
    is made, from its first event to its churn period (or the end of the data), with columns
    ``entity_col``, ``date_col`` (the period's start) and the label.

    Example:
        >>> log = pd.DataFrame({"id": [7, 7, 7], "cancel": [False, False, True],
        ...     "day": pd.to_datetime(["2024-01-05", "2024-02-10", "2024-04-09"])})
        >>> res = churn_labels(log, entity_col="id", date_col="day", horizon=2,
        ...                    cancel_col="cancel", snapshots="periods")
        >>> res.frame["churn"].tolist(), res.dropped["censored"], res.dropped["churned"]
        ([0, 1], 1, 1)
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
        frame, t, rows = _period_snapshots(data, per, entity_col, date_col, freq)
    churn, target = rows["churn"].to_numpy(), t + horizon
    never = rows["never_active"].to_numpy()
    gone = ~never & (t >= churn)
    censored = ~never & ~gone & (target > end_period)
    early = ~never & ~gone & ~censored & (churn < target) & (mode == "in")
    keep = ~(never | gone | censored | early)
    hit = churn <= target if mode == "within" else churn == target
    label = hit[keep].astype(np.int64)
    labelled = frame.loc[keep].assign(**{label_col: label})
    dropped = dict(
        zip(REASONS, (int(m.sum()) for m in (gone, censored, early, never)), strict=True)
    )
    start = pd.PeriodIndex.from_ordinals(t[keep], freq=freq).to_timestamp()
    counts = pd.DataFrame({"period": start, "positives": label}).groupby("period")["positives"]
    by_period = pd.DataFrame({"rows": counts.size(), "positives": counts.sum()})
    by_period["positive_rate"] = by_period["positives"] / by_period["rows"]
    return TargetResult(labelled.reset_index(drop=True), dropped, by_period)


def edge_warning(by_period: pd.DataFrame, edge: int = 3, z: float = 3.0) -> str | None:
    """A warning when the positive rate of the last ``edge`` periods breaks from the earlier trend.

    A label built too close to the end of the data (an entity's last purchase taken for its
    churn, an unknown outcome taken for a 0) shows as a rate that climbs or falls in the last
    labelled periods. The earlier periods' trend (a line through their log-odds, weighted by
    rows: a closed cohort's rate falls smoothly as its riskiest customers leave) is extended to
    the last ones; the warning comes when their pooled rate is more than ``z`` standard errors
    and more than a fifth away from it. ``None`` otherwise, or with too few periods.

    Example:
        >>> rates = pd.DataFrame({"rows": [100] * 6, "positives": [10, 11, 10, 20, 30, 45]})
        >>> edge_warning(rates)[:40]
        'the positive rate of the last 3 periods '
    """
    if len(by_period) < edge + 2:
        return None
    rows = by_period["rows"].to_numpy(dtype=np.float64)
    rate = (by_period["positives"].to_numpy() + 0.5) / (rows + 1.0)
    x = np.arange(len(rows), dtype=np.float64)
    slope, intercept = np.polyfit(
        x[:-edge], np.log(rate / (1 - rate))[:-edge], 1, w=np.sqrt(rows[:-edge])
    )
    expected = 1.0 / (1.0 + np.exp(-(intercept + slope * x[-edge:])))
    n = rows[-edge:].sum()
    observed = by_period["positives"].to_numpy()[-edge:].sum() / n
    trend = float((expected * rows[-edge:]).sum() / n)
    se = np.sqrt(trend * (1 - trend) / n)
    gap = abs(observed - trend)
    if gap <= z * se or gap <= 0.2 * max(observed, trend):
        return None
    return (
        f"the positive rate of the last {edge} periods ({observed:.3f}) breaks from the "
        f"earlier periods' trend ({trend:.3f} expected): a label biased towards the edge of the "
        "data? check the target definition and its censoring"
    )
