"""mlcore.sampling: class weights, entity-grouped undersampling, time decay, train-only SMOTE."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlcore.errors import ConfigError, DataError
from mlcore.sampling import (
    class_weights,
    resample_train,
    smote,
    time_decay_weights,
    undersample_negatives,
)
from mlcore.split import split_frame


def churn_panel(n_customers=2_000, months=4, churners=0.08, seed=0) -> pd.DataFrame:
    """One row per customer and month; a churner's last month is positive."""
    rng = np.random.default_rng(seed)
    ids = np.repeat(np.arange(n_customers), months)
    month = np.tile(np.arange(months), n_customers)
    churner = np.repeat(rng.random(n_customers) < churners, months)
    return pd.DataFrame(
        {
            "id": ids,
            "month": pd.Timestamp("2024-01-01") + pd.to_timedelta(month * 31, unit="D"),
            "usage": rng.normal(10, 3, len(ids)) - 4 * churner,
            "tickets": rng.poisson(1 + 2 * churner),
            "plan": rng.choice(["basic", "premium"], len(ids)),
            "y": (churner & (month == months - 1)).astype(np.int64),
        }
    )


def test_class_weights_balance_the_classes():
    y = pd.Series([0] * 90 + [1] * 10)
    weights = class_weights(y)
    assert weights == pytest.approx({0: 100 / (2 * 90), 1: 100 / (2 * 10)})
    assert weights[0] * 90 == pytest.approx(weights[1] * 10)


def test_class_weights_need_two_classes():
    with pytest.raises(DataError, match="single class"):
        class_weights([1, 1, 1])


def test_time_decay_halves_the_weight_every_half_life():
    dates = pd.Series(pd.to_datetime(["2024-07-01", "2024-04-02", "2024-01-03"]))
    weights = time_decay_weights(dates, half_life="90D", reference="2024-07-01")
    assert weights == pytest.approx([1.0, 0.5, 0.25])
    with pytest.raises(DataError, match="run past the reference"):
        time_decay_weights(dates, half_life="90D", reference="2024-06-01")
    with pytest.raises(ConfigError, match="half_life must be > 0"):
        time_decay_weights(dates, half_life="0D")


def test_undersampling_keeps_every_row_of_a_kept_entity_and_every_positive_entity():
    frame = churn_panel()
    out = undersample_negatives(frame, entity_col="id", target_col="y", negatives_per_positive=5)
    sizes = out.groupby("id").size()
    assert (sizes == 4).all()  # no entity is cut in pieces
    positives = set(frame.loc[frame["y"] == 1, "id"])
    assert positives <= set(out["id"])
    ratio = (out["y"] == 0).sum() / out["y"].sum()
    assert 4.0 < ratio < 6.0


@settings(max_examples=15, deadline=None)
@given(st.floats(0, 20), st.floats(0, 20))
def test_a_higher_ratio_keeps_a_superset_of_entities(low, high):
    low, high = sorted((low, high))
    frame = churn_panel(n_customers=400)
    kept = [
        set(
            undersample_negatives(frame, entity_col="id", target_col="y", negatives_per_positive=r)[
                "id"
            ]
        )
        for r in (low, high)
    ]
    assert kept[0] <= kept[1]


def test_undersampling_weights_undo_the_sampling():
    frame = churn_panel()
    out = undersample_negatives(
        frame, entity_col="id", target_col="y", negatives_per_positive=8, weight_col="w"
    )
    negatives = out["y"] == 0
    assert out.loc[negatives, "w"].sum() == pytest.approx((frame["y"] == 0).sum(), rel=0.1)
    assert (out.loc[~negatives, "w"] == 1.0).all()


def test_undersampling_rejects_a_non_binary_target():
    frame = churn_panel().assign(y=2)
    with pytest.raises(DataError, match="target 'y' must hold only 0 and 1"):
        undersample_negatives(frame, entity_col="id", target_col="y")


