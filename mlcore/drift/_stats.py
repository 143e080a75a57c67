"""Statistics of drift: PSI, chi-square and KS on binned counts, severity levels, thresholds.

Everything here works on counts or on a profile's CDF, never on the reference rows themselves
(see :mod:`mlcore.drift` for the definitions).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from statistics import NormalDist
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.metrics import roc_auc_score

from mlcore.errors import ConfigError, DataError
from mlcore.evaluate import lift_at

if TYPE_CHECKING:
    from mlcore.drift._profile import CategoricalProfile, NumericProfile

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
_KS_FINITE_N_MAX = 10_000  # above: the limiting distribution (kstwo.sf gets slow, see above)


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
        raise DataError(f"psi: counts must be 1-D of the same length, got {ref.shape}, {cur.shape}")
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


def _z(confidence: float) -> float:
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def _auc_standard_error(auc: float, n_pos: int, n_neg: int) -> float:
    """Hanley & McNeil (1982) standard error of a ROC AUC."""
    if not np.isfinite(auc) or n_pos == 0 or n_neg == 0:
        return math.nan
    q1, q2 = auc / (2 - auc), 2 * auc**2 / (1 + auc)
    var = (auc * (1 - auc) + (n_pos - 1) * (q1 - auc**2) + (n_neg - 1) * (q2 - auc**2)) / (
        n_pos * n_neg
    )
    return math.sqrt(max(var, 0.0))


# --------------------------------------------------------------------------------------------
# Thresholds and severity levels
# --------------------------------------------------------------------------------------------


def check_thresholds(thresholds: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Merge ``thresholds`` into :data:`DEFAULT_THRESHOLDS` and check names and types.

    A number given for a level key is taken as its ``error`` level (no warning level).

    Example:
        >>> check_thresholds({"psi": {"error": 0.3}})["psi"]
        {'warning': 0.1, 'error': 0.3}
    """
    if thresholds is not None and not isinstance(thresholds, Mapping):
        raise ConfigError(f"drift thresholds must be a mapping, got {thresholds!r}")
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


def _level(value: float, levels: Mapping[str, float | None]) -> str:
    for severity in ("error", "warning"):
        bound = levels.get(severity)
        if bound is not None and np.isfinite(value) and value >= bound:
            return severity
    return "ok"


def _worst(severities: Sequence[str]) -> str:
    return max(severities, key=_SEVERITY_ORDER.__getitem__, default="ok")


# --------------------------------------------------------------------------------------------
# Values of a column, and a batch binned like a profile
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


def _bins_from_cdf(le: np.ndarray, edges: np.ndarray, n_valid: int, n_missing: int) -> np.ndarray:
    at_edges = le[edges] if len(edges) else np.array([], dtype=np.int64)
    cumulative = np.concatenate([[0], at_edges, [n_valid]])
    return np.append(np.diff(cumulative), n_missing)


def ks_from_profile(profile: NumericProfile, values: np.ndarray) -> tuple[float, float]:
    """KS statistic and asymptotic p-value of ``values`` against a profiled reference.

    The statistic is a lower bound of the exact two-sample one, short by at most
    ``profile.ks_resolution`` (see :mod:`mlcore.drift`). NaN when either side has no values.

    Example:
        >>> from mlcore.drift import NumericProfile
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
