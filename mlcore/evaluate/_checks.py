"""Input checks shared by every evaluation: labels, scores, probabilities, bin counts."""

from __future__ import annotations

import numpy as np

from mlcore.errors import ConfigError, DataError

__all__ = ["check_scores"]

_EPS = np.finfo(np.float64).eps  # the clipping of sklearn.metrics.log_loss


def check_scores(y_true: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Validate labels and scores: same length, binary 0/1 labels with both classes, finite scores.

    Returns the labels as int64 and the scores as float64.

    Example:
        >>> check_scores(np.array([0, 1]), np.array([0.2, 0.7]))[0].tolist()
        [0, 1]
    """
    y, s, _ = _checked(y_true, scores)
    return y, s


def _checked(y_true: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`check_scores`, also returning the boolean mask of the positives."""
    y = np.asarray(y_true)
    s = np.asarray(scores, dtype=np.float64)
    if y.ndim != 1 or s.ndim != 1 or len(y) != len(s):
        raise DataError(
            f"evaluate: labels ({y.shape}) and scores ({s.shape}) must be 1-D, same length"
        )
    if len(y) == 0:
        raise DataError("evaluate: no rows to evaluate")
    if not np.isfinite(s).all():
        raise DataError(f"evaluate: {int((~np.isfinite(s)).sum())} scores are NaN or infinite")
    if y.dtype.kind not in "biuf":
        raise DataError(f"evaluate: labels must be 0/1, got dtype {y.dtype}")
    positive = y == 1
    n_pos = int(np.count_nonzero(positive))
    if np.count_nonzero(y) != n_pos:  # some label is neither 0 nor 1
        bad = np.unique(y[~positive & (y != 0)])[:5].tolist()
        raise DataError(f"evaluate: labels must be 0/1, got {bad}")
    if n_pos in (0, len(y)):
        raise DataError(
            f"evaluate: labels hold a single class ({int(n_pos > 0)}); AUC and lift are undefined"
        )
    return y.astype(np.int64, copy=False), s, positive


def _check_probabilities(scores: np.ndarray, what: str) -> None:
    if scores.min() < 0.0 or scores.max() > 1.0:
        raise DataError(
            f"{what}: scores must be probabilities in [0, 1], got range "
            f"[{scores.min():.4g}, {scores.max():.4g}]"
        )


def _check_n_bins(n_bins: int, what: str) -> None:
    if int(n_bins) != n_bins or n_bins < 1:
        raise ConfigError(f"{what}: n_bins must be an integer >= 1, got {n_bins!r}")
