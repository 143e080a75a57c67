"""Preprocessing that travels with the model: a role per column, fitted statistics in the pipeline.

Every statistic learned from training data (medians, categories, frequencies, target encodings)
lives in the fitted scikit-learn pipeline that is logged as the model, so scoring never
recomputes it on new data (the talk's "data drift caused by not saving the median"). At scoring
the columns are picked by name (order does not matter, a missing column is an error naming it)
and cast to the dtype of their role, so numbers sent as strings or zip codes sent as integers
still meet the statistics learned at training.

Config keys (the Hydra ``features`` group; every key is optional):

- ``numeric``, ``categorical_low``, ``categorical_high``, ``identifier``, ``date``,
  ``passthrough``, ``drop``: lists of columns forced into that role (null: infer, see
  :func:`infer_roles`);
- ``max_onehot_cardinality`` (20): strings with more distinct values are high-cardinality;
- ``high_cardinality_encoding`` (``frequency``): ``frequency`` or ``target`` (out-of-fold);
- ``target_encoding_folds`` (5): folds of the out-of-fold target encoding;
- ``scale_numeric`` (false): standardise numeric and date features (only for models that need
  it; trees do not);
- ``date_parts`` ([month, day_of_week]): calendar parts taken from ``date`` columns;
- ``chunk_rows`` (100000): rows transformed at a time into the model's float32 input (see
  :class:`mlcore._chunked.ChunkedColumnTransformer`); null: scikit-learn's ColumnTransformer,
  float64 and all rows at once (about 4x the memory of the model's input);
- ``activity``: settings of :mod:`mlcore.activity` (used before the split, ignored here).

Example:
    >>> import pandas as pd
    >>> from mlcore.features import build_preprocessor
    >>> df = pd.DataFrame({"x": [1.0, None, 3.0], "plan": ["a", "b", "a"]})
    >>> pre = build_preprocessor(df, {})
    >>> pre.fit_transform(df).shape
    (3, 4)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import sklearn
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler, TargetEncoder
from sklearn.utils.fixes import parse_version
from sklearn.utils.validation import check_is_fitted, validate_data

from mlcore._chunked import ChunkedColumnTransformer
from mlcore._schema import choice, section
from mlcore.errors import ConfigError, DataError

__all__ = [
    "CONFIG_DEFAULTS",
    "DATE_PARTS",
    "ROLES",
    "CastColumns",
    "DateFeatures",
    "FrequencyEncoder",
    "build_preprocessor",
    "infer_roles",
]

ROLES = (
    "numeric",
    "categorical_low",
    "categorical_high",
    "identifier",
    "date",
    "passthrough",
    "drop",
)
CONFIG_DEFAULTS: dict[str, Any] = {
    "max_onehot_cardinality": 20,
    "high_cardinality_encoding": "frequency",
    "target_encoding_folds": 5,
    "scale_numeric": False,
    "date_parts": ["month", "day_of_week"],
    "chunk_rows": 100_000,
    "activity": None,
}
_NOT_FEATURES = {"identifier", "drop"}
DATE_PARTS = ("year", "quarter", "month", "day", "day_of_week", "day_of_year", "hour")
# Strings that mean "missing" when a numeric column arrives as text (CSV, JSON).
_MISSING_TOKENS = frozenset({"", "nan", "na", "n/a", "null", "none"})
_SKLEARN_1_9 = parse_version(sklearn.__version__) >= parse_version("1.9")


def _columns(X: Any) -> tuple[list[str], list[pd.Series]]:
    """Column names and columns of a frame or 2-D array (arrays get names x0, x1, ...)."""
    frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X, dtype=object))
    names = [str(c) if isinstance(X, pd.DataFrame) else f"x{c}" for c in frame.columns]
    return names, [frame.iloc[:, j] for j in range(frame.shape[1])]


class _ColumnwiseTransformer(TransformerMixin, BaseEstimator):
    """Shared fit/validation of the stateless-per-column transformers below."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.string = True
        tags.input_tags.categorical = True
        return tags

    def _validate(self, X: Any, reset: bool) -> Any:
        # Checks shape, feature count and names, of a frame on its first row: checking every row
        # would convert all of them (a Python string per cell of a string column, several times
        # the column's memory). The values are converted by the subclasses.
        head = X.iloc[:1] if isinstance(X, pd.DataFrame) else X
        validate_data(self, head, dtype=None, ensure_all_finite=False, reset=reset)
        return X

    def fit(self, X: Any, y: Any = None) -> _ColumnwiseTransformer:
        self._validate(X, reset=True)
        return self


