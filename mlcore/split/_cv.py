"""scikit-learn splitters: grouped k-fold on hashed ids, expanding window at date cutoffs."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import BaseCrossValidator

from mlcore._frame import as_dates
from mlcore.errors import ConfigError, DataError
from mlcore.split._hash import hash_codes
from mlcore.split._split import _gap

__all__ = ["HashGroupKFold", "OutOfTimeSplit"]


def _cutoff(value: Any) -> pd.Timestamp:
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        stamp = pd.NaT
    if stamp is pd.NaT:
        raise ConfigError(f"OutOfTimeSplit: cutoff {value!r} is not a date")
    return stamp


class HashGroupKFold(BaseCrossValidator):
    """Grouped k-fold by the hash of the group (entity) id: a group's fold never changes.

    The default salt differs from the split's, so the folds of a training set are balanced (the
    training set's buckets all lie below the train fraction). Pass ``groups`` to ``split``, or to
    ``cross_validate`` / ``GridSearchCV.fit``.

    Example:
        >>> cv = HashGroupKFold(n_splits=3)
        >>> folds = [test for _, test in cv.split(np.zeros(6), groups=[1, 1, 2, 3, 4, 5])]
        >>> sorted(int(i) for test in folds for i in test)
        [0, 1, 2, 3, 4, 5]
    """

    __metadata_request__split = {"groups": True}  # scikit-learn's marker: split() uses groups

    def __init__(self, n_splits: int = 5, *, salt: str = "kfold") -> None:
        self.n_splits = n_splits
        self.salt = salt

    def get_n_splits(self, X: Any = None, y: Any = None, groups: Any = None) -> int:
        """The number of folds."""
        return self.n_splits

    def _iter_test_masks(self, X: Any = None, y: Any = None, groups: Any = None) -> Iterator:
        if isinstance(self.n_splits, bool) or not isinstance(self.n_splits, int | np.integer):
            raise ConfigError(f"HashGroupKFold: n_splits must be an integer, got {self.n_splits!r}")
        if self.n_splits < 2:
            raise ConfigError(f"HashGroupKFold: n_splits must be >= 2, got {self.n_splits}")
        if groups is None:
            raise DataError("HashGroupKFold: pass the entity ids as 'groups'")
        folds = hash_codes(groups, [1.0 / self.n_splits] * self.n_splits, self.salt)
        sizes = np.bincount(folds, minlength=self.n_splits)
        if (sizes == 0).any():
            raise DataError(
                f"HashGroupKFold: fold {int(np.argmin(sizes))} is empty; "
                f"{pd.Series(groups).nunique()} groups are too few for {self.n_splits} folds"
            )
        for fold in range(self.n_splits):
            yield folds == fold


class OutOfTimeSplit(BaseCrossValidator):
    """Expanding-window splits at date cutoffs: train before ``cutoff - gap``, test to the next cutoff.

    ``X`` must be a DataFrame holding ``date_col``. Split ``i`` tests on
    ``cutoffs[i] <= date < cutoffs[i + 1]`` (the last one to the end of the data) and trains on
    ``date < cutoffs[i] - gap``; rows in the gap and after the test window are in neither.

    Example:
        >>> X = pd.DataFrame({"d": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"])})
        >>> [(t.tolist(), v.tolist()) for t, v in OutOfTimeSplit("d", ["2024-02-01"]).split(X)]
        [([0], [1, 2])]
    """

    def __init__(
        self, date_col: str, cutoffs: Sequence[Any], *, gap_days: int = 0, gap_months: int = 0
    ) -> None:
        self.date_col = date_col
        self.cutoffs = cutoffs
        self.gap_days = gap_days
        self.gap_months = gap_months

    def get_n_splits(self, X: Any = None, y: Any = None, groups: Any = None) -> int:
        """The number of cutoffs."""
        return len(self.cutoffs)

    def split(self, X: pd.DataFrame, y: Any = None, groups: Any = None) -> Iterator:
        """Yield ``(train_indices, test_indices)`` for each cutoff."""
        if not isinstance(X, pd.DataFrame) or self.date_col not in X:
            raise DataError(
                f"OutOfTimeSplit: X must be a DataFrame with the date column {self.date_col!r}"
            )
        gap = _gap(self.gap_days, self.gap_months)
        stamps = [_cutoff(c) for c in self.cutoffs]
        if not stamps or any(a >= b for a, b in pairwise(stamps)):
            raise ConfigError(
                f"OutOfTimeSplit: cutoffs must be one or more increasing dates, got {self.cutoffs!r}"
            )
        dates = as_dates(X[self.date_col], what="OutOfTimeSplit")
        ends = [*stamps[1:], None]
        for start, end in zip(stamps, ends, strict=True):
            train = np.flatnonzero((dates < start - gap).to_numpy())
            in_window = dates >= start if end is None else (dates >= start) & (dates < end)
            test = np.flatnonzero(in_window.to_numpy())
            if len(train) == 0 or len(test) == 0:
                raise DataError(
                    f"OutOfTimeSplit: cutoff {start.date()} leaves an empty "
                    f"{'training' if len(train) == 0 else 'test'} set"
                )
            yield train, test
