"""mlcore.split: entity-stable hash split, out-of-time split, both combined, sklearn splitters."""

import hashlib

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_validate

from mlcore.errors import ConfigError, DataError
from mlcore.split import (
    DEFAULT_FRACTIONS,
    SET_NAMES,
    HashGroupKFold,
    OutOfTimeSplit,
    bucket_codes,
    hash64,
    hash_bucket,
    hash_codes,
    hash_split,
    split_frame,
    split_from_config,
)

FAST = settings(max_examples=40, deadline=None)
INT64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)

# --- the hash specification, written out independently in plain Python ---------------------

_MASK = (1 << 64) - 1


def _splitmix64(x: int) -> int:
    x = (x + 0x9E3779B97F4A7C15) & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


def _spec_hash(value: int | str, salt: str = "") -> int:
    if isinstance(value, int):
        h = _splitmix64(value & _MASK)
    else:
        data = value.encode("utf-8")
        h = 0
        for i in range(0, len(data), 8):
            h = _splitmix64(h ^ int.from_bytes(data[i : i + 8], "little"))
        h = _splitmix64(h ^ len(data))
    if salt:
        key = hashlib.blake2b(salt.encode("utf-8"), digest_size=8).digest()
        h = _splitmix64(h ^ int.from_bytes(key, "little"))
    return h


# --- golden values: these must never change --------------------------------------------------

GOLDEN_INTS = [0, 1, -1, 42, 1_000_001, 2**31, 2**63 - 1, -(2**63)]
GOLDEN_INT_BUCKETS = [
    0.8833108082136426,
    0.5665615751722809,
    0.8939429202831845,
    0.7415648787718233,
    0.7987342702639898,
    0.1456487640263242,
    0.16564699010451844,
    0.2817192454992108,
]
GOLDEN_INT_BUCKETS_SALT_V2 = [
    0.5353027402852963,
    0.04906588855672567,
    0.5703786767653618,
    0.13344826372217966,
    0.7352544252299379,
    0.9204781513223271,
    0.24558915251764712,
    0.4510079235266966,
]
GOLDEN_STRINGS = [
    "",
    "a",
    "42",
    "customer-0001",
    "exactly8",
    "longer than eight bytes",
    "Zoë",
    "Łódź-7",
    "日本語",
    "🙂",
]
GOLDEN_STRING_BUCKETS = [
    0.8833108082136426,
    0.07068269327928589,
    0.6489509481935768,
    0.9814120020471573,
    0.6775554857382872,
    0.6099998140637376,
    0.33367831093808353,
    0.28823262571972985,
    0.8008816126523344,
    0.9200835746808508,
]
GOLDEN_STRING_BUCKETS_SALT_V2 = [
    0.5353027402852963,
    0.0014437791397328148,
    0.5220022146309721,
    0.21354306579079052,
    0.6997439785931334,
    0.15623271591637444,
    0.18978248358312577,
    0.6953099195827579,
    0.11361512465462664,
    0.8239334389368314,
]


def test_golden_buckets_of_int64_ids_never_change():
    ids = np.array(GOLDEN_INTS, dtype=np.int64)
    assert hash_bucket(ids).tolist() == GOLDEN_INT_BUCKETS
    assert hash_bucket(ids, salt="v2").tolist() == GOLDEN_INT_BUCKETS_SALT_V2


def test_golden_buckets_of_string_ids_including_non_ascii_never_change():
    assert hash_bucket(GOLDEN_STRINGS).tolist() == GOLDEN_STRING_BUCKETS
    assert hash_bucket(GOLDEN_STRINGS, salt="v2").tolist() == GOLDEN_STRING_BUCKETS_SALT_V2


