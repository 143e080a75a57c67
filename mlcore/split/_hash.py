"""The entity hash: splitmix64 of the id (salted), its buckets, and groups of given fractions.

The specification is in the :mod:`mlcore.split` docstring; changing it is a breaking change.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from mlcore.errors import ConfigError, DataError

__all__ = [
    "DEFAULT_FRACTIONS",
    "SET_NAMES",
    "Ids",
    "bucket_codes",
    "check_fractions",
    "hash64",
    "hash_bucket",
    "hash_codes",
    "hash_split",
]

SET_NAMES = ("train", "validation", "test")
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
    """The documented 64-bit hash (see :mod:`mlcore.split`) of each id, as uint64.

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
    """Set index of each uint64 hash: ``j`` when ``c_(j-1) <= bucket < c_j`` (:mod:`mlcore.split`).

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
