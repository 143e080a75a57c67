"""Model evaluation a churn team reads: lift, calibration, baselines, champion vs challenger, profit
and group gaps.

Definitions used throughout (``y`` is 0/1, higher scores mean "more likely positive"):

- *lift* of a group of rows = its positive rate / the overall positive rate (1 = random targeting);
- *gain* (capture rate) of the top rows = their positives / all positives;
- *ties*: rows with equal scores are never split by row order. The lift table keeps each tie block
  in one bin; curves (:func:`gains_curve`, :func:`lift_at`, :func:`profit_curve`) count a tie
  block that straddles a cut pro rata, which is the expectation over random tie-breaking.

Degenerate inputs raise ``ValueError`` naming the problem: labels and scores of different lengths,
labels other than 0/1, a single class, NaN or infinite scores, no rows.

Example:
    >>> import numpy as np
    >>> from mlcore.evaluate import classification_metrics
    >>> m = classification_metrics(np.array([0, 0, 1, 1]), np.array([0.1, 0.2, 0.8, 0.9]), n_bins=2)
    >>> m["roc_auc"], m["top_bin_lift"]
    (1.0, 2.0)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.calibration import CalibratedClassifierCV
from sklearn.frozen import FrozenEstimator
from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score

__all__ = [
    "METRICS",
    "best_cutoff",
    "check_scores",
    "classification_metrics",
    "compare_models",
    "compare_scorers",
    "expected_calibration_error",
    "fairness_gaps",
    "fit_calibrator",
    "gains_curve",
    "group_metrics",
    "heuristic_scores",
    "lift_at",
    "lift_table",
    "prior_scores",
    "profit_curve",
    "reliability_table",
]

_EPS = np.finfo(np.float64).eps  # the clipping of sklearn.metrics.log_loss
# Comparing every score with each bin edge is faster than a binary search up to this many edges.
_MAX_EDGES_FOR_COMPARISONS = 16


# --------------------------------------------------------------------------------------------
# Input checks
# --------------------------------------------------------------------------------------------


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
        raise ValueError(
            f"evaluate: labels ({y.shape}) and scores ({s.shape}) must be 1-D, same length"
        )
    if len(y) == 0:
        raise ValueError("evaluate: no rows to evaluate")
    if not np.isfinite(s).all():
        raise ValueError(f"evaluate: {int((~np.isfinite(s)).sum())} scores are NaN or infinite")
    if y.dtype.kind not in "biuf":
        raise ValueError(f"evaluate: labels must be 0/1, got dtype {y.dtype}")
    positive = y == 1
    n_pos = int(np.count_nonzero(positive))
    if np.count_nonzero(y) != n_pos:  # some label is neither 0 nor 1
        bad = np.unique(y[~positive & (y != 0)])[:5].tolist()
        raise ValueError(f"evaluate: labels must be 0/1, got {bad}")
    if n_pos in (0, len(y)):
        raise ValueError(
            f"evaluate: labels hold a single class ({int(n_pos > 0)}); AUC and lift are undefined"
        )
    return y.astype(np.int64, copy=False), s, positive


def _check_probabilities(scores: np.ndarray, what: str) -> None:
    if scores.min() < 0.0 or scores.max() > 1.0:
        raise ValueError(
            f"{what}: scores must be probabilities in [0, 1], got range "
            f"[{scores.min():.4g}, {scores.max():.4g}]"
        )


def _check_n_bins(n_bins: int, what: str) -> None:
    if int(n_bins) != n_bins or n_bins < 1:
        raise ValueError(f"{what}: n_bins must be an integer >= 1, got {n_bins!r}")


# --------------------------------------------------------------------------------------------
# Lift and gains
# --------------------------------------------------------------------------------------------


def _partition_at(values: np.ndarray, ranks: np.ndarray) -> np.ndarray:
    """A copy of ``values`` partitioned at every one of the sorted unique ``ranks``.

    ``work[r]`` is then the value of rank ``r`` (``np.sort(values)[r]``), everything before it is
    <= and everything after it is >=. Splitting at the middle rank and recursing costs
    O(n log len(ranks)) with numpy's fast single-k partition; its multi-k ``np.partition`` is
    about 5x slower here and a full sort is O(n log n).
    """
    work = values.copy()
    pending = [(0, len(work), ranks)]
    while pending:
        lo, hi, ks = pending.pop()
        if len(ks) == 0:
            continue
        mid = len(ks) // 2
        k = int(ks[mid])
        work[lo:hi].partition(k - lo)
        pending.append((lo, k, ks[:mid]))
        pending.append((k + 1, hi, ks[mid + 1 :]))
    return work


def _rows_per_code(work: np.ndarray, ranks: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Rows per code of :func:`_edge_codes`, read off the partitioned array of
    :func:`_partition_at` by scanning only the stretches next to each edge's ranks (about 2n
    comparisons in all, instead of two per row and edge)."""
    n = len(work)
    if len(edges) == 0:
        return np.array([n])
    cut_values = work[ranks]
    less = np.empty(len(edges), dtype=np.int64)
    greater = np.empty(len(edges), dtype=np.int64)
    for j, edge in enumerate(edges):
        first, last = (
            np.searchsorted(cut_values, edge, "left"),
            np.searchsorted(cut_values, edge, "right"),
        )
        # Below the previous cut rank all values are < edge; above the next one all are > edge.
        lo = ranks[first - 1] + 1 if first > 0 else 0
        hi = ranks[last] if last < len(ranks) else n
        less[j] = lo + np.count_nonzero(work[lo : ranks[first]] < edge)
        greater[j] = (n - hi) + np.count_nonzero(work[ranks[last - 1] + 1 : hi] > edge)
    equal = n - less - greater
    per_code = np.empty(2 * len(edges) + 1, dtype=np.int64)
    per_code[1::2] = equal
    per_code[0:-1:2] = less - np.r_[0, (less + equal)[:-1]]
    per_code[-1] = greater[-1]
    return per_code