def test_golden_values_follow_the_written_specification():
    assert (
        int(hash64(np.array([0]))[0]) == 0xE220A8397B1DCDAF
    )  # splitmix64's published first output
    for value, bucket in [
        *zip(GOLDEN_INTS, GOLDEN_INT_BUCKETS, strict=True),
        *zip(GOLDEN_STRINGS, GOLDEN_STRING_BUCKETS, strict=True),
    ]:
        assert (_spec_hash(value) >> 11) / 2**53 == bucket


@FAST
@given(st.lists(INT64, max_size=50), st.sampled_from(["", "v2", "ü"]))
def test_vectorized_hash_of_ints_equals_the_specification(values, salt):
    got = hash64(np.array(values, dtype=np.int64), salt)
    assert [int(h) for h in got] == [_spec_hash(v, salt) for v in values]


@FAST
@given(st.lists(st.text(max_size=30), max_size=50), st.sampled_from(["", "v2"]))
def test_vectorized_hash_of_strings_equals_the_specification(values, salt):
    got = hash64(pd.Series(values, dtype="str"), salt)
    assert [int(h) for h in got] == [_spec_hash(v, salt) for v in values]


def test_an_integer_id_hashes_the_same_whatever_its_dtype():
    expected = hash64(np.array([3, 17, 99], dtype=np.int64))
    for ids in (
        np.array([3, 17, 99], dtype=np.int32),
        np.array([3, 17, 99], dtype=np.uint64),
        pd.Series([3, 17, 99], dtype="Int64"),
        pd.Series([3.0, 17.0, 99.0]),
        np.array([3, 17, 99], dtype=object),
        [3, 17, 99],
        pd.Index([3, 17, 99]),
    ):
        assert (hash64(ids) == expected).all(), ids


def test_a_string_id_hashes_the_same_whatever_its_storage():
    values = ["c-1", "Zoë", "日本語", "a much longer customer identifier"]
    expected = hash64(pd.Series(values, dtype="str"))
    for ids in (
        np.array(values, dtype=object),
        np.array(values),
        pd.Series(values, dtype="string[python]"),
        pd.Series(values, dtype="category"),
        pd.Series(["x", *values]).iloc[1:],  # a sliced Arrow array
        values,
    ):
        assert (hash64(ids) == expected).all(), ids


@FAST
@given(
    st.lists(INT64, min_size=1, max_size=40, unique=True),
    st.lists(INT64, max_size=40),
)
def test_an_ids_set_never_changes_when_other_ids_are_added_or_removed(ids, others):
    alone = hash_split(np.array(ids, dtype=np.int64))
    mixed = hash_split(np.array(others + ids + others, dtype=np.int64))
    assert (mixed[len(others) : len(others) + len(ids)] == alone).all()
    assert (hash_split(np.array(ids[:1], dtype=np.int64)) == alone[:1]).all()


@FAST
@given(st.lists(st.text(max_size=20), min_size=1, max_size=40), st.lists(st.text(max_size=40)))
def test_a_string_ids_set_never_changes_when_longer_or_shorter_ids_join(ids, others):
    alone = hash_split(ids)
    assert (hash_split(others + ids)[len(others) :] == alone).all()


fraction_triples = st.tuples(
    st.integers(1, 98), st.integers(1, 98), st.sampled_from(["", "salt", "2024"])
).filter(lambda t: t[0] + t[1] < 100)


@settings(max_examples=8, deadline=None)
@given(fraction_triples, st.booleans())
def test_observed_fractions_are_within_half_a_percent_on_100k_ids(triple, strings):
    train, valid, salt = triple
    fractions = {"train": train / 100, "validation": valid / 100, "test": 1 - (train + valid) / 100}
    ids = np.arange(5_000_000, 5_100_000, dtype=np.int64)
    sets = hash_split(ids.astype(str) if strings else ids, fractions, salt)
    for name in SET_NAMES:
        assert abs((sets == name).mean() - fractions[name]) <= 0.005, name


