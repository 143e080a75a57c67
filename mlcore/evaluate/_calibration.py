"""Calibration: the reliability table, its expected calibration error at several bin counts, and
the score region where predicted and observed rates part (the calibrator is
:func:`mlcore.model.fit_calibrator`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from mlcore.errors import ConfigError
from mlcore.evaluate._checks import _check_n_bins, _check_probabilities, check_scores
from mlcore.evaluate._lift import _edge_codes, _quantile_bins

__all__ = [
    "ECE_BINS",
    "ece_by_bins",
    "expected_calibration_error",
    "miscalibrated_region",
    "reliability_table",
]

ECE_BINS = ((10, "uniform"), (20, "uniform"), (50, "uniform"), (10, "quantile"), (20, "quantile"))


def reliability_table(
    y_true: np.ndarray, scores: np.ndarray, n_bins: int = 10, strategy: str = "uniform"
) -> pd.DataFrame:
    """Predicted vs observed positive rate per probability bin, lowest scores first.

    ``strategy="uniform"`` cuts [0, 1] into ``n_bins`` equal-width bins (bin ``i`` holds scores in
    ``[i / n_bins, (i + 1) / n_bins)``, 1.0 in the last); ``"quantile"`` uses equal-count bins with
    ties kept together, as in :func:`lift_table`. Columns: ``bin`` (1-based), ``count``,
    ``mean_score``, ``observed_rate``, ``min_score``, ``max_score``; empty bins have count 0 and
    NaN elsewhere. Scores outside [0, 1] raise ``DataError``.

    Example:
        >>> t = reliability_table(np.array([0, 1, 0, 1]), np.array([0.1, 0.2, 0.7, 0.9]), n_bins=2)
        >>> t["observed_rate"].tolist()
        [0.5, 0.5]
    """
    y, s = check_scores(y_true, scores)
    _check_probabilities(s, "reliability_table")
    _check_n_bins(n_bins, "reliability_table")
    if strategy == "uniform":
        bins = np.minimum((s * n_bins).astype(np.int64), n_bins - 1)
    elif strategy == "quantile":
        edges, _, code_to_bin = _quantile_bins(s, n_bins)
        bins = n_bins - 1 - code_to_bin[_edge_codes(s, edges)]
    else:
        raise ConfigError(
            f"reliability_table: strategy must be uniform or quantile, got {strategy!r}"
        )
    table = (
        pd.DataFrame({"bin": bins + 1, "score": s, "y": y})
        .groupby("bin")
        .agg(
            count=("y", "size"),
            mean_score=("score", "mean"),
            observed_rate=("y", "mean"),
            min_score=("score", "min"),
            max_score=("score", "max"),
        )
        .reindex(pd.RangeIndex(1, n_bins + 1, name="bin"))
    )
    table["count"] = table["count"].fillna(0).astype(np.int64)
    return table.reset_index()


def expected_calibration_error(
    y_true: np.ndarray, scores: np.ndarray, n_bins: int = 10, strategy: str = "uniform"
) -> float:
    """ECE: the row-weighted mean of ``|observed_rate - mean_score|`` over the bins of
    :func:`reliability_table` (0 = perfectly calibrated on those bins).

    Example:
        >>> y, s = np.array([0, 1, 0, 1]), np.array([0.1, 0.2, 0.7, 0.9])
        >>> round(expected_calibration_error(y, s, n_bins=2), 3)
        0.325
    """
    table = reliability_table(y_true, scores, n_bins, strategy)
    filled = table[table["count"] > 0]
    gaps = (filled["observed_rate"] - filled["mean_score"]).abs()
    return float((gaps * filled["count"]).sum() / filled["count"].sum())


def ece_by_bins(
    y_true: np.ndarray, scores: Mapping[str, np.ndarray], bins: Sequence[tuple[int, str]] = ECE_BINS
) -> pd.DataFrame:
    """The ECE of each scorer (columns) at each bin count and strategy (rows ``bins``, e.g. ``10
    uniform``, ``20 quantile``): a tail that fine or equal-mass bins expose is not averaged away.

    Example:
        >>> y, s = np.array([0, 1, 0, 1]), np.array([0.1, 0.2, 0.7, 0.9])
        >>> ece_by_bins(y, {"model": s}, [(2, "uniform")])["model"].round(3).tolist()
        [0.325]
    """
    rows = [
        {
            "bins": f"{n} {strategy}",
            **{
                name: expected_calibration_error(y_true, s, n, strategy)
                for name, s in scores.items()
            },
        }
        for n, strategy in bins
    ]
    return pd.DataFrame(rows)


def miscalibrated_region(
    table: pd.DataFrame, tolerance: float = 0.05, z: float = 3.0, min_count: int = 20
) -> str:
    """A sentence naming the score region of a :func:`reliability_table` where the observed rate
    is off the predicted one; ``""`` when there is none.

    A bin is off when it holds ``min_count`` rows or more and ``|observed - predicted|`` exceeds
    both ``tolerance`` and ``z`` binomial standard errors. The longest run of neighbouring off bins
    erring the same way is named (from its lowest score; "above" when it reaches the top bin).

    Example:
        >>> t = pd.DataFrame({"count": [500, 500, 100], "mean_score": [0.1, 0.3, 0.6],
        ...     "observed_rate": [0.1, 0.31, 0.25], "min_score": [0.0, 0.2, 0.45],
        ...     "max_score": [0.2, 0.45, 0.9]})
        >>> miscalibrated_region(t)
        'above 0.45 the observed rate is 0.35 lower than predicted (100 rows, 1 of 3 score bins)'
    """
    filled = table[table["count"] >= min_count].reset_index(drop=True)
    if filled.empty:
        return ""
    gap = filled["observed_rate"] - filled["mean_score"]
    p = filled["mean_score"].clip(1e-6, 1 - 1e-6)
    noise = z * np.sqrt(p * (1 - p) / filled["count"])
    sign = np.where(gap.abs() > np.maximum(tolerance, noise), np.sign(gap), 0)
    runs, start = [], None
    for i in range(len(sign) + 1):
        if start is not None and (i == len(sign) or sign[i] != sign[start]):
            runs.append((start, i))
            start = None
        if start is None and i < len(sign) and sign[i] != 0:
            start = i
    if not runs:
        return ""
    first, end = max(runs, key=lambda r: (filled["count"][r[0] : r[1]].sum(), r[0]))
    run = filled.iloc[first:end]
    gaps = gap.iloc[first:end].abs()
    low, high = f"{gaps.min():.2f}", f"{gaps.max():.2f}"
    amount = low if low == high else f"{low}–{high}"
    where = (
        f"above {run['min_score'].min():.2f}"
        if end == len(filled)
        else f"between {run['min_score'].min():.2f} and {run['max_score'].max():.2f}"
    )
    direction = "lower" if sign[first] < 0 else "higher"
    return (
        f"{where} the observed rate is {amount} {direction} than predicted "
        f"({int(run['count'].sum()):,} rows, {len(run)} of {len(table)} score bins)"
    )