def _edge_codes(scores: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Position of each score among sorted unique ``edges``: ``2i + 1`` when it equals ``edges[i]``,
    ``2i`` when it lies strictly between ``edges[i - 1]`` and ``edges[i]``."""
    if len(edges) > _MAX_EDGES_FOR_COMPARISONS:
        return np.searchsorted(edges, scores, "left") + np.searchsorted(edges, scores, "right")
    codes = np.zeros(len(scores), dtype=np.uint8)
    above = np.empty(len(scores), dtype=bool)
    for edge in edges:
        np.add(codes, np.greater(scores, edge, out=above), out=codes)
        np.add(codes, np.greater_equal(scores, edge, out=above), out=codes)
    return codes


def _quantile_bins(scores: np.ndarray, n_bins: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Equal-count bins, bin 0 holding the highest scores; equal scores always share a bin.

    Returns ``(edges, per_code, code_to_bin)``: the scores at the cuts, the rows per code of
    :func:`_edge_codes` and the bin of each code, so ``code_to_bin[_edge_codes(s, edges)]`` is the
    bin of each row and per-bin counts need no pass over the rows.

    The top ``j`` bins should hold ``floor(j * n / n_bins)`` rows. The score at that rank starts a
    tie block, and the whole block joins the top ``j`` bins when that lands at least as near to the
    target count as leaving it out. Bins can therefore differ in size, or be empty (fewer rows than
    bins, or heavy ties).
    """
    n = len(scores)
    targets = (n * np.arange(1, n_bins)) // n_bins  # rows wanted in the top j bins, j < n_bins
    ranks = np.unique(n - targets[targets > 0])  # ascending ranks of the scores at the cuts
    work = _partition_at(scores, ranks)
    edges = np.unique(work[ranks])
    per_code = _rows_per_code(work, ranks, edges)
    n_codes = len(per_code)
    higher = np.cumsum(per_code[::-1])[::-1] - per_code  # rows with a higher code
    lowest_code = np.full(n_bins - 1, n_codes)  # lowest code in the top j bins; none if empty
    for j, target in enumerate(targets):
        if target == 0:
            continue
        tie = 2 * int(np.searchsorted(edges, work[n - target])) + 1
        without, with_ties = higher[tie], higher[tie] + per_code[tie]
        lowest_code[j] = tie if with_ties - target <= target - without else tie + 1
    code_to_bin = (np.arange(n_codes)[:, None] < lowest_code[None, :]).sum(axis=1)
    return edges, per_code, code_to_bin


def lift_table(y_true: np.ndarray, scores: np.ndarray, n_bins: int = 10) -> pd.DataFrame:
    """Lift and gains by score bin (deciles by default), best bin first; equal scores share a bin.

    Columns: ``bin`` (1 = highest scores), ``count``, ``positives``, ``rate``
    (positives / count), ``lift`` (rate / overall rate), ``cum_count``, ``cum_gain`` (share of all
    positives in this and higher bins), ``cum_lift`` and ``ks`` (cumulative share of positives minus
    cumulative share of negatives). Tie blocks are never split (see :func:`_quantile_bins`), so
    bins may hold unequal counts; a bin that gets no row (fewer rows than bins, heavy ties) has
    count 0 and NaN rate and lift. Runs in O(n log n_bins) without sorting: one partition per cut,
    then only the rows of the rarer class are compared with the cut scores.

    Example:
        >>> t = lift_table(np.array([0, 0, 1, 1]), np.array([0.1, 0.2, 0.8, 0.9]), n_bins=2)
        >>> t["lift"].tolist()
        [2.0, 0.0]
    """
    y, s, positive = _checked(y_true, scores)
    _check_n_bins(n_bins, "lift_table")
    edges, per_code, code_to_bin = _quantile_bins(s, n_bins)
    # Only the rarer class is placed row by row; the other one is the rest of each code.
    n_pos = int(np.count_nonzero(positive))
    rare = positive if 2 * n_pos <= len(y) else ~positive
    rare_scores = np.compress(rare, s)  # 3x faster than s[rare] here
    rare_per_code = np.bincount(_edge_codes(rare_scores, edges), minlength=len(per_code))
    pos_per_code = rare_per_code if 2 * n_pos <= len(y) else per_code - rare_per_code
    count, positives = (
        np.bincount(code_to_bin, weights=c, minlength=n_bins).astype(np.int64)
        for c in (per_code, pos_per_code)
    )
    base_rate = n_pos / len(y)
    cum_count = np.cumsum(count)
    cum_pos = np.cumsum(positives)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = positives / count
        return pd.DataFrame(
            {
                "bin": np.arange(1, n_bins + 1),
                "count": count,
                "positives": positives,
                "rate": rate,
                "lift": rate / base_rate,
                "cum_count": cum_count,
                "cum_gain": cum_pos / cum_pos[-1],
                "cum_lift": cum_pos / cum_count / base_rate,
                "ks": cum_pos / cum_pos[-1] - (cum_count - cum_pos) / (len(y) - cum_pos[-1]),
            }
        )


def gains_curve(y_true: np.ndarray, scores: np.ndarray) -> pd.DataFrame:
    """The full cumulative gains / lift curve: one point per distinct score, highest first.

    Row ``i`` describes targeting every row scoring at least ``threshold``: ``count`` rows
    (``fraction`` of all), ``positives`` of them positive, ``gain`` = share of all positives,
    ``lift`` = gain / fraction. The first row is the origin (threshold +inf, nobody targeted, lift
    NaN). Between points the curve is linear, which is how a tie block is shared out.

    Example:
        >>> gains_curve(np.array([0, 1, 1, 0]), np.array([0.1, 0.9, 0.5, 0.5]))["gain"].tolist()
        [0.0, 0.5, 1.0, 1.0]
    """
    y, s = check_scores(y_true, scores)
    order = np.argsort(s)[::-1]
    sorted_scores = s[order]
    ends = np.append(np.flatnonzero(sorted_scores[1:] != sorted_scores[:-1]), len(s) - 1)
    count = np.append(0, ends + 1)
    positives = np.append(0, np.cumsum(y[order])[ends])
    with np.errstate(invalid="ignore", divide="ignore"):
        return pd.DataFrame(
            {
                "threshold": np.append(np.inf, sorted_scores[ends]),
                "count": count,
                "fraction": count / len(s),
                "positives": positives,
                "gain": positives / positives[-1],
                "lift": (positives / positives[-1]) / (count / len(s)),
            }
        )


def lift_at(y_true: np.ndarray, scores: np.ndarray, fraction: float) -> float:
    """Lift of the top ``fraction`` of rows ("lift at top 10%" is ``fraction=0.1``).

    A tie block straddling the cut counts pro rata (its positive rate times the rows taken from
    it), so the value equals the :func:`gains_curve` interpolated at ``fraction`` and a constant
    score has lift 1. O(n): one partition, no sort.

    Example:
        >>> lift_at(np.array([0, 0, 1, 1]), np.array([0.1, 0.2, 0.8, 0.9]), 0.5)
        2.0
    """
    y, s = check_scores(y_true, scores)
    if not 0.0 < fraction <= 1.0:
        raise ValueError(f"lift_at: fraction must be in (0, 1], got {fraction!r}")
    n = len(s)
    wanted = fraction * n
    rank = n - min(max(int(np.ceil(wanted)), 1), n)
    cut = _partition_at(s, np.array([rank]))[rank]
    positive = y == 1
    above, tie = s > cut, s == cut
    n_above, n_tie = np.count_nonzero(above), np.count_nonzero(tie)
    tie_pos = np.count_nonzero(tie & positive)
    captured = np.count_nonzero(above & positive) + (wanted - n_above) * tie_pos / n_tie
    return float((captured / wanted) / (np.count_nonzero(positive) / n))


def classification_metrics(
    y_true: np.ndarray, scores: np.ndarray, n_bins: int = 10
) -> dict[str, float]:
    """ROC AUC, log loss, Brier score, base rate and the lift of the top bin (top decile by default).

    ``top_bin_lift`` is the lift of bin 1 of :func:`lift_table` (NaN when ties leave it empty,
    e.g. for a constant score).

    Example:
        >>> round(classification_metrics(np.array([0, 1, 0, 1]), np.array([0.4, 0.6, 0.3, 0.7]), 2)["log_loss"], 3)
        0.434
    """
    y, s = check_scores(y_true, scores)
    clipped = np.clip(s, _EPS, 1 - _EPS)
    table = lift_table(y, s, n_bins)
    return {
        "roc_auc": float(roc_auc_score(y, s)),
        "log_loss": float(log_loss(y, clipped, labels=[0, 1])),
        "brier": float(brier_score_loss(y, clipped)),
        "base_rate": float(y.mean()),
        "top_bin_lift": float(table["lift"].iloc[0]),
    }


# --------------------------------------------------------------------------------------------
# Calibration
# --------------------------------------------------------------------------------------------


def reliability_table(
    y_true: np.ndarray, scores: np.ndarray, n_bins: int = 10, strategy: str = "uniform"
) -> pd.DataFrame:
    """Predicted vs observed positive rate per probability bin, lowest scores first.

    ``strategy="uniform"`` cuts [0, 1] into ``n_bins`` equal-width bins (bin ``i`` holds scores in
    ``[i / n_bins, (i + 1) / n_bins)``, 1.0 in the last); ``"quantile"`` uses equal-count bins with
    ties kept together, as in :func:`lift_table`. Columns: ``bin`` (1-based), ``count``,
    ``mean_score``, ``observed_rate``, ``min_score``, ``max_score``; empty bins have count 0 and
    NaN elsewhere. Scores outside [0, 1] raise ``ValueError``.

    Example:
        >>> t = reliability_table(np.array([0, 1, 0, 1]), np.array([0.1, 0.2, 0.7, 0.9]), n_bins=2)
        >>> t["observed_rate"].tolist()
        [0.5, 0.5]
    """
    y, s = check_scores(y_true, scores)
    _check_probabilities(s, "reliability_table")
    _check_n_bins(n_bins, "reliability_table")
    if strategy == "uniform":
        bins = np.minimum((s * n_bins).astype(np.int64), n_bins - 1)
    elif strategy == "quantile":
        edges, _, code_to_bin = _quantile_bins(s, n_bins)
        bins = n_bins - 1 - code_to_bin[_edge_codes(s, edges)]
    else:
        raise ValueError(
            f"reliability_table: strategy must be uniform or quantile, got {strategy!r}"
        )
    table = (
        pd.DataFrame({"bin": bins + 1, "score": s, "y": y})
        .groupby("bin")
        .agg(
            count=("y", "size"),
            mean_score=("score", "mean"),
            observed_rate=("y", "mean"),
            min_score=("score", "min"),
            max_score=("score", "max"),
        )
        .reindex(pd.RangeIndex(1, n_bins + 1, name="bin"))
    )
    table["count"] = table["count"].fillna(0).astype(np.int64)
    return table.reset_index()


def expected_calibration_error(
    y_true: np.ndarray, scores: np.ndarray, n_bins: int = 10, strategy: str = "uniform"
) -> float:
    """ECE: the row-weighted mean of ``|observed_rate - mean_score|`` over the bins of
    :func:`reliability_table` (0 = perfectly calibrated on those bins).

    Example:
        >>> y, s = np.array([0, 1, 0, 1]), np.array([0.1, 0.2, 0.7, 0.9])
        >>> round(expected_calibration_error(y, s, n_bins=2), 3)
        0.325
    """
    table = reliability_table(y_true, scores, n_bins, strategy)
    filled = table[table["count"] > 0]
    gaps = (filled["observed_rate"] - filled["mean_score"]).abs()
    return float((gaps * filled["count"]).sum() / filled["count"].sum())


def fit_calibrator(model: Any, X_val: Any, y_val: np.ndarray, method: str = "isotonic") -> Any:
    """Calibrate an already fitted classifier on validation data; returns the calibrated model.

    The fitted ``model`` (e.g. the whole preprocessing + LightGBM pipeline) is wrapped in
    ``FrozenEstimator`` so it is not refitted, and ``CalibratedClassifierCV`` learns one
    ``isotonic``, ``sigmoid`` or ``temperature`` mapping on all of ``X_val`` (the replacement for
    the removed ``cv="prefit"``). Fit it on data the model has not been trained on.

    Example:
        >>> from sklearn.linear_model import LogisticRegression
        >>> X, y = np.arange(20.0).reshape(-1, 1), np.arange(20) % 2
        >>> fit_calibrator(LogisticRegression().fit(X, y), X, y, "sigmoid").predict_proba(X).shape
        (20, 2)
    """
    return CalibratedClassifierCV(FrozenEstimator(model), method=method).fit(X_val, y_val)


# --------------------------------------------------------------------------------------------
# Baselines: is ML even needed?
# --------------------------------------------------------------------------------------------


def prior_scores(y_train: np.ndarray, n_rows: int) -> np.ndarray:
    """The dummy model: every row gets the training positive rate (``DummyClassifier("prior")``).

    Its AUC is 0.5 and its log loss / Brier score are the floor any model must beat.

    Example:
        >>> prior_scores(np.array([0, 0, 0, 1]), 2).tolist()
        [0.25, 0.25]
    """
    y = np.asarray(y_train)
    if len(y) == 0 or not np.isin(y, (0, 1)).all():
        raise ValueError("prior_scores: y_train must be a non-empty array of 0/1 labels")
    return np.full(n_rows, float(y.mean()))


def heuristic_scores(frame: pd.DataFrame, column: str, ascending: bool = True) -> np.ndarray:
    """A business rule as a scorer: rank rows by one column, e.g. "lowest activity trend first".

    ``ascending=True`` targets the lowest values first. Scores are percentile ranks in (0, 1]
    (equal values share a score); missing values get 0 (targeted last).

    Example:
        >>> heuristic_scores(pd.DataFrame({"trend": [3.0, -1.0, None]}), "trend").tolist()
        [0.5, 1.0, 0.0]
    """
    if column not in frame.columns:
        raise KeyError(f"heuristic_scores: column {column!r} is not in the data")
    values = frame[column]
    if not pd.api.types.is_numeric_dtype(values):
        raise TypeError(f"heuristic_scores: column {column!r} must be numeric, got {values.dtype}")
    ranks = values.rank(method="average", ascending=not ascending, pct=True)
    return ranks.fillna(0.0).to_numpy(dtype=np.float64)


def compare_scorers(
    y_true: np.ndarray, scorers: Mapping[str, np.ndarray], n_bins: int = 10
) -> pd.DataFrame:
    """:func:`classification_metrics` for each scorer (model, prior, heuristics) on the same rows.

    One row per scorer, in the given order. Heuristic scores are ranks, not probabilities: read
    their ``roc_auc`` and ``top_bin_lift``, not their log loss.

    Example:
        >>> y = np.array([0, 0, 1, 1])
        >>> t = compare_scorers(y, {"model": np.array([0.1, 0.2, 0.8, 0.9]), "prior": prior_scores(y, 4)})
        >>> t["roc_auc"].tolist()
        [1.0, 0.5]
    """
    rows = {name: classification_metrics(y_true, s, n_bins) for name, s in scorers.items()}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("scorer").reset_index()


# --------------------------------------------------------------------------------------------
# Champion vs challenger: paired bootstrap
# --------------------------------------------------------------------------------------------


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
_BOOT_CELLS = 8_000_000  # bootstrap cells (rows x replicates) at once: about 20 bytes each
_INT16_MAX = np.iinfo(np.int16).max


def _metric(name: str) -> tuple[Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray], bool]:
    if name not in METRICS:
        raise ValueError(f"evaluate: unknown metric {name!r}; choose from {sorted(METRICS)}")
    return METRICS[name]