@FAST
@given(
    st.lists(INT64, min_size=1, max_size=200),
    st.lists(st.floats(0, 1), min_size=1, max_size=12).filter(lambda f: sum(f) > 0),
)
def test_integer_thresholds_decide_exactly_as_the_bucket_floats(values, weights):
    fractions = [w / sum(weights) for w in weights]
    ids = np.array(values, dtype=np.int64)
    bucket = hash_bucket(ids)
    cut = [round(c, 12) for c in np.cumsum(fractions)[:-1]]
    expected = sum((bucket >= c).astype(int) for c in cut) if cut else np.zeros(len(ids), int)
    assert (hash_codes(ids, fractions) == expected).all()


def test_default_thresholds_are_train_below_070_validation_below_085_test_above():
    top = [int(0.70 * 2**53) - 1, int(0.70 * 2**53), int(0.85 * 2**53) - 1, int(0.85 * 2**53)]
    hashes = np.array([t << 11 for t in top], dtype=np.uint64)
    assert bucket_codes(hashes, [0.70, 0.15, 0.15]).tolist() == [0, 1, 1, 2]


def test_hash_split_returns_set_names():
    sets = hash_split(np.arange(1000), DEFAULT_FRACTIONS)
    assert sets.dtype == object and set(sets) == set(SET_NAMES)


# --- split_frame: hash ---------------------------------------------------------------------


def _panel(n_customers=300, months=("2024-01-01", "2024-02-01", "2024-03-01")):
    rng = np.random.default_rng(0)
    ids = np.repeat(np.arange(1000, 1000 + n_customers), len(months))
    dates = np.tile(pd.to_datetime(list(months)), n_customers)
    return pd.DataFrame({"id": ids, "month": dates, "y": rng.integers(0, 2, len(ids))})


def test_hash_sets_are_disjoint_by_entity_and_cover_every_row():
    frame = _panel()
    res = split_frame(frame, entity_col="id", fractions=DEFAULT_FRACTIONS, target_col="y")
    assert sum(len(res[name]) for name in SET_NAMES) == len(frame)
    entity_sets = [set(res[name]["id"]) for name in SET_NAMES]
    assert not (entity_sets[0] & entity_sets[1] or entity_sets[0] & entity_sets[2])
    assert not entity_sets[1] & entity_sets[2]
    assert res.dropped == 0


def test_a_customer_in_januarys_and_februarys_snapshots_is_in_the_same_set():
    frame = _panel(n_customers=500)
    january = split_frame(frame[frame["month"] == "2024-01-01"], entity_col="id")
    february = split_frame(frame[frame["month"] == "2024-02-01"].iloc[::-1], entity_col="id")
    for name in SET_NAMES:
        assert set(january[name]["id"]) == set(february[name]["id"])


def test_the_report_gives_rows_entities_positive_rate_and_dates_per_set():
    frame = _panel()
    res = split_frame(frame, entity_col="id", target_col="y", date_col="month")
    report = res.report.set_index("set")
    assert list(report.index) == list(SET_NAMES)
    assert list(report.columns) == ["rows", "entities", "positive_rate", "date_min", "date_max"]
    for name in SET_NAMES:
        part = res[name]
        assert report.loc[name, "rows"] == len(part)
        assert report.loc[name, "entities"] == part["id"].nunique()
        assert report.loc[name, "positive_rate"] == pytest.approx(part["y"].mean())
        assert report.loc[name, "date_min"] == pd.Timestamp("2024-01-01")
        assert report.loc[name, "date_max"] == pd.Timestamp("2024-03-01")


# --- split_frame: out of time and combined ---------------------------------------------------

days = st.integers(0, 365).map(lambda d: pd.Timestamp("2024-01-01") + pd.Timedelta(days=d))


