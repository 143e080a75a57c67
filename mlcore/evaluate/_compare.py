"""Champion vs challenger: a paired bootstrap confidence interval for each metric.

:func:`paired_bootstrap` is the one implementation; :func:`compare_models` (binary, the metrics of
:data:`~mlcore.evaluate.METRICS`) and the multiclass and regression tasks of :mod:`mlcore.task`
call it with their own metrics.

A metric here is a *weighted metric*: ``fn(y, scores, weights) -> values`` where ``weights`` is a
``(b, n)`` matrix of row weights (one bootstrap replicate per row of it) and ``values`` holds the
metric under each replicate (NaN where it is undefined, e.g. a class was not drawn). The metric on
all rows is ``fn(y, scores, ones((1, n)))[0]``. ``scores`` may be 1-D or ``(n, k)``: only its
rows are resampled. Replicate ``r`` gives row ``i`` the weight "how often row ``i`` was drawn in
``n`` draws with replacement" (multinomial counts).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence

import numpy as np
import pandas as pd

from mlcore.errors import ConfigError, DataError
from mlcore.evaluate._checks import check_scores
from mlcore.evaluate._metrics import _metric

__all__ = [
    "COMPARE_COLUMNS",
    "WeightedMetric",
    "bootstrap_weights",
    "compare_models",
    "paired_bootstrap",
]

WeightedMetric = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]

# The columns of a comparison, in order (the registry reads them).
COMPARE_COLUMNS = (
    "metric",
    "champion",
    "challenger",
    "diff",
    "ci_low",
    "ci_high",
    "confidence",
    "margin",
    "higher_is_better",
    "challenger_better",
)
# Rows x replicates per chunk of weights, read at each call. The generic (multiclass, regression)
# metrics use about 100 bytes a cell (200 MB a chunk); the binary ones about 20 (40 MB).
_BOOT_CELLS = 2_000_000
_INT16_MAX = np.iinfo(np.int16).max


def _check_bootstrap(n_boot: int, confidence: float) -> None:
    if int(n_boot) != n_boot or n_boot < 1 or not 0.0 < confidence < 1.0:
        raise ConfigError(
            f"compare: need an integer n_boot >= 1 and 0 < confidence < 1, got "
            f"n_boot={n_boot!r}, confidence={confidence!r}"
        )


def bootstrap_weights(
    n: int, n_boot: int, seed: int, *, narrow: bool = False
) -> Iterator[np.ndarray]:
    """Multinomial row weights of ``n_boot`` bootstrap replicates of ``n`` rows, in chunks.

    Yields integer ``(b, n)`` matrices (``b`` replicates at a time, each row summing to ``n``):
    int32, or int16 when ``narrow`` and the counts fit (faster integer cumsums, but a metric
    must not compute in the weights' dtype: a matmul of two int16 arrays would overflow).

    Example:
        >>> [w.sum(axis=1).tolist() for w in bootstrap_weights(4, 3, seed=0)]
        [[4, 4, 4]]
    """
    rng = np.random.default_rng(seed)
    chunk = max(1, _BOOT_CELLS // n)
    wide = np.int32 if n < 2**31 else np.int64
    for start in range(0, n_boot, chunk):
        b = min(chunk, n_boot - start)
        draws = rng.integers(0, n, size=(b, n)) + n * np.arange(b)[:, None]
        counts = np.bincount(draws.ravel(), minlength=b * n).reshape(b, n)
        yield counts.astype(np.int16 if narrow and counts.max() <= _INT16_MAX else wide)


def paired_bootstrap(
    y: np.ndarray,
    champion: np.ndarray,
    challenger: np.ndarray,
    metrics: Mapping[str, tuple[WeightedMetric, bool]],
    *,
    n_boot: int = 200,
    seed: int = 0,
    margin: float = 0.0,
    confidence: float = 0.95,
    narrow: bool = False,
) -> pd.DataFrame:
    """Champion vs challenger on the same rows: one row per metric, columns :data:`COMPARE_COLUMNS`.

    ``metrics`` maps a name to ``(weighted metric, higher is better)``. Each replicate resamples
    the rows once and scores both models on it, so ``[ci_low, ci_high]`` is the percentile
    interval of ``challenger - champion``; replicates where the metric is undefined for either
    model are skipped. ``challenger_better`` is True when the whole interval is beyond
    ``margin`` in the good direction (above ``margin``, or below ``-margin`` for a loss).
    ``narrow`` allows int16 weights (see :func:`bootstrap_weights`).

    Example:
        >>> y = np.arange(100.0)
        >>> mae = lambda y, s, w: w @ np.abs(y - s) / w.sum(axis=1)
        >>> t = paired_bootstrap(y, y + 5.0, y + 1.0, {"mae": (mae, False)})
        >>> t.loc[0, "diff"], bool(t.loc[0, "challenger_better"])
        (np.float64(-4.0), True)
    """
    _check_bootstrap(n_boot, confidence)
    n = len(y)
    if n == 0:
        raise DataError("compare: no rows to compare on")
    if len(champion) != n or len(challenger) != n:
        raise DataError(
            f"compare: labels ({n} rows), champion ({len(champion)}) and challenger "
            f"({len(challenger)}) scores must have the same rows"
        )
    diffs: dict[str, list[np.ndarray]] = {name: [] for name in metrics}
    with np.errstate(invalid="ignore", divide="ignore"):
        for weights in bootstrap_weights(n, n_boot, seed, narrow=narrow):
            for name, (fn, _) in metrics.items():
                diffs[name].append(fn(y, challenger, weights) - fn(y, champion, weights))
        ones = np.ones((1, n), dtype=np.int64)
        points = {
            name: (float(fn(y, champion, ones)[0]), float(fn(y, challenger, ones)[0]))
            for name, (fn, _) in metrics.items()
        }
    alpha = (1.0 - confidence) / 2.0
    rows = []
    for name, (_, higher_is_better) in metrics.items():
        d = np.concatenate(diffs[name])
        d = d[np.isfinite(d)]
        low, high = np.quantile(d, [alpha, 1.0 - alpha]) if len(d) else (np.nan, np.nan)
        a, b = points[name]
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
    return pd.DataFrame(rows, columns=list(COMPARE_COLUMNS))


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
    skipped. One row per metric (``roc_auc``, ``log_loss``, ``brier``): :func:`paired_bootstrap`
    on :data:`~mlcore.evaluate.METRICS`.

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
    return paired_bootstrap(
        y,
        champion,
        challenger,
        functions,
        n_boot=n_boot,
        seed=seed,
        margin=margin,
        confidence=confidence,
        narrow=True,  # the binary metrics compute in float64 or int32, never in the weights' dtype
    )