class CastColumns(OneToOneFeatureMixin, _ColumnwiseTransformer):
    """Cast every column to one dtype so scoring data meets the statistics learned at training.

    ``to="float"``: numbers, booleans and numeric strings become float64; missing values and the
    strings "", "nan", "NA", "N/A", "null", "None" become NaN; any other value raises
    ``ValueError`` naming the column. ``to="str"``: values become strings
    (integral floats lose their ``.0``, so a zip code read as 10001.0 stays "10001"), missing
    values stay NaN. Output: a 2-D numpy array.

    Example:
        >>> CastColumns("str").fit_transform(pd.DataFrame({"zip": [10001, None]})).tolist()
        [['10001'], [nan]]
    """

    def __init__(self, to: str = "float"):
        self.to = to

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64"] if self.to == "float" else []
        return tags

    def fit(self, X: Any, y: Any = None) -> CastColumns:
        if self.to not in ("float", "str"):
            raise ConfigError(f"CastColumns: to must be 'float' or 'str', got {self.to!r}")
        return super().fit(X, y)

    def transform(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "n_features_in_")
        names, columns = _columns(self._validate(X, reset=False))
        cast = _to_float if self.to == "float" else _to_str
        dtype = np.float64 if self.to == "float" else object
        out = np.empty((len(columns[0]), len(columns)), dtype=dtype)  # no column list beside it
        for j, (name, col) in enumerate(zip(names, columns, strict=True)):
            out[:, j] = cast(name, col)
        return out


def _to_float(name: str, col: pd.Series) -> np.ndarray:
    if pd.api.types.is_bool_dtype(col.dtype):
        col = col.astype(np.float64)
    if pd.api.types.is_numeric_dtype(col.dtype):  # nothing to parse: one conversion
        return col.to_numpy(dtype=np.float64, na_value=np.nan)
    values = pd.to_numeric(col, errors="coerce")
    bad = values.isna() & col.notna()
    if bad.any():
        bad &= ~col.astype(str).str.strip().str.lower().isin(_MISSING_TOKENS)
    if bad.any():
        examples = col[bad].unique()[:3].tolist()
        raise DataError(f"column {name!r}: {int(bad.sum())} non-numeric values, e.g. {examples}")
    return values.to_numpy(dtype=np.float64, na_value=np.nan)


def _to_str(name: str, col: pd.Series) -> np.ndarray:
    if col.dtype == object:  # mixed Python objects (1 and 1.0 must stay apart): value by value
        return _str_values(col)
    # Convert each distinct value once; rows share its string object (a 10M-row column of a
    # few categories costs 8 bytes a row, not a new Python string each).
    codes, uniques = pd.factorize(col)
    return np.append(_str_values(pd.Series(uniques)), np.nan)[codes]  # code -1 (missing) -> nan


def _str_values(col: pd.Series) -> np.ndarray:
    missing = col.isna().to_numpy()
    values = col.to_numpy(dtype=object, na_value=np.nan)
    if pd.api.types.is_float_dtype(col.dtype):
        integral = ~missing & (np.mod(values.astype(np.float64), 1.0) == 0)
        values[integral] = values[integral].astype(np.float64).astype(np.int64)
    out = values.astype(str).astype(object)
    out[missing] = np.nan
    return out


class FrequencyEncoder(OneToOneFeatureMixin, _ColumnwiseTransformer):
    """Encode each category by its share of the training rows; unseen or missing values get 0.

    Suited to high-cardinality codes (a zip code is not a colour): one column out per column in.

    Example:
        >>> FrequencyEncoder().fit_transform(pd.DataFrame({"z": ["a", "a", "b", "c"]})).ravel().tolist()
        [0.5, 0.5, 0.25, 0.25]
    """

    def fit(self, X: Any, y: Any = None) -> FrequencyEncoder:
        super().fit(X, y)
        _, columns = _columns(X)
        counts = [col.value_counts(dropna=True) for col in columns]
        # Plain numpy arrays (not pandas objects), so the fitted model saves with skops.
        self.categories_ = [c.index.to_numpy(dtype=object) for c in counts]
        self.frequencies_ = [
            c.to_numpy(dtype=np.float64) / len(col) for c, col in zip(counts, columns, strict=True)
        ]
        return self

    def transform(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "frequencies_")
        _, columns = _columns(self._validate(X, reset=False))
        out = np.empty((len(columns[0]), len(columns)), dtype=np.float64)
        for j, col in enumerate(columns):
            position = pd.Index(self.categories_[j]).get_indexer(col.to_numpy(dtype=object))
            out[:, j] = np.where(position >= 0, self.frequencies_[j][position], 0.0)
        return out