@FAST
@given(
    st.lists(days, min_size=1, max_size=80),
    st.integers(1, 300),
    st.integers(1, 60),
    st.integers(0, 20),
)
def test_no_row_after_a_cutoff_lands_in_an_earlier_set(dates, start, length, gap):
    valid_cut = pd.Timestamp("2024-01-01") + pd.Timedelta(days=start)
    test_cut = valid_cut + pd.Timedelta(days=length + gap)
    frame = pd.DataFrame({"id": range(len(dates)), "d": dates})
    res = split_frame(
        frame,
        entity_col="id",
        kind="oot",
        date_col="d",
        cutoffs={"validation": valid_cut, "test": test_cut},
        gap_days=gap,
    )
    embargo = pd.Timedelta(days=gap)
    assert (res.train["d"] < valid_cut - embargo).all()
    assert res.validation["d"].between(valid_cut, test_cut - embargo, inclusive="left").all()
    assert (res.test["d"] >= test_cut).all()
    assert sum(len(res[name]) for name in SET_NAMES) + res.dropped == len(frame)


def test_oot_gap_rows_are_dropped_and_counted():
    frame = pd.DataFrame({"id": range(6), "d": pd.date_range("2024-01-01", periods=6, freq="MS")})
    res = split_from_config(
        frame,
        {
            "kind": "oot",
            "cutoffs": {"validation": "2024-03-01", "test": "2024-05-01"},
            "gap_months": 1,
        },
        entity_col="id",
        date_col="d",
    )
    assert res.train["d"].dt.month.tolist() == [1]
    assert res.validation["d"].dt.month.tolist() == [3]
    assert res.test["d"].dt.month.tolist() == [5, 6]
    assert res.dropped == 2  # February and April sit in the gaps


@FAST
@given(st.integers(50, 400), st.integers(0, 40), st.sampled_from(["", "s1"]))
def test_combined_split_never_puts_a_test_entity_in_train(n_customers, gap, salt):
    frame = _panel(n_customers, months=pd.date_range("2024-01-01", periods=8, freq="MS"))
    cutoffs = {"validation": "2024-05-01", "test": "2024-07-01"}
    res = split_frame(
        frame,
        entity_col="id",
        kind="combined",
        date_col="month",
        cutoffs=cutoffs,
        gap_days=gap,
        salt=salt,
        target_col="y",
    )
    train, valid, test = (set(res[name]["id"]) for name in SET_NAMES)
    assert not (test & train) and not (test & valid) and not (valid & train)
    assert (res.train["month"] < pd.Timestamp("2024-05-01") - pd.Timedelta(days=gap)).all()
    assert (res.test["month"] >= pd.Timestamp("2024-07-01")).all()
    assert sum(len(res[name]) for name in SET_NAMES) + res.dropped == len(frame)
    expected_sets = hash_split(frame["id"], DEFAULT_FRACTIONS, salt)
    assert set(res.test["id"]) <= set(frame.loc[expected_sets == "test", "id"])


def test_combined_split_drops_a_test_customers_earlier_rows():
    frame = _panel(200, months=pd.date_range("2024-01-01", periods=6, freq="MS"))
    cfg = {
        "kind": "combined",
        "fractions": DEFAULT_FRACTIONS,
        "salt": "",
        "cutoffs": {"validation": "2024-03-01", "test": "2024-05-01"},
        "gap_days": 0,
    }
    res = split_from_config(frame, cfg, entity_col="id", date_col="month", target_col="y")
    test_ids = frame.loc[hash_split(frame["id"]) == "test", "id"].unique()
    early_test_rows = frame["id"].isin(test_ids) & (frame["month"] < "2024-05-01")
    assert early_test_rows.sum() > 0
    assert not res.train["id"].isin(test_ids).any()
    kept = sum(len(res[name]) for name in SET_NAMES)
    assert res.dropped == len(frame) - kept >= early_test_rows.sum()


# --- config and errors --------------------------------------------------------------------


def test_split_from_config_defaults_to_the_hash_split():
    frame = _panel()
    res = split_from_config(frame, {}, entity_col="id")
    direct = split_frame(frame, entity_col="id", fractions=DEFAULT_FRACTIONS)
    assert all(res[name].equals(direct[name]) for name in SET_NAMES)


