"""Baselines (is ML even needed?): the prior, a one-column business rule, and the comparison
table of every scorer on the same rows."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from mlcore.errors import DataError
from mlcore.evaluate._metrics import classification_metrics

__all__ = ["compare_scorers", "heuristic_scores", "prior_scores"]


def prior_scores(y_train: np.ndarray, n_rows: int) -> np.ndarray:
    """The dummy model: every row gets the training positive rate (``DummyClassifier("prior")``).

    Its AUC is 0.5 and its log loss / Brier score are the floor any model must beat.

    Example:
        >>> prior_scores(np.array([0, 0, 0, 1]), 2).tolist()
        [0.25, 0.25]
    """
    y = np.asarray(y_train)
    if len(y) == 0 or not np.isin(y, (0, 1)).all():
        raise DataError("prior_scores: y_train must be a non-empty array of 0/1 labels")
    return np.full(n_rows, float(y.mean()))


def heuristic_scores(frame: pd.DataFrame, column: str, ascending: bool = True) -> np.ndarray:
    """A business rule as a scorer: rank rows by one column, e.g. "lowest activity trend first".

    ``ascending=True`` targets the lowest values first. Scores are percentile ranks in (0, 1]
    (equal values share a score); missing values get 0 (targeted last).

    Example:
        >>> heuristic_scores(pd.DataFrame({"trend": [3.0, -1.0, None]}), "trend").tolist()
        [0.5, 1.0, 0.0]
    """
    if column not in frame.columns:
        raise DataError(f"heuristic_scores: column {column!r} is not in the data")
    values = frame[column]
    if not pd.api.types.is_numeric_dtype(values):
        raise TypeError(f"heuristic_scores: column {column!r} must be numeric, got {values.dtype}")
    ranks = values.rank(method="average", ascending=not ascending, pct=True)
    return ranks.fillna(0.0).to_numpy(dtype=np.float64)


def compare_scorers(
    y_true: np.ndarray, scorers: Mapping[str, np.ndarray], n_bins: int = 10
) -> pd.DataFrame:
    """:func:`classification_metrics` for each scorer (model, prior, heuristics) on the same rows.

    One row per scorer, in the given order. Heuristic scores are ranks, not probabilities: read
    their ``roc_auc`` and ``top_bin_lift``, not their log loss.

    Example:
        >>> y = np.array([0, 0, 1, 1])
        >>> t = compare_scorers(y, {"model": np.array([0.1, 0.2, 0.8, 0.9]), "prior": prior_scores(y, 4)})
        >>> t["roc_auc"].tolist()
        [1.0, 0.5]
    """
    rows = {name: classification_metrics(y_true, s, n_bins) for name, s in scorers.items()}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("scorer").reset_index()
