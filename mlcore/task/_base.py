"""The task seam: what every ML task (binary, multiclass, regression) provides, and shared checks."""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from mlcore._schema import choice
from mlcore.errors import ConfigError, DataError
from mlcore.report import Section

__all__ = ["Task", "TaskReport"]


@dataclass
class TaskReport:
    """The test-set report content of a task: metrics to log, report sections, figures, tables.

    Example:
        >>> TaskReport().metrics
        {}
    """

    metrics: dict[str, float] = field(default_factory=dict)
    sections: list[Section] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)


class Task(ABC):
    """Everything that depends on the ML task: target checks, scores, baseline, metrics, the
    champion-vs-challenger comparison, prediction columns and the test-set report.

    Tasks hold no state: get one with :func:`mlcore.task.get_task`.

    Example:
        >>> from mlcore.task import get_task
        >>> task = get_task("regression")
        >>> task.name, task.default_metric, task.predict_fn, task.gate_metrics["r2"]
        ('regression', 'rmse', 'predict', True)
    """

    name: str
    gate_metrics: Mapping[str, bool]  # metric -> higher is better
    default_metric: str
    predict_fn: str  # the MLflow pyfunc predict function
    is_classifier: bool
    card_metrics: tuple[str, ...]  # the model card's metrics table, in order
    scoring: str  # scikit-learn's scorer name for permutation importance
    weighted_metrics: Mapping[str, tuple[Any, bool]]  # gate metric -> (weighted fn, higher)
    narrow_weights: bool = False  # int16 bootstrap weights: for the binary metrics' int cumsums

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other)

    def __hash__(self) -> int:
        return hash(type(self))

    def check_metric(self, metric: str | Sequence[str]) -> list[str]:
        """The metric name(s) as a list; a ``ConfigError`` naming ``evaluate.metric`` if one is not
        a gate metric of this task.

        Example:
            >>> from mlcore.task import get_task
            >>> get_task("regression").check_metric("mae")
            ['mae']
        """
        names = [metric] if isinstance(metric, str) else list(metric)
        for name in names:
            choice(name, f"evaluate.metric (task: {self.name})", list(self.gate_metrics))
        return names

    @abstractmethod
    def check_target(self, y: Any, where: str) -> None:
        """Raise ``DataError`` naming ``where`` when ``y`` does not fit the task."""

    @abstractmethod
    def score(self, model: Any, X: Any) -> np.ndarray:
        """The model's scores on ``X``, as :meth:`metrics` and :meth:`compare` take them."""

    @abstractmethod
    def baseline(self, seed: int) -> BaseEstimator:
        """The unfitted dummy model every model must beat."""

    @abstractmethod
    def metrics(
        self, y: Any, scores: np.ndarray, classes: Any = None, *, n_bins: int = 10
    ) -> dict[str, float]:
        """The metrics of ``scores`` against ``y`` on all rows."""

    @abstractmethod
    def _paired(
        self, y: Any, champion: Any, challenger: Any, classes: Any
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Labels and both models' scores, checked, in the form the weighted metrics take."""

    def compare(
        self,
        y: Any,
        champion_scores: np.ndarray,
        challenger_scores: np.ndarray,
        metric: str | Sequence[str],
        *,
        n_boot: int = 200,
        seed: int = 0,
        margin: float = 0.0,
        confidence: float = 0.95,
        classes: Any = None,
    ) -> pd.DataFrame:
        """Champion vs challenger with a paired bootstrap (:func:`mlcore.evaluate.paired_bootstrap`):
        one row per metric, the columns of :func:`mlcore.evaluate.compare_models`. ``classes``
        orders a multiclass task's score columns (``model.classes_``).

        Example:
            >>> from mlcore.task import get_task
            >>> y = np.array([0, 1] * 50)
            >>> t = get_task("binary").compare(y, np.linspace(0, 1, 100), np.where(y == 1, 0.9, 0.1), "roc_auc")
            >>> bool(t.loc[0, "challenger_better"])
            True
        """
        from mlcore.evaluate import paired_bootstrap

        names = self.check_metric(metric)
        labels, champion, challenger = self._paired(y, champion_scores, challenger_scores, classes)
        return paired_bootstrap(
            labels,
            champion,
            challenger,
            {name: self.weighted_metrics[name] for name in names},
            n_boot=n_boot,
            seed=seed,
            margin=margin,
            confidence=confidence,
            narrow=self.narrow_weights,
        )

    @abstractmethod
    def predictions(self, model: Any, X: Any) -> pd.DataFrame:
        """The columns ``make predict`` writes, index aligned to ``X``."""

    @abstractmethod
    def sections(
        self,
        y: Any,
        scores: Mapping[str, np.ndarray],
        *,
        n_bins: int = 10,
        classes: Any = None,
        seed: int = 0,
    ) -> TaskReport:
        """The test-set report content; ``scores`` maps ``model`` (and ``baseline``...) to scores."""


# --------------------------------------------------------------------------------------------
# Shared checks
# --------------------------------------------------------------------------------------------


def _target_series(y: Any, where: str) -> pd.Series:
    """``y`` as a Series with no missing value; ``DataError`` for no rows, 2-D or missing labels."""
    if isinstance(y, pd.DataFrame):
        if y.shape[1] != 1:
            raise DataError(f"{where}: the target must be one column, got {y.shape[1]} columns")
        y = y.iloc[:, 0]
    if not isinstance(y, pd.Series):
        if np.ndim(y) != 1:
            raise DataError(f"{where}: the target must be 1-D, got shape {np.shape(y)}")
        # a list keeps its Python types (np.asarray would turn [1, "a"] into strings)
        y = pd.Series(list(y) if isinstance(y, list | tuple) else np.asarray(y))
    if len(y) == 0:
        raise DataError(f"{where}: no rows (the target is empty)")
    missing = int(y.isna().sum())
    if missing:
        raise DataError(
            f"{where}: {missing} of {len(y)} rows have no label (missing/NaN); "
            "drop or fill them before training"
        )
    return y


def _examples(values: Any, limit: int = 5) -> list[Any]:
    """Up to ``limit`` distinct values as plain Python objects, sorted when they can be."""
    unique = pd.unique(pd.Series(values))
    with contextlib.suppress(TypeError):  # mixed types: keep the order of appearance
        unique = np.sort(unique)
    shown = [v.item() if isinstance(v, np.generic) else v for v in unique[:limit]]
    return shown if len(unique) <= limit else [*shown, "..."]


def _check_classes_arg(classes: Any) -> None:
    if isinstance(classes, int | np.integer):  # metrics(y, s, 10): n_bins passed by position
        raise TypeError(
            f"classes must be the model's classes_, got the int {classes}; pass n_bins= by keyword"
        )


def _rows(X: Any, n: int) -> pd.Index:
    """The index of ``X`` when it has one (a DataFrame or Series), else ``0..n-1``."""
    index = getattr(X, "index", None)
    return index if isinstance(index, pd.Index) and len(index) == n else pd.RangeIndex(n)


def _comparison(
    task: Task, y: Any, scores: Mapping[str, np.ndarray], classes: Any, baseline: str
) -> pd.DataFrame:
    """:meth:`Task.metrics` of every scorer on the same rows; ``baseline`` renames ``"baseline"``."""
    if "model" not in scores:
        raise DataError(f"sections: scores need a 'model' entry, got {sorted(scores)}")
    rows = {
        baseline if name == "baseline" else name: task.metrics(y, s, classes)
        for name, s in scores.items()
    }
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("scorer").reset_index()


def _check_n_bins(n_bins: int, what: str) -> None:
    if isinstance(n_bins, bool) or not isinstance(n_bins, int | np.integer) or n_bins < 1:
        raise ConfigError(f"{what}: n_bins must be an integer >= 1, got {n_bins!r}")
