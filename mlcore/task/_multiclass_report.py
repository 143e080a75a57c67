"""The multiclass test-set report: per-class metrics, confusion matrix, per-class reliability."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import precision_recall_fscore_support

from mlcore.report import Section
from mlcore.task._base import Task, TaskReport, _check_n_bins, _comparison
from mlcore.task._bootstrap import weighted_auc
from mlcore.task._multiclass import encode_classes

__all__ = ["class_reliability_table", "confusion_table", "multiclass_report", "per_class_table"]

MACRO = "macro avg"


def per_class_table(y: Any, scores: np.ndarray, classes: Any = None) -> pd.DataFrame:
    """Precision, recall, F1, support and one-vs-rest ROC AUC of each class, then a
    ``macro avg`` row (unweighted means; support: all rows).

    The predicted class is the most probable one. Precision of a class never predicted is 0;
    the AUC of a class with no row is NaN.

    Example:
        >>> t = per_class_table(np.array([0, 1, 2, 2]), np.eye(3)[[0, 1, 2, 1]])
        >>> t["recall"].tolist()
        [1.0, 1.0, 0.5, 0.8333333333333334]
    """
    codes, p, classes = encode_classes(y, scores, classes, "per_class_table")
    k = len(classes)
    precision, recall, f1, support = precision_recall_fscore_support(
        codes, p.argmax(axis=1), labels=np.arange(k), zero_division=0.0
    )
    ones = np.ones((1, len(codes)))
    with np.errstate(invalid="ignore", divide="ignore"):
        auc = np.array([weighted_auc(codes == j, p[:, j], ones)[0] for j in range(k)])
    table = pd.DataFrame(
        {
            "class": pd.Series(list(classes), dtype=object),
            "precision": precision,
            "recall": recall,
            "f1": f1,
            "support": support.astype(np.int64),
            "roc_auc": auc,
        }
    )
    macro = {"class": MACRO, **table.drop(columns="class").mean().to_dict()}
    macro["support"] = int(support.sum())
    return pd.concat([table, pd.DataFrame([macro])], ignore_index=True)


def confusion_table(y: Any, scores: np.ndarray, classes: Any = None) -> pd.DataFrame:
    """Row counts by actual class (rows; column ``actual``) and predicted class (one column per
    class, named ``str(label)``), classes in ``classes`` order.

    Example:
        >>> confusion_table(np.array([0, 1, 2, 2]), np.eye(3)[[0, 1, 2, 1]])
          actual  0  1  2
        0      0  1  0  0
        1      1  0  1  0
        2      2  0  1  1
    """
    codes, p, classes = encode_classes(y, scores, classes, "confusion_table")
    k = len(classes)
    counts = np.bincount(codes * k + p.argmax(axis=1), minlength=k * k).reshape(k, k)
    table = pd.DataFrame(counts, columns=[str(c) for c in classes])
    table.insert(0, "actual", pd.Series(list(classes), dtype=object))
    return table


def class_reliability_table(
    y: Any, scores: np.ndarray, classes: Any = None, n_bins: int = 10
) -> pd.DataFrame:
    """One-vs-rest reliability of each class: mean predicted probability of the class vs the
    observed share of the class, per probability bin.

    Bins are equal-width on [0, 1] (bin ``i`` holds probabilities in ``[(i - 1) / n_bins,
    i / n_bins)``, 1.0 in the last), as ``mlcore.evaluate.reliability_table(strategy="uniform")``.
    Columns ``class``, ``bin`` (1-based), ``mean_predicted``, ``observed_rate``, ``rows``;
    empty bins have 0 rows and NaN rates.

    Example:
        >>> t = class_reliability_table(np.array([0, 1, 2, 2]), np.eye(3)[[0, 1, 2, 1]], n_bins=2)
        >>> t[t["class"] == 2][["bin", "rows", "observed_rate"]].to_numpy().tolist()
        [[1.0, 3.0, 0.3333333333333333], [2.0, 1.0, 1.0]]
    """
    codes, p, classes = encode_classes(y, scores, classes, "class_reliability_table")
    _check_n_bins(n_bins, "class_reliability_table")
    bins = np.minimum((p * n_bins).astype(np.int64), n_bins - 1) + 1
    parts = []
    for j, label in enumerate(classes):
        part = (
            pd.DataFrame({"bin": bins[:, j], "p": p[:, j], "hit": codes == j})
            .groupby("bin")
            .agg(mean_predicted=("p", "mean"), observed_rate=("hit", "mean"), rows=("p", "size"))
            .reindex(pd.RangeIndex(1, n_bins + 1, name="bin"))
            .reset_index()
        )
        part.insert(0, "class", label)
        parts.append(part)
    table = pd.concat(parts, ignore_index=True)
    table["rows"] = table["rows"].fillna(0).astype(np.int64)
    table["observed_rate"] = table["observed_rate"].astype(np.float64)
    return table


def multiclass_report(
    task: Task,
    y: Any,
    scores: Mapping[str, np.ndarray],
    *,
    n_bins: int = 10,
    classes: Any = None,
) -> TaskReport:
    """The content of :meth:`mlcore.task.MulticlassTask.sections`.

    Example:
        >>> from mlcore.task import get_task
        >>> y = np.arange(30) % 3
        >>> rep = multiclass_report(get_task("multiclass"), y, {"model": np.eye(3)[y]}, n_bins=5)
        >>> [s.title for s in rep.sections][:2]
        ['Model vs baseline', 'Per-class metrics']
    """
    from mlcore.task import _figures

    comparison = _comparison(task, y, scores, classes, "dummy (prior)")
    model = scores["model"]
    per_class = per_class_table(y, model, classes)
    confusion = confusion_table(y, model, classes)
    reliability = class_reliability_table(y, model, classes, n_bins)
    macro = per_class[per_class["class"] == MACRO].iloc[0]
    metrics = {
        "test_precision_macro": float(macro["precision"]),
        "test_recall_macro": float(macro["recall"]),
    }
    figures = {
        "confusion_matrix": _figures.confusion_figure(confusion, "Confusion matrix (test)"),
        "class_reliability": _figures.class_reliability_figure(
            reliability, "Reliability by class (test)"
        ),
    }
    worst = per_class.iloc[:-1].sort_values("recall").iloc[0]
    sections = [
        Section(
            "Model vs baseline",
            "Is ML even needed? The dummy predicts the training class shares for every row. "
            "roc_auc is the macro one-vs-rest AUC; brier is the multiclass Brier score (0 to 2).",
            comparison,
        ),
        Section(
            "Per-class metrics",
            f"Predicted class = the most probable one. Lowest recall: class {worst['class']} "
            f"({worst['recall']:.3f}, {int(worst['support'])} rows).",
            per_class,
        ),
        Section(
            "Confusion matrix",
            "Rows: actual class; columns: predicted class (row counts on the test set).",
            confusion,
            {"confusion_matrix": figures["confusion_matrix"]},
        ),
        Section(
            "Reliability by class",
            "One-vs-rest: the mean predicted probability of a class vs the observed share of "
            "that class, per probability bin.",
            reliability,
            {"class_reliability": figures["class_reliability"]},
        ),
    ]
    tables = {
        "comparison": comparison,
        "per_class": per_class,
        "confusion_matrix": confusion,
        "class_reliability": reliability,
    }
    return TaskReport(metrics, sections, figures, tables)
