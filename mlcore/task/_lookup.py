"""The task names and the lookup from a config's ``task`` value to its :class:`Task`."""

from __future__ import annotations

from mlcore._schema import choice
from mlcore.task._base import Task
from mlcore.task._binary import BinaryTask
from mlcore.task._multiclass import MulticlassTask
from mlcore.task._regression import RegressionTask

__all__ = ["TASKS", "get_task"]

TASKS = ("binary", "multiclass", "regression")
_CLASSES: dict[str, type[Task]] = {
    "binary": BinaryTask,
    "multiclass": MulticlassTask,
    "regression": RegressionTask,
}


def get_task(name: str) -> Task:
    """The task called ``name`` (one of :data:`TASKS`); a ``ConfigError`` naming ``task`` else.

    Example:
        >>> get_task("multiclass").predict_fn
        'predict_proba'
        >>> get_task("ranking")
        Traceback (most recent call last):
        ...
        mlcore.errors.ConfigError: task must be one of ['binary', 'multiclass', 'regression'], got 'ranking'
    """
    return _CLASSES[choice(name, "task", TASKS)]()
