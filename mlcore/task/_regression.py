"""Regression (a numeric target, e.g. customer lifetime value): scores are ``model.predict``.

Metrics: ``rmse``, ``mae``, ``r2`` (1 - residual / total sum of squares; undefined for a constant
target) and ``mean_target``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.dummy import DummyRegressor

from mlcore.errors import DataError
from mlcore.evaluate import WeightedMetric
from mlcore.task._base import (
    Task,
    TaskReport,
    _check_classes_arg,
    _examples,
    _rows,
    _target_series,
)

__all__ = ["REGRESSION_METRICS", "RegressionTask", "check_predictions"]


def check_predictions(y: Any, scores: Any, what: str = "evaluate") -> tuple[np.ndarray, np.ndarray]:
    """Targets and predictions as float64, 1-D, same length, finite; else a ``DataError``.

    Example:
        >>> check_predictions([1, 2], [1.5, 2.5])[0].dtype
        dtype('float64')
    """
    try:
        target = np.asarray(y, dtype=np.float64)
        predicted = np.asarray(scores, dtype=np.float64)
    except (TypeError, ValueError):
        raise DataError(f"{what}: targets and predictions must be numbers") from None
    if target.ndim != 1 or predicted.ndim != 1 or len(target) != len(predicted):
        raise DataError(
            f"{what}: targets ({target.shape}) and predictions ({predicted.shape}) must be 1-D, "
            "same length"
        )
    if len(target) == 0:
        raise DataError(f"{what}: no rows to evaluate")
    for name, values in (("targets", target), ("predictions", predicted)):
        bad = int((~np.isfinite(values)).sum())
        if bad:
            raise DataError(f"{what}: {bad} {name} are NaN or infinite")
    return target, predicted


def _weighted_rmse(y: np.ndarray, s: np.ndarray, w: np.ndarray) -> np.ndarray:
    return np.sqrt(w @ (y - s) ** 2 / w.sum(axis=1))


def _weighted_mae(y: np.ndarray, s: np.ndarray, w: np.ndarray) -> np.ndarray:
    return w @ np.abs(y - s) / w.sum(axis=1)


def _weighted_r2(y: np.ndarray, s: np.ndarray, w: np.ndarray) -> np.ndarray:
    total = w.sum(axis=1)
    mean = w @ y / total
    spread = (w * (y[None, :] - mean[:, None]) ** 2).sum(axis=1)
    if np.ptp(y) == 0:  # a constant target: R² is undefined
        spread = np.zeros_like(spread)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(spread > 0, 1.0 - (w @ (y - s) ** 2) / spread, np.nan)


# name -> (metric under each row of a weight matrix, higher is better); see mlcore.task._bootstrap
REGRESSION_METRICS: Mapping[str, tuple[WeightedMetric, bool]] = MappingProxyType(
    {
        "rmse": (_weighted_rmse, False),
        "mae": (_weighted_mae, False),
        "r2": (_weighted_r2, True),
    }
)


class RegressionTask(Task):
    """Regression: a finite numeric target; the score is the prediction.

    Example:
        >>> from sklearn.linear_model import LinearRegression
        >>> X, y = np.arange(4.0).reshape(-1, 1), np.array([1.0, 3.0, 5.0, 7.0])
        >>> RegressionTask().score(LinearRegression().fit(X, y), X).round(6).tolist()
        [1.0, 3.0, 5.0, 7.0]
    """

    name = "regression"
    gate_metrics: Mapping[str, bool] = MappingProxyType(
        {name: higher for name, (_, higher) in REGRESSION_METRICS.items()}
    )
    default_metric = "rmse"
    predict_fn = "predict"
    is_classifier = False
    card_metrics = ("rmse", "mae", "r2")
    weighted_metrics = REGRESSION_METRICS
    scoring = "neg_root_mean_squared_error"

    def check_target(self, y: Any, where: str) -> None:
        """``DataError`` naming ``where`` unless ``y`` is numeric (not boolean) and finite, with
        no missing value.

        Example:
            >>> RegressionTask().check_target([1.0, float("inf"), 2.0], "data.target 'ltv'")
            Traceback (most recent call last):
            ...
            mlcore.errors.DataError: data.target 'ltv': 1 of 3 values are infinite; regression needs finite numbers: drop or cap them
        """
        series = _target_series(y, where)
        if series.dtype.kind == "b":
            raise DataError(f"{where}: the target is boolean: use task: binary")
        if series.dtype.kind not in "iuf":
            raise DataError(
                f"{where}: task: regression needs a numeric target, got dtype {series.dtype} "
                f"(values {_examples(series)}): convert it to numbers, or use task: binary or "
                "multiclass for class labels"
            )
        infinite = int(np.isinf(series.to_numpy(dtype=np.float64)).sum())
        if infinite:
            raise DataError(
                f"{where}: {infinite} of {len(series)} values are infinite; regression needs "
                "finite numbers: drop or cap them"
            )

    def score(self, model: Any, X: Any) -> np.ndarray:
        """``model.predict(X)`` as 1-D float64.

        Example:
            >>> from sklearn.dummy import DummyRegressor
            >>> X = np.zeros((2, 1))
            >>> RegressionTask().score(DummyRegressor().fit(X, [1, 2]), X).tolist()
            [1.5, 1.5]
        """
        return np.asarray(model.predict(X), dtype=np.float64).reshape(-1)

    def baseline(self, seed: int) -> BaseEstimator:
        """``DummyRegressor(strategy="mean")``: the training mean for every row (``seed`` is not
        used: the mean is deterministic).

        Example:
            >>> RegressionTask().baseline(0)
            DummyRegressor()
        """
        return DummyRegressor(strategy="mean")

    def metrics(
        self, y: Any, scores: np.ndarray, classes: Any = None, *, n_bins: int = 10
    ) -> dict[str, float]:
        """``rmse``, ``mae``, ``r2`` and ``mean_target`` (``classes`` and ``n_bins`` are not used).

        Example:
            >>> RegressionTask().metrics(np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 4.0]))
            {'rmse': 0.5773502691896257, 'mae': 0.3333333333333333, 'r2': 0.5, 'mean_target': 2.0}
        """
        _check_classes_arg(classes)
        target, predicted = check_predictions(y, scores)
        ones = np.ones((1, len(target)), dtype=np.int64)
        out = {
            name: float(fn(target, predicted, ones)[0])
            for name, (fn, _) in REGRESSION_METRICS.items()
        }
        out["mean_target"] = float(target.mean())
        return out

    def _paired(
        self, y: Any, champion: Any, challenger: Any, classes: Any
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        _check_classes_arg(classes)
        target, first = check_predictions(y, champion, "compare")
        _, second = check_predictions(target, challenger, "compare")
        return target, first, second

    def predictions(self, model: Any, X: Any) -> pd.DataFrame:
        """One column, ``prediction``, index aligned to ``X``.

        Example:
            >>> from sklearn.dummy import DummyRegressor
            >>> X = pd.DataFrame({"a": [0.0, 1.0]}, index=["u1", "u2"])
            >>> RegressionTask().predictions(DummyRegressor().fit(X, [2.0, 4.0]), X)
                prediction
            u1         3.0
            u2         3.0
        """
        predicted = self.score(model, X)
        return pd.DataFrame({"prediction": predicted}, index=_rows(X, len(predicted)))

    def sections(
        self,
        y: Any,
        scores: Mapping[str, np.ndarray],
        *,
        n_bins: int = 10,
        classes: Any = None,
        seed: int = 0,
    ) -> TaskReport:
        """The test-set report: model vs baseline, predicted vs actual by decile, residuals and
        the value captured by the top predictions (tables ``comparison``,
        ``predicted_vs_actual``, ``value_share``; figures ``predicted_vs_actual``,
        ``residuals``, ``value_share``; metric ``test_value_share_top_10pct``).

        Example:
            >>> y = np.arange(100.0)
            >>> rep = RegressionTask().sections(y, {"model": y, "baseline": np.full(100, 49.5)})
            >>> sorted(rep.figures), round(rep.metrics["test_value_share_top_10pct"], 4)
            (['predicted_vs_actual', 'residuals', 'value_share'], 0.1909)
        """
        from mlcore.task._regression_report import regression_report

        _check_classes_arg(classes)
        return regression_report(self, y, scores, n_bins=n_bins, seed=seed)
