"""Profiles of a reference frame: per-column CDF grids and category counts, label and score.

:class:`DriftProfile` is what is saved with a model run (``to_dict`` / ``from_dict``, plain JSON).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from mlcore.drift._stats import (
    _as_float,
    _auc_standard_error,
    _bins_from_cdf,
    _is_numeric,
    _labels,
    _performance,
    _sorted_valid,
)
from mlcore.errors import ConfigError, DataError

FORMAT = "mlcore.drift.profile/1"
_OTHER, _MISSING = "(other)", "(missing)"


@dataclass(frozen=True)
class NumericProfile:
    """Reference CDF of a numeric column at its quantile grid, as exact row counts.

    ``le[j]`` / ``lt[j]`` count reference rows ``<= grid[j]`` / ``< grid[j]``; ``edges`` are the
    grid positions of the inner PSI bin edges (bins are ``(-inf, e1], (e1, e2], ..., (ek, inf)``).

    Example:
        >>> p = NumericProfile.from_values(np.array([1.0, 2.0, 2.0, np.nan]), n_bins=2, n_quantiles=3)
        >>> p.grid.tolist(), p.le.tolist(), p.n_missing
        ([1.0, 2.0], [1, 3], 1)
    """

    n: int
    n_missing: int
    grid: np.ndarray
    le: np.ndarray
    lt: np.ndarray
    edges: np.ndarray
    kind: str = field(default="numeric", init=False)

    @classmethod
    def from_values(
        cls, values: np.ndarray, *, n_bins: int = 10, n_quantiles: int = 101
    ) -> NumericProfile:
        """Profile a float array (NaN = missing) on ``n_quantiles`` evenly spaced quantiles."""
        if n_bins < 1 or n_quantiles < 2 or (n_quantiles - 1) % n_bins:
            raise ConfigError(
                f"drift profile: n_quantiles - 1 ({n_quantiles - 1}) must be a positive multiple "
                f"of n_bins ({n_bins}) so the PSI bin edges lie on the quantile grid"
            )
        ordered = _sorted_valid(values)
        n_valid = len(ordered)
        if n_valid == 0:
            empty = np.array([], dtype=np.float64)
            return cls(len(values), len(values), empty, empty.astype(np.int64), empty, empty)
        # inverted-CDF quantiles: always observed values, so point masses sit on the grid. The
        # rank of quantile i/(q-1) is ceil(i * n / (q-1)) in integers: ceil(0.7000000000000001 n)
        # in floats is one rank too high.
        i = np.arange(n_quantiles, dtype=np.int64)
        at = np.maximum(-(-i * n_valid // (n_quantiles - 1)) - 1, 0)
        quantiles = ordered[at]
        grid = np.unique(quantiles)
        step = (n_quantiles - 1) // n_bins
        edges = np.unique(np.searchsorted(grid, quantiles[step:-1:step]))
        return cls(
            n=len(values),
            n_missing=len(values) - n_valid,
            grid=grid,
            le=np.searchsorted(ordered, grid, side="right"),
            lt=np.searchsorted(ordered, grid, side="left"),
            edges=edges,
        )

    @property
    def ks_resolution(self) -> float:
        """Largest reference share strictly between two grid values: bound on the KS error."""
        n_valid = self.n - self.n_missing
        if n_valid == 0:
            return math.nan
        inside = self.lt[1:] - self.le[:-1]
        return float(inside.max(initial=0) / n_valid)

    def bin_labels(self) -> list[str]:
        """Readable PSI bin labels, the missing bin last."""
        cuts = [f"{v:.4g}" for v in self.grid[self.edges]]
        if not cuts:
            return ["all", _MISSING]
        inner = [f"({a}, {b}]" for a, b in zip(cuts[:-1], cuts[1:], strict=True)]
        return [f"<= {cuts[0]}", *inner, f"> {cuts[-1]}", _MISSING]

    def bin_counts(self) -> np.ndarray:
        """Reference rows per PSI bin, the missing bin last."""
        return _bins_from_cdf(self.le, self.edges, self.n - self.n_missing, self.n_missing)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (lists of floats and ints)."""
        return {
            "kind": self.kind,
            "n": self.n,
            "n_missing": self.n_missing,
            "grid": self.grid.tolist(),
            "le": self.le.tolist(),
            "lt": self.lt.tolist(),
            "edges": self.edges.tolist(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> NumericProfile:
        """Inverse of :meth:`to_dict`."""
        return cls(
            n=int(data["n"]),
            n_missing=int(data["n_missing"]),
            grid=np.asarray(data["grid"], dtype=np.float64),
            le=np.asarray(data["le"], dtype=np.int64),
            lt=np.asarray(data["lt"], dtype=np.int64),
            edges=np.asarray(data["edges"], dtype=np.int64),
        )


@dataclass(frozen=True)
class CategoricalProfile:
    """Counts of the most frequent reference categories, of all other values and of missing ones.

    Example:
        >>> p = CategoricalProfile.from_series(pd.Series(["a", "a", "b", None]), max_categories=1)
        >>> p.categories, p.counts.tolist(), p.n_other, p.n_missing
        (('a',), [2], 1, 1)
    """

    n: int
    n_missing: int
    categories: tuple[str, ...]
    counts: np.ndarray
    n_other: int
    kind: str = field(default="categorical", init=False)

    @classmethod
    def from_series(cls, series: pd.Series, *, max_categories: int = 50) -> CategoricalProfile:
        """Profile a column; values are compared as strings."""
        missing = series.isna()
        counts = series[~missing].astype(str).value_counts()
        # most frequent first, ties by name, so the profile does not depend on row order
        order = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        kept = order[:max_categories]
        n_valid = int(len(series) - missing.sum())
        kept_total = sum(int(c) for _, c in kept)
        return cls(
            n=len(series),
            n_missing=int(missing.sum()),
            categories=tuple(str(k) for k, _ in kept),
            counts=np.array([int(c) for _, c in kept], dtype=np.int64),
            n_other=n_valid - kept_total,
        )

    def bin_labels(self) -> list[str]:
        """Category labels, then the other and missing bins."""
        return [*self.categories, _OTHER, _MISSING]

    def bin_counts(self) -> np.ndarray:
        """Reference rows per bin (categories, other, missing)."""
        return np.concatenate([self.counts, [self.n_other, self.n_missing]])

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "kind": self.kind,
            "n": self.n,
            "n_missing": self.n_missing,
            "categories": list(self.categories),
            "counts": self.counts.tolist(),
            "n_other": self.n_other,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CategoricalProfile:
        """Inverse of :meth:`to_dict`."""
        return cls(
            n=int(data["n"]),
            n_missing=int(data["n_missing"]),
            categories=tuple(str(c) for c in data["categories"]),
            counts=np.asarray(data["counts"], dtype=np.int64),
            n_other=int(data["n_other"]),
        )


@dataclass(frozen=True)
class LabelProfile:
    """Number of labelled reference rows and of positives.

    Example:
        >>> LabelProfile(n=200, positives=50).rate
        0.25
    """

    n: int
    positives: int

    @property
    def rate(self) -> float:
        """Positive rate (NaN without rows)."""
        return self.positives / self.n if self.n else math.nan


FeatureProfile = NumericProfile | CategoricalProfile


@dataclass(frozen=True)
class DriftProfile:
    """Compact, JSON-serialisable summary of a reference (training) frame.

    Example:
        >>> frame = pd.DataFrame({"x": [1.0, 2.0, 3.0], "c": ["a", "b", "a"]})
        >>> DriftProfile.from_dict(DriftProfile.from_frame(frame).to_dict()).features["c"].categories
        ('a', 'b')
    """

    n_rows: int
    features: dict[str, FeatureProfile]
    label_col: str | None = None
    label: LabelProfile | None = None
    score_col: str | None = None
    score: NumericProfile | None = None
    performance: dict[str, float] | None = None
    lift_fraction: float = 0.1

    @classmethod
    def from_frame(
        cls,
        frame: pd.DataFrame,
        *,
        features: Sequence[str] | None = None,
        exclude: Sequence[str] = (),
        categorical: Sequence[str] = (),
        label_col: str | None = None,
        score_col: str | None = None,
        performance: Mapping[str, float] | None = None,
        n_bins: int = 10,
        n_quantiles: int = 101,
        max_categories: int = 50,
        lift_fraction: float = 0.1,
    ) -> DriftProfile:
        """Profile ``frame``: ``features`` (default: every column but the label, the score,
        ``exclude`` and datetime columns), the label's positive rate and the score.

        ``performance`` (``{"auc": ..., "lift": ...}``, optionally ``"auc_se"``) sets the
        reference for concept drift, e.g. the validation metrics of the training run; by default
        AUC, its standard error and lift are computed on ``frame`` when it has both the label and
        the score (on held-out rows: in-sample AUC is optimistic).
        """
        where = "drift profile"
        wanted = [label_col, score_col, *(features or ()), *exclude, *categorical]
        missing = [c for c in wanted if c is not None and c not in frame.columns]
        if missing:
            raise DataError(f"{where}: column(s) {missing} not in the reference frame")
        if features is None:
            skip = {label_col, score_col, *exclude}
            features = [
                c
                for c in frame.columns
                if c not in skip and not pd.api.types.is_datetime64_any_dtype(frame[c])
            ]
        profiles: dict[str, FeatureProfile] = {}
        for col in features:
            series = frame[col]
            if col in categorical or not _is_numeric(series):
                profiles[col] = CategoricalProfile.from_series(
                    series, max_categories=max_categories
                )
            else:
                values = _as_float(series, f"{where}, column {col!r}")
                profiles[col] = NumericProfile.from_values(
                    values, n_bins=n_bins, n_quantiles=n_quantiles
                )
        label = score = None
        if label_col is not None:
            y = _labels(frame[label_col], f"{where}, column {label_col!r}")
            label = LabelProfile(n=len(y), positives=int(y.sum()))
        if score_col is not None:
            values = _as_float(frame[score_col], f"{where}, score column {score_col!r}")
            score = NumericProfile.from_values(values, n_bins=n_bins, n_quantiles=n_quantiles)
        if performance is not None:
            reference = {k: float(v) for k, v in performance.items()}
        elif label_col is not None and score_col is not None:
            reference = _labelled_performance(frame, label_col, score_col, lift_fraction, where)
        else:
            reference = None
        return cls(
            n_rows=len(frame),
            features=profiles,
            label_col=label_col,
            label=label,
            score_col=score_col,
            score=score,
            performance=reference,
            lift_fraction=lift_fraction,
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict; ``json.dumps`` works on it directly."""
        return {
            "format": FORMAT,
            "n_rows": self.n_rows,
            "features": {name: p.to_dict() for name, p in self.features.items()},
            "label_col": self.label_col,
            "label": None if self.label is None else vars(self.label),
            "score_col": self.score_col,
            "score": None if self.score is None else self.score.to_dict(),
            "performance": self.performance,
            "lift_fraction": self.lift_fraction,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DriftProfile:
        """Rebuild a profile saved with :meth:`to_dict` (checks the format tag)."""
        if data.get("format") != FORMAT:
            raise DataError(
                f"drift profile: expected format {FORMAT!r}, got {data.get('format')!r}"
            )
        kinds = {"numeric": NumericProfile, "categorical": CategoricalProfile}
        try:
            unknown = {n: p["kind"] for n, p in data["features"].items() if p["kind"] not in kinds}
            if unknown:
                raise DataError(f"drift profile: unknown kind of feature(s) {unknown}")
            features = {n: kinds[p["kind"]].from_dict(p) for n, p in data["features"].items()}
            score = data.get("score")
            return cls(
                n_rows=int(data["n_rows"]),
                features=features,
                label_col=data.get("label_col"),
                label=None if data.get("label") is None else LabelProfile(**data["label"]),
                score_col=data.get("score_col"),
                score=None if score is None else NumericProfile.from_dict(score),
                performance=data.get("performance"),
                lift_fraction=float(data.get("lift_fraction", 0.1)),
            )
        except KeyError as exc:
            raise DataError(f"drift profile: the saved profile lacks key {exc.args[0]!r}") from None


def _labelled_performance(
    frame: pd.DataFrame, label_col: str, score_col: str, fraction: float, where: str
) -> dict[str, float] | None:
    """Reference AUC, its standard error and lift; None when AUC is undefined (one class)."""
    labelled = frame[[label_col, score_col]].dropna()
    y = _labels(labelled[label_col], f"{where}, column {label_col!r}")
    scores = _as_float(labelled[score_col], f"{where}, score column {score_col!r}")
    auc, lift = _performance(y, scores, fraction)
    if not np.isfinite(auc):
        return None
    se = _auc_standard_error(auc, int(y.sum()), int(len(y) - y.sum()))
    return {"auc": auc, "lift": lift, "auc_se": se}
