"""The ML task as one seam: ``task: binary | multiclass | regression``.

A :class:`Task` owns everything that depends on the task, so the pipeline, the registry,
prediction and evaluation call it instead of assuming ``predict_proba(X)[:, 1]``:

===============  ============================  =========================  ==========================
task             binary                        multiclass                 regression
===============  ============================  =========================  ==========================
target           0/1 or bool                   >= 3 classes, any labels   finite numbers
score            ``predict_proba(X)[:, 1]``    ``predict_proba(X)``       ``predict(X)``
baseline         ``DummyClassifier("prior")``  the same                   ``DummyRegressor("mean")``
default metric   ``roc_auc``                   ``roc_auc`` (macro OvR)    ``rmse``
gate metrics     roc_auc, log_loss, brier      + accuracy, f1_macro       rmse, mae, r2
predictions      ``score``                     ``prediction``,            ``prediction``
                                               ``proba_<class>``
===============  ============================  =========================  ==========================

Binary delegates to :mod:`mlcore.evaluate` (its metrics, its paired bootstrap and, for now, its
report in ``mlcore._evaluation``); multiclass and regression compare champion and challenger with
the generic paired bootstrap of :func:`mlcore.evaluate.paired_bootstrap` and build their test-set report with
:meth:`Task.sections` (figures in ``_figures``, which loads matplotlib only when called).

Private modules, all re-exported here: ``_base`` (:class:`Task`, :class:`TaskReport`),
``_binary``, ``_multiclass`` (+ ``_multiclass_report``), ``_regression`` (+
``_regression_report``), ``_bootstrap``, ``_figures`` (not re-exported: it imports matplotlib)
and ``_lookup`` (:data:`TASKS`, :func:`get_task`).

Example:
    >>> import numpy as np
    >>> from mlcore.task import get_task
    >>> task = get_task("regression")
    >>> task.metrics(np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 3.0]))["rmse"]
    0.0
"""

from mlcore.evaluate import COMPARE_COLUMNS, WeightedMetric, bootstrap_weights, paired_bootstrap
from mlcore.task._base import Task, TaskReport
from mlcore.task._binary import BinaryTask
from mlcore.task._bootstrap import weighted_auc
from mlcore.task._lookup import TASKS, get_task
from mlcore.task._multiclass import MULTICLASS_METRICS, MulticlassTask, encode_classes
from mlcore.task._multiclass_report import (
    class_reliability_table,
    confusion_table,
    per_class_table,
)
from mlcore.task._regression import REGRESSION_METRICS, RegressionTask, check_predictions
from mlcore.task._regression_report import (
    TOP_PERCENTS,
    predicted_vs_actual_table,
    value_curve,
    value_share_table,
)

__all__ = [
    "COMPARE_COLUMNS",
    "MULTICLASS_METRICS",
    "REGRESSION_METRICS",
    "TASKS",
    "TOP_PERCENTS",
    "BinaryTask",
    "MulticlassTask",
    "RegressionTask",
    "Task",
    "TaskReport",
    "WeightedMetric",
    "bootstrap_weights",
    "check_predictions",
    "class_reliability_table",
    "confusion_table",
    "encode_classes",
    "get_task",
    "paired_bootstrap",
    "per_class_table",
    "predicted_vs_actual_table",
    "value_curve",
    "value_share_table",
    "weighted_auc",
]
