"""The metrics: a scorer's summary on all rows, and each metric under bootstrap weights."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score

from mlcore.errors import ConfigError
from mlcore.evaluate._checks import _EPS, _check_probabilities, check_scores
from mlcore.evaluate._lift import lift_table

__all__ = ["METRICS", "classification_metrics"]


def classification_metrics(
    y_true: np.ndarray, scores: np.ndarray, n_bins: int = 10
) -> dict[str, float]:
    """ROC AUC, log loss, Brier score, base rate and the lift of the top bin (top decile by default).

    Definitions (scores must be probabilities in [0, 1]; others are a ``DataError``):
    ``roc_auc`` = P(a random positive scores above a random negative), ties counting 1/2;
    ``log_loss`` = -mean(y log p + (1 - y) log(1 - p)), p kept off exactly 0 and 1 by float eps;
    ``brier`` = mean((p - y)^2); ``base_rate`` = mean(y); ``top_bin_lift`` is the lift of bin 1
    of :func:`lift_table` (NaN when ties leave it empty, e.g. for a constant score).

    Example:
        >>> round(classification_metrics(np.array([0, 1, 0, 1]), np.array([0.4, 0.6, 0.3, 0.7]), 2)["log_loss"], 3)
        0.434
    """
    y, s = check_scores(y_true, scores)
    _check_probabilities(s, "classification_metrics")
    clipped = np.clip(s, _EPS, 1 - _EPS)  # log loss of exactly 0 or 1 (sklearn's clipping)
    table = lift_table(y, s, n_bins)
    return {
        "roc_auc": float(roc_auc_score(y, s)),
        "log_loss": float(log_loss(y, clipped, labels=[0, 1])),
        "brier": float(brier_score_loss(y, clipped)),
        "base_rate": float(y.mean()),
        "top_bin_lift": float(table["lift"].iloc[0]),
    }


def _weighted_auc(y: np.ndarray, s: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """ROC AUC under each row of ``weights`` (ties count one half), as in Mann-Whitney.

    Bootstrap counts (the promotion gate's hot loop) are summed as 32-bit integers when twice a
    row's total fits: exact, and several times faster than float64 (numpy would widen to 64 bits).
    """
    acc: type = np.float64
    if np.issubdtype(weights.dtype, np.integer):
        acc = np.int32 if 2 * int(weights.sum(axis=1, dtype=np.int64).max()) < 2**31 else np.int64
    order = np.argsort(s, kind="stable")
    sorted_scores = s[order]
    w = np.ascontiguousarray(weights.take(order, axis=1), dtype=acc)  # rows: fast cumsum
    pos = np.where(y[order].astype(bool), w, 0).astype(acc, copy=False)
    neg = w - pos
    if np.any(sorted_scores[1:] == sorted_scores[:-1]):  # ties: one group per distinct score
        starts = np.flatnonzero(np.r_[True, sorted_scores[1:] != sorted_scores[:-1]])
        pos = np.add.reduceat(pos, starts, axis=1, dtype=acc)
        neg = np.add.reduceat(neg, starts, axis=1, dtype=acc)
    twice_below = 2 * np.cumsum(neg, axis=1, dtype=acc) - neg  # 2 x (negatives below + ties/2)
    pairs = np.einsum("ij,ij->i", pos, twice_below, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return pairs / (2.0 * pos.sum(axis=1, dtype=np.float64) * neg.sum(axis=1, dtype=np.float64))


def _weighted_log_loss(y: np.ndarray, s: np.ndarray, weights: np.ndarray) -> np.ndarray:
    _check_probabilities(s, "log_loss")
    p = np.clip(s, _EPS, 1 - _EPS)
    losses = -(y * np.log(p) + (1 - y) * np.log1p(-p))
    return weights @ losses / weights.sum(axis=1)


def _weighted_brier(y: np.ndarray, s: np.ndarray, weights: np.ndarray) -> np.ndarray:
    _check_probabilities(s, "brier")
    return weights @ (s - y) ** 2 / weights.sum(axis=1)


# name -> (metric under each row of a weight matrix, higher is better)
METRICS: dict[str, tuple[Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray], bool]] = {
    "roc_auc": (_weighted_auc, True),
    "log_loss": (_weighted_log_loss, False),
    "brier": (_weighted_brier, False),
}


def _metric(name: str) -> tuple[Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray], bool]:
    if name not in METRICS:
        raise ConfigError(f"evaluate: unknown metric {name!r}; choose from {sorted(METRICS)}")
    return METRICS[name]


def _score_metric(
    spec: str | Callable[[np.ndarray, np.ndarray], float], y: np.ndarray, s: np.ndarray
) -> float:
    """A metric given by name (see :data:`METRICS`) or as a callable, on all rows."""
    if isinstance(spec, str):
        return float(_metric(spec)[0](y, s, np.ones((1, len(y)), dtype=np.int16))[0])
    return float(spec(y, s))
