"""mlcore.explain: permutation importance and LightGBM contributions named by input column."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from lightgbm import LGBMClassifier
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from mlcore.explain import (
    input_columns,
    local_contributions,
    permutation_importance_table,
    top_contributions,
)
from mlcore.features import build_preprocessor


def _data(n: int = 600, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "logins": np.where(rng.random(n) < 0.1, np.nan, rng.poisson(8, n)),
            "plan": rng.choice(["basic", "premium"], n),
            "plan_age": rng.integers(0, 48, n).astype(float),  # shares a prefix with "plan"
            "noise": rng.normal(size=n),
            "signup": pd.Timestamp("2021-01-01") + pd.to_timedelta(rng.integers(0, 700, n), "D"),
        }
    )
    risk = -0.4 * frame["logins"].fillna(2) + 2.0 * (frame["plan"] == "basic")
    return frame, (risk + rng.normal(0, 1, n) > risk.median()).astype(int).to_numpy()


def _pipeline(frame, y) -> Pipeline:
    model = LGBMClassifier(
        n_estimators=30, min_child_samples=5, random_state=0, n_jobs=1, verbose=-1
    )
    pre = build_preprocessor(frame, {"date": ["signup"]})
    return Pipeline([("pre", pre), ("model", model)]).fit(frame, y)


def test_local_contributions_sum_to_the_raw_score_and_carry_feature_names():
    frame, y = _data()
    pipe = _pipeline(frame, y)
    contributions = local_contributions(pipe, frame.head(50))
    names = pipe[0].get_feature_names_out().tolist()
    assert contributions.columns.tolist() == [*names, "bias"]
    raw = pipe.predict_proba(frame.head(50))[:, 1]
    np.testing.assert_allclose(contributions.sum(axis=1), np.log(raw / (1 - raw)), rtol=1e-6)


def test_contributions_by_input_column_add_up_the_encoded_columns():
    frame, y = _data()
    pipe = _pipeline(frame, y)
    detailed = local_contributions(pipe, frame.head(20))
    by_input = local_contributions(pipe, frame.head(20), by_input=True)
    assert by_input.columns.tolist() == ["logins", "plan", "plan_age", "noise", "signup", "bias"]
    np.testing.assert_allclose(
        by_input["logins"], detailed["num__logins"] + detailed["num__missingindicator_logins"]
    )
    np.testing.assert_allclose(
        by_input["plan"], detailed["cat__plan_basic"] + detailed["cat__plan_premium"]
    )
    np.testing.assert_allclose(by_input.sum(axis=1), detailed.sum(axis=1))


def test_input_columns_maps_every_output_feature_to_its_source():
    frame, y = _data()
    mapping = input_columns(_pipeline(frame, y)[0])
    assert mapping["num__plan_age"] == "plan_age"
    assert mapping["cat__plan_premium"] == "plan"
    assert mapping["num__missingindicator_logins"] == "logins"
    assert mapping["date__signup_month"] == "signup"
    with pytest.raises(TypeError, match="expected a ColumnTransformer"):
        input_columns(LogisticRegression())


def test_permutation_importance_ranks_the_signal_above_the_noise():
    frame, y = _data()
    pipe = _pipeline(frame, y)
    table = permutation_importance_table(pipe, frame, y, n_repeats=3, seed=0)
    assert table.columns.tolist() == ["feature", "importance_mean", "importance_std"]
    assert set(table["feature"].head(2)) == {"logins", "plan"}
    pd.testing.assert_frame_equal(
        table, permutation_importance_table(pipe, frame, y, n_repeats=3, seed=0)
    )


def _assert_equals_reshuffling_each_column(pipe, frame, y, table, seed: int) -> None:
    """``table`` (2 repeats, ``seed``) equals shuffling each input column with the same
    permutations and re-running the whole pipeline."""
    rng = np.random.default_rng(seed)
    full = roc_auc_score(y, pipe.predict_proba(frame)[:, 1])
    for column in frame.columns:
        drops = []
        for _ in range(2):
            shuffled = frame.copy()
            shuffled[column] = frame[column].to_numpy()[rng.permutation(len(frame))]
            drops.append(full - roc_auc_score(y, pipe.predict_proba(shuffled)[:, 1]))
        row = table.set_index("feature").loc[column]
        assert row["importance_mean"] == pytest.approx(np.mean(drops), abs=1e-12)
        assert row["importance_std"] == pytest.approx(np.std(drops), abs=1e-12)


def test_permutation_importance_of_a_pipeline_equals_shuffling_each_input_column():
    # The fast path shuffles the transformed columns of each input column together; with the
    # same permutations, that is exactly shuffling the input column and re-running the pipeline.
    frame, y = _data()
    pipe = _pipeline(frame, y)
    table = permutation_importance_table(pipe, frame, y, n_repeats=2, seed=3)
    _assert_equals_reshuffling_each_column(pipe, frame, y, table, seed=3)


def _with_ratio(frame: pd.DataFrame) -> pd.DataFrame:
    """A project's row-wise step before the preprocessing: a ratio of two columns appended."""
    ratio = frame["plan_age"] / frame["logins"].where(frame["logins"] > 0)
    return frame.assign(plan_age_per_logins=ratio)