def test_smote_adds_minority_rows_between_minority_points():
    frame = churn_panel()
    features = ["usage", "tickets"]
    out = smote(frame, target_col="y", feature_cols=features, ratio=0.5, k_neighbors=3, seed=1)
    pd.testing.assert_frame_equal(out.iloc[: len(frame)], frame)
    new = out.iloc[len(frame) :]
    assert (new["y"] == 1).all()
    assert out["y"].sum() == int(np.ceil(0.5 * (frame["y"] == 0).sum()))
    minority = frame.loc[frame["y"] == 1, features]
    assert new["usage"].between(minority["usage"].min(), minority["usage"].max()).all()
    assert new["tickets"].dtype == frame["tickets"].dtype  # integer columns stay integers
    assert set(new["plan"]) <= set(frame["plan"])  # other columns are copied from a real row


def test_smote_rejects_missing_feature_values():
    frame = churn_panel()
    frame.loc[frame.index[frame["y"] == 1][0], "usage"] = np.nan
    with pytest.raises(DataError, match=r"\['usage'\] have missing values"):
        smote(frame, target_col="y", feature_cols=["usage"])


@pytest.mark.parametrize("method", ["undersample", "smote"])
def test_resampling_touches_the_training_set_only(method):
    frame = churn_panel().drop(columns="plan")
    parts = split_frame(frame, entity_col="id", target_col="y", date_col="month")
    options = {"feature_cols": ["usage", "tickets"]} if method == "smote" else {}
    out = resample_train(
        parts, {"method": method, **options}, entity_col="id", target_col="y", date_col="month"
    )
    assert out.validation is parts.validation and out.test is parts.test
    assert out.train["y"].mean() > parts.train["y"].mean()
    assert out.report.loc[0, "rows"] == len(out.train)
    assert out.report.loc[1:].equals(parts.report.loc[1:])


def test_resampling_config_errors_name_the_key():
    parts = split_frame(churn_panel(), entity_col="id", target_col="y")
    assert resample_train(parts, {}, entity_col="id", target_col="y") is parts
    with pytest.raises(ConfigError, match="sampling.method must be one of"):
        resample_train(parts, {"method": "adasyn"}, entity_col="id", target_col="y")
    with pytest.raises(ConfigError, match=r"\['ratio'\] do not apply to method 'undersample'"):
        resample_train(
            parts, {"method": "undersample", "ratio": 2}, entity_col="id", target_col="y"
        )


def test_class_weight_and_time_decay_weight_the_training_rows_as_documented():
    from mlcore.sampling import sample_training

    train = pd.DataFrame(
        {
            "id": [1, 2, 3, 4],
            "month": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-03-01", "2024-03-01"]),
            "y": [0, 0, 0, 1],
        }
    )
    options = {"entity_col": "id", "target_col": "y", "date_col": "month"}
    weighted = sample_training(train, {"method": "class_weight"}, **options)
    assert weighted.frame is train
    np.testing.assert_allclose(weighted.weights, [4 / 6, 4 / 6, 4 / 6, 2.0])
    decayed = sample_training(train, {"method": "time_decay", "half_life": "60D"}, **options)
    np.testing.assert_allclose(decayed.weights, [0.5, 0.5, 1.0, 1.0])


def test_an_unreachable_undersampling_ratio_is_said_with_the_ratio_reached():
    from mlcore.sampling import sample_training

    # six rows per entity, one positive row each: keeping an entity keeps 5 negatives
    panel = pd.DataFrame({"id": np.repeat(np.arange(40), 6), "y": np.tile([0, 0, 0, 0, 0, 1], 40)})
    cfg = {"method": "undersample", "negatives_per_positive": 1.0}
    sampled = sample_training(panel, cfg, entity_col="id", target_col="y")
    (note,) = sampled.notes
    assert "asked 1 negatives per positive, reached 5.00" in note
    with pytest.raises(ConfigError, match="set sampling.on_unreachable: warn"):
        sample_training(panel, {**cfg, "on_unreachable": "error"}, entity_col="id", target_col="y")
