"""Activity features for entity panels: recency, frequency, trend and regularity of usage.

Input is a panel or an event log: one row per entity and period (a customer-month with a login
count) or per event. Each row gets features computed from its own entity's rows at or before its
period, never later ones, so features are the same at training and at scoring and leak nothing
from the future. Periods with no row count as no activity. The transformers learn nothing in
``fit``: there is no training statistic to save, but scoring needs each entity's history
(``window`` periods, or all of it for the regularity features) in the frame. The features are
computed in float64 and returned as float32, the precision of the model's input matrix
(:mod:`mlcore._chunked`), at half the memory.

Periods: a datetime ``time`` column is turned into periods of ``period`` (``"M"`` months, ``"W"``
weeks, ``"D"`` days, ...); an integer column is used as a period number. Rows sharing an entity and
period are summed into one period and get the same features.

Example:
    >>> import pandas as pd
    >>> from mlcore.activity import ActivityFeatures
    >>> panel = pd.DataFrame({"id": [1, 1, 1], "month": [0, 1, 2], "logins": [9, 6, 3]})
    >>> ActivityFeatures("id", "month", "logins", window=3).fit_transform(panel)[-1].tolist()
    [0.0, 3.0, 6.0, -3.0]
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from mlcore._schema import section
from mlcore.errors import ConfigError, DataError

__all__ = [
    "ActivityFeatures",
    "FinerGrainWarning",
    "PanelFeatures",
    "RegularityFeatures",
    "finer_grain",
    "panel_features",
]


@dataclass(frozen=True)
class _Grid:
    """Every entity's periods from its first to its last row, as one flat array of cells."""

    activity: np.ndarray  # summed value per cell, 0 where the entity has no row
    start: np.ndarray  # index of the entity's first cell, per cell
    row_cell: np.ndarray  # cell of each input row


