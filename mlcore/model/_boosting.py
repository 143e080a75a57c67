"""Progress of a boosting model's fit: trees built, elapsed time and ETA."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mlcore._progress import Progress

__all__ = ["boosting_progress"]


def boosting_progress(label: str, **options: Any) -> Callable[[Any], None]:
    """A LightGBM callback that logs trees built, elapsed time and ETA (see ``Progress``).

    Example:
        >>> import numpy as np
        >>> from lightgbm import LGBMClassifier
        >>> X, y = np.arange(40.0).reshape(20, 2), np.arange(20) % 2
        >>> callback = boosting_progress("fit 20 rows")
        >>> LGBMClassifier(n_estimators=3, verbose=-1).fit(X, y, callbacks=[callback]).n_estimators
        3
    """
    progress: Progress | None = None

    def callback(env: Any) -> None:
        nonlocal progress
        if progress is None:  # starts the clock at the first tree
            total = env.end_iteration - env.begin_iteration
            progress = Progress(label, total, unit="trees", **options)
        progress.update(1)
        if env.iteration + 1 == env.end_iteration:
            progress.finish()

    return callback
