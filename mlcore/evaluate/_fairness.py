"""Group metrics for fairness: rates and metrics per group, and the largest gaps between groups."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from mlcore.errors import DataError
from mlcore.evaluate._checks import check_scores
from mlcore.evaluate._metrics import _score_metric

__all__ = ["fairness_gaps", "group_metrics"]


def group_metrics(
    y_true: np.ndarray,
    scores: np.ndarray,
    groups: np.ndarray | pd.Series,
    threshold: float,
    metrics: Sequence[str | Callable[[np.ndarray, np.ndarray], float]] = ("roc_auc",),
) -> pd.DataFrame:
    """Per group of ``groups`` (e.g. an age band): size, base rate, selection rate and metrics.

    A row is *selected* (would be contacted) when its score is at least ``threshold``.
    ``selection_rate`` is the selected share, ``true_positive_rate`` the selected share of the
    positives (equal opportunity). ``metrics`` are names from :data:`METRICS` or callables
    ``f(y, scores) -> float``; a group holding a single class gets NaN for them. Missing group
    values form their own group. See :func:`fairness_gaps` for the largest differences.

    Example:
        >>> t = group_metrics(np.array([0, 1, 0, 1]), np.array([0.2, 0.9, 0.6, 0.7]), ["a", "a", "b", "b"], 0.5)
        >>> t["selection_rate"].tolist()
        [0.5, 1.0]
    """
    y, s = check_scores(y_true, scores)
    keys = pd.Series(np.asarray(groups, dtype=object))
    if len(keys) != len(y):
        raise DataError(f"group_metrics: {len(keys)} group values for {len(y)} rows")
    selected = s >= threshold
    rows = []
    for key, index in keys.groupby(keys, dropna=False, sort=True).indices.items():
        gy, gs, gsel = y[index], s[index], selected[index]
        n_pos = int(gy.sum())
        row: dict[str, Any] = {
            "group": key,
            "count": len(index),
            "positives": n_pos,
            "base_rate": n_pos / len(index),
            "selection_rate": float(gsel.mean()),
            "true_positive_rate": float(gsel[gy == 1].mean()) if n_pos else np.nan,
        }
        for spec in metrics:
            name = spec if isinstance(spec, str) else spec.__name__
            row[name] = _score_metric(spec, gy, gs) if 0 < n_pos < len(index) else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def fairness_gaps(table: pd.DataFrame) -> pd.DataFrame:
    """The largest difference between groups for every rate and metric of :func:`group_metrics`.

    One row per measure: ``gap`` = highest - lowest group value, the two groups, and ``ratio`` =
    lowest / highest (for ``selection_rate`` this is the "four-fifths rule" ratio).

    Example:
        >>> t = group_metrics(np.array([0, 1, 0, 1]), np.array([0.2, 0.9, 0.6, 0.7]), ["a", "a", "b", "b"], 0.5)
        >>> float(fairness_gaps(t).set_index("measure").loc["selection_rate", "gap"])
        0.5
    """
    rows = []
    for column in table.columns.drop(["group", "count", "positives"]):
        values = table[column].astype(np.float64)
        if values.notna().sum() == 0:
            continue
        high, low = values.idxmax(), values.idxmin()
        rows.append(
            {
                "measure": column,
                "gap": values[high] - values[low],
                "highest_group": table.loc[high, "group"],
                "lowest_group": table.loc[low, "group"],
                "ratio": values[low] / values[high] if values[high] else np.nan,
            }
        )
    return pd.DataFrame(rows)