class DateFeatures(_ColumnwiseTransformer):
    """Calendar parts of date columns (``parts`` from :data:`DATE_PARTS`), NaN where missing.

    Absolute time (a timestamp as a number) is left out on purpose: it cannot extrapolate to the
    months a model will score. Strings are parsed as dates; unparseable values raise an error
    naming the column.

    Example:
        >>> DateFeatures(parts=("month",)).fit_transform(pd.DataFrame({"d": ["2024-03-05"]})).tolist()
        [[3.0]]
    """

    def __init__(self, parts: Sequence[str] = ("month", "day_of_week")):
        self.parts = parts

    def fit(self, X: Any, y: Any = None) -> DateFeatures:
        unknown = sorted(set(self.parts) - set(DATE_PARTS))
        if unknown or not self.parts:
            raise ConfigError(f"DateFeatures: parts must be among {DATE_PARTS}, got {self.parts}")
        return super().fit(X, y)

    def transform(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "n_features_in_")
        names, columns = _columns(self._validate(X, reset=False))
        out = []
        for name, col in zip(names, columns, strict=True):
            dates = pd.to_datetime(col, errors="coerce")
            bad = dates.isna() & col.notna()
            if bad.any():
                raise DataError(f"column {name!r}: unparseable dates, e.g. {col[bad].iloc[0]!r}")
            out.extend(getattr(dates.dt, part).to_numpy(dtype=np.float64) for part in self.parts)
        return np.column_stack(out)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """``<column>_<part>`` for every input column and part."""
        check_is_fitted(self, "n_features_in_")
        if input_features is None:
            input_features = getattr(self, "feature_names_in_", None)
        if input_features is None:
            input_features = [f"x{j}" for j in range(self.n_features_in_)]
        return np.asarray([f"{c}_{p}" for c in input_features for p in self.parts], dtype=object)


def _settings(config: Mapping) -> dict[str, Any]:
    settings = section(config, "features", {**dict.fromkeys(ROLES), **CONFIG_DEFAULTS})
    choice(
        settings["high_cardinality_encoding"],
        "features.high_cardinality_encoding",
        ("frequency", "target"),
    )
    chunk_rows = settings["chunk_rows"]
    if chunk_rows is not None and (
        isinstance(chunk_rows, bool) or not isinstance(chunk_rows, int) or chunk_rows < 1
    ):
        raise ConfigError(
            f"features.chunk_rows must be a positive integer or null, got {chunk_rows!r}"
        )
    return {key: value for key, value in settings.items() if key not in ROLES}


def infer_roles(frame: pd.DataFrame, config: Mapping) -> dict[str, list[str]]:
    """Assign every column a role; roles named in ``config`` win over inference.

    Inference: a column named ``id`` or ``*_id``, or a string column whose values are all distinct,
    is an ``identifier`` (never a feature); booleans and numbers are ``numeric``; datetimes are
    dropped (list them under ``date`` to use their calendar parts); strings with at most
    ``max_onehot_cardinality`` (default 20) distinct values are ``categorical_low``, other strings
    ``categorical_high``. A column listed under two roles is an error, except under both
    ``identifier`` and ``drop`` (neither is a feature).

    Example:
        >>> infer_roles(pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}), {"drop": []})["numeric"]
        ['a']
    """
    settings = _settings(config)
    explicit: dict[str, str] = {}
    for role in ROLES:
        for col in config.get(role) or []:
            if col not in frame.columns:
                raise ConfigError(f"features.{role}: column {col!r} is not in the data")
            if col in explicit and {explicit[col], role} != _NOT_FEATURES:
                raise ConfigError(f"features: column {col!r} is under {explicit[col]} and {role}")
            explicit[col] = role
    max_card = int(settings["max_onehot_cardinality"])
    roles: dict[str, list[str]] = {role: [] for role in ROLES}
    for col in frame.columns:
        role = explicit.get(col) or _infer_role(str(col), frame[col], max_card)
        roles[role].append(col)
    return roles