class _PanelTransformer(TransformerMixin, BaseEstimator):
    """Shared parameters, validation and grid building of the activity transformers."""

    def __init__(
        self,
        entity: str = "customer_id",
        time: str = "snapshot_month",
        value: str | None = None,
        period: str = "M",
    ):
        self.entity = entity
        self.time = time
        self.value = value
        self.period = period

    @property
    def _prefix(self) -> str:
        return self.value if self.value is not None else "events"

    def _check_frame(self, X: Any) -> pd.DataFrame:
        name = type(self).__name__
        if not isinstance(X, pd.DataFrame):
            raise TypeError(f"{name}: expects a DataFrame with named columns, got {type(X)}")
        needed = [c for c in (self.entity, self.time, self.value) if c is not None]
        missing = [c for c in needed if c not in X.columns]
        if missing:
            raise DataError(f"{name}: column(s) {missing} are not in the data")
        for col in (self.entity, self.time):
            if X[col].isna().any():
                raise DataError(f"{name}: column {col!r} has missing values")
        return X

    def fit(self, X: pd.DataFrame, y: Any = None) -> _PanelTransformer:
        frame = self._check_frame(X)
        self.feature_names_in_ = np.asarray(frame.columns, dtype=object)
        self.n_features_in_ = frame.shape[1]
        return self

    def _periods(self, times: pd.Series) -> np.ndarray:
        if pd.api.types.is_datetime64_any_dtype(times.dtype):
            return times.dt.to_period(self.period).array.asi8
        values = pd.to_numeric(times, errors="coerce").to_numpy(dtype=np.float64)
        if np.isnan(values).any() or (np.mod(values, 1.0) != 0).any():
            raise DataError(f"column {self.time!r} must hold datetimes or integer period numbers")
        return values.astype(np.int64)

    def _grid(self, X: pd.DataFrame) -> _Grid:
        check_is_fitted(self, "n_features_in_")
        frame = self._check_frame(X)
        entity = pd.factorize(frame[self.entity])[0]
        period = self._periods(frame[self.time])
        if self.value is None:
            value = np.ones(len(frame))
        else:
            value = pd.to_numeric(frame[self.value], errors="raise").to_numpy(
                dtype=np.float64, na_value=0.0
            )
        n_entities = entity.max() + 1 if len(entity) else 0
        first = np.full(n_entities, np.iinfo(np.int64).max)
        last = np.full(n_entities, np.iinfo(np.int64).min)
        np.minimum.at(first, entity, period)
        np.maximum.at(last, entity, period)
        length = last - first + 1
        offset = np.cumsum(length) - length
        row_cell = offset[entity] + period - first[entity]
        activity = np.bincount(row_cell, weights=value, minlength=int(length.sum()))
        return _Grid(activity, np.repeat(offset, length), row_cell)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names of the output columns, prefixed by the value column (``events`` without one)."""
        check_is_fitted(self, "n_features_in_")
        return np.asarray([f"{self._prefix}_{s}" for s in self._suffixes()], dtype=object)


def _window_sum(prefix: np.ndarray, first: np.ndarray) -> np.ndarray:
    """Sum over cells ``first..c`` for each cell ``c``, from ``prefix`` = [0, cumsum(values)]."""
    return prefix[1:] - prefix[first]


class ActivityFeatures(_PanelTransformer):
    """Recency, frequency, mean and trend of activity over the last ``window`` periods.

    Per row (its entity, its period ``t``, the window ``(t - window, t]`` cut at the entity's
    first period): ``recency`` = periods since the last active period (value > 0; 0 if active
    now, NaN if never), ``frequency_<w>`` = active periods in the window, ``mean_<w>`` = mean value
    per period, ``trend_<w>`` = least-squares slope of the value per period (NaN with a single
    period). A declining user has a negative trend.

    Example:
        >>> panel = pd.DataFrame({"id": [1, 1, 1], "month": [0, 1, 2], "logins": [9, 6, 3]})
        >>> ActivityFeatures("id", "month", "logins", window=3).fit(panel).get_feature_names_out().tolist()
        ['logins_recency', 'logins_frequency_3', 'logins_mean_3', 'logins_trend_3']
    """

    def __init__(
        self,
        entity: str = "customer_id",
        time: str = "snapshot_month",
        value: str | None = None,
        period: str = "M",
        window: int = 3,
    ):
        super().__init__(entity, time, value, period)
        self.window = window

    def _suffixes(self) -> list[str]:
        w = self.window
        return ["recency", f"frequency_{w}", f"mean_{w}", f"trend_{w}"]

    def fit(self, X: pd.DataFrame, y: Any = None) -> ActivityFeatures:
        if int(self.window) != self.window or self.window < 1:
            raise ConfigError(
                f"ActivityFeatures: window must be an integer >= 1, got {self.window}"
            )
        return super().fit(X, y)

    def transform(self, X: pd.DataFrame) -> np.ndarray:
        grid = self._grid(X)
        v = grid.activity
        cell = np.arange(len(v))
        active = v > 0
        last_active = np.maximum.accumulate(np.where(active, cell, -1))
        recency = np.where(last_active >= grid.start, cell - last_active, np.nan)
        first = np.maximum(grid.start, cell - int(self.window) + 1)
        n = (cell - first + 1).astype(np.float64)
        x = (cell - grid.start).astype(np.float64)  # period number within the entity
        sum_v = _window_sum(np.r_[0.0, np.cumsum(v)], first)
        sum_xv = _window_sum(np.r_[0.0, np.cumsum(x * v)], first)
        frequency = _window_sum(np.r_[0, np.cumsum(active)], first)
        x_first = x - n + 1  # the window's x values are x_first..x
        sum_x = n * (x_first + x) / 2
        sum_xx = _sum_squares(x) - _sum_squares(x_first - 1)
        with np.errstate(invalid="ignore", divide="ignore"):
            trend = (n * sum_xv - sum_x * sum_v) / (n * sum_xx - sum_x**2)
        return _rows([recency, frequency, sum_v / n, np.where(n > 1, trend, np.nan)], grid)


def _rows(cells: Sequence[np.ndarray], grid: _Grid) -> np.ndarray:
    """The per-cell feature columns at each input row, as one float32 matrix (computed in
    float64; float32 is the precision of the model's input, :mod:`mlcore._chunked`)."""
    out = np.empty((len(grid.row_cell), len(cells)), dtype=np.float32)
    for j, column in enumerate(cells):
        out[:, j] = column[grid.row_cell]
    return out


def _sum_squares(k: np.ndarray) -> np.ndarray:
    """0^2 + 1^2 + ... + k^2 (0 for k < 0)."""
    k = np.maximum(k, 0)
    return k * (k + 1) * (2 * k + 1) / 6


class RegularityFeatures(_PanelTransformer):
    """How regular usage is, from the gaps between active periods up to each row's period.

    ``gap_mean`` and ``gap_std`` (sample std) of the gaps, in periods, between consecutive active
    periods (value > 0) of the entity so far, and ``overdue`` = periods since the last active
    period minus ``gap_mean``: the time since the next activity was expected (positive: late).
    NaN until the entity has one gap (two for the std). A customer who logged in every month and
    then stopped for three months is 2 periods overdue; an irregular one with a mean gap of 3 is
    not yet.

    Example:
        >>> panel = pd.DataFrame({"id": [1] * 5, "month": [0, 2, 4, 5, 6], "logins": [1, 1, 1, 0, 0]})
        >>> RegularityFeatures("id", "month", "logins").fit_transform(panel)[-1].tolist()
        [2.0, 0.0, 0.0]
    """

    def _suffixes(self) -> list[str]:
        return ["gap_mean", "gap_std", "overdue"]

    def transform(self, X: pd.DataFrame) -> np.ndarray:
        grid = self._grid(X)
        cell = np.arange(len(grid.activity))
        active = grid.activity > 0
        last_active = np.maximum.accumulate(np.where(active, cell, -1))
        previous = np.r_[-1, last_active[:-1]]  # last active cell strictly before each cell
        has_gap = active & (previous >= grid.start)
        gap = np.where(has_gap, cell - previous, 0).astype(np.float64)
        count = _window_sum(np.r_[0, np.cumsum(has_gap)], grid.start)
        total = _window_sum(np.r_[0.0, np.cumsum(gap)], grid.start)
        squares = _window_sum(np.r_[0.0, np.cumsum(gap**2)], grid.start)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(count > 0, total / count, np.nan)
            var = (squares - count * mean**2) / (count - 1)
        std = np.where(count > 1, np.sqrt(np.maximum(var, 0.0)), np.nan)
        recency = np.where(last_active >= grid.start, cell - last_active, np.nan)
        return _rows([mean, std, recency - mean], grid)


class FinerGrainWarning(UserWarning):
    """Rows at a finer time grain than the model's periods (daily rows to a monthly model)."""


class PanelFeatures(TransformerMixin, BaseEstimator, auto_wrap_output_keys=None):
    """The ``features.activity`` step of the logged model: raw panel rows in, the same rows out
    with the activity (and regularity) features of each ``values`` column appended.

    It is the first step of the model the pipeline logs, so training, ``make predict`` and the
    REST endpoint compute the features from the raw rows with this one transformer. Each row's
    features use its entity's rows at or before its period in ``X``: a client sends an entity's
    history (``window`` periods; all of it for the regularity features) and reads the score of
    its latest row. Output columns already in ``X`` are recomputed, not trusted; rows at a finer
    grain than ``period`` get a :class:`FinerGrainWarning`.

    Example:
        >>> panel = pd.DataFrame({"id": [1, 1], "month": [0, 1], "logins": [2, 0]})
        >>> step = PanelFeatures("id", "month", ["logins"], regularity=False).fit(panel)
        >>> step.transform(panel).columns.tolist()[3:]
        ['logins_recency', 'logins_frequency_3', 'logins_mean_3', 'logins_trend_3']
    """

    def __init__(
        self,
        entity: str = "customer_id",
        time: str = "snapshot_month",
        values: Sequence[str] = (),
        window: int = 3,
        period: str = "M",
        regularity: bool = True,
    ):
        self.entity = entity
        self.time = time
        self.values = values
        self.window = window
        self.period = period
        self.regularity = regularity

    def _parts(self) -> list[_PanelTransformer]:
        common = {"entity": self.entity, "time": self.time, "period": self.period}
        parts: list[_PanelTransformer] = []
        for value in self.values:
            parts.append(ActivityFeatures(value=value, window=self.window, **common))
            if self.regularity:
                parts.append(RegularityFeatures(value=value, **common))
        return parts

    def fit(self, X: pd.DataFrame, y: Any = None) -> PanelFeatures:
        """Check the columns and settings and keep the input columns (its own outputs left
        out); nothing is learned: the features need no training statistic."""
        self.parts_ = [part.fit(X) for part in self._parts()]
        self.added_ = [str(n) for part in self.parts_ for n in part.get_feature_names_out()]
        self.feature_names_in_ = np.asarray([c for c in X.columns if c not in self.added_], object)
        self.n_features_in_ = len(self.feature_names_in_)
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        """``X`` (without any column of the features' names) with the features appended."""
        check_is_fitted(self, "parts_")
        grain = finer_grain(X, {"entity": self.entity, "time": self.time, "period": self.period})
        if grain:
            warnings.warn(grain, FinerGrainWarning, stacklevel=2)
        frame = X.drop(columns=[c for c in self.added_ if c in X.columns])
        parts = [
            pd.DataFrame(p.transform(frame), columns=p.get_feature_names_out(), index=X.index)
            for p in self.parts_
        ]
        return pd.concat([frame, *parts], axis=1)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """The input columns, then the features."""
        check_is_fitted(self, "parts_")
        return np.asarray([*self.feature_names_in_, *self.added_], dtype=object)


def panel_features(config: Mapping | None) -> PanelFeatures | None:
    """The :class:`PanelFeatures` of a ``features.activity`` mapping (``entity``, ``time``,
    ``values``; ``window`` 3, ``period`` "M", ``regularity`` true), or ``None`` without one.

    Example:
        >>> panel_features({"entity": "id", "time": "month", "values": ["logins"]}).window
        3
    """
    if config is None:
        return None
    config = section(
        config,
        "features.activity",
        {"window": 3, "period": "M", "regularity": True},
        required=("entity", "time", "values"),
    )
    return PanelFeatures(**config)


def finer_grain(frame: pd.DataFrame, config: Mapping | None) -> str | None:
    """Why ``frame`` is at a finer time grain than the ``features.activity`` periods, or None.

    A monthly model scored on daily rows (the talk's warning) sums each month's rows into one
    period: every row of the month gets the month's features, not features "as of that day".

    Example:
        >>> rows = pd.DataFrame({"id": [1, 1], "day": pd.to_datetime(["2024-01-03", "2024-01-20"])})
        >>> finer_grain(rows, {"entity": "id", "time": "day", "values": []})[:44]
        '1 entity-period(s) hold several rows (e.g. 1'
    """
    if config is None or not {config["entity"], config["time"]} <= set(frame.columns):
        return None
    period = config.get("period", "M")
    times = frame[config["time"]]
    if pd.api.types.is_datetime64_any_dtype(times.dtype):
        times = times.dt.to_period(period)
    counts = frame.groupby([frame[config["entity"]], times]).size()
    several = counts[counts > 1]
    if several.empty:
        return None
    entity, when = several.index[0]
    return (
        f"{len(several)} entity-period(s) hold several rows (e.g. {entity} in {when}): the rows "
        f"are at a finer time grain than the model's periods (features.activity.period "
        f"{period!r}); their activity features are the whole period's, the same for each row. "
        "Send one row per entity and period"
    )
