"""Calibration: the reliability table, its expected calibration error, and a calibrator."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.calibration import CalibratedClassifierCV
from sklearn.frozen import FrozenEstimator

from mlcore.errors import ConfigError
from mlcore.evaluate._checks import _check_n_bins, _check_probabilities, check_scores
from mlcore.evaluate._lift import _edge_codes, _quantile_bins

__all__ = ["expected_calibration_error", "fit_calibrator", "reliability_table"]


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


def fit_calibrator(model: Any, X_val: Any, y_val: np.ndarray, method: str = "isotonic") -> Any:
    """Calibrate an already fitted classifier on validation data; returns the calibrated model.

    The fitted ``model`` (e.g. the whole preprocessing + LightGBM pipeline) is wrapped in
    ``FrozenEstimator`` so it is not refitted, and ``CalibratedClassifierCV`` learns one
    ``isotonic``, ``sigmoid`` or ``temperature`` mapping on all of ``X_val`` (the replacement for
    the removed ``cv="prefit"``). Fit it on data the model has not been trained on.

    Example:
        >>> from sklearn.linear_model import LogisticRegression
        >>> X, y = np.arange(20.0).reshape(-1, 1), np.arange(20) % 2
        >>> fit_calibrator(LogisticRegression().fit(X, y), X, y, "sigmoid").predict_proba(X).shape
        (20, 2)
    """
    return CalibratedClassifierCV(FrozenEstimator(model), method=method).fit(X_val, y_val)
