"""Multiclass classification (3 or more classes): scores are ``predict_proba`` matrices whose
columns follow ``model.classes_``.

Metrics: ``roc_auc`` (macro one-vs-rest: the mean over classes of each class's AUC against the
rest; undefined when a class has no row), ``log_loss``, ``accuracy``, ``f1_macro`` (over the
classes present in the labels or the predictions, as scikit-learn) and ``brier`` (the multiclass
Brier score: mean over rows of ``sum_k (p_k - [y = k])^2``, between 0 and 2).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.dummy import DummyClassifier

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
from mlcore.task._bootstrap import weighted_auc

__all__ = ["MULTICLASS_METRICS", "MulticlassTask", "encode_classes"]

_EPS = np.finfo(np.float64).eps  # the clipping of sklearn.metrics.log_loss


def encode_classes(
    y: Any, scores: Any, classes: Any = None, what: str = "evaluate"
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Check labels against a probability matrix; return ``(codes, probabilities, classes)``.

    ``codes[i]`` is the column of row ``i``'s label in ``classes`` (``model.classes_``: the
    column order of ``scores``; default: the sorted labels of ``y``, which must then number as
    many as the columns). ``DataError`` for a label outside ``classes``, missing labels,
    mismatched shapes, or scores that are not finite probabilities.

    Example:
        >>> codes, p, classes = encode_classes(["b", "c", "a"], np.eye(3)[[1, 2, 0]])
        >>> codes.tolist(), classes.tolist()
        ([1, 2, 0], ['a', 'b', 'c'])
    """
    _check_classes_arg(classes)
    labels = np.asarray(y.to_numpy() if isinstance(y, pd.Series) else y)
    p = np.asarray(scores, dtype=np.float64)
    if labels.ndim != 1 or p.ndim != 2 or len(labels) != len(p):
        raise DataError(
            f"{what}: labels ({labels.shape}) must be 1-D and scores ({p.shape}) one row per "
            "label and one column per class (predict_proba)"
        )
    if len(labels) == 0:
        raise DataError(f"{what}: no rows to evaluate")
    if not np.isfinite(p).all() or p.min() < 0.0 or p.max() > 1.0:
        raise DataError(f"{what}: scores must be probabilities in [0, 1] (predict_proba)")
    missing = int(pd.isna(labels).sum())
    if missing:
        raise DataError(f"{what}: {missing} of {len(labels)} labels are missing")
    if classes is None:
        classes = np.unique(labels)
        if len(classes) != p.shape[1]:
            raise DataError(
                f"{what}: scores have {p.shape[1]} columns but the labels hold {len(classes)} "
                "classes; pass classes=model.classes_ (the column order of the scores)"
            )
    classes = np.asarray(classes)
    if len(classes) != p.shape[1]:
        raise DataError(
            f"{what}: {len(classes)} classes for {p.shape[1]} score columns; classes must be "
            "model.classes_"
        )
    codes = pd.Index(classes).get_indexer(labels)
    if (codes < 0).any():
        raise DataError(
            f"{what}: labels {_examples(labels[codes < 0])} are not among the model's classes "
            f"{_examples(classes, 20)}"
        )
    return codes.astype(np.int64), p, classes


def _onehot(codes: np.ndarray, k: int) -> np.ndarray:
    return np.eye(k)[codes]


def _weighted_auc(codes: np.ndarray, p: np.ndarray, w: np.ndarray) -> np.ndarray:
    per_class = [weighted_auc(codes == j, p[:, j], w) for j in range(p.shape[1])]
    return np.mean(per_class, axis=0)  # NaN when a class has no row (or is the only one)


def _weighted_log_loss(codes: np.ndarray, p: np.ndarray, w: np.ndarray) -> np.ndarray:
    losses = -np.log(np.clip(p[np.arange(len(codes)), codes], _EPS, 1 - _EPS))
    return w @ losses / w.sum(axis=1)