@pytest.mark.parametrize(
    ("cfg", "message"),
    [
        ({"kind": "random"}, "split.kind must be one of"),
        ({"kind": "hash", "cutoffs": {}}, r"key\(s\) \['cutoffs'\] do not apply to kind 'hash'"),
        ({"fractions": {"train": 0.7, "test": 0.2}}, "must sum to 1"),
        ({"fractions": {"train": 0.7, "holdout": 0.3}}, r"unknown name\(s\) \['holdout'\]"),
        ({"fractions": {"train": 1.2, "test": -0.2}}, "test must be a number >= 0"),
        ({"salt": 3}, "salt must be a string"),
        ({"kind": "oot"}, "cutoffs must be a mapping"),
        (
            {"kind": "oot", "cutoffs": {"validation": "2024-09-01", "test": "2024-07-01"}},
            "cutoffs out of order",
        ),
        (
            {"kind": "oot", "cutoffs": {"validation": "2024-07-01", "test": "bad"}},
            r"cutoffs.test: not a date",
        ),
        (
            {
                "kind": "oot",
                "cutoffs": {"validation": "2024-07-01", "test": "2024-08-01"},
                "gap_months": 1,
            },
            "leaves no validation period",
        ),
        (
            {
                "kind": "oot",
                "cutoffs": {"validation": "2024-07-01", "test": "2024-08-01"},
                "gap_days": -1,
            },
            "gap_days must be an integer >= 0",
        ),
    ],
)
def test_bad_split_config_says_which_key_is_wrong(cfg, message):
    with pytest.raises(ConfigError, match=message):
        split_from_config(_panel(), cfg, entity_col="id", date_col="month")


def test_bad_data_says_what_and_where():
    frame = _panel()
    with pytest.raises(DataError, match=r"missing column\(s\) 'customer' \(entity_col\)"):
        split_frame(frame, entity_col="customer")
    with pytest.raises(DataError, match=r"'churn' \(target_col\)"):
        split_frame(frame, entity_col="id", target_col="churn")
    with pytest.raises(DataError, match="has no rows"):
        split_frame(frame.iloc[:0], entity_col="id")
    with pytest.raises(DataError, match=r"1 missing value\(s\) \(first at position 2\)"):
        hash_split(pd.Series(["a", "b", None]))
    with pytest.raises(DataError, match="float id 1.5 at position 1 is not an integer"):
        hash_split(pd.Series([1.0, 1.5]))
    with pytest.raises(DataError, match="all integers or all strings"):
        hash_split(pd.Series([1, "a"], dtype=object))
    with pytest.raises(DataError, match="date column 'y' holds int64, not dates"):
        split_frame(
            frame,
            entity_col="id",
            kind="oot",
            date_col="y",
            cutoffs={"validation": "2024-02-01", "test": "2024-03-01"},
        )
    with pytest.raises(DataError, match=r"date column 'month' has 1 missing value\(s\)"):
        split_frame(
            frame.assign(month=frame["month"].where(frame.index != 3)),
            entity_col="id",
            kind="oot",
            date_col="month",
            cutoffs={"validation": "2024-02-01", "test": "2024-03-01"},
        )
    with pytest.raises(ConfigError, match="needs a date column"):
        split_frame(frame, entity_col="id", kind="combined")
    with pytest.raises(KeyError, match="no set 'holdout'"):
        split_frame(frame, entity_col="id")["holdout"]


# --- scikit-learn splitters ----------------------------------------------------------------


def _xy(n_customers=120, rows_each=3):
    rng = np.random.default_rng(1)
    groups = np.repeat(np.arange(n_customers), rows_each)
    X = rng.normal(size=(len(groups), 3))
    y = (X[:, 0] + rng.normal(size=len(groups)) > 0).astype(int)
    return X, y, groups


