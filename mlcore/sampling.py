"""Rebalancing the training set: class weights, entity-grouped undersampling, time decay, SMOTE.

Few churners (3-10%) and churn behaviour that drifts over time call for rebalancing, but only of
the training set: validation and test keep the real class balance so their metrics mean what
they will mean in production. :func:`resample_train` applies a sampling config to a
:class:`~mlcore.split.SplitResult` and never touches its validation or test set; SMOTE runs only
when the config opts in (``method: smote``).

Sampling config keys (:func:`resample_train`):

======================  ===========  ======================================================
key                     methods      meaning
======================  ===========  ======================================================
method                  all          ``"none"`` (default), ``"undersample"`` or ``"smote"``
negatives_per_positive  undersample  target ratio of negative to positive rows (default 1)
salt                    undersample  hash salt choosing the kept entities
weight_col              undersample  column for weights that undo the sampling (optional)
ratio                   smote        minority / majority row ratio to reach (default 1)
k_neighbors             smote        neighbours to interpolate between (default 5)
feature_cols            smote        columns to interpolate (default: numeric columns)
seed                    smote        random seed (default 0)
======================  ===========  ======================================================

Example:
    >>> import pandas as pd
    >>> class_weights(pd.Series([0, 0, 0, 1]))
    {0: 0.6666666666666666, 1: 2.0}
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from mlcore._frame import as_dates, require_columns
from mlcore._schema import choice, section
from mlcore.errors import ConfigError, DataError
from mlcore.split import SplitResult, hash_codes, split_report

__all__ = [
    "SAMPLING_METHODS",
    "Sampled",
    "class_weights",
    "resample_train",
    "sample_training",
    "smote",
    "time_decay_weights",
    "undersample_negatives",
]

SAMPLING_METHODS = ("none", "class_weight", "time_decay", "undersample", "smote")
UNREACHED = ("warn", "error")  # sampling.on_unreachable: an asked ratio the data cannot give
UNDERSAMPLE_SALT = "undersample"


def class_weights(y: pd.Series | np.ndarray | Sequence[Any]) -> dict[Any, float]:
    """Balanced class weights ``n_rows / (n_classes * n_rows_of_class)``.

    Example:
        >>> class_weights([1, 0])
        {0: 1.0, 1: 1.0}
    """
    counts = pd.Series(y).value_counts(dropna=False).sort_index()
    if counts.index.hasnans:
        raise DataError("class_weights: the target has missing values")
    if len(counts) < 2:
        raise DataError(f"class_weights: the target holds a single class {counts.index.tolist()}")
    weights = counts.sum() / (len(counts) * counts)
    return {
        label: float(weight) for label, weight in zip(counts.index.tolist(), weights, strict=True)
    }


def time_decay_weights(
    dates: pd.Series | Sequence[Any],
    *,
    half_life: str | pd.Timedelta,
    reference: str | pd.Timestamp | None = None,
) -> np.ndarray:
    """Weights ``0.5 ** (age / half_life)``, age counted back from ``reference`` (default: latest).

    Recent behaviour counts more when churners' behaviour evolves.

    Example:
        >>> time_decay_weights(pd.Series(pd.to_datetime(["2024-01-01", "2024-03-01"])),
        ...                    half_life="60D").round(3).tolist()
        [0.5, 1.0]
    """
    stamps = as_dates(pd.Series(dates, name="dates"), what="time_decay_weights")
    try:
        span = pd.Timedelta(half_life)
    except (TypeError, ValueError):
        raise ConfigError(
            f"time_decay_weights: half_life is not a duration: {half_life!r}"
        ) from None
    if span is pd.NaT or span <= pd.Timedelta(0):
        raise ConfigError(f"time_decay_weights: half_life must be > 0, got {half_life!r}")
    anchor = stamps.max() if reference is None else pd.Timestamp(reference)
    if stamps.max() > anchor:
        raise DataError(f"time_decay_weights: dates run past the reference {anchor}")
    return np.power(0.5, ((anchor - stamps) / span).to_numpy(dtype=np.float64))


def _binary_target(frame: pd.DataFrame, target_col: str, what: str) -> np.ndarray:
    y = frame[target_col]
    if y.hasnans or not y.isin([0, 1]).all():
        raise DataError(f"{what}: target {target_col!r} must hold only 0 and 1")
    return y.to_numpy(dtype=np.int64)


def undersample_negatives(
    frame: pd.DataFrame,
    *,
    entity_col: str,
    target_col: str,
    negatives_per_positive: float = 1.0,
    salt: str = UNDERSAMPLE_SALT,
    weight_col: str | None = None,
) -> pd.DataFrame:
    """Drop whole negative-only entities until about ``negatives_per_positive`` negatives remain per
    positive row; entities with a positive row are kept with all their rows.

    Entities are chosen by the hash of their id, so the same ones are kept on every run, and a
    higher ratio keeps a superset. ``weight_col``, if given, holds ``1 / kept fraction`` for the
    sampled entities' rows (1 elsewhere), which undoes the sampling in weighted fits.

    Example:
        >>> df = pd.DataFrame({"id": [1, 1, 2, 3, 4], "y": [0, 1, 0, 0, 0]})
        >>> undersample_negatives(df, entity_col="id", target_col="y",
        ...                       negatives_per_positive=1.0)["id"].tolist()
        [1, 1]
    """
    what = "undersample_negatives"
    require_columns(frame, what=what, entity_col=entity_col, target_col=target_col)
    if isinstance(negatives_per_positive, bool) or not negatives_per_positive >= 0:
        raise ConfigError(
            f"{what}: negatives_per_positive must be >= 0, got {negatives_per_positive!r}"
        )
    y = _binary_target(frame, target_col, what)
    entities = frame[entity_col]
    positive_entity = pd.Series(y, index=frame.index).groupby(entities).transform("max").to_numpy()
    optional = positive_entity == 0  # rows of negative-only entities
    budget = negatives_per_positive * y.sum() - ((y == 0) & ~optional).sum()
    kept_fraction = float(np.clip(budget / optional.sum(), 0.0, 1.0)) if optional.any() else 1.0
    chosen = hash_codes(entities, [kept_fraction, 1.0 - kept_fraction], salt) == 0
    keep = ~optional | chosen
    out = frame.loc[keep]
    if weight_col is not None:
        scale = 1.0 / kept_fraction if kept_fraction > 0 else 1.0  # (no sampled row is kept at 0)
        weights = np.where(optional[keep], scale, 1.0)
        out = out.assign(**{weight_col: weights})
    return out.reset_index(drop=True)


def smote(
    frame: pd.DataFrame,
    *,
    target_col: str,
    feature_cols: Sequence[str] | None = None,
    ratio: float = 1.0,
    k_neighbors: int = 5,
    seed: int = 0,
) -> pd.DataFrame:
    """SMOTE-style oversampling of the minority class of a training frame (opt-in only).

    Each synthetic row is a random point on the segment between a minority row and one of its
    ``k_neighbors`` nearest minority neighbours in ``feature_cols`` (default: the numeric, non-bool
    columns other than the target); integer columns are rounded. Other columns are copied from the
    first row of the pair. Rows are added until minority / majority reaches ``ratio``. Give it
    training rows only; on a split, :func:`resample_train` guarantees that.

    Example:
        >>> df = pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0, 10.0, 11.0], "y": [0, 0, 0, 0, 1, 1]})
        >>> out = smote(df, target_col="y", ratio=1.0, k_neighbors=1)
        >>> int(out["y"].sum()), bool(out.loc[out["y"] == 1, "x"].between(10, 11).all())
        (4, True)
    """
    what = "smote"
    require_columns(frame, what=what, target_col=target_col)
    if feature_cols is None:
        feature_cols = [
            col
            for col in frame.columns
            if col != target_col
            and pd.api.types.is_numeric_dtype(frame[col].dtype)
            and not pd.api.types.is_bool_dtype(frame[col].dtype)
        ]
    feature_cols = list(feature_cols)
    require_columns(frame, what=what, **{f"feature {col}": col for col in feature_cols})
    if not feature_cols or target_col in feature_cols:
        raise ConfigError(f"{what}: feature_cols must be non-empty and exclude the target")
    if isinstance(k_neighbors, bool) or not isinstance(k_neighbors, int) or k_neighbors < 1:
        raise ConfigError(f"{what}: k_neighbors must be an integer >= 1, got {k_neighbors!r}")
    if isinstance(ratio, bool) or not ratio > 0:
        raise ConfigError(f"{what}: ratio must be > 0, got {ratio!r}")
    counts = frame[target_col].value_counts()
    if len(counts) != 2:
        raise DataError(f"{what}: target {target_col!r} must hold two classes, got {len(counts)}")
    minority_label, n_minority, n_majority = counts.index[-1], counts.iloc[-1], counts.iloc[0]
    n_new = int(np.ceil(ratio * n_majority)) - int(n_minority)
    if n_new <= 0:
        return frame.copy()
    if n_minority < 2:
        raise DataError(f"{what}: needs at least 2 minority rows, got {n_minority}")
    minority_rows = np.flatnonzero((frame[target_col] == minority_label).to_numpy())
    features = frame[feature_cols].iloc[minority_rows]
    if features.isna().to_numpy().any():
        bad = features.columns[features.isna().any()].tolist()
        raise DataError(f"{what}: feature column(s) {bad} have missing values; impute first")
    try:
        points = features.to_numpy(dtype=np.float64)
    except (TypeError, ValueError):
        raise DataError(
            f"{what}: feature_cols must be numeric, got {features.dtypes.to_dict()}"
        ) from None

    from sklearn.neighbors import NearestNeighbors

    k = min(k_neighbors, len(points) - 1)
    neighbours = NearestNeighbors(n_neighbors=k + 1).fit(points).kneighbors(points)[1][:, 1:]
    rng = np.random.default_rng(seed)
    base = rng.integers(0, len(points), n_new)
    partner = neighbours[base, rng.integers(0, k, n_new)]
    step = rng.random((n_new, 1))
    synthetic = points[base] + step * (points[partner] - points[base])
    new_rows = frame.iloc[minority_rows[base]].reset_index(drop=True)
    for j, col in enumerate(feature_cols):
        values = synthetic[:, j]
        if pd.api.types.is_integer_dtype(frame[col].dtype):
            values = np.round(values).astype(frame[col].dtype)
        new_rows[col] = values
    return pd.concat([frame, new_rows], ignore_index=True)


_CONFIG_KEYS = {
    "none": {"method"},
    "class_weight": {"method"},
    "time_decay": {"method", "half_life"},
    "undersample": {"method", "negatives_per_positive", "salt", "weight_col", "on_unreachable"},
    "smote": {"method", "ratio", "k_neighbors", "feature_cols", "seed"},
}
_RATIO_TOLERANCE = 0.1  # a reached negatives-per-positive ratio this far off the asked one is said


@dataclasses.dataclass(frozen=True)
class Sampled:
    """A sampled training frame, its row weights (None: unweighted) and what the sampling did."""

    frame: pd.DataFrame
    weights: np.ndarray | None
    method: str
    notes: tuple[str, ...] = ()


def _options(cfg: Mapping[str, Any] | None) -> tuple[str, dict[str, Any]]:
    method = choice(
        cfg.get("method", "none") if isinstance(cfg, Mapping) else "none",
        "sampling.method",
        SAMPLING_METHODS,
    )
    given = section(cfg, "sampling", _CONFIG_KEYS[method], applies_to=f"method {method!r}")
    return method, {key: value for key, value in given.items() if key != "method"}


def sample_training(
    train: pd.DataFrame,
    cfg: Mapping[str, Any] | None,
    *,
    entity_col: str,
    target_col: str,
    date_col: str | None = None,
) -> Sampled:
    """The ``sampling`` config applied to a training frame: rows (undersample, smote) or row
    weights (class_weight, time_decay). Never call it on validation or test rows.

    ``undersample`` says when the asked ``negatives_per_positive`` cannot be reached (entities
    are kept or dropped whole): a note with the reached ratio, or a ``ConfigError`` when
    ``on_unreachable: error``.

    Example:
        >>> df = pd.DataFrame({"id": range(4), "y": [0, 0, 0, 1]})
        >>> sample_training(df, {"method": "class_weight"}, entity_col="id", target_col="y").weights.tolist()
        [0.6666666666666666, 0.6666666666666666, 0.6666666666666666, 2.0]
    """
    method, options = _options(cfg)
    if method == "none":
        return Sampled(train, None, method)
    if method == "class_weight":
        weights = class_weights(train[target_col])
        return Sampled(train, train[target_col].map(weights).to_numpy(dtype=np.float64), method)
    if method == "time_decay":
        if not date_col:
            raise ConfigError("sampling.method 'time_decay' needs dates: set data.date_col")
        half_life = options.get("half_life", "180D")
        return Sampled(train, time_decay_weights(train[date_col], half_life=half_life), method)
    if method == "smote":
        return Sampled(smote(train, target_col=target_col, **options), None, method)
    on_unreachable = choice(
        options.pop("on_unreachable", "warn"), "sampling.on_unreachable", UNREACHED
    )
    asked = float(options.get("negatives_per_positive", 1.0))
    frame = undersample_negatives(train, entity_col=entity_col, target_col=target_col, **options)
    positives = int(frame[target_col].sum())
    reached = (len(frame) - positives) / positives if positives else float("inf")
    notes: tuple[str, ...] = ()
    if asked and abs(reached - asked) / asked > _RATIO_TOLERANCE:
        message = (
            f"sampling: asked {asked:g} negatives per positive, reached {reached:.2f} (entities "
            "with a positive row keep all their rows)"
        )
        if on_unreachable == "error":
            raise ConfigError(f"{message}; set sampling.on_unreachable: warn to go on")
        notes = (message,)
    weights = frame.pop(options["weight_col"]).to_numpy() if options.get("weight_col") else None
    return Sampled(frame, weights, method, notes)


def resample_train(
    result: SplitResult,
    cfg: Mapping[str, Any] | None,
    *,
    entity_col: str,
    target_col: str,
    date_col: str | None = None,
) -> SplitResult:
    """Apply a sampling config (keys in the module docstring) to the training set only.

    Validation and test are returned untouched; the report is recomputed.

    Example:
        >>> from mlcore.split import split_frame
        >>> df = pd.DataFrame({"id": range(200), "y": [0] * 180 + [1] * 20})
        >>> parts = split_frame(df, entity_col="id", target_col="y")
        >>> out = resample_train(parts, {"method": "undersample"}, entity_col="id", target_col="y")
        >>> out.test is parts.test, bool(out.train["y"].mean() > parts.train["y"].mean())
        (True, True)
    """
    method, _ = _options(cfg)
    if method in ("none", "class_weight", "time_decay"):  # weights: the rows stay as they are
        return result
    sampled = sample_training(
        result.train, cfg, entity_col=entity_col, target_col=target_col, date_col=date_col
    )
    train = sampled.frame
    if sampled.weights is not None:  # the undersampling's weight column, kept in the frame here
        train = train.assign(**{cfg["weight_col"]: sampled.weights})
    parts = {"train": train, "validation": result.validation, "test": result.test}
    report = split_report(parts, entity_col=entity_col, target_col=target_col, date_col=date_col)
    return dataclasses.replace(result, train=train, report=report)