def _weighted_brier(codes: np.ndarray, p: np.ndarray, w: np.ndarray) -> np.ndarray:
    return w @ ((p - _onehot(codes, p.shape[1])) ** 2).sum(axis=1) / w.sum(axis=1)


def _weighted_accuracy(codes: np.ndarray, p: np.ndarray, w: np.ndarray) -> np.ndarray:
    return w @ (p.argmax(axis=1) == codes).astype(np.float64) / w.sum(axis=1)


def _weighted_f1_macro(codes: np.ndarray, p: np.ndarray, w: np.ndarray) -> np.ndarray:
    k = p.shape[1]
    actual, predicted = _onehot(codes, k), _onehot(p.argmax(axis=1), k)
    true_positives = w @ (actual * predicted)
    either = w @ actual + w @ predicted  # 2 tp + fp + fn, per replicate and class
    with np.errstate(invalid="ignore", divide="ignore"):
        f1 = np.where(either > 0, 2.0 * true_positives / either, np.nan)
    present = (either > 0).sum(axis=1)
    return np.nansum(f1, axis=1) / np.where(present > 0, present, np.nan)


# name -> (metric under each row of a weight matrix, higher is better); see mlcore.task._bootstrap
MULTICLASS_METRICS: Mapping[str, tuple[WeightedMetric, bool]] = MappingProxyType(
    {
        "roc_auc": (_weighted_auc, True),
        "log_loss": (_weighted_log_loss, False),
        "accuracy": (_weighted_accuracy, True),
        "f1_macro": (_weighted_f1_macro, True),
        "brier": (_weighted_brier, False),
    }
)


