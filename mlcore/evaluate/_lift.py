"""Lift and gains: tie-safe quantile bins, the lift table, the gains curve, lift at a fraction."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlcore.errors import ConfigError
from mlcore.evaluate._checks import _check_n_bins, _checked, check_scores

__all__ = ["gains_curve", "lift_at", "lift_table"]

# Comparing every score with each bin edge is faster than a binary search up to this many edges.
_MAX_EDGES_FOR_COMPARISONS = 16


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
        raise ConfigError(f"lift_at: fraction must be in (0, 1], got {fraction!r}")
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
