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

from mlcore.split._config import codes_from_config, split_from_config
from mlcore.split._cv import HashGroupKFold, OutOfTimeSplit
from mlcore.split._hash import (
    DEFAULT_FRACTIONS,
    SET_NAMES,
    bucket_codes,
    check_fractions,
    hash64,
    hash_bucket,
    hash_codes,
    hash_split,
)
from mlcore.split._hash import Ids as Ids  # the entity-id type, for annotations elsewhere
from mlcore.split._split import SPLIT_KINDS, SplitResult, set_codes, split_frame, split_report

__all__ = [
    "DEFAULT_FRACTIONS",
    "SET_NAMES",
    "SPLIT_KINDS",
    "HashGroupKFold",
    "OutOfTimeSplit",
    "SplitResult",
    "bucket_codes",
    "check_fractions",
    "codes_from_config",
    "hash64",
    "hash_bucket",
    "hash_codes",
    "hash_split",
    "set_codes",
    "split_frame",
    "split_from_config",
    "split_report",
]