def test_hash_group_kfold_keeps_each_group_in_one_fold_across_calls():
    X, y, groups = _xy()
    cv = HashGroupKFold(n_splits=4)
    folds = list(cv.split(X, y, groups))
    assert len(folds) == cv.get_n_splits() == 4
    seen = np.concatenate([test for _, test in folds])
    assert sorted(seen.tolist()) == list(range(len(X)))
    for train, test in folds:
        assert not set(groups[train]) & set(groups[test])
    shuffled = np.random.default_rng(0).permutation(len(X))
    again = list(cv.split(X[shuffled], y[shuffled], groups[shuffled]))
    assert [set(groups[shuffled][t]) for _, t in again] == [set(groups[t]) for _, t in folds]


def test_hash_group_kfold_plugs_into_cross_validate_and_grid_search():
    X, y, groups = _xy()
    scores = cross_validate(LogisticRegression(), X, y, groups=groups, cv=HashGroupKFold(3))
    assert len(scores["test_score"]) == 3
    search = GridSearchCV(LogisticRegression(), {"C": [0.1, 1.0]}, cv=HashGroupKFold(3))
    search.fit(X, y, groups=groups)
    assert search.best_params_["C"] in (0.1, 1.0)


def test_hash_group_kfold_folds_of_a_training_set_are_balanced():
    ids = np.arange(20_000)
    train_ids = ids[hash_split(ids) == "train"]
    folds = hash_codes(train_ids, [0.2] * 5, "kfold")
    shares = np.bincount(folds) / len(train_ids)
    assert np.allclose(shares, 0.2, atol=0.02)


def test_hash_group_kfold_needs_groups_and_enough_of_them():
    X, y, groups = _xy(n_customers=2)
    with pytest.raises(DataError, match="pass the entity ids as 'groups'"):
        next(HashGroupKFold(3).split(X, y))
    with pytest.raises(DataError, match="groups are too few for 5 folds"):
        list(HashGroupKFold(5).split(X, y, groups))
    with pytest.raises(ConfigError, match="n_splits must be >= 2"):
        list(HashGroupKFold(1).split(X, y, groups))


def test_out_of_time_split_trains_before_each_cutoff_and_tests_until_the_next():
    dates = pd.date_range("2024-01-01", periods=12, freq="MS")
    X = pd.DataFrame({"d": np.repeat(dates, 10), "x": np.arange(120.0)})
    y = np.tile([0, 1], 60)
    cv = OutOfTimeSplit("d", ["2024-07-01", "2024-10-01"], gap_months=1)
    (train1, test1), (train2, test2) = cv.split(X)
    assert X["d"].iloc[train1].max() == pd.Timestamp("2024-05-01")
    assert X["d"].iloc[test1].min() == pd.Timestamp("2024-07-01")
    assert X["d"].iloc[test1].max() == pd.Timestamp("2024-09-01")
    assert X["d"].iloc[train2].max() == pd.Timestamp("2024-08-01")
    assert X["d"].iloc[test2].max() == pd.Timestamp("2024-12-01")
    model = DummyClassifier()
    scores = cross_validate(model, X[["x"]].assign(d=X["d"]), y, cv=cv)
    assert len(scores["test_score"]) == cv.get_n_splits() == 2


def test_out_of_time_split_rejects_unordered_cutoffs_and_empty_windows():
    X = pd.DataFrame({"d": pd.date_range("2024-01-01", periods=4, freq="MS")})
    with pytest.raises(ConfigError, match="increasing dates"):
        list(OutOfTimeSplit("d", ["2024-03-01", "2024-02-01"]).split(X))
    with pytest.raises(DataError, match="empty training set"):
        list(OutOfTimeSplit("d", ["2023-06-01"]).split(X))
    with pytest.raises(DataError, match="DataFrame with the date column 'when'"):
        list(OutOfTimeSplit("when", ["2024-02-01"]).split(X))