class MulticlassTask(Task):
    """Multiclass classification: at least three classes of any labels (ints or strings).

    Example:
        >>> from sklearn.linear_model import LogisticRegression
        >>> X, y = np.arange(9.0).reshape(-1, 1), np.array(["a", "a", "a", "b", "b", "b", "c", "c", "c"])
        >>> MulticlassTask().score(LogisticRegression().fit(X, y), X).shape
        (9, 3)
    """

    name = "multiclass"
    gate_metrics: Mapping[str, bool] = MappingProxyType(
        {name: higher for name, (_, higher) in MULTICLASS_METRICS.items()}
    )
    default_metric = "roc_auc"
    predict_fn = "predict_proba"
    is_classifier = True
    card_metrics = ("roc_auc", "log_loss", "accuracy", "f1_macro")
    weighted_metrics = MULTICLASS_METRICS
    scoring = "roc_auc_ovr"

    def check_target(self, y: Any, where: str) -> None:
        """``DataError`` naming ``where`` unless ``y`` holds at least three classes of one type,
        with no missing label.

        Example:
            >>> MulticlassTask().check_target([0, 1, 1, 0], "data.target 'plan'")
            Traceback (most recent call last):
            ...
            mlcore.errors.DataError: data.target 'plan': only 2 classes [0, 1]; multiclass needs at least 3: use task: binary (with the labels mapped to 0/1)
        """
        series = _target_series(y, where)
        labels = _examples(series)
        if pd.api.types.infer_dtype(series, skipna=True) in ("mixed", "mixed-integer"):
            raise DataError(f"{where}: labels mix types ({labels}); make them one type")
        if series.dtype.kind == "f" and not (series == series.round()).all():
            raise DataError(
                f"{where}: labels are non-integer numbers ({labels}): use task: regression, "
                "or bin them into classes"
            )
        n_classes = series.nunique()
        if n_classes == 1:
            raise DataError(f"{where}: a single class {labels}; a classifier needs at least two")
        if n_classes == 2:
            raise DataError(
                f"{where}: only 2 classes {labels}; multiclass needs at least 3: use task: binary "
                "(with the labels mapped to 0/1)"
            )

    def score(self, model: Any, X: Any) -> np.ndarray:
        """``model.predict_proba(X)``: ``(n, k)`` float64, columns in ``model.classes_`` order.

        Example:
            >>> from sklearn.dummy import DummyClassifier
            >>> X, y = np.zeros((4, 1)), np.array([0, 1, 2, 2])
            >>> MulticlassTask().score(DummyClassifier().fit(X, y), X)[0].tolist()
            [0.25, 0.25, 0.5]
        """
        return self.from_proba(model.predict_proba(X))

    def from_proba(self, proba: Any) -> np.ndarray:
        """The scores of rows whose ``predict_proba`` is ``proba``: all of it, float64.

        Example:
            >>> MulticlassTask().from_proba([[0.2, 0.8]]).tolist()
            [[0.2, 0.8]]
        """
        return np.asarray(proba, dtype=np.float64)

    def baseline(self, seed: int) -> BaseEstimator:
        """``DummyClassifier(strategy="prior")``: the training class shares for every row.

        Example:
            >>> MulticlassTask().baseline(3)
            DummyClassifier(random_state=3)
        """
        return DummyClassifier(strategy="prior", random_state=seed)

    def metrics(
        self, y: Any, scores: np.ndarray, classes: Any = None, *, n_bins: int = 10
    ) -> dict[str, float]:
        """``roc_auc`` (macro one-vs-rest), ``log_loss``, ``accuracy``, ``f1_macro``, ``brier``.

        ``classes`` is ``model.classes_`` (default: the sorted labels); ``n_bins`` is not used.

        Example:
            >>> m = MulticlassTask().metrics(np.array([0, 1, 2]), np.eye(3))
            >>> m["accuracy"], m["brier"], m["roc_auc"]
            (1.0, 0.0, 1.0)
        """
        codes, p, _ = encode_classes(y, scores, classes)
        ones = np.ones((1, len(codes)), dtype=np.int64)
        with np.errstate(invalid="ignore", divide="ignore"):
            return {
                name: float(fn(codes, p, ones)[0]) for name, (fn, _) in MULTICLASS_METRICS.items()
            }

    def _paired(
        self, y: Any, champion: Any, challenger: Any, classes: Any
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        codes, first, classes = encode_classes(y, champion, classes, "compare")
        _, second, _ = encode_classes(y, challenger, classes, "compare")
        return codes, first, second

    def predictions(self, model: Any, X: Any) -> pd.DataFrame:
        """``prediction`` (the most probable class) and ``proba_<class>`` for each class of
        ``model.classes_``, index aligned to ``X``.

        Example:
            >>> from sklearn.dummy import DummyClassifier
            >>> X = np.zeros((4, 1))
            >>> MulticlassTask().predictions(DummyClassifier().fit(X, ["a", "b", "c", "c"]), X).columns.tolist()
            ['prediction', 'proba_a', 'proba_b', 'proba_c']
        """
        p = self.score(model, X)
        classes = np.asarray(model.classes_)
        columns = {"prediction": classes[p.argmax(axis=1)]}
        columns.update({f"proba_{label}": p[:, j] for j, label in enumerate(classes)})
        return pd.DataFrame(columns, index=_rows(X, len(p)))

    def sections(
        self,
        y: Any,
        scores: Mapping[str, np.ndarray],
        *,
        n_bins: int = 10,
        classes: Any = None,
        seed: int = 0,
    ) -> TaskReport:
        """The test-set report: model vs baseline, per-class metrics, the confusion matrix and the
        per-class reliability (tables ``comparison``, ``per_class``, ``confusion_matrix``,
        ``class_reliability``; figures ``confusion_matrix``, ``class_reliability``).

        Example:
            >>> y = np.arange(30) % 3
            >>> rep = MulticlassTask().sections(y, {"model": 0.1 + 0.7 * np.eye(3)[y]}, n_bins=5)
            >>> sorted(rep.figures), rep.metrics["test_recall_macro"]
            (['class_reliability', 'confusion_matrix'], 1.0)
        """
        from mlcore.task._multiclass_report import multiclass_report

        return multiclass_report(self, y, scores, n_bins=n_bins, classes=classes)
