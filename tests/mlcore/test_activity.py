"""mlcore.activity: recency, frequency, trend and regularity computed by hand on small panels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.utils.estimator_checks import (
    check_get_params_invariance,
    check_no_attributes_set_in_init,
    check_parameters_default_constructible,
    check_set_params,
)

from mlcore.activity import (
    ActivityFeatures,
    FinerGrainWarning,
    RegularityFeatures,
    panel_features,
)
from mlcore.errors import DataError

# Customer 1 misses months 3 and 4 entirely (no rows): they count as zero activity.
PANEL = pd.DataFrame(
    {
        "customer_id": [1, 1, 1, 1, 1, 2, 2, 2],
        "month": [0, 1, 2, 5, 6, 0, 1, 2],
        "logins": [4, 0, 2, 6, 0, 3, 3, 3],
    }
)


def _activity(frame=PANEL, window=3):
    return ActivityFeatures("customer_id", "month", "logins", window=window).fit_transform(frame)


def _regularity(frame=PANEL):
    return RegularityFeatures("customer_id", "month", "logins").fit_transform(frame)


def test_activity_features_match_a_hand_count():
    out = pd.DataFrame(
        _activity(), columns=["recency", "frequency", "mean", "trend"], index=PANEL.index
    )
    # Customer 1, month 2: window months 0-2 = [4, 0, 2]; active in 2 of them.
    assert out.loc[2].tolist() == [0.0, 2.0, 2.0, -1.0]
    # Month 5: window months 3-5 = [0, 0, 6]; month 6: months 4-6 = [0, 6, 0].
    assert out.loc[3].tolist()[:3] == [0.0, 1.0, 2.0]
    assert out.loc[4].tolist()[:3] == [1.0, 1.0, 2.0]
    assert out.loc[3, "trend"] == pytest.approx(np.polyfit([3, 4, 5], [0, 0, 6], 1)[0])
    assert out.loc[4, "trend"] == pytest.approx(0.0)
    # Month 1 of customer 1: the window is cut at the first month (2 periods), inactive now.
    assert out.loc[1].tolist() == [1.0, 1.0, 2.0, -4.0]
    # The first period of an entity has no trend; steady customer 2 has a flat one.
    assert np.isnan(out.loc[0, "trend"]) and np.isnan(out.loc[5, "trend"])
    assert out.loc[7].tolist() == [0.0, 3.0, 3.0, 0.0]


def test_features_are_float32_the_precision_of_the_model_input():
    # Computed in float64, stored as float32: half the memory of the table's added columns, and
    # the values the model's float32 input matrix (mlcore._chunked) would hold anyway.
    config = {"entity": "customer_id", "time": "month", "values": ["logins"]}
    step = panel_features(config).fit(PANEL)
    out = step.transform(PANEL)
    assert (out[step.added_].dtypes == np.float32).all()
    assert _activity().dtype == _regularity().dtype == np.float32
    assert out.loc[3, "logins_trend_3"] == np.float32(np.polyfit([3, 4, 5], [0, 0, 6], 1)[0])


def test_recency_is_nan_before_the_first_activity():
    frame = pd.DataFrame({"customer_id": [7, 7], "month": [0, 1], "logins": [0, 0]})
    assert np.isnan(_activity(frame)[:, 0]).all()


def test_regularity_features_match_a_hand_count():
    out = _regularity()
    # Customer 1 is active in months 0, 2, 5: gaps 2 then 3.
    assert np.isnan(out[0]).all()  # no gap yet
    np.testing.assert_allclose(out[2], [2.0, np.nan, -2.0])  # one gap of 2, active now
    np.testing.assert_allclose(out[3], [2.5, np.std([2, 3], ddof=1), -2.5])
    np.testing.assert_allclose(out[4], [2.5, np.std([2, 3], ddof=1), 1 - 2.5])
    np.testing.assert_allclose(out[7], [1.0, 0.0, -1.0])  # customer 2: every month


def test_a_regular_user_who_stops_is_overdue_before_an_irregular_one():
    months = list(range(8))
    frame = pd.DataFrame(
        {
            "customer_id": ["regular"] * 8 + ["irregular"] * 8,
            "month": months * 2,
            "logins": [5, 5, 5, 5, 5, 0, 0, 0] + [5, 0, 0, 0, 5, 0, 0, 0],
        }
    )
    overdue = _regularity(frame)[:, 2]
    assert overdue[7] == pytest.approx(2.0)  # 3 months silent, expected every month
    assert overdue[15] == pytest.approx(-1.0)  # 3 months silent, expected every 4


def test_features_never_look_at_later_periods():
    later = pd.DataFrame({"customer_id": [1, 1, 2], "month": [7, 8, 3], "logins": [9, 9, 0]})
    extended = pd.concat([PANEL, later], ignore_index=True)
    np.testing.assert_array_equal(_activity(extended)[: len(PANEL)], _activity())
    np.testing.assert_array_equal(_regularity(extended)[: len(PANEL)], _regularity())


def test_row_order_does_not_change_any_row_features():
    order = np.random.default_rng(0).permutation(len(PANEL))
    shuffled = PANEL.iloc[order]
    np.testing.assert_array_equal(_activity(shuffled), _activity()[order])
    np.testing.assert_array_equal(_regularity(shuffled), _regularity()[order])


def test_datetime_periods_equal_integer_periods():
    dated = PANEL.assign(
        month=pd.Timestamp("2024-01-01") + pd.to_timedelta(PANEL["month"] * 31, "D")
    )
    dated["month"] = dated["month"].dt.to_period("M").dt.to_timestamp()
    np.testing.assert_array_equal(_activity(dated), _activity())


def test_an_event_log_counts_events_per_period():
    events = pd.DataFrame(
        {
            "user": ["u", "u", "u", "u"],
            "at": pd.to_datetime(["2024-01-02", "2024-01-03", "2024-01-20", "2024-01-03"]),
        }
    )
    transformer = ActivityFeatures("user", "at", period="D", window=2).fit(events)
    out = transformer.transform(events)
    assert transformer.get_feature_names_out().tolist() == [
        "events_recency",
        "events_frequency_2",
        "events_mean_2",
        "events_trend_2",
    ]
    assert out[1].tolist() == out[3].tolist() == [0.0, 2.0, 1.5, 1.0]  # 1 event then 2
    assert out[2].tolist()[:3] == [0.0, 1.0, 0.5]


def test_transformers_follow_the_sklearn_api():
    for estimator in (ActivityFeatures(value="logins"), RegularityFeatures(value="logins")):
        name = type(estimator).__name__
        check_parameters_default_constructible(name, estimator)
        check_no_attributes_set_in_init(name, estimator)
        check_get_params_invariance(name, estimator)
        check_set_params(name, estimator)
        fitted = clone(estimator).set_params(time="month").set_output(transform="pandas")
        out = fitted.fit_transform(PANEL)
        assert isinstance(out, pd.DataFrame)
        assert out.columns.tolist() == fitted.get_feature_names_out().tolist()
        assert out.index.equals(PANEL.index)


@pytest.mark.parametrize(
    ("frame", "error", "message"),
    [
        (PANEL.drop(columns="logins"), DataError, r"\['logins'\] are not in the data"),
        (PANEL.assign(customer_id=[1, None] * 4), ValueError, "'customer_id' has missing"),
        (PANEL.assign(month=PANEL["month"] + 0.5), ValueError, "integer period numbers"),
        (PANEL.to_numpy(), TypeError, "expects a DataFrame"),
    ],
)
def test_bad_panels_raise_a_clear_error(frame, error, message):
    with pytest.raises(error, match=message):
        _activity(frame)


def test_window_must_be_a_positive_integer():
    with pytest.raises(ValueError, match="window must be an integer >= 1"):
        _activity(window=0)


def test_panel_features_append_every_feature_of_every_value_column():
    panel = PANEL.assign(minutes=PANEL["logins"] * 10)
    config = {"entity": "customer_id", "time": "month", "values": ["logins", "minutes"]}
    step = panel_features(config).fit(panel)
    out = step.transform(panel)
    added = out.columns.tolist()[len(panel.columns) :]
    assert (
        added
        == step.added_
        == [
            f"{v}_{f}"
            for v in ("logins", "minutes")
            for f in (
                "recency",
                "frequency_3",
                "mean_3",
                "trend_3",
                "gap_mean",
                "gap_std",
                "overdue",
            )
        ]
    )
    assert step.get_feature_names_out().tolist() == [*panel.columns, *added]
    np.testing.assert_array_equal(out[added[:4]].to_numpy(), _activity())
    pd.testing.assert_frame_equal(out[panel.columns], panel)
    assert panel_features(None) is None
    with pytest.raises(ValueError, match="needs entity, time and values"):
        panel_features({"entity": "customer_id", "time": "month", "windw": 2})


def test_panel_features_recompute_columns_of_their_names_instead_of_trusting_them():
    config = {"entity": "customer_id", "time": "month", "values": ["logins"]}
    step = panel_features(config).fit(PANEL)
    expected = step.transform(PANEL)
    forged = expected.assign(logins_trend_3=99.0)  # a client sending its own "feature"
    assert step.fit(forged).feature_names_in_.tolist() == PANEL.columns.tolist()
    pd.testing.assert_frame_equal(step.transform(forged), expected)


def test_panel_features_inside_a_pipeline_score_raw_rows_as_the_featured_table_does():
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    from mlcore.model import split_features, with_features

    config = {"entity": "customer_id", "time": "month", "values": ["logins"]}
    step = panel_features(config).fit(PANEL)
    table = step.transform(PANEL).fillna(0.0)
    columns = [c for c in table.columns if c.startswith("logins_")]
    scorer = Pipeline([("pick", _Pick(columns)), ("lr", LogisticRegression())])
    scorer.fit(table, PANEL["logins"] > 2)
    logged = with_features(step, Pipeline([("fill", _Fill()), ("scorer", scorer)]))
    assert split_features(logged)[0] is step
    np.testing.assert_array_equal(logged.predict_proba(PANEL), scorer.predict_proba(table))


class _Pick:
    def __init__(self, columns):
        self.columns = columns

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        return X[self.columns]


class _Fill(_Pick):
    def __init__(self):
        super().__init__(None)

    def transform(self, X):
        return X.fillna(0.0)


def test_scoring_daily_rows_with_a_monthly_model_warns_naming_the_grain(caplog):
    from mlcore.activity import finer_grain
    from mlcore.predict import grain_warnings

    monthly = pd.DataFrame(
        {"id": [1, 1, 2], "t": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-01-01"]), "n": 1}
    )
    daily = pd.DataFrame(
        {"id": [1, 1, 1], "t": pd.to_datetime(["2024-02-01", "2024-02-02", "2024-02-03"]), "n": 1}
    )
    config = {"entity": "id", "time": "t", "values": ["n"]}
    step = panel_features(config).fit(monthly)
    assert finer_grain(monthly, config) is None
    with pytest.warns(FinerGrainWarning, match="finer time grain"):
        step.transform(daily)  # the model itself warns, wherever it scores (serve included)
    with caplog.at_level("WARNING", logger="mlcore.predict"):
        with grain_warnings("predict.input"):
            step.transform(monthly)
        assert not caplog.records
        with grain_warnings("predict.input"):
            step.transform(daily)
            step.transform(daily)  # said once per command
    (record,) = caplog.records
    assert record.getMessage().startswith(
        "predict.input: 1 entity-period(s) hold several rows (e.g. 1 in 2024-02): the rows are "
        "at a finer time grain than the model's periods (features.activity.period 'M')"
    )
