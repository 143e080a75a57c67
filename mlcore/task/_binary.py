"""Binary classification (0/1 labels): the task mlcore has always run, delegating to
:mod:`mlcore.evaluate`."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.dummy import DummyClassifier

from mlcore.errors import DataError
from mlcore.evaluate import METRICS, check_scores, classification_metrics
from mlcore.task._base import (
    Task,
    TaskReport,
    _check_classes_arg,
    _examples,
    _rows,
    _target_series,
)

__all__ = ["BinaryTask"]


class BinaryTask(Task):
    """Binary classification: labels 0/1 (or booleans), the score is the probability of 1.

    Example:
        >>> from sklearn.linear_model import LogisticRegression
        >>> X, y = np.arange(8.0).reshape(-1, 1), np.array([0, 0, 0, 1, 0, 1, 1, 1])
        >>> task = BinaryTask()
        >>> task.check_target(y, "data.target 'churn'")
        >>> task.score(LogisticRegression().fit(X, y), X).shape
        (8,)
    """

    name = "binary"
    gate_metrics: Mapping[str, bool] = MappingProxyType(
        {name: higher for name, (_, higher) in METRICS.items()}
    )
    default_metric = "roc_auc"
    predict_fn = "predict_proba"
    is_classifier = True
    card_metrics = ("roc_auc", "log_loss", "brier", "top_bin_lift")
    weighted_metrics = METRICS
    narrow_weights = True
    scoring = "roc_auc"

    def check_target(self, y: Any, where: str) -> None:
        """``DataError`` naming ``where`` unless ``y`` holds both 0 and 1 (or False and True) and
        nothing else, with no missing label.

        Example:
            >>> BinaryTask().check_target(["no", "yes"], "data.target 'churn'")
            Traceback (most recent call last):
            ...
            mlcore.errors.DataError: data.target 'churn': labels ['no', 'yes'] are not 0/1: map them to 0/1 (1 = the positive class)
        """
        series = _target_series(y, where)
        labels = _examples(series)
        n_classes = series.nunique()
        if n_classes > 2:
            raise DataError(
                f"{where}: {n_classes} classes {labels}; binary needs exactly two, labelled 0/1: "
                "map them to 0/1, or use task: multiclass"
            )
        numeric = series.dtype.kind in "biuf"
        if not numeric or not series.isin([0, 1]).all():
            raise DataError(
                f"{where}: labels {labels} are not 0/1: map them to 0/1 (1 = the positive class)"
            )
        if n_classes < 2:
            raise DataError(
                f"{where}: a single class {labels}; binary needs both 0 and 1 "
                "(more rows, a longer period or another target)"
            )

    def score(self, model: Any, X: Any) -> np.ndarray:
        """``model.predict_proba(X)[:, 1]``: the probability of class 1, as 1-D float64.

        Example:
            >>> from sklearn.dummy import DummyClassifier
            >>> X, y = np.zeros((4, 1)), np.array([0, 1, 1, 1])
            >>> BinaryTask().score(DummyClassifier().fit(X, y), X).tolist()
            [0.75, 0.75, 0.75, 0.75]
        """
        return self.from_proba(model.predict_proba(X))

    def from_proba(self, proba: Any) -> np.ndarray:
        """The scores of rows whose ``predict_proba`` is ``proba``: its class-1 column, float64.

        Example:
            >>> BinaryTask().from_proba(np.array([[0.2, 0.8]])).tolist()
            [0.8]
        """
        return np.asarray(proba, dtype=np.float64)[:, 1]

    def baseline(self, seed: int) -> BaseEstimator:
        """``DummyClassifier(strategy="prior")``: the training positive rate for every row.

        Example:
            >>> BinaryTask().baseline(0)
            DummyClassifier(random_state=0)
        """
        return DummyClassifier(strategy="prior", random_state=seed)

    def metrics(
        self, y: Any, scores: np.ndarray, classes: Any = None, *, n_bins: int = 10
    ) -> dict[str, float]:
        """:func:`mlcore.evaluate.classification_metrics` (``classes`` is not used).

        Example:
            >>> m = BinaryTask().metrics(np.array([0, 0, 1, 1]), np.array([0.1, 0.2, 0.8, 0.9]), n_bins=2)
            >>> sorted(m)
            ['base_rate', 'brier', 'log_loss', 'roc_auc', 'top_bin_lift']
        """
        _check_classes_arg(classes)
        return classification_metrics(np.asarray(y), np.asarray(scores), n_bins)

    def _paired(
        self, y: Any, champion: Any, challenger: Any, classes: Any
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        _check_classes_arg(classes)
        labels, first = check_scores(y, champion)
        _, second = check_scores(labels, challenger)
        return labels, first, second

    def predictions(self, model: Any, X: Any) -> pd.DataFrame:
        """One column, ``score`` (the probability of 1), index aligned to ``X``.

        Example:
            >>> from sklearn.dummy import DummyClassifier
            >>> X = pd.DataFrame({"a": [1.0, 2.0]}, index=[10, 11])
            >>> BinaryTask().predictions(DummyClassifier().fit(X, [0, 1]), X)
                score
            10    0.5
            11    0.5
        """
        scores = self.score(model, X)
        return pd.DataFrame({"score": scores}, index=_rows(X, len(scores)))

    def sections(
        self,
        y: Any,
        scores: Mapping[str, np.ndarray],
        *,
        n_bins: int = 10,
        classes: Any = None,
        seed: int = 0,
    ) -> TaskReport:
        """Not here: the binary report (lift, gains, calibration, profit, fairness) is built by
        ``mlcore._evaluation``.

        Example:
            >>> BinaryTask().sections(np.array([0, 1]), {})
            Traceback (most recent call last):
            ...
            NotImplementedError: the binary test-set report is built by mlcore._evaluation
        """
        raise NotImplementedError("the binary test-set report is built by mlcore._evaluation")
