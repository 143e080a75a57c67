"""Leakage-safe train / validation / test splits: entity-stable, out-of-time, or both.

Three kinds of split, chosen by ``kind`` (or the ``kind`` key of the split config):

``hash``
    Every entity id is hashed to a bucket in [0, 1); with the default fractions train is
    bucket < 0.70, validation 0.70 <= bucket < 0.85 and test bucket >= 0.85. A customer lands in
    the same set on every run, machine and mlcore version, so models trained on January's and
    February's snapshots are compared on the same unseen test customers.
``oot`` (out of time)
    By a date column: train is before the validation cutoff, validation before the test cutoff,
    test from the test cutoff on. An optional gap (embargo) ends each earlier set ``gap`` before
    the next cutoff; rows in a gap are dropped, so a label looking ``gap`` ahead cannot see the
    later set.
``combined``
    Both: each set holds its own entities (by hash) in its own period (by date), so the test set
    is unseen entities in a later period. Rows of an entity outside its set's period (a test
    customer's earlier rows, which would otherwise sit in train) are dropped and counted.

For cross-validation and hyperparameter search, :class:`HashGroupKFold` (grouped k-fold on
hashed ids) and :class:`OutOfTimeSplit` (expanding window at date cutoffs) are scikit-learn
splitters. :func:`hash_codes` is the machinery shared with folds, undersampling
(:mod:`mlcore.sampling`) and campaign groups (:mod:`mlcore.experiment`), each with its own salt.

Split config keys (a plain mapping, e.g. the ``split`` section of a pipeline config):

=============  ===============  ============================================================
key            kinds            meaning
=============  ===============  ============================================================
kind           all              ``"hash"`` (default), ``"oot"`` or ``"combined"``
fractions      hash, combined   ``{"train": .70, "validation": .15, "test": .15}`` (default)
salt           hash, combined   string mixed into the hash (default ``""``)
cutoffs        oot, combined    ``{"validation": "2024-07-01", "test": "2024-09-01"}``
gap_days       oot, combined    embargo in days before each cutoff (default 0)
gap_months     oot, combined    embargo in calendar months before each cutoff (default 0)
=============  ===============  ============================================================

The hash (a fixed specification, identical on every platform; changing it is a breaking change):

- ``splitmix64(x)``: the finalizer of Steele, Lea & Flood (2014) on unsigned 64-bit integers
  with wrap-around: ``x += 0x9E3779B97F4A7C15; x = (x ^ x >> 30) * 0xBF58476D1CE4E5B9;
  x = (x ^ x >> 27) * 0x94D049BB133111EB; x ^= x >> 31``.
- integer id ``v`` (any width, signed or unsigned; integral floats count as integers):
  ``h = splitmix64(v mod 2**64)``.
- string id: its UTF-8 bytes are cut into 8-byte little-endian words, the last one zero-padded;
  ``h = 0``, then ``h = splitmix64(h ^ w)`` for each word ``w``, then
  ``h = splitmix64(h ^ number_of_bytes)``. The same id typed as int and as string (``42`` and
  ``"42"``) hashes differently: keep the entity column's type stable.
- a non-empty salt: ``h = splitmix64(h ^ k)`` with ``k`` = the little-endian integer of
  ``hashlib.blake2b(salt.encode("utf-8"), digest_size=8).digest()``.
- ``bucket = (h >> 11) / 2**53``, an exact float in [0, 1).
- with fractions ``f_1..f_n`` (in set order) and thresholds ``c_j = round(f_1 + ... + f_j, 12)``,
  set ``j`` holds ``c_(j-1) <= bucket < c_j`` and the last set takes the rest. The code compares
  ``h >> 11`` with the integers ``ceil(c_j * 2**53)``, which is the same decision exactly.

Example:
    >>> import pandas as pd
    >>> from mlcore.split import hash_split
    >>> sets = hash_split(pd.Series([1, 2, 3, 4]), {"train": 0.7, "validation": 0.15, "test": 0.15})
    >>> set(sets) <= {"train", "validation", "test"}
    True
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from sklearn.model_selection import BaseCrossValidator

from mlcore.errors import ConfigError, DataError

__all__ = [
    "DEFAULT_FRACTIONS",
    "SET_NAMES",
    "SPLIT_KINDS",
    "HashGroupKFold",
    "OutOfTimeSplit",
    "SplitResult",
    "as_dates",
    "bucket_codes",
    "check_fractions",
    "hash64",
    "hash_bucket",
    "hash_codes",
    "hash_split",
    "require_columns",
    "split_frame",
    "split_from_config",
    "split_report",
]

SET_NAMES = ("train", "validation", "test")
SPLIT_KINDS = ("hash", "oot", "combined")
DEFAULT_FRACTIONS: Mapping[str, float] = {"train": 0.70, "validation": 0.15, "test": 0.15}

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = (np.uint64(s) for s in (30, 27, 31, 11))
_LOW_BYTES = np.array([(1 << (8 * r)) - 1 for r in range(9)], dtype=np.uint64)  # r low bytes set
_CHUNK = 1 << 15  # rows per block: the hash's temporaries stay in the CPU cache
_SET_LABELS = np.asarray(SET_NAMES, dtype=object)

Ids = pd.Series | pd.Index | np.ndarray | Sequence[Any]  # entity ids: integers or strings


# --- the hash ---------------------------------------------------------------------------------


def _mix(z: np.ndarray, tmp: np.ndarray) -> None:
    """splitmix64 in place on ``z`` (uint64, wrap-around), with ``tmp`` as scratch space."""
    z += _GOLDEN
    np.right_shift(z, _S30, out=tmp)
    z ^= tmp
    z *= _M1
    np.right_shift(z, _S27, out=tmp)
    z ^= tmp
    z *= _M2
    np.right_shift(z, _S31, out=tmp)
    z ^= tmp


def _salt_key(salt: str) -> np.uint64 | None:
    if not isinstance(salt, str):
        raise ConfigError(f"hash salt must be a string, got {type(salt).__name__} {salt!r}")
    if not salt:
        return None
    digest = hashlib.blake2b(salt.encode("utf-8"), digest_size=8).digest()
    return np.uint64(int.from_bytes(digest, "little"))


def _missing_error(mask: np.ndarray) -> DataError:
    first = int(np.flatnonzero(mask)[0])
    return DataError(
        f"entity ids: {int(mask.sum())} missing value(s) (first at position {first}); "
        "every row needs an entity id"
    )


def _integers(ids: pd.Series) -> np.ndarray:
    """Numeric ids as uint64 (the integer value mod 2**64); non-integral floats are an error."""
    if ids.hasnans:
        raise _missing_error(ids.isna().to_numpy())
    if pd.api.types.is_object_dtype(ids.dtype):
        ids = ids.astype(np.int64)
    if pd.api.types.is_integer_dtype(ids.dtype):
        unsigned64 = str(ids.dtype).lower() == "uint64"
        return ids.to_numpy(dtype=np.uint64 if unsigned64 else np.int64).view(np.uint64)
    values = ids.to_numpy(dtype=np.float64)
    bad = (values != np.trunc(values)) | (np.abs(values) >= 2.0**63)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise DataError(
            f"entity ids must be integers or strings; float id {float(values[first])} at "
            f"position {first} is not an integer"
        )
    return values.astype(np.int64).view(np.uint64)


def _hash_input(ids: pd.Series) -> np.ndarray | list[pa.Array]:
    """Integer ids as uint64, or string ids as Arrow UTF-8 arrays (zero-copy when Arrow-backed)."""
    dtype = ids.dtype
    if pd.api.types.is_bool_dtype(dtype):
        raise DataError("entity ids must be integers or strings, got booleans")
    if pd.api.types.is_integer_dtype(dtype) or pd.api.types.is_float_dtype(dtype):
        return _integers(ids)
    if not (pd.api.types.is_string_dtype(dtype) or pd.api.types.is_object_dtype(dtype)):
        raise DataError(f"entity ids must be integers or strings, got dtype {dtype}")
    try:
        arrow = pa.array(ids, type=pa.large_string(), from_pandas=True)
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        kind = pd.api.types.infer_dtype(ids, skipna=True)
        if kind == "integer":  # Python ints in an object column
            return _integers(ids)
        raise DataError(
            f"entity ids must be all integers or all strings, got {kind!r} values"
        ) from None
    if arrow.null_count:
        raise _missing_error(arrow.is_null().to_numpy(zero_copy_only=False))
    return list(arrow.chunks) if isinstance(arrow, pa.ChunkedArray) else [arrow]


def _hash_utf8(words: np.ndarray, starts: np.ndarray, lengths: np.ndarray, z: np.ndarray) -> None:
    """Hash a block of strings into ``z``; ``words[i]`` is the 8 bytes starting at byte ``i``."""
    tmp = np.empty_like(z)
    n_words = (lengths + 7) >> 3
    every_row, some_row = (int(n_words.min()), int(n_words.max())) if len(z) else (0, 0)
    last = len(words) - 1
    z.fill(0)
    for k in range(some_row):
        left = np.clip(lengths - 8 * k, 0, 8)
        word = words[np.minimum(starts + 8 * k, last)] & _LOW_BYTES[left]
        if k < every_row:
            z ^= word
            _mix(z, tmp)
        else:  # some strings are shorter: only the rows that still have a word k take it
            word ^= z
            _mix(word, tmp)
            np.copyto(z, word, where=n_words > k)
    z ^= lengths.astype(np.uint64)
    _mix(z, tmp)


def _hash_arrow_strings(array: pa.Array, out: np.ndarray) -> None:
    _, offsets_buf, data_buf = array.buffers()
    offsets = np.frombuffer(offsets_buf, dtype=np.int64)[
        array.offset : array.offset + len(array) + 1
    ]
    first, stop = int(offsets[0]), int(offsets[-1])
    padded = np.zeros(stop - first + 8, dtype=np.uint8)  # 8 spare bytes: every read is in bounds
    if data_buf is not None:
        padded[: stop - first] = np.frombuffer(data_buf, dtype=np.uint8)[first:stop]
    # An overlapping little-endian uint64 view: element i is bytes i..i+7 of the data.
    words = np.ndarray(shape=(len(padded) - 7,), dtype="<u8", buffer=padded, strides=(1,))
    starts = offsets[:-1] - first
    lengths = np.diff(offsets)
    for lo in range(0, len(array), _CHUNK):
        hi = min(lo + _CHUNK, len(array))
        _hash_utf8(words, starts[lo:hi], lengths[lo:hi], out[lo:hi])


def hash64(ids: Ids, salt: str = "") -> np.ndarray:
    """The documented 64-bit hash (see the module docstring) of each id, as uint64.

    Ids are integers (any integer dtype, or integral floats) or strings (Arrow-backed, object or
    NumPy unicode); a categorical column hashes its categories. Missing ids are an error.

    Example:
        >>> int(hash64(np.array([0], dtype=np.int64))[0]) == 0xE220A8397B1DCDAF
        True
    """
    series = ids if isinstance(ids, pd.Series) else pd.Series(ids, copy=False)
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes = series.cat.codes.to_numpy()
        if (codes < 0).any():
            raise _missing_error(codes < 0)
        return hash64(series.cat.categories.to_series(), salt)[codes]
    key = _salt_key(salt)
    out = np.empty(len(series), dtype=np.uint64)
    tmp = np.empty(min(_CHUNK, len(series)), dtype=np.uint64)
    values = _hash_input(series)
    if isinstance(values, np.ndarray):
        for lo in range(0, len(series), _CHUNK):
            z = out[lo : lo + _CHUNK]
            z[...] = values[lo : lo + _CHUNK]
            _mix(z, tmp[: len(z)])
    else:
        start = 0
        for array in values:
            _hash_arrow_strings(array, out[start : start + len(array)])
            start += len(array)
    if key is not None:
        for lo in range(0, len(series), _CHUNK):
            z = out[lo : lo + _CHUNK]
            z ^= key
            _mix(z, tmp[: len(z)])
    return out


def hash_bucket(ids: Ids, salt: str = "") -> np.ndarray:
    """Map each id to a stable bucket in [0, 1): ``(hash64(id) >> 11) / 2**53``.

    A set is a bucket interval (see :func:`bucket_codes`), so the floats say exactly where each id
    goes.

    Example:
        >>> bool(hash_bucket(np.array([42]))[0] == hash_bucket(np.array([42, 7]))[0])
        True
    """
    return (hash64(ids, salt) >> _S11).astype(np.float64) * 2.0**-53


# --- from hashes to sets ----------------------------------------------------------------------


def check_fractions(
    fractions: Mapping[str, float], names: Sequence[str], *, what: str = "split fractions"
) -> list[float]:
    """Validate ``fractions`` (one per name, >= 0, summing to 1) and return them in ``names`` order.

    A name left out gets 0. Raises :class:`~mlcore.errors.ConfigError` naming the problem.

    Example:
        >>> check_fractions({"test": 0.2, "train": 0.8}, SET_NAMES)
        [0.8, 0.0, 0.2]
    """
    if not isinstance(fractions, Mapping):
        raise ConfigError(f"{what} must be a mapping like {{name: fraction}}, got {fractions!r}")
    unknown = sorted(set(fractions) - set(names), key=str)
    if unknown:
        raise ConfigError(f"{what}: unknown name(s) {unknown}; use {list(names)}")
    values = []
    for name in names:
        value = fractions.get(name, 0.0)
        if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
            raise ConfigError(f"{what}: {name} must be a number >= 0, got {value!r}")
        values.append(float(value))
    if abs(sum(values) - 1.0) > 1e-9:
        shown = ", ".join(f"{name}={value}" for name, value in zip(names, values, strict=True))
        raise ConfigError(f"{what} must sum to 1, got {shown} (sum {sum(values):.6g})")
    return values


def bucket_codes(hashes: np.ndarray, fractions: Sequence[float]) -> np.ndarray:
    """Set index of each uint64 hash: ``j`` when ``c_(j-1) <= bucket < c_j`` (module docstring).

    Example:
        >>> bucket_codes(np.array([0, 2**63, 2**64 - 1], dtype=np.uint64), [0.5, 0.5]).tolist()
        [0, 1, 1]
    """
    cumulative = np.cumsum(np.asarray(fractions, dtype=np.float64))[:-1]
    thresholds = [math.ceil(round(float(c), 12) * 2.0**53) for c in cumulative]
    top = hashes >> _S11
    codes = np.zeros(len(hashes), dtype=np.int8 if len(fractions) <= 127 else np.int32)
    if len(thresholds) <= 8:
        for threshold in thresholds:
            codes += top >= np.uint64(threshold)
        return codes
    return np.searchsorted(np.asarray(thresholds, dtype=np.uint64), top, side="right").astype(
        codes.dtype
    )


def hash_codes(
    ids: Ids,
    fractions: Sequence[float],
    salt: str = "",
) -> np.ndarray:
    """Group index of each id for groups of the given ``fractions`` (in order), by its hash.

    The shared machinery of splits, folds, sampling and campaign groups; give each use its own
    salt so the groupings are independent of one another.

    Example:
        >>> hash_codes(np.arange(4), [1.0, 0.0]).tolist()
        [0, 0, 0, 0]
    """
    return bucket_codes(hash64(ids, salt), fractions)


def hash_split(
    ids: Ids,
    fractions: Mapping[str, float] = DEFAULT_FRACTIONS,
    salt: str = "",
) -> np.ndarray:
    """Assign each id to ``train``, ``validation`` or ``test`` by its hash bucket.

    With the default fractions, train is bucket < 0.70, validation 0.70 <= bucket < 0.85, and test
    bucket >= 0.85. Returns an object array of set names.

    Example:
        >>> hash_split(np.arange(5), {"train": 1.0, "validation": 0.0, "test": 0.0}).tolist()
        ['train', 'train', 'train', 'train', 'train']
    """
    codes = hash_codes(ids, check_fractions(fractions, SET_NAMES), salt)
    return _SET_LABELS.take(codes)


# --- splitting a frame ------------------------------------------------------------------------


@dataclass(frozen=True)
class SplitResult:
    """The three sets of a split, a per-set report and the rows dropped to avoid leakage."""

    train: pd.DataFrame
    validation: pd.DataFrame
    test: pd.DataFrame
    report: pd.DataFrame
    dropped: int = 0

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in SET_NAMES:
            raise KeyError(f"no set {name!r} in a split; use one of {list(SET_NAMES)}")
        return getattr(self, name)


def split_report(
    parts: Mapping[str, pd.DataFrame],
    *,
    entity_col: str,
    target_col: str | None = None,
    date_col: str | None = None,
) -> pd.DataFrame:
    """One row per set: rows, entities, and the positive rate and date range when given.

    Example:
        >>> df = pd.DataFrame({"id": [1, 1, 2], "y": [0, 1, 1]})
        >>> split_report({"train": df}, entity_col="id", target_col="y").to_dict("records")
        [{'set': 'train', 'rows': 3, 'entities': 2, 'positive_rate': 0.6666666666666666}]
    """
    rows = []
    for name, part in parts.items():
        row: dict[str, Any] = {
            "set": name,
            "rows": len(part),
            "entities": int(part[entity_col].nunique()),
        }
        if target_col is not None:
            row["positive_rate"] = float(part[target_col].mean()) if len(part) else float("nan")
        if date_col is not None:
            row["date_min"] = part[date_col].min()
            row["date_max"] = part[date_col].max()
        rows.append(row)
    return pd.DataFrame(rows)


def require_columns(frame: pd.DataFrame, *, what: str, **columns: str | None) -> None:
    """Check that ``frame`` is a non-empty DataFrame with the columns, else raise DataError.

    Each keyword names a column's role for the message (``entity_col="id"``); ``None`` is skipped.

    Example:
        >>> require_columns(pd.DataFrame({"id": [1]}), what="split", entity_col="id")
    """
    if not isinstance(frame, pd.DataFrame):
        raise DataError(f"{what}: expected a pandas DataFrame, got {type(frame).__name__}")
    missing = [f"{col!r} ({role})" for role, col in columns.items() if col and col not in frame]
    if missing:
        raise DataError(f"{what}: missing column(s) {', '.join(missing)} in the data")
    if frame.empty:
        raise DataError(f"{what}: the data has no rows")


def as_dates(values: pd.Series, *, what: str) -> pd.Series:
    """``values`` as naive datetimes (converted to UTC if tz-aware); numbers and NaT are errors.

    Example:
        >>> as_dates(pd.Series(["2024-01-31"], name="d"), what="split").dt.month.tolist()
        [1]
    """
    if pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype):
        raise DataError(f"{what}: date column {values.name!r} holds {values.dtype}, not dates")
    try:
        dates = pd.to_datetime(values)
    except (TypeError, ValueError) as exc:
        raise DataError(
            f"{what}: date column {values.name!r} does not hold dates ({exc})"
        ) from None
    if dates.dt.tz is not None:
        dates = dates.dt.tz_convert("UTC").dt.tz_localize(None)
    if dates.hasnans:
        raise DataError(
            f"{what}: date column {values.name!r} has {int(dates.isna().sum())} missing value(s)"
        )
    return dates


def _cutoffs(cutoffs: Mapping[str, Any] | None, gap: pd.DateOffset) -> list[pd.Timestamp]:
    """Period boundaries ``[validation - gap, validation, test - gap, test]`` (naive)."""
    if not isinstance(cutoffs, Mapping) or set(cutoffs) != {"validation", "test"}:
        raise ConfigError(
            "split cutoffs must be a mapping with exactly the keys 'validation' and 'test' "
            f"(dates), got {cutoffs!r}"
        )
    parsed = {}
    for name in ("validation", "test"):
        try:
            stamp = pd.Timestamp(cutoffs[name])
        except (TypeError, ValueError):
            raise ConfigError(f"split cutoffs.{name}: not a date: {cutoffs[name]!r}") from None
        if stamp is pd.NaT:
            raise ConfigError(f"split cutoffs.{name}: not a date: {cutoffs[name]!r}")
        parsed[name] = stamp.tz_convert("UTC").tz_localize(None) if stamp.tz else stamp
    valid, test = parsed["validation"], parsed["test"]
    if not valid < test:
        raise ConfigError(
            f"split cutoffs out of order: validation ({valid.date()}) must be before "
            f"test ({test.date()})"
        )
    if not valid < test - gap:
        raise ConfigError(
            f"split gap {gap} leaves no validation period between the cutoffs {valid.date()} "
            f"and {test.date()}"
        )
    return [valid - gap, valid, test - gap, test]


def _gap(gap_days: int, gap_months: int) -> pd.DateOffset:
    for name, value in (("gap_days", gap_days), ("gap_months", gap_months)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
            raise ConfigError(f"split {name} must be an integer >= 0, got {value!r}")
    return pd.DateOffset(months=int(gap_months), days=int(gap_days))


# Period code by the number of boundaries <= date: before, gap, validation, gap, test.
_PERIOD_OF_SLOT = np.array([0, -1, 1, -1, 2], dtype=np.int8)


def _period_codes(dates: pd.Series, boundaries: Sequence[pd.Timestamp]) -> np.ndarray:
    edges = np.array([b.to_datetime64() for b in boundaries], dtype="datetime64[ns]")
    slots = np.searchsorted(edges, dates.to_numpy(dtype="datetime64[ns]"), side="right")
    return _PERIOD_OF_SLOT[slots]


def split_frame(
    frame: pd.DataFrame,
    *,
    entity_col: str,
    fractions: Mapping[str, float] | None = None,
    salt: str = "",
    target_col: str | None = None,
    kind: str = "hash",
    date_col: str | None = None,
    cutoffs: Mapping[str, Any] | None = None,
    gap_days: int = 0,
    gap_months: int = 0,
) -> SplitResult:
    """Split a frame into train / validation / test by entity hash, by date, or both.

    ``fractions`` (default :data:`DEFAULT_FRACTIONS`) and ``salt`` drive the ``hash`` and
    ``combined`` kinds; ``date_col``, ``cutoffs`` and the gap drive ``oot`` and ``combined``. All
    rows of an entity go to one set (``hash``), or to their entity's set when in its period
    (``combined``). The report has one row per set, with date ranges when ``date_col`` is given.

    Example:
        >>> df = pd.DataFrame({"id": range(100), "y": [0, 1] * 50})
        >>> res = split_frame(df, entity_col="id", fractions=DEFAULT_FRACTIONS)
        >>> int(res.report["rows"].sum()), res.dropped
        (100, 0)
    """
    if kind not in SPLIT_KINDS:
        raise ConfigError(f"split kind must be one of {list(SPLIT_KINDS)}, got {kind!r}")
    if kind != "hash" and date_col is None:
        raise ConfigError(f"split kind {kind!r} needs a date column (date_col)")
    require_columns(
        frame, what="split", entity_col=entity_col, date_col=date_col, target_col=target_col
    )
    if kind == "oot":
        codes = None
    else:
        ratios = check_fractions(DEFAULT_FRACTIONS if fractions is None else fractions, SET_NAMES)
        codes = hash_codes(frame[entity_col], ratios, salt)
    if kind != "hash":
        boundaries = _cutoffs(cutoffs, _gap(gap_days, gap_months))
        periods = _period_codes(as_dates(frame[date_col], what="split"), boundaries)
        codes = periods if codes is None else np.where(codes == periods, periods, np.int8(-1))
    parts = {
        name: frame.take(np.flatnonzero(codes == index)).reset_index(drop=True)
        for index, name in enumerate(SET_NAMES)
    }
    report = split_report(parts, entity_col=entity_col, target_col=target_col, date_col=date_col)
    return SplitResult(**parts, report=report, dropped=int((codes < 0).sum()))


_CONFIG_KEYS = {
    "hash": {"kind", "fractions", "salt"},
    "oot": {"kind", "cutoffs", "gap_days", "gap_months"},
    "combined": {"kind", "fractions", "salt", "cutoffs", "gap_days", "gap_months"},
}


def split_from_config(
    frame: pd.DataFrame,
    cfg: Mapping[str, Any],
    *,
    entity_col: str,
    date_col: str | None = None,
    target_col: str | None = None,
) -> SplitResult:
    """Run :func:`split_frame` as the split config says (keys in the module docstring).

    Example:
        >>> df = pd.DataFrame({"id": range(10), "y": [0, 1] * 5})
        >>> split_from_config(df, {"kind": "hash", "salt": "v1"}, entity_col="id").dropped
        0
    """
    if not isinstance(cfg, Mapping):
        raise ConfigError(f"split config must be a mapping, got {cfg!r}")
    kind = cfg.get("kind", "hash")
    if kind not in _CONFIG_KEYS:
        raise ConfigError(f"split.kind must be one of {list(SPLIT_KINDS)}, got {kind!r}")
    unknown = sorted(set(cfg) - _CONFIG_KEYS[kind])
    if unknown:
        raise ConfigError(
            f"split: key(s) {unknown} do not apply to kind {kind!r}; "
            f"its keys are {sorted(_CONFIG_KEYS[kind])}"
        )
    return split_frame(
        frame,
        entity_col=entity_col,
        fractions=cfg.get("fractions"),
        salt=cfg.get("salt", ""),
        target_col=target_col,
        kind=kind,
        date_col=date_col,
        cutoffs=cfg.get("cutoffs"),
        gap_days=cfg.get("gap_days", 0),
        gap_months=cfg.get("gap_months", 0),
    )


# --- scikit-learn splitters -------------------------------------------------------------------


class HashGroupKFold(BaseCrossValidator):
    """Grouped k-fold by the hash of the group (entity) id: a group's fold never changes.

    The default salt differs from the split's, so the folds of a training set are balanced (the
    training set's buckets all lie below the train fraction). Pass ``groups`` to ``split``, or to
    ``cross_validate`` / ``GridSearchCV.fit``.

    Example:
        >>> cv = HashGroupKFold(n_splits=3)
        >>> folds = [test for _, test in cv.split(np.zeros(6), groups=[1, 1, 2, 3, 4, 5])]
        >>> sorted(int(i) for test in folds for i in test)
        [0, 1, 2, 3, 4, 5]
    """

    __metadata_request__split = {"groups": True}  # scikit-learn's marker: split() uses groups

    def __init__(self, n_splits: int = 5, *, salt: str = "kfold") -> None:
        self.n_splits = n_splits
        self.salt = salt

    def get_n_splits(self, X: Any = None, y: Any = None, groups: Any = None) -> int:
        """The number of folds."""
        return self.n_splits

    def _iter_test_masks(self, X: Any = None, y: Any = None, groups: Any = None) -> Iterator:
        if isinstance(self.n_splits, bool) or not isinstance(self.n_splits, int | np.integer):
            raise ConfigError(f"HashGroupKFold: n_splits must be an integer, got {self.n_splits!r}")
        if self.n_splits < 2:
            raise ConfigError(f"HashGroupKFold: n_splits must be >= 2, got {self.n_splits}")
        if groups is None:
            raise DataError("HashGroupKFold: pass the entity ids as 'groups'")
        folds = hash_codes(groups, [1.0 / self.n_splits] * self.n_splits, self.salt)
        sizes = np.bincount(folds, minlength=self.n_splits)
        if (sizes == 0).any():
            raise DataError(
                f"HashGroupKFold: fold {int(np.argmin(sizes))} is empty; "
                f"{pd.Series(groups).nunique()} groups are too few for {self.n_splits} folds"
            )
        for fold in range(self.n_splits):
            yield folds == fold


class OutOfTimeSplit(BaseCrossValidator):
    """Expanding-window splits at date cutoffs: train before ``cutoff - gap``, test to the next cutoff.

    ``X`` must be a DataFrame holding ``date_col``. Split ``i`` tests on
    ``cutoffs[i] <= date < cutoffs[i + 1]`` (the last one to the end of the data) and trains on
    ``date < cutoffs[i] - gap``; rows in the gap and after the test window are in neither.

    Example:
        >>> X = pd.DataFrame({"d": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"])})
        >>> [(t.tolist(), v.tolist()) for t, v in OutOfTimeSplit("d", ["2024-02-01"]).split(X)]
        [([0], [1, 2])]
    """

    def __init__(
        self, date_col: str, cutoffs: Sequence[Any], *, gap_days: int = 0, gap_months: int = 0
    ) -> None:
        self.date_col = date_col
        self.cutoffs = cutoffs
        self.gap_days = gap_days
        self.gap_months = gap_months

    def get_n_splits(self, X: Any = None, y: Any = None, groups: Any = None) -> int:
        """The number of cutoffs."""
        return len(self.cutoffs)

    def split(self, X: pd.DataFrame, y: Any = None, groups: Any = None) -> Iterator:
        """Yield ``(train_indices, test_indices)`` for each cutoff."""
        if not isinstance(X, pd.DataFrame) or self.date_col not in X:
            raise DataError(
                f"OutOfTimeSplit: X must be a DataFrame with the date column {self.date_col!r}"
            )
        gap = _gap(self.gap_days, self.gap_months)
        stamps = [pd.Timestamp(c) for c in self.cutoffs]
        if not stamps or any(a >= b for a, b in pairwise(stamps)):
            raise ConfigError(
                f"OutOfTimeSplit: cutoffs must be one or more increasing dates, got {self.cutoffs!r}"
            )
        dates = as_dates(X[self.date_col], what="OutOfTimeSplit")
        ends = [*stamps[1:], None]
        for start, end in zip(stamps, ends, strict=True):
            train = np.flatnonzero((dates < start - gap).to_numpy())
            in_window = dates >= start if end is None else (dates >= start) & (dates < end)
            test = np.flatnonzero(in_window.to_numpy())
            if len(train) == 0 or len(test) == 0:
                raise DataError(
                    f"OutOfTimeSplit: cutoff {start.date()} leaves an empty "
                    f"{'training' if len(train) == 0 else 'test'} set"
                )
            yield train, test
