"""Champion vs challenger: a paired bootstrap confidence interval for each metric."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from mlcore.errors import ConfigError
from mlcore.evaluate._checks import check_scores
from mlcore.evaluate._metrics import _metric, _score_metric

__all__ = ["compare_models"]

_BOOT_CELLS = 8_000_000  # bootstrap cells (rows x replicates) at once: about 20 bytes each
_INT16_MAX = np.iinfo(np.int16).max


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
        raise ConfigError(
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