def test_importance_with_steps_before_the_preprocessing_equals_shuffling_each_input_column():
    # A features.extra step derives a column from two inputs: shuffling one of them changes the
    # derived column too, so those shuffles go through the preprocessing again; the others are
    # shuffles of the preprocessed features. Either way the same as re-running the pipeline.
    frame, y = _data()
    derived = _with_ratio(frame)
    extra = FunctionTransformer(_with_ratio)
    model = LGBMClassifier(n_estimators=30, min_child_samples=5, random_state=0, verbose=-1)
    pre = build_preprocessor(derived, {"date": ["signup"]})
    pipe = Pipeline([("extra", extra), ("pre", pre), ("model", model)]).fit(frame, y)
    table = permutation_importance_table(pipe, frame, y, n_repeats=2, seed=5)
    assert set(table["feature"]) == set(frame.columns)
    pd.testing.assert_frame_equal(frame, _data()[0])  # the shuffles never touch the caller's frame
    _assert_equals_reshuffling_each_column(pipe, frame, y, table, seed=5)


def test_a_column_the_preprocessing_drops_is_not_listed_as_a_feature():
    frame = pd.DataFrame({"customer_id": np.arange(40), "signal": np.arange(40.0)})
    y = np.arange(40) >= 20
    pre = ColumnTransformer([("num", "passthrough", ["signal"])], remainder="drop")
    pipe = Pipeline([("pre", pre), ("model", LogisticRegression())]).fit(frame, y)
    table = permutation_importance_table(pipe, frame, y, n_repeats=2)
    assert table["feature"].tolist() == ["signal"]


def test_permutation_importance_falls_back_when_features_cannot_be_traced_to_columns():
    # A FunctionTransformer without feature_names_out cannot name its outputs: sklearn's path.
    frame = pd.DataFrame({"signal": np.arange(40.0), "noise": np.zeros(40)})
    y = np.arange(40) >= 20
    untraceable = ColumnTransformer([("f", FunctionTransformer(), ["signal", "noise"])])
    pipe = Pipeline([("pre", untraceable), ("model", LogisticRegression())]).fit(frame, y)
    table = permutation_importance_table(pipe, frame, y, n_repeats=2)
    assert table["feature"].tolist() == ["signal", "noise"]


def test_top_contributions_lists_the_strongest_positive_reasons_per_row():
    contributions = pd.DataFrame(
        {"a": [0.5, -0.1], "b": [0.2, 0.3], "c": [-0.4, 0.1], "bias": [-1.0, -1.0]},
        index=["cust1", "cust2"],
    )
    table = top_contributions(contributions, k=2)
    assert table.values.tolist() == [
        ["cust1", 1, "a", 0.5],
        ["cust1", 2, "b", 0.2],
        ["cust2", 1, "b", 0.3],
        ["cust2", 2, "c", 0.1],
    ]


def test_local_contributions_needs_a_lightgbm_pipeline():
    frame, y = _data(100)
    numeric = frame[["noise", "plan_age"]]
    logistic = Pipeline([("pre", build_preprocessor(numeric, {})), ("m", LogisticRegression())])
    with pytest.raises(TypeError, match="fitted LightGBM model, got LogisticRegression"):
        local_contributions(logistic.fit(numeric, y), numeric)
    with pytest.raises(TypeError, match="expected a Pipeline"):
        local_contributions(LogisticRegression(), numeric)
