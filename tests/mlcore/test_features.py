"""mlcore.features: roles, fitted statistics inside the pipeline, scoring-time robustness."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from lightgbm import LGBMClassifier
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import Pipeline
from sklearn.utils.estimator_checks import parametrize_with_checks

from mlcore.errors import ConfigError
from mlcore.features import (
    CastColumns,
    DateFeatures,
    FrequencyEncoder,
    build_preprocessor,
    infer_roles,
)

_STRING_OUTPUT = "outputs strings; the check compares transformer outputs as numbers"


def _expected_failed_checks(estimator):
    if isinstance(estimator, CastColumns) and estimator.to == "str":
        return {
            name: _STRING_OUTPUT
            for name in (
                "check_pipeline_consistency",
                "check_estimators_pickle",
                "check_transformer_data_not_an_array",
                "check_transformer_general",
                "check_methods_sample_order_invariance",
                "check_methods_subset_invariance",
                "check_fit_idempotent",
            )
        }
    return {}


@parametrize_with_checks(
    [CastColumns("float"), CastColumns("str"), FrequencyEncoder(), DateFeatures()],
    expected_failed_checks=_expected_failed_checks,
)
def test_transformers_pass_the_sklearn_estimator_checks(estimator, check):
    check(estimator)


def _churn_frame(n: int = 400, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    logins = rng.poisson(8, n).astype(float)
    frame = pd.DataFrame(
        {
            "customer_id": np.arange(n),
            "logins": logins,
            "age": np.where(rng.random(n) < 0.1, np.nan, rng.normal(40, 10, n).round()),
            "plan": rng.choice(["basic", "standard", "premium"], n),
            "zip_code": rng.choice([f"{10_000 + 7 * k}" for k in range(60)], n),
            "signup": pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 900, n), "D"),
        }
    )
    risk = -0.3 * logins + 1.0 * (frame["plan"] == "basic") + rng.normal(0, 1, n)
    return frame, (risk > np.quantile(risk, 0.7)).astype(int)


def _fitted_pipeline(frame, y, config=None) -> Pipeline:
    model = LGBMClassifier(
        n_estimators=20, min_child_samples=5, random_state=0, n_jobs=1, verbose=-1
    )
    pipe = Pipeline([("pre", build_preprocessor(frame, config or {})), ("model", model)])
    return pipe.fit(frame, y)


def test_scoring_uses_the_training_median_not_the_median_of_the_scored_data():
    # The talk's table: training median 1, test median 2; the test nulls must become 1.
    train = pd.DataFrame({"feature": [1, None, 1, 2, None, 1]}, dtype=float)
    test = pd.DataFrame({"feature": [None, None, 1, 2, 2, None]}, dtype=float)
    pre = build_preprocessor(train, {}).fit(train)
    imputed = pre.transform(test)
    assert imputed[:, 0].tolist() == [1, 1, 1, 2, 2, 1]
    assert imputed[:, 1].tolist() == [1, 1, 0, 0, 0, 1]  # the missing indicator
    assert pre.get_feature_names_out().tolist() == ["num__feature", "num__missingindicator_feature"]


def test_the_numeric_medians_are_those_of_sklearns_median_strategy():
    from sklearn.impute import SimpleImputer

    rng = np.random.default_rng(0)
    train = pd.DataFrame(rng.lognormal(size=(1001, 4)), columns=list("abcd"))
    train = train.mask(rng.random(train.shape) < 0.2)  # odd and even counts of present values
    pre = build_preprocessor(train, {}).fit(train)
    reference = SimpleImputer(strategy="median", add_indicator=True).fit(train)
    imputer = pre.named_transformers_["num"][-1]
    np.testing.assert_array_equal(imputer.statistics_, reference.statistics_)
    expected = reference.transform(train).astype(np.float32)  # the model's float32 input
    assert pre.transform(train).tolist() == expected.tolist()


def test_unseen_categories_and_all_missing_columns_do_not_crash_scoring():
    frame, y = _churn_frame()
    pipe = _fitted_pipeline(frame, y)
    scoring = frame.head(30).copy()
    scoring["plan"] = "enterprise"  # never seen
    scoring["zip_code"] = "99999"
    scoring["age"] = None  # all missing, arrives as object dtype
    scoring["logins"] = np.nan
    proba = pipe.predict_proba(scoring)[:, 1]
    assert np.isfinite(proba).all()
    encoded = pipe[0].transform(scoring)
    names = pipe[0].get_feature_names_out().tolist()
    assert (encoded[:, names.index("freq__zip_code")] == 0).all()
    assert (encoded[:, [n.startswith("cat__plan") for n in names]] == 0).all()


def test_a_reordered_frame_gives_the_same_predictions():
    frame, y = _churn_frame()
    pipe = _fitted_pipeline(frame, y)
    reordered = frame[frame.columns[::-1]]
    np.testing.assert_array_equal(pipe.predict_proba(reordered), pipe.predict_proba(frame))


def test_a_missing_column_at_scoring_is_an_error_naming_it():
    frame, y = _churn_frame()
    pipe = _fitted_pipeline(frame, y)
    with pytest.raises(ValueError, match="columns are missing: {'age'}"):
        pipe.predict_proba(frame.drop(columns="age"))


def test_scoring_casts_columns_to_their_training_dtype():
    frame, y = _churn_frame()
    pipe = _fitted_pipeline(frame, y)
    as_text = frame.assign(logins=frame["logins"].map(str), age=frame["age"].map(str))
    as_numbers = frame.assign(zip_code=frame["zip_code"].astype(float))  # e.g. read from CSV
    expected = pipe.predict_proba(frame)
    np.testing.assert_array_equal(pipe.predict_proba(as_text), expected)
    np.testing.assert_array_equal(pipe.predict_proba(as_numbers), expected)
    with pytest.raises(ValueError, match="column 'logins': 1 non-numeric values"):
        pipe.predict_proba(frame.assign(logins=["lots"] + [1.0] * (len(frame) - 1)))


@pytest.mark.parametrize("encoding", ["frequency", "target"])
def test_the_fitted_pipeline_round_trips_through_skops_the_mlflow_format(encoding):
    import skops.io

    frame, y = _churn_frame()
    pipe = _fitted_pipeline(frame, y, {"high_cardinality_encoding": encoding, "date": ["signup"]})
    blob = skops.io.dumps(pipe)
    loaded = skops.io.loads(blob, trusted=skops.io.get_untrusted_types(data=blob))
    np.testing.assert_array_equal(loaded.predict_proba(frame), pipe.predict_proba(frame))


def test_infer_roles_reads_the_frame_and_config_wins():
    frame, _ = _churn_frame()
    frame["note"] = [f"free text {i}" for i in range(len(frame))]
    roles = infer_roles(frame, {})
    assert roles["identifier"] == ["customer_id", "note"]
    assert roles["numeric"] == ["logins", "age"]
    assert roles["categorical_low"] == ["plan"]
    assert roles["categorical_high"] == ["zip_code"]
    assert roles["drop"] == ["signup"]
    override = infer_roles(
        frame, {"categorical_high": ["plan"], "date": ["signup"], "passthrough": ["age"]}
    )
    assert override["categorical_high"] == ["plan", "zip_code"]
    assert override["date"] == ["signup"]
    assert override["passthrough"] == ["age"]
    both = infer_roles(frame, {"identifier": ["customer_id"], "drop": ["customer_id"]})
    assert "customer_id" not in both["numeric"]  # an id may be listed as both: neither is a feature
    assert infer_roles(frame, {"max_onehot_cardinality": 100})["categorical_low"] == [
        "plan",
        "zip_code",
    ]


@pytest.mark.parametrize(
    ("config", "error", "message"),
    [
        ({"numeric": ["nope"]}, ConfigError, "features.numeric: column 'nope'"),
        ({"numeric": ["age"], "drop": ["age"]}, ValueError, "'age' is under numeric and drop"),
        ({"categorical_hihg": ["plan"]}, ValueError, "unknown config key"),
        (
            {"high_cardinality_encoding": "hash"},
            ConfigError,
            r"must be one of \['frequency', 'target'\]",
        ),
        ({"drop": ["logins", "age", "plan", "zip_code"]}, ValueError, "no usable feature"),
    ],
)
def test_bad_feature_config_raises_a_clear_error(config, error, message):
    frame, _ = _churn_frame(20)
    with pytest.raises(error, match=message):
        build_preprocessor(frame, config)


def test_get_feature_names_out_covers_every_role_end_to_end():
    frame, y = _churn_frame()
    config = {
        "date": ["signup"],
        "passthrough": ["customer_id"],
        "high_cardinality_encoding": "target",
        "date_parts": ["year", "month"],
    }
    pipe = _fitted_pipeline(frame, y, config)
    names = pipe[0].get_feature_names_out().tolist()
    assert pipe[0].transform(frame).shape[1] == len(names) == pipe[-1].n_features_in_
    assert names == [
        "num__logins",
        "num__age",
        "num__missingindicator_age",
        "cat__plan_basic",
        "cat__plan_premium",
        "cat__plan_standard",
        "target__zip_code",
        "date__signup_year",
        "date__signup_month",
        "pass__customer_id",
    ]


def test_target_encoding_is_out_of_fold_on_the_training_rows():
    # A high-cardinality code with no signal: in-sample mean encoding would "predict" the label.
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"code": rng.integers(0, 300, 1200).astype(str)})
    y = rng.integers(0, 2, 1200)
    in_sample = frame["code"].map(pd.Series(y).groupby(frame["code"]).mean())
    pre = build_preprocessor(frame, {"high_cardinality_encoding": "target"}, seed=0)
    out_of_fold = pre.fit_transform(frame, y)[:, 0]
    assert roc_auc_score(y, in_sample) > 0.7
    assert roc_auc_score(y, out_of_fold) < 0.6
    again = build_preprocessor(frame, {"high_cardinality_encoding": "target"}, seed=0)
    np.testing.assert_array_equal(again.fit_transform(frame, y)[:, 0], out_of_fold)


def test_scale_numeric_standardises_only_when_asked():
    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0, 10.0]})
    raw = build_preprocessor(frame, {}).fit_transform(frame)[:, 0]
    scaled = build_preprocessor(frame, {"scale_numeric": True}).fit_transform(frame)[:, 0]
    assert raw.tolist() == [1.0, 2.0, 3.0, 10.0]
    assert scaled.mean() == pytest.approx(0.0, abs=1e-6)  # float32: the model's input
    assert scaled.std() == pytest.approx(1.0)


def test_frequency_encoder_gives_training_shares_and_zero_for_unseen_or_missing():
    encoder = FrequencyEncoder().fit(pd.DataFrame({"z": ["a", "a", "b", None]}))
    out = encoder.transform(pd.DataFrame({"z": ["a", "b", "c", None]}))
    assert out.ravel().tolist() == [0.5, 0.25, 0.0, 0.0]


def test_cast_columns_to_str_drops_the_float_suffix_of_integral_codes():
    out = CastColumns("str").fit_transform(pd.DataFrame({"zip": [10001.0, 2.5, None]}))
    assert out[:, 0].tolist()[:2] == ["10001", "2.5"] and pd.isna(out[2, 0])


def test_date_features_take_calendar_parts_and_name_bad_dates():
    frame = pd.DataFrame({"d": pd.to_datetime(["2024-03-05", None])})
    dates = DateFeatures(parts=("year", "month", "day_of_week")).fit(frame)
    out = dates.transform(frame)
    assert out[0].tolist() == [2024.0, 3.0, 1.0] and np.isnan(out[1]).all()
    assert dates.get_feature_names_out().tolist() == ["d_year", "d_month", "d_day_of_week"]
    with pytest.raises(ValueError, match="column 'd': unparseable dates"):
        dates.transform(pd.DataFrame({"d": ["not a date"]}))
    with pytest.raises(ValueError, match="parts must be among"):
        DateFeatures(parts=("week",)).fit(frame)
