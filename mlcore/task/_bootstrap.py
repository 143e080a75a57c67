"""The task side of the paired bootstrap: the weighted AUC of one class (multiclass one-vs-rest).

The bootstrap itself (:func:`~mlcore.evaluate.paired_bootstrap`, its row weights and
:data:`~mlcore.evaluate.WeightedMetric`) lives in :mod:`mlcore.evaluate`, shared with the binary
:func:`~mlcore.evaluate.compare_models`.
"""

from __future__ import annotations

import numpy as np

__all__ = ["weighted_auc"]


def weighted_auc(positive: np.ndarray, scores: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """ROC AUC of 1-D ``scores`` for the boolean ``positive`` under each row of ``weights``.

    Ties count one half (Mann-Whitney); NaN where a replicate holds no positive or no negative.

    Example:
        >>> positive = np.array([False, True, False, True])
        >>> weighted_auc(positive, np.array([0.1, 0.4, 0.5, 0.8]), np.ones((1, 4))).tolist()
        [0.75]
    """
    order = np.argsort(scores, kind="stable")
    sorted_scores = scores[order]
    w = np.asarray(weights)
    acc: type = np.float64
    if w.dtype.kind in "biu":  # counts: sum exactly in 32 bits when twice a row's total fits
        acc = np.int32 if 2 * int(w.sum(axis=1, dtype=np.int64).max()) < 2**31 else np.int64
    w = w.take(order, axis=1).astype(acc, copy=False)
    pos = np.where(np.asarray(positive, dtype=bool)[order], w, 0).astype(acc, copy=False)
    neg = w - pos
    if np.any(sorted_scores[1:] == sorted_scores[:-1]):  # one group per distinct score
        starts = np.flatnonzero(np.r_[True, sorted_scores[1:] != sorted_scores[:-1]])
        pos = np.add.reduceat(pos, starts, axis=1, dtype=acc)
        neg = np.add.reduceat(neg, starts, axis=1, dtype=acc)
    # 2 x (negatives below + half the tied ones)
    twice_below = 2 * np.cumsum(neg, axis=1, dtype=acc) - neg
    pairs = np.einsum("ij,ij->i", pos, twice_below, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return pairs / (2.0 * pos.sum(axis=1, dtype=np.float64) * neg.sum(axis=1, dtype=np.float64))