def _score_metric(
    spec: str | Callable[[np.ndarray, np.ndarray], float], y: np.ndarray, s: np.ndarray
) -> float:
    """A metric given by name (see :data:`METRICS`) or as a callable, on all rows."""
    if isinstance(spec, str):
        return float(_metric(spec)[0](y, s, np.ones((1, len(y)), dtype=np.int16))[0])
    return float(spec(y, s))


def compare_models(
    y_true: np.ndarray,
    scores_champion: np.ndarray,
    scores_challenger: np.ndarray,
    metric: str | Sequence[str] = "roc_auc",
    n_boot: int = 1000,
    seed: int = 0,
    margin: float = 0.0,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Champion vs challenger on the same rows, with a paired bootstrap confidence interval.

    Each bootstrap replicate resamples the rows once and scores both models on that resample,
    so the interval is for the difference ``challenger - champion``. ``challenger_better`` is
    True when the whole interval is beyond ``margin`` in the good direction (above it for AUC,
    below ``-margin`` for losses). Replicates where a metric is undefined (one class drawn) are
    skipped. One row per metric (``roc_auc``, ``log_loss``, ``brier``).

    Example:
        >>> y = np.array([0, 1] * 50)
        >>> t = compare_models(y, np.linspace(0, 1, 100), np.where(y == 1, 0.9, 0.1), n_boot=200)
        >>> bool(t.loc[0, "challenger_better"])
        True
    """
    y, champion = check_scores(y_true, scores_champion)
    _, challenger = check_scores(y, scores_challenger)
    names = [metric] if isinstance(metric, str) else list(metric)
    functions = {name: _metric(name) for name in names}
    if n_boot < 1 or not 0.0 < confidence < 1.0:
        raise ValueError(
            f"compare_models: need n_boot >= 1, 0 < confidence < 1 ({n_boot}, {confidence})"
        )
    n = len(y)
    rng = np.random.default_rng(seed)
    chunk = max(1, _BOOT_CELLS // n)
    diffs: dict[str, list[np.ndarray]] = {name: [] for name in names}
    for start in range(0, n_boot, chunk):
        b = min(chunk, n_boot - start)
        draws = rng.integers(0, n, size=(b, n)) + n * np.arange(b)[:, None]
        counts = np.bincount(draws.ravel(), minlength=b * n).reshape(b, n)
        weights = counts.astype(np.int16 if counts.max() <= _INT16_MAX else np.int64)
        for name, (fn, _) in functions.items():
            diffs[name].append(fn(y, challenger, weights) - fn(y, champion, weights))
    alpha = (1.0 - confidence) / 2.0
    rows = []
    for name, (_, higher_is_better) in functions.items():
        d = np.concatenate(diffs[name])
        low, high = np.nanquantile(d, [alpha, 1.0 - alpha])
        a, b = _score_metric(name, y, champion), _score_metric(name, y, challenger)
        rows.append(
            {
                "metric": name,
                "champion": a,
                "challenger": b,
                "diff": b - a,
                "ci_low": float(low),
                "ci_high": float(high),
                "confidence": confidence,
                "margin": margin,
                "higher_is_better": higher_is_better,
                "challenger_better": bool(low > margin if higher_is_better else high < -margin),
            }
        )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# Profit-optimal targeting
# --------------------------------------------------------------------------------------------


def profit_curve(
    y_true: np.ndarray,
    scores: np.ndarray,
    cost_per_contact: float,
    value_per_success: float,
    success_rate: float,
) -> pd.DataFrame:
    """Expected campaign profit for every targeted fraction (the :func:`gains_curve` points).

    Contacting the top ``count`` rows costs ``count * cost_per_contact``; each contacted positive
    (a future churner) is saved with probability ``success_rate`` and is then worth
    ``value_per_success``. ``profit = positives * success_rate * value_per_success - cost``.
    Profit is linear between points, so its maximum is at a point (see :func:`best_cutoff`).

    Example:
        >>> c = profit_curve(np.array([0, 1, 1, 0]), np.array([0.1, 0.9, 0.6, 0.5]), 1.0, 10.0, 0.5)
        >>> c["profit"].tolist()
        [0.0, 4.0, 8.0, 7.0, 6.0]
    """
    if cost_per_contact < 0 or value_per_success < 0 or not 0.0 <= success_rate <= 1.0:
        raise ValueError(
            "profit_curve: need cost_per_contact >= 0, value_per_success >= 0 and "
            f"0 <= success_rate <= 1 (got {cost_per_contact}, {value_per_success}, {success_rate})"
        )
    curve = gains_curve(y_true, scores).drop(columns=["gain", "lift"])
    curve["expected_successes"] = curve["positives"] * success_rate
    curve["cost"] = curve["count"] * cost_per_contact
    curve["profit"] = curve["expected_successes"] * value_per_success - curve["cost"]
    return curve


def best_cutoff(curve: pd.DataFrame) -> pd.Series:
    """The most profitable point of a :func:`profit_curve` (fewest contacts among equal profits).

    Contact every row scoring at least ``threshold`` (``inf``: contact nobody).

    Example:
        >>> c = profit_curve(np.array([0, 1, 1, 0]), np.array([0.1, 0.9, 0.6, 0.5]), 1.0, 10.0, 0.5)
        >>> float(best_cutoff(c)["threshold"])
        0.6
    """
    return curve.loc[curve["profit"].idxmax()]


# --------------------------------------------------------------------------------------------
# Group metrics for fairness
# --------------------------------------------------------------------------------------------


def group_metrics(
    y_true: np.ndarray,
    scores: np.ndarray,
    groups: np.ndarray | pd.Series,
    threshold: float,
    metrics: Sequence[str | Callable[[np.ndarray, np.ndarray], float]] = ("roc_auc",),
) -> pd.DataFrame:
    """Per group of ``groups`` (e.g. an age band): size, base rate, selection rate and metrics.

    A row is *selected* (would be contacted) when its score is at least ``threshold``.
    ``selection_rate`` is the selected share, ``true_positive_rate`` the selected share of the
    positives (equal opportunity). ``metrics`` are names from :data:`METRICS` or callables
    ``f(y, scores) -> float``; a group holding a single class gets NaN for them. Missing group
    values form their own group. See :func:`fairness_gaps` for the largest differences.

    Example:
        >>> t = group_metrics(np.array([0, 1, 0, 1]), np.array([0.2, 0.9, 0.6, 0.7]), ["a", "a", "b", "b"], 0.5)
        >>> t["selection_rate"].tolist()
        [0.5, 1.0]
    """
    y, s = check_scores(y_true, scores)
    keys = pd.Series(np.asarray(groups, dtype=object))
    if len(keys) != len(y):
        raise ValueError(f"group_metrics: {len(keys)} group values for {len(y)} rows")
    selected = s >= threshold
    rows = []
    for key, index in keys.groupby(keys, dropna=False, sort=True).indices.items():
        gy, gs, gsel = y[index], s[index], selected[index]
        n_pos = int(gy.sum())
        row: dict[str, Any] = {
            "group": key,
            "count": len(index),
            "positives": n_pos,
            "base_rate": n_pos / len(index),
            "selection_rate": float(gsel.mean()),
            "true_positive_rate": float(gsel[gy == 1].mean()) if n_pos else np.nan,
        }
        for spec in metrics:
            name = spec if isinstance(spec, str) else spec.__name__
            row[name] = _score_metric(spec, gy, gs) if 0 < n_pos < len(index) else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def fairness_gaps(table: pd.DataFrame) -> pd.DataFrame:
    """The largest difference between groups for every rate and metric of :func:`group_metrics`.

    One row per measure: ``gap`` = highest - lowest group value, the two groups, and ``ratio`` =
    lowest / highest (for ``selection_rate`` this is the "four-fifths rule" ratio).

    Example:
        >>> t = group_metrics(np.array([0, 1, 0, 1]), np.array([0.2, 0.9, 0.6, 0.7]), ["a", "a", "b", "b"], 0.5)
        >>> float(fairness_gaps(t).set_index("measure").loc["selection_rate", "gap"])
        0.5
    """
    rows = []
    for column in table.columns.drop(["group", "count", "positives"]):
        values = table[column].astype(np.float64)
        if values.notna().sum() == 0:
            continue
        high, low = values.idxmax(), values.idxmin()
        rows.append(
            {
                "measure": column,
                "gap": values[high] - values[low],
                "highest_group": table.loc[high, "group"],
                "lowest_group": table.loc[low, "group"],
                "ratio": values[low] / values[high] if values[high] else np.nan,
            }
        )
    return pd.DataFrame(rows)
