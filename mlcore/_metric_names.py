"""mlcore's metric names and their MLflow keys: ``test_roc_auc`` is logged as ``test/roc_auc``.

MLflow's UI groups a run's metrics by the part of the key before each ``/``; mlcore's code and
``make compare`` use the flat names, which also name the metrics of runs logged before grouping.
"""

from __future__ import annotations

from typing import Any

__all__ = ["metric_key", "run_metrics"]

# The prefixes of mlcore's metric names that MLflow shows as groups ("test/roc_auc"), outermost first.
_METRIC_GROUPS = (
    "baseline",
    "heuristic",
    "uncalibrated",
    "calibration",
    "target",
    "drift",
    "step_seconds",
    "train",
    "validation",
    "test",
)


def metric_key(name: str) -> str:
    """The MLflow key of an mlcore metric: each known prefix becomes a ``/`` group of the UI.

    Example:
        >>> metric_key("baseline_test_roc_auc"), metric_key("step_seconds_train")
        ('baseline/test/roc_auc', 'step_seconds/train')
    """
    for group in _METRIC_GROUPS:
        if name.startswith(f"{group}_"):
            return f"{group}/{metric_key(name[len(group) + 1 :])}"
    return name


def run_metrics(run: Any) -> dict[str, float]:
    """A run's metrics by mlcore's names, from grouped keys (``test/roc_auc``) or the flat keys
    of runs logged before the grouping (``test_roc_auc``): both read ``test_roc_auc``.

    Example (a run from ``MlflowClient().get_run(run_id)``)::

        run_metrics(run)["baseline_test_roc_auc"]
    """
    return {key.replace("/", "_"): value for key, value in run.data.metrics.items()}