def _infer_role(name: str, values: pd.Series, max_card: int) -> str:
    if name.lower() == "id" or name.lower().endswith("_id"):
        return "identifier"
    dtype = values.dtype
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
        return "numeric"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "drop"
    distinct = values.nunique()
    if distinct <= max_card:
        return "categorical_low"
    return "identifier" if distinct == len(values) else "categorical_high"


def _target_encoder(folds: int, seed: int) -> TargetEncoder:
    """Out-of-fold target encoding with shuffled, seeded folds (stratified for a binary target)."""
    if _SKLEARN_1_9:  # shuffle / random_state are deprecated there in favour of a splitter
        return TargetEncoder(cv=StratifiedKFold(int(folds), shuffle=True, random_state=seed))
    return TargetEncoder(cv=int(folds), shuffle=True, random_state=seed)


def build_preprocessor(frame: pd.DataFrame, config: Mapping, seed: int = 0) -> ColumnTransformer:
    """A ColumnTransformer with the right steps for the roles of ``frame``'s columns, fitted
    without building its output and transforming ``chunk_rows`` rows at a time into float32
    (a :class:`~mlcore._chunked.ChunkedColumnTransformer`; ``chunk_rows`` null: all at once).

    - numeric: cast to float, median imputation with a missing indicator (+ scaling if
      ``scale_numeric``);
    - categorical_low: cast to string, missing -> "missing", one-hot (unseen categories ignored);
    - categorical_high: cast to string, then frequency encoding or out-of-fold target encoding
      (``TargetEncoder`` cross-fits on the training rows; unseen categories get the prior);
    - date: calendar parts, then as numeric; passthrough: cast to float, nothing else (the model
      must handle NaN, as LightGBM does); identifier and drop: left out.

    ``seed`` drives the fold shuffling of target encoding. See :func:`infer_roles` for the roles.

    Example:
        >>> pre = build_preprocessor(pd.DataFrame({"a": [1.0, 2.0]}), {})
        >>> pre.fit(pd.DataFrame({"a": [1.0, 2.0]})).get_feature_names_out().tolist()
        ['num__a']
    """
    settings = _settings(config)
    roles = infer_roles(frame, config)
    scaler = [StandardScaler()] if settings["scale_numeric"] else []

    def numeric(*first: Any) -> Pipeline:
        # np.median of each column's present values: the same medians as strategy="median",
        # which goes through numpy masked arrays (about 20x slower on 100k customers). In place
        # (copy=False): it imputes the fresh float matrix of the step before, never the input.
        imputer = SimpleImputer(strategy=np.median, add_indicator=True, copy=False)
        return make_pipeline(*first, imputer, *scaler)

    if settings["high_cardinality_encoding"] == "target":
        high_name, high_encoder = "target", _target_encoder(settings["target_encoding_folds"], seed)
    else:
        high_name, high_encoder = "freq", FrequencyEncoder()
    branches: list[tuple[str, str, Any]] = [
        ("num", "numeric", numeric(CastColumns("float"))),
        (
            "cat",
            "categorical_low",
            make_pipeline(
                CastColumns("str"),
                SimpleImputer(strategy="constant", fill_value="missing"),
                OneHotEncoder(handle_unknown="ignore", sparse_output=False),
            ),
        ),
        (high_name, "categorical_high", make_pipeline(CastColumns("str"), high_encoder)),
        ("date", "date", numeric(DateFeatures(parts=tuple(settings["date_parts"])))),
        ("pass", "passthrough", CastColumns("float")),
    ]
    steps = [(name, step, roles[role]) for name, role, step in branches if roles[role]]
    if not steps:
        raise DataError("features: no usable feature column (all columns are dropped)")
    if settings["chunk_rows"] is None:  # the in-memory path: float64, all rows at once
        return ColumnTransformer(steps, remainder="drop", verbose_feature_names_out=True)
    return ChunkedColumnTransformer(
        steps, remainder="drop", verbose_feature_names_out=True, chunk_rows=settings["chunk_rows"]
    )
