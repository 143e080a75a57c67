"""Drift monitoring: compare a current batch with a compact profile of the training data.

The reference is summarised once, at training time, by :meth:`DriftProfile.from_frame` into a
small JSON-serialisable object (``to_dict`` / ``from_dict``) that is saved with the model run:

- numeric columns: the reference CDF on a grid of quantiles (``n_quantiles`` points, duplicates
  merged), stored as exact counts of reference rows ``<=`` and ``<`` each grid value, plus the
  missing count. PSI bins are the ``n_bins`` quantile bins (deciles by default) taken from that
  grid, so a column with repeated values simply gets fewer bins;
- categorical columns (strings, booleans, pandas categoricals, and ``categorical=[...]``): counts
  of the ``max_categories`` most frequent values, of all other values and of missing values;
- optionally the label (positive rate), the model score (profiled like a numeric column) and the
  reference performance (ROC AUC and lift of the top ``lift_fraction`` of scores).

:func:`drift_report` then measures, for a current batch:

- feature drift, P(X): PSI per column (quantile or category bins plus a *missing* bin) with a
  chi-square test on the same bins; for numeric columns also the two-sample Kolmogorov-Smirnov
  statistic. Unseen categories land in the *other* bin, whose reference share is (near) zero;
- prediction drift: the same PSI/KS on the model score;
- label drift, P(Y): the change of the positive rate with a normal-approximation confidence
  interval and a two-proportion z-test;
- concept drift, P(Y|X): ROC AUC and lift of the score on labelled rows (per period with
  ``period_col``) against the training-time values.

**KS from a profile.** Only the reference CDF at the grid values ``g_j`` is known. The statistic
is evaluated exactly at every ``g_j`` and just below it (left limits), which gives a lower bound
``D_grid <= D`` of the exact statistic; the error ``D - D_grid`` is at most the largest reference
share lying strictly between two neighbouring grid values (:attr:`NumericProfile.ks_resolution`,
about ``1 / (n_quantiles - 1)`` for continuous data, and 0 when every distinct reference value
is on the grid, e.g. when each holds more than ``1 / (n_quantiles - 1)`` of the rows). The
p-value is the one of ``scipy.stats.ks_2samp(method="asymp")`` (the Kolmogorov distribution
for the effective size ``n = n_ref * n_cur / (n_ref + n_cur)``) up to ``n = 10,000``, and its
limit ``kstwobign`` beyond: within 0.003 of it, and milliseconds instead of up to a second
per column for mid-range statistics at a million rows.

**PSI** is ``sum((c - r) * ln(c / r))`` over bins, with the reference share ``r`` and current
share ``c`` of each bin floored at ``PSI_EPSILON`` (1e-4) so empty bins stay finite.

Thresholds (a plain mapping, e.g. the ``drift`` group of a Hydra config; missing keys take
:data:`DEFAULT_THRESHOLDS`, unknown keys are an error). A level set to ``null`` is disabled:

=====================  =============================  ========================================
key                    default                        meaning
=====================  =============================  ========================================
``psi``                ``{warning: 0.1, error: 0.25}`` PSI of a feature or of the score
``ks``                 ``{warning: 0.1, error: 0.2}``  KS statistic (largest CDF gap, 0..1)
``ks_pvalue``          ``0.01``                        a KS level counts only if p < this
``chi2_pvalue``        ``0.01``                        a PSI level counts only if the
                                                       chi-square p-value on its bins is < this
``label_rate_diff``    ``{warning: 0.02, error: 0.05}`` absolute change of the positive rate;
                                                       counts only if its interval excludes 0
``auc_drop``           ``{warning: 0.02, error: 0.05}`` reference AUC minus current AUC; counts
                                                       only if larger than z * its standard error
                                                       (of both AUCs when the reference has one;
                                                       z Bonferroni-corrected over the periods)
``confidence``         ``0.95``                        level of those intervals
``min_rows``           ``100``                         fewer rows: severity ``skipped``
=====================  =============================  ========================================

The significance gates keep tiny batches from raising noisy alarms, while the effect-size levels
keep huge batches from alarming on shifts too small to matter. Each row of the report gets a
``severity`` (``ok``, ``warning``, ``error``, ``skipped``) and a ``reason``; a column of the
profile missing from the batch, or holding the wrong kind of values, is an ``error``.
:attr:`DriftReport.alert` is True when any row has severity ``error``.

Example:
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> ref = pd.DataFrame({"x": rng.normal(0, 1, 5_000)})
    >>> profile = DriftProfile.from_frame(ref)
    >>> report = drift_report(profile, pd.DataFrame({"x": rng.normal(1, 1, 5_000)}))
    >>> report.alert, report.features.loc[0, "severity"]
    (True, 'error')
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.metrics import roc_auc_score

from mlcore.errors import ConfigError, DataError
from mlcore.evaluate import lift_at

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "DEFAULT_THRESHOLDS",
    "FEATURE_COLUMNS",
    "FORMAT",
    "LABEL_COLUMNS",
    "PERFORMANCE_COLUMNS",
    "PSI_EPSILON",
    "CategoricalProfile",
    "DriftProfile",
    "DriftReport",
    "LabelProfile",
    "NumericProfile",
    "check_thresholds",
    "drift_report",
    "ks_from_profile",
    "plot_distributions",
    "plot_performance",
    "plot_psi",
    "psi",
]

FORMAT = "mlcore.drift.profile/1"
PSI_EPSILON = 1e-4
DEFAULT_THRESHOLDS: dict[str, Any] = {
    "psi": {"warning": 0.1, "error": 0.25},
    "ks": {"warning": 0.1, "error": 0.2},
    "ks_pvalue": 0.01,
    "chi2_pvalue": 0.01,
    "label_rate_diff": {"warning": 0.02, "error": 0.05},
    "auc_drop": {"warning": 0.02, "error": 0.05},
    "confidence": 0.95,
    "min_rows": 100,
}
_LEVEL_KEYS = ("psi", "ks", "label_rate_diff", "auc_drop")
_SEVERITY_ORDER = {"ok": 0, "skipped": 0, "warning": 1, "error": 2}
_OTHER, _MISSING = "(other)", "(missing)"
_KS_FINITE_N_MAX = 10_000  # above: the limiting distribution (kstwo.sf gets slow, see above)

FEATURE_COLUMNS = [
    "feature",
    "kind",
    "n_reference",
    "n_current",
    "missing_reference",
    "missing_current",
    "psi",
    "chi2_pvalue",
    "ks",
    "ks_pvalue",
    "unseen",
    "severity",
    "reason",
]
LABEL_COLUMNS = [
    "label",
    "n_reference",
    "rate_reference",
    "n_current",
    "rate_current",
    "diff",
    "ci_low",
    "ci_high",
    "pvalue",
    "severity",
    "reason",
]
PERFORMANCE_COLUMNS = [
    "period",
    "n",
    "positive_rate",
    "auc",
    "auc_reference",
    "auc_drop",
    "auc_se",
    "lift",
    "lift_reference",
    "severity",
    "reason",
]


# --------------------------------------------------------------------------------------------
# Statistics on binned counts
# --------------------------------------------------------------------------------------------


def psi(reference_counts: Sequence[float], current_counts: Sequence[float]) -> float:
    """Population stability index of two histograms over the same bins (shares floored at 1e-4).

    Example:
        >>> round(psi([50, 50], [60, 40]), 4)
        0.0405
    """
    ref = np.asarray(reference_counts, dtype=np.float64)
    cur = np.asarray(current_counts, dtype=np.float64)
    if ref.shape != cur.shape or ref.ndim != 1:
        raise ValueError(
            f"psi: counts must be 1-D of the same length, got {ref.shape}, {cur.shape}"
        )
    if ref.sum() <= 0 or cur.sum() <= 0:
        return math.nan
    r = np.maximum(ref / ref.sum(), PSI_EPSILON)
    c = np.maximum(cur / cur.sum(), PSI_EPSILON)
    return float(np.sum((c - r) * np.log(c / r)))


def _chi2_pvalue(reference_counts: np.ndarray, current_counts: np.ndarray) -> float:
    """Chi-square test of homogeneity on two histograms (empty bins dropped); NaN if one is empty."""
    table = np.vstack([reference_counts, current_counts]).astype(np.float64)
    if not table.sum(axis=1).all():
        return math.nan
    table = table[:, table.sum(axis=0) > 0]
    if table.shape[1] < 2:  # every row in one and the same bin: identical distributions
        return 1.0
    return float(stats.chi2_contingency(table, correction=False).pvalue)


def _level(value: float, levels: Mapping[str, float | None]) -> str:
    for severity in ("error", "warning"):
        bound = levels.get(severity)
        if bound is not None and np.isfinite(value) and value >= bound:
            return severity
    return "ok"


def _worst(severities: Sequence[str]) -> str:
    return max(severities, key=_SEVERITY_ORDER.__getitem__, default="ok")


def _z(confidence: float) -> float:
    return NormalDist().inv_cdf(0.5 + confidence / 2)


# --------------------------------------------------------------------------------------------
# Profiles
# --------------------------------------------------------------------------------------------


def _is_numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def _as_float(series: pd.Series, where: str) -> np.ndarray:
    if not _is_numeric(series):
        raise DataError(f"{where}: expected numbers, got dtype {series.dtype}")
    return series.to_numpy(dtype=np.float64, na_value=np.nan)


def _sorted_valid(values: np.ndarray) -> np.ndarray:
    """Sorted non-missing values (NaN sorts last, so one sort and a count do it)."""
    ordered = np.sort(values)
    return ordered[: len(ordered) - int(np.count_nonzero(np.isnan(values)))]


@dataclass(frozen=True)
class NumericProfile:
    """Reference CDF of a numeric column at its quantile grid, as exact row counts.

    ``le[j]`` / ``lt[j]`` count reference rows ``<= grid[j]`` / ``< grid[j]``; ``edges`` are the
    grid positions of the inner PSI bin edges (bins are ``(-inf, e1], (e1, e2], ..., (ek, inf)``).

    Example:
        >>> p = NumericProfile.from_values(np.array([1.0, 2.0, 2.0, np.nan]), n_bins=2, n_quantiles=3)
        >>> p.grid.tolist(), p.le.tolist(), p.n_missing
        ([1.0, 2.0], [1, 3], 1)
    """

    n: int
    n_missing: int
    grid: np.ndarray
    le: np.ndarray
    lt: np.ndarray
    edges: np.ndarray
    kind: str = field(default="numeric", init=False)

    @classmethod
    def from_values(
        cls, values: np.ndarray, *, n_bins: int = 10, n_quantiles: int = 101
    ) -> NumericProfile:
        """Profile a float array (NaN = missing) on ``n_quantiles`` evenly spaced quantiles."""
        if n_bins < 1 or n_quantiles < 2 or (n_quantiles - 1) % n_bins:
            raise ConfigError(
                f"drift profile: n_quantiles - 1 ({n_quantiles - 1}) must be a positive multiple "
                f"of n_bins ({n_bins}) so the PSI bin edges lie on the quantile grid"
            )
        ordered = _sorted_valid(values)
        n_valid = len(ordered)
        if n_valid == 0:
            empty = np.array([], dtype=np.float64)
            return cls(len(values), len(values), empty, empty.astype(np.int64), empty, empty)
        probs = np.linspace(0.0, 1.0, n_quantiles)
        # inverted-CDF quantiles: always observed values, so point masses sit on the grid
        at = np.maximum(np.ceil(probs * n_valid).astype(np.int64) - 1, 0)
        quantiles = ordered[at]
        grid = np.unique(quantiles)
        step = (n_quantiles - 1) // n_bins
        edges = np.unique(np.searchsorted(grid, quantiles[step:-1:step]))
        return cls(
            n=len(values),
            n_missing=len(values) - n_valid,
            grid=grid,
            le=np.searchsorted(ordered, grid, side="right"),
            lt=np.searchsorted(ordered, grid, side="left"),
            edges=edges,
        )

    @property
    def ks_resolution(self) -> float:
        """Largest reference share strictly between two grid values: bound on the KS error."""
        n_valid = self.n - self.n_missing
        if n_valid == 0:
            return math.nan
        inside = self.lt[1:] - self.le[:-1]
        return float(inside.max(initial=0) / n_valid)

    def bin_labels(self) -> list[str]:
        """Readable PSI bin labels, the missing bin last."""
        cuts = [f"{v:.4g}" for v in self.grid[self.edges]]
        if not cuts:
            return ["all", _MISSING]
        inner = [f"({a}, {b}]" for a, b in zip(cuts[:-1], cuts[1:], strict=True)]
        return [f"<= {cuts[0]}", *inner, f"> {cuts[-1]}", _MISSING]

    def bin_counts(self) -> np.ndarray:
        """Reference rows per PSI bin, the missing bin last."""
        return _bins_from_cdf(self.le, self.edges, self.n - self.n_missing, self.n_missing)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (lists of floats and ints)."""
        return {
            "kind": self.kind,
            "n": self.n,
            "n_missing": self.n_missing,
            "grid": self.grid.tolist(),
            "le": self.le.tolist(),
            "lt": self.lt.tolist(),
            "edges": self.edges.tolist(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> NumericProfile:
        """Inverse of :meth:`to_dict`."""
        return cls(
            n=int(data["n"]),
            n_missing=int(data["n_missing"]),
            grid=np.asarray(data["grid"], dtype=np.float64),
            le=np.asarray(data["le"], dtype=np.int64),
            lt=np.asarray(data["lt"], dtype=np.int64),
            edges=np.asarray(data["edges"], dtype=np.int64),
        )


def _bins_from_cdf(le: np.ndarray, edges: np.ndarray, n_valid: int, n_missing: int) -> np.ndarray:
    at_edges = le[edges] if len(edges) else np.array([], dtype=np.int64)
    cumulative = np.concatenate([[0], at_edges, [n_valid]])
    return np.append(np.diff(cumulative), n_missing)


@dataclass(frozen=True)
class CategoricalProfile:
    """Counts of the most frequent reference categories, of all other values and of missing ones.

    Example:
        >>> p = CategoricalProfile.from_series(pd.Series(["a", "a", "b", None]), max_categories=1)
        >>> p.categories, p.counts.tolist(), p.n_other, p.n_missing
        (('a',), [2], 1, 1)
    """

    n: int
    n_missing: int
    categories: tuple[str, ...]
    counts: np.ndarray
    n_other: int
    kind: str = field(default="categorical", init=False)

    @classmethod
    def from_series(cls, series: pd.Series, *, max_categories: int = 50) -> CategoricalProfile:
        """Profile a column; values are compared as strings."""
        missing = series.isna()
        counts = series[~missing].astype(str).value_counts()
        # most frequent first, ties by name, so the profile does not depend on row order
        order = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        kept = order[:max_categories]
        n_valid = int(len(series) - missing.sum())
        kept_total = sum(int(c) for _, c in kept)
        return cls(
            n=len(series),
            n_missing=int(missing.sum()),
            categories=tuple(str(k) for k, _ in kept),
            counts=np.array([int(c) for _, c in kept], dtype=np.int64),
            n_other=n_valid - kept_total,
        )

    def bin_labels(self) -> list[str]:
        """Category labels, then the other and missing bins."""
        return [*self.categories, _OTHER, _MISSING]

    def bin_counts(self) -> np.ndarray:
        """Reference rows per bin (categories, other, missing)."""
        return np.concatenate([self.counts, [self.n_other, self.n_missing]])

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "kind": self.kind,
            "n": self.n,
            "n_missing": self.n_missing,
            "categories": list(self.categories),
            "counts": self.counts.tolist(),
            "n_other": self.n_other,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CategoricalProfile:
        """Inverse of :meth:`to_dict`."""
        return cls(
            n=int(data["n"]),
            n_missing=int(data["n_missing"]),
            categories=tuple(str(c) for c in data["categories"]),
            counts=np.asarray(data["counts"], dtype=np.int64),
            n_other=int(data["n_other"]),
        )


@dataclass(frozen=True)
class LabelProfile:
    """Number of labelled reference rows and of positives.

    Example:
        >>> LabelProfile(n=200, positives=50).rate
        0.25
    """

    n: int
    positives: int

    @property
    def rate(self) -> float:
        """Positive rate (NaN without rows)."""
        return self.positives / self.n if self.n else math.nan


FeatureProfile = NumericProfile | CategoricalProfile


def _labels(series: pd.Series, where: str) -> np.ndarray:
    """0/1 labels of the labelled rows (missing labels dropped)."""
    values = series.dropna()
    ok = values.isin([0, 1])
    if not ok.all():
        bad = values[~ok].unique()[:5].tolist()
        raise DataError(f"{where}: labels must be 0/1, got {bad}")
    return values.to_numpy(dtype=np.int64)


def _performance(y: np.ndarray, scores: np.ndarray, fraction: float) -> tuple[float, float]:
    """ROC AUC and lift of the top ``fraction``; NaN when a class is missing."""
    if len(np.unique(y)) < 2:
        return math.nan, math.nan
    return float(roc_auc_score(y, scores)), lift_at(y, scores, fraction)


@dataclass(frozen=True)
class DriftProfile:
    """Compact, JSON-serialisable summary of a reference (training) frame.

    Example:
        >>> frame = pd.DataFrame({"x": [1.0, 2.0, 3.0], "c": ["a", "b", "a"]})
        >>> DriftProfile.from_dict(DriftProfile.from_frame(frame).to_dict()).features["c"].categories
        ('a', 'b')
    """

    n_rows: int
    features: dict[str, FeatureProfile]
    label_col: str | None = None
    label: LabelProfile | None = None
    score_col: str | None = None
    score: NumericProfile | None = None
    performance: dict[str, float] | None = None
    lift_fraction: float = 0.1

    @classmethod
    def from_frame(
        cls,
        frame: pd.DataFrame,
        *,
        features: Sequence[str] | None = None,
        exclude: Sequence[str] = (),
        categorical: Sequence[str] = (),
        label_col: str | None = None,
        score_col: str | None = None,
        performance: Mapping[str, float] | None = None,
        n_bins: int = 10,
        n_quantiles: int = 101,
        max_categories: int = 50,
        lift_fraction: float = 0.1,
    ) -> DriftProfile:
        """Profile ``frame``: ``features`` (default: every column but the label, the score,
        ``exclude`` and datetime columns), the label's positive rate and the score.

        ``performance`` (``{"auc": ..., "lift": ...}``, optionally ``"auc_se"``) sets the
        reference for concept drift, e.g. the validation metrics of the training run; by default
        AUC, its standard error and lift are computed on ``frame`` when it has both the label and
        the score (on held-out rows: in-sample AUC is optimistic).
        """
        where = "drift profile"
        wanted = [label_col, score_col, *(features or ()), *exclude, *categorical]
        missing = [c for c in wanted if c is not None and c not in frame.columns]
        if missing:
            raise DataError(f"{where}: column(s) {missing} not in the reference frame")
        if features is None:
            skip = {label_col, score_col, *exclude}
            features = [
                c
                for c in frame.columns
                if c not in skip and not pd.api.types.is_datetime64_any_dtype(frame[c])
            ]
        profiles: dict[str, FeatureProfile] = {}
        for col in features:
            series = frame[col]
            if col in categorical or not _is_numeric(series):
                profiles[col] = CategoricalProfile.from_series(
                    series, max_categories=max_categories
                )
            else:
                values = _as_float(series, f"{where}, column {col!r}")
                profiles[col] = NumericProfile.from_values(
                    values, n_bins=n_bins, n_quantiles=n_quantiles
                )
        label = score = None
        if label_col is not None:
            y = _labels(frame[label_col], f"{where}, column {label_col!r}")
            label = LabelProfile(n=len(y), positives=int(y.sum()))
        if score_col is not None:
            values = _as_float(frame[score_col], f"{where}, score column {score_col!r}")
            score = NumericProfile.from_values(values, n_bins=n_bins, n_quantiles=n_quantiles)
        if performance is not None:
            reference = {k: float(v) for k, v in performance.items()}
        elif label_col is not None and score_col is not None:
            reference = _labelled_performance(frame, label_col, score_col, lift_fraction, where)
        else:
            reference = None
        return cls(
            n_rows=len(frame),
            features=profiles,
            label_col=label_col,
            label=label,
            score_col=score_col,
            score=score,
            performance=reference,
            lift_fraction=lift_fraction,
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict; ``json.dumps`` works on it directly."""
        return {
            "format": FORMAT,
            "n_rows": self.n_rows,
            "features": {name: p.to_dict() for name, p in self.features.items()},
            "label_col": self.label_col,
            "label": None if self.label is None else vars(self.label),
            "score_col": self.score_col,
            "score": None if self.score is None else self.score.to_dict(),
            "performance": self.performance,
            "lift_fraction": self.lift_fraction,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DriftProfile:
        """Rebuild a profile saved with :meth:`to_dict` (checks the format tag)."""
        if data.get("format") != FORMAT:
            raise DataError(
                f"drift profile: expected format {FORMAT!r}, got {data.get('format')!r}"
            )
        kinds = {"numeric": NumericProfile, "categorical": CategoricalProfile}
        features = {name: kinds[p["kind"]].from_dict(p) for name, p in data["features"].items()}
        return cls(
            n_rows=int(data["n_rows"]),
            features=features,
            label_col=data.get("label_col"),
            label=None if data.get("label") is None else LabelProfile(**data["label"]),
            score_col=data.get("score_col"),
            score=None if data.get("score") is None else NumericProfile.from_dict(data["score"]),
            performance=data.get("performance"),
            lift_fraction=float(data.get("lift_fraction", 0.1)),
        )


def _labelled_performance(
    frame: pd.DataFrame, label_col: str, score_col: str, fraction: float, where: str
) -> dict[str, float] | None:
    """Reference AUC, its standard error and lift; None when AUC is undefined (one class)."""
    labelled = frame[[label_col, score_col]].dropna()
    y = _labels(labelled[label_col], f"{where}, column {label_col!r}")
    scores = _as_float(labelled[score_col], f"{where}, score column {score_col!r}")
    auc, lift = _performance(y, scores, fraction)
    if not np.isfinite(auc):
        return None
    se = _auc_standard_error(auc, int(y.sum()), int(len(y) - y.sum()))
    return {"auc": auc, "lift": lift, "auc_se": se}


# --------------------------------------------------------------------------------------------
# Comparing a batch with a profile
# --------------------------------------------------------------------------------------------


def check_thresholds(thresholds: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Merge ``thresholds`` into :data:`DEFAULT_THRESHOLDS` and check names and types.

    A number given for a level key is taken as its ``error`` level (no warning level).

    Example:
        >>> check_thresholds({"psi": {"error": 0.3}})["psi"]
        {'warning': 0.1, 'error': 0.3}
    """
    merged = {k: (dict(v) if isinstance(v, Mapping) else v) for k, v in DEFAULT_THRESHOLDS.items()}
    for key, value in (thresholds or {}).items():
        if key not in DEFAULT_THRESHOLDS:
            raise ConfigError(
                f"drift thresholds: unknown key {key!r}; use {sorted(DEFAULT_THRESHOLDS)}"
            )
        if key in _LEVEL_KEYS:
            levels = (
                dict(value) if isinstance(value, Mapping) else {"warning": None, "error": value}
            )
            unknown = set(levels) - {"warning", "error"}
            if unknown:
                raise ConfigError(
                    f"drift thresholds: {key} takes 'warning' and 'error', got {sorted(unknown)}"
                )
            merged[key].update(levels)
        else:
            merged[key] = value
    for key in _LEVEL_KEYS:
        for level, bound in merged[key].items():
            if bound is not None and not isinstance(bound, int | float):
                raise ConfigError(f"drift thresholds: {key}.{level} must be a number or null")
    for key in ("ks_pvalue", "chi2_pvalue", "confidence"):
        if not isinstance(merged[key], int | float) or not 0.0 < merged[key] <= 1.0:
            raise ConfigError(f"drift thresholds: {key} must be in (0, 1], got {merged[key]!r}")
    if not isinstance(merged["min_rows"], int) or merged["min_rows"] < 1:
        raise ConfigError("drift thresholds: min_rows must be an integer >= 1")
    return merged


def ks_from_profile(profile: NumericProfile, values: np.ndarray) -> tuple[float, float]:
    """KS statistic and asymptotic p-value of ``values`` against a profiled reference.

    The statistic is a lower bound of the exact two-sample one, short by at most
    ``profile.ks_resolution`` (see the module docstring). NaN when either side has no values.

    Example:
        >>> ref = NumericProfile.from_values(np.arange(100.0))
        >>> round(ks_from_profile(ref, np.arange(50.0, 150.0))[0], 2)
        0.5
    """
    stat, pvalue, _ = _numeric_batch(profile, values)
    return stat, pvalue


def _numeric_batch(profile: NumericProfile, values: np.ndarray) -> tuple[float, float, np.ndarray]:
    """KS statistic, its p-value and the batch's PSI bin counts, from one sort of ``values``."""
    ordered = _sorted_valid(values)
    n_valid, n_missing = len(ordered), len(values) - len(ordered)
    le = np.searchsorted(ordered, profile.grid, side="right")
    counts = _bins_from_cdf(le, profile.edges, n_valid, n_missing)
    n_ref = profile.n - profile.n_missing
    if n_valid == 0 or n_ref == 0:
        return math.nan, math.nan, counts
    lt = np.searchsorted(ordered, profile.grid, side="left")
    stat = max(
        float(np.abs(le / n_valid - profile.le / n_ref).max()),
        float(np.abs(lt / n_valid - profile.lt / n_ref).max()),
    )
    effective_n = n_valid * n_ref / (n_valid + n_ref)
    if effective_n <= _KS_FINITE_N_MAX:
        pvalue = stats.kstwo.sf(stat, np.round(effective_n))
    else:
        pvalue = stats.kstwobign.sf(stat * math.sqrt(effective_n))
    return stat, float(np.clip(pvalue, 0.0, 1.0)), counts


def _categorical_batch(
    profile: CategoricalProfile, series: pd.Series
) -> tuple[np.ndarray, float, list[str]]:
    """Bin counts (categories, other, missing), the share of values outside the profiled
    categories and a few of them."""
    missing = series.isna()
    counts = series[~missing].astype(str).value_counts()
    kept = counts.reindex(list(profile.categories), fill_value=0).to_numpy(dtype=np.int64)
    n_valid = int(len(series) - missing.sum())
    unseen = counts[~counts.index.isin(profile.categories)]
    binned = np.concatenate([kept, [n_valid - kept.sum(), int(missing.sum())]])
    share = float(unseen.sum() / n_valid) if n_valid else math.nan
    return binned, share, [str(v) for v in unseen.index[:5]]


def _distribution_row(
    name: str,
    profile: FeatureProfile,
    current: pd.DataFrame,
    limits: Mapping[str, Any],
    distributions: dict[str, pd.DataFrame],
) -> dict[str, Any]:
    """One table row (and the binned distributions) for a column of the profile."""
    row: dict[str, Any] = dict.fromkeys(FEATURE_COLUMNS, math.nan)
    row.update(feature=name, kind=profile.kind, n_reference=profile.n, n_current=len(current))
    row["missing_reference"] = profile.n_missing / profile.n if profile.n else math.nan
    if name not in current.columns:
        return row | {"severity": "error", "reason": "column missing from the current batch"}
    series = current[name]
    row["missing_current"] = float(series.isna().mean()) if len(series) else math.nan
    notes = []
    if isinstance(profile, NumericProfile):
        try:
            values = _as_float(series, f"column {name!r}")
        except DataError as exc:
            return row | {"severity": "error", "reason": str(exc)}
        row["ks"], row["ks_pvalue"], counts = _numeric_batch(profile, values)
    else:
        counts, row["unseen"], examples = _categorical_batch(profile, series)
        if examples and profile.n_other == 0:  # else they may be rare reference values
            notes.append(f"unseen values, e.g. {examples}")
    reference = profile.bin_counts()
    row["psi"] = psi(reference, counts)
    row["chi2_pvalue"] = _chi2_pvalue(reference, counts)
    distributions[name] = pd.DataFrame(
        {
            "bin": profile.bin_labels(),
            "reference": reference / max(reference.sum(), 1),
            "current": counts / max(counts.sum(), 1),
        }
    )
    if len(current) < limits["min_rows"]:
        reason = f"{len(current)} rows < min_rows {limits['min_rows']}"
        return row | {"severity": "skipped", "reason": "; ".join([reason, *notes])}
    checks = [("psi", row["psi"], row["chi2_pvalue"], limits["chi2_pvalue"])]
    if isinstance(profile, NumericProfile):
        checks.append(("ks", row["ks"], row["ks_pvalue"], limits["ks_pvalue"]))
    severities = []
    for key, value, pvalue, alpha in checks:
        level = _level(value, limits[key])
        if level != "ok" and not pvalue < alpha:
            notes.append(f"{key} {value:.3g} not significant (p={pvalue:.2g})")
            level = "ok"
        elif level != "ok":
            notes.append(f"{key} {value:.3g} >= {limits[key][level]} ({level})")
        severities.append(level)
    return row | {"severity": _worst(severities), "reason": "; ".join(notes)}


def _label_row(
    name: str, ref: LabelProfile, current: pd.DataFrame, limits: Mapping[str, Any]
) -> dict[str, Any]:
    """Positive-rate change with a Wald interval and a pooled two-proportion z-test."""
    y = _labels(current[name], f"drift batch, column {name!r}")
    n, positives = len(y), int(y.sum())
    row: dict[str, Any] = dict.fromkeys(LABEL_COLUMNS, math.nan)
    row.update(label=name, n_reference=ref.n, rate_reference=ref.rate, n_current=n)
    if n < limits["min_rows"] or ref.n == 0:
        return row | {"severity": "skipped", "reason": f"{n} labelled rows < min_rows"}
    rate = positives / n
    diff = rate - ref.rate
    se = math.sqrt(ref.rate * (1 - ref.rate) / ref.n + rate * (1 - rate) / n)
    pooled = (ref.positives + positives) / (ref.n + n)
    pooled_se = math.sqrt(pooled * (1 - pooled) * (1 / ref.n + 1 / n))
    half = _z(limits["confidence"]) * se
    row.update(
        rate_current=rate,
        diff=diff,
        ci_low=diff - half,
        ci_high=diff + half,
        pvalue=float(2 * stats.norm.sf(abs(diff) / pooled_se)) if pooled_se > 0 else 1.0,
    )
    level = _level(abs(diff), limits["label_rate_diff"])
    if level == "ok":
        return row | {"severity": "ok", "reason": ""}
    if row["ci_low"] <= 0 <= row["ci_high"]:
        return row | {"severity": "ok", "reason": f"diff {diff:+.3g} not significant"}
    bound = limits["label_rate_diff"][level]
    return row | {"severity": level, "reason": f"|diff| {abs(diff):.3g} >= {bound} ({level})"}


def _performance_rows(
    labelled: pd.DataFrame,
    label_col: str,
    score_col: str,
    period_col: str | None,
    reference: Mapping[str, float],
    fraction: float,
    limits: Mapping[str, Any],
) -> list[dict[str, Any]]:
    """AUC and lift per period of the labelled rows, against the reference values.

    ``auc_se`` is the standard error of ``auc_drop``: of the batch's AUC and, when the reference
    has one (``auc_se``), of the reference AUC too (a small held-out set is noisy as well). A drop
    counts when it exceeds ``z * auc_se`` with ``z`` at ``confidence`` Bonferroni-corrected for
    the number of periods.
    """
    groups = list(labelled.groupby(period_col, sort=True)) if period_col else [("all", labelled)]
    auc_ref = reference.get("auc", math.nan)
    lift_ref = reference.get("lift", math.nan)
    ref_se = reference.get("auc_se", 0.0)
    ref_se = ref_se if ref_se is not None and np.isfinite(ref_se) else 0.0
    # Bonferroni over the periods: twelve months must not alarm by chance more often than one
    z = _z(1 - (1 - limits["confidence"]) / max(len(groups), 1))
    rows = []
    for period, part in groups:
        y = _labels(part[label_col], f"drift batch, column {label_col!r}")
        scores = _as_float(part[score_col], f"drift batch, score column {score_col!r}")
        auc, lift = _performance(y, scores, fraction)
        se = math.hypot(_auc_standard_error(auc, int(y.sum()), int(len(y) - y.sum())), ref_se)
        row = {
            "period": period,
            "n": len(y),
            "positive_rate": float(y.mean()) if len(y) else math.nan,
            "auc": auc,
            "auc_reference": auc_ref,
            "auc_drop": auc_ref - auc,
            "auc_se": se,
            "lift": lift,
            "lift_reference": lift_ref,
        }
        level = _level(row["auc_drop"], limits["auc_drop"])
        if len(y) < limits["min_rows"]:
            row |= {"severity": "skipped", "reason": f"{len(y)} labelled rows < min_rows"}
        elif not np.isfinite(auc):
            row |= {"severity": "skipped", "reason": "a single class: AUC undefined"}
        elif level == "ok":
            row |= {"severity": "ok", "reason": ""}
        elif row["auc_drop"] <= z * se:
            row |= {"severity": "ok", "reason": f"AUC drop {row['auc_drop']:.3g} within noise"}
        else:
            bound = limits["auc_drop"][level]
            row |= {"severity": level, "reason": f"AUC drop {row['auc_drop']:.3g} >= {bound}"}
        rows.append(row)
    return rows


def _auc_standard_error(auc: float, n_pos: int, n_neg: int) -> float:
    """Hanley & McNeil (1982) standard error of a ROC AUC."""
    if not np.isfinite(auc) or n_pos == 0 or n_neg == 0:
        return math.nan
    q1, q2 = auc / (2 - auc), 2 * auc**2 / (1 + auc)
    var = (auc * (1 - auc) + (n_pos - 1) * (q1 - auc**2) + (n_neg - 1) * (q2 - auc**2)) / (
        n_pos * n_neg
    )
    return math.sqrt(max(var, 0.0))


@dataclass(frozen=True)
class DriftReport:
    """Tables of a drift check, the binned distributions behind them and the thresholds used.

    ``features`` (sorted by PSI) and ``prediction`` have :data:`FEATURE_COLUMNS`, ``label`` has
    :data:`LABEL_COLUMNS`, ``performance`` has :data:`PERFORMANCE_COLUMNS`; a table is empty
    when its check did not apply (no label or score in the profile or the batch). ``missing_*``
    are shares of missing values; ``unseen`` is the share of a categorical column's values
    outside the profiled categories (rare reference values too when the column had more than
    ``max_categories``). ``distributions`` holds, per column, the reference and current share
    of each PSI bin.

    Example:
        >>> frame = pd.DataFrame({"x": np.arange(200.0)})
        >>> drift_report(DriftProfile.from_frame(frame), frame).alert
        False
    """

    features: pd.DataFrame
    prediction: pd.DataFrame
    label: pd.DataFrame
    performance: pd.DataFrame
    distributions: dict[str, pd.DataFrame]
    thresholds: dict[str, Any]
    n_rows: int

    def tables(self) -> dict[str, pd.DataFrame]:
        """The four tables by name."""
        return {
            "features": self.features,
            "prediction": self.prediction,
            "label": self.label,
            "performance": self.performance,
        }

    @property
    def alert(self) -> bool:
        """True when any check has severity ``error``."""
        return any((t["severity"] == "error").any() for t in self.tables().values() if len(t))

    def summary(self) -> dict[str, Any]:
        """Flat numbers for logging (e.g. as MLflow metrics) plus the drifted feature names."""
        features = self.features
        drifted = features.loc[features["severity"].isin(["warning", "error"]), "feature"]
        out: dict[str, Any] = {
            "alert": self.alert,
            "n_rows": self.n_rows,
            "features_error": int((features["severity"] == "error").sum()),
            "features_warning": int((features["severity"] == "warning").sum()),
            "max_psi": float(features["psi"].max()) if len(features) else math.nan,
            "drifted_features": drifted.tolist(),
        }
        if len(self.prediction):
            out["prediction_psi"] = float(self.prediction["psi"].iloc[0])
        if len(self.label):
            out["label_rate_diff"] = float(self.label["diff"].iloc[0])
        if len(self.performance):
            out["min_auc"] = float(self.performance["auc"].min())
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: summary, thresholds and every table as records (NaN as null)."""
        summary = {
            k: None if isinstance(v, float) and math.isnan(v) else v
            for k, v in self.summary().items()
        }
        tables = {
            k: json.loads(t.to_json(orient="records", date_format="iso"))
            for k, t in self.tables().items()
        }
        return {"summary": summary, "thresholds": self.thresholds, **tables}

    def figures(self, top: int = 6) -> dict[str, Figure]:
        """``psi`` bar chart, ``distributions`` of the ``top`` features by PSI (and the score),
        and ``performance`` over periods when labels were available."""
        ranked = self.features.dropna(subset=["psi"]).sort_values("psi", ascending=False)
        names = ranked["feature"].head(top).tolist()
        names += self.prediction["feature"].tolist()
        out = {
            "psi": plot_psi(self.features, self.thresholds),
            "distributions": plot_distributions(self.distributions, names),
        }
        if len(self.performance):
            out["performance"] = plot_performance(self.performance)
        return out


def drift_report(
    profile: DriftProfile,
    current: pd.DataFrame,
    *,
    thresholds: Mapping[str, Any] | None = None,
    period_col: str | None = None,
) -> DriftReport:
    """Compare ``current`` with ``profile``: features, score, label and performance.

    The score, label and performance checks run when the profile has them and ``current`` has
    the column (an unlabelled batch simply gets no label or performance rows).
    ``period_col`` splits the performance check by period (e.g. the snapshot month).

    Example:
        >>> ref = pd.DataFrame({"c": ["a", "b"] * 100})
        >>> rep = drift_report(DriftProfile.from_frame(ref), pd.DataFrame({"c": ["a", "z"] * 100}))
        >>> rep.features.loc[0, "severity"], float(rep.features.loc[0, "unseen"])
        ('error', 0.5)
    """
    limits = check_thresholds(thresholds)
    if period_col is not None and period_col not in current.columns:
        raise DataError(f"drift report: period column {period_col!r} not in the current batch")
    distributions: dict[str, pd.DataFrame] = {}
    features = [
        _distribution_row(name, p, current, limits, distributions)
        for name, p in profile.features.items()
    ]
    prediction = []
    if profile.score is not None and profile.score_col in current.columns:
        prediction.append(
            _distribution_row(profile.score_col, profile.score, current, limits, distributions)
        )
    label = []
    if profile.label is not None and profile.label_col in current.columns:
        label.append(_label_row(profile.label_col, profile.label, current, limits))
    performance = []
    label_col, score_col = profile.label_col, profile.score_col
    if (
        profile.performance is not None
        and label_col in current.columns
        and score_col in current.columns
    ):
        keep = [label_col, score_col, *([period_col] if period_col else [])]
        performance = _performance_rows(
            current[keep].dropna(),
            label_col,
            score_col,
            period_col,
            profile.performance,
            profile.lift_fraction,
            limits,
        )
    feature_table = pd.DataFrame(features, columns=FEATURE_COLUMNS)
    return DriftReport(
        features=feature_table.sort_values("psi", ascending=False, kind="stable").reset_index(
            drop=True
        ),
        prediction=pd.DataFrame(prediction, columns=FEATURE_COLUMNS),
        label=pd.DataFrame(label, columns=LABEL_COLUMNS),
        performance=pd.DataFrame(performance, columns=PERFORMANCE_COLUMNS),
        distributions=distributions,
        thresholds=limits,
        n_rows=len(current),
    )


# --------------------------------------------------------------------------------------------
# Figures (matplotlib is imported here only, so importing this module stays light)
# --------------------------------------------------------------------------------------------

_COLORS = {"ok": "#4c78a8", "skipped": "#bab0ac", "warning": "#f58518", "error": "#e45756"}


def plot_psi(features: pd.DataFrame, thresholds: Mapping[str, Any] | None = None) -> Figure:
    """Horizontal PSI bar per feature, coloured by severity, with the PSI levels as lines.

    Example:
        >>> frame = pd.DataFrame({"x": np.arange(200.0)})
        >>> fig = plot_psi(drift_report(DriftProfile.from_frame(frame), frame).features)
        >>> fig.axes[0].get_xlabel()
        'PSI'
    """
    from matplotlib.figure import Figure

    levels = check_thresholds(thresholds)["psi"]
    table = features.sort_values("psi", ascending=True, na_position="first")
    fig = Figure(figsize=(7, max(2.0, 0.3 * len(table) + 1)), layout="constrained")
    ax = fig.subplots()
    ax.barh(
        table["feature"],
        table["psi"].fillna(0.0),
        color=[_COLORS[s] for s in table["severity"]],
    )
    for level, style in (("warning", ":"), ("error", "--")):
        if levels[level] is not None:
            ax.axvline(levels[level], color=_COLORS[level], linestyle=style, label=level)
    ax.set_xlabel("PSI")
    ax.set_title("Feature drift (PSI vs reference)")
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="lower right")
    return fig


def plot_distributions(
    distributions: Mapping[str, pd.DataFrame], names: Sequence[str], *, columns: int = 2
) -> Figure:
    """Reference vs current share per bin for each of ``names`` (small multiples).

    Example:
        >>> frame = pd.DataFrame({"x": np.arange(200.0)})
        >>> rep = drift_report(DriftProfile.from_frame(frame), frame)
        >>> len(plot_distributions(rep.distributions, ["x"]).axes)
        1
    """
    from matplotlib.figure import Figure

    missing = [n for n in names if n not in distributions]
    if missing:
        raise KeyError(f"plot_distributions: no binned distribution for {missing}")
    rows = max(1, math.ceil(len(names) / columns))
    fig = Figure(figsize=(6 * min(columns, max(len(names), 1)), 3.2 * rows), layout="constrained")
    for i, name in enumerate(names):
        table = distributions[name]
        ax = fig.add_subplot(rows, columns, i + 1)
        x = np.arange(len(table))
        ax.bar(x - 0.2, table["reference"], width=0.4, label="reference", color="#4c78a8")
        ax.bar(x + 0.2, table["current"], width=0.4, label="current", color="#f58518")
        ax.set_xticks(x, table["bin"], rotation=45, ha="right", fontsize=7)
        ax.set_ylabel("share of rows")
        ax.set_title(name)
        if i == 0:
            ax.legend()
    return fig


def plot_performance(performance: pd.DataFrame) -> Figure:
    """AUC and lift per period against their training-time reference lines.

    Example:
        >>> table = pd.DataFrame({"period": ["a", "b"], "auc": [0.8, 0.7], "auc_reference": 0.8,
        ...                       "lift": [3.0, 2.5], "lift_reference": 3.0})
        >>> [ax.get_ylabel() for ax in plot_performance(table).axes]
        ['ROC AUC', 'lift']
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 3.2), layout="constrained")
    labels = [str(p)[:10] for p in performance["period"]]
    for ax, metric, title in zip(
        fig.subplots(1, 2), ("auc", "lift"), ("ROC AUC", "lift"), strict=True
    ):
        ax.plot(labels, performance[metric], marker="o", label="current")
        ax.axhline(performance[f"{metric}_reference"].iloc[0], linestyle="--", label="reference")
        ax.set_ylabel(title)
        ax.tick_params(axis="x", rotation=45)
        ax.legend()
    fig.suptitle("Model performance by period (concept drift)")
    return fig
