"""RegressionTask: metrics pinned against scikit-learn on the diabetes data, the report tables
against hand-worked examples, and the paired bootstrap against per-replicate scikit-learn."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from sklearn.datasets import load_diabetes
from sklearn.linear_model import Ridge
from sklearn.metrics import mean_absolute_error, r2_score, root_mean_squared_error

from mlcore.errors import ConfigError, DataError
from mlcore.report import Report, write_report
from mlcore.task import (
    REGRESSION_METRICS,
    TOP_PERCENTS,
    bootstrap_weights,
    get_task,
    predicted_vs_actual_table,
    value_curve,
    value_share_table,
)
from mlcore.task._figures import residuals_figure

TASK = get_task("regression")
WHERE = "data.target 'ltv'"


@pytest.fixture(scope="module")
def diabetes():
    """Ridge on half the diabetes data, the mean baseline, scored on the other half."""
    X, y = load_diabetes(return_X_y=True, as_frame=True)
    train, test = np.arange(len(y)) % 2 == 0, np.arange(len(y)) % 2 == 1
    model = Ridge(alpha=1.0).fit(X[train], y[train])
    baseline = TASK.baseline(0).fit(X[train], y[train])
    return {
        "model": model,
        "X": X[test],
        "y": y[test].to_numpy(),
        "pred": TASK.score(model, X[test]),
        "mean": TASK.score(baseline, X[test]),
    }


def test_metrics_equal_sklearn_on_diabetes(diabetes):
    y, pred = diabetes["y"], diabetes["pred"]
    got = TASK.metrics(y, pred)
    assert list(got) == ["rmse", "mae", "r2", "mean_target"]
    assert got["rmse"] == pytest.approx(root_mean_squared_error(y, pred), rel=1e-12)
    assert got["mae"] == pytest.approx(mean_absolute_error(y, pred), rel=1e-12)
    assert got["r2"] == pytest.approx(r2_score(y, pred), rel=1e-10)
    assert got["mean_target"] == pytest.approx(y.mean(), rel=1e-12)
    assert 0.2 < got["r2"] < 0.8  # a real, imperfect model


def test_r2_of_a_constant_target_is_undefined():
    assert np.isnan(TASK.metrics(np.full(5, 3.0), np.arange(5.0))["r2"])


@pytest.mark.parametrize("name", list(REGRESSION_METRICS))
def test_weighted_metrics_equal_sklearn_with_bootstrap_sample_weights(diabetes, name):
    y, pred = diabetes["y"], diabetes["pred"]
    weights = np.vstack(list(bootstrap_weights(len(y), 20, seed=3)))
    reference = {
        "rmse": lambda w: root_mean_squared_error(y, pred, sample_weight=w),
        "mae": lambda w: mean_absolute_error(y, pred, sample_weight=w),
        "r2": lambda w: r2_score(y, pred, sample_weight=w),
    }[name]
    got = REGRESSION_METRICS[name][0](y, pred, weights)
    np.testing.assert_allclose(got, [reference(w) for w in weights], rtol=1e-10)


@pytest.mark.parametrize(
    "y",
    [np.array([1, 2, 3]), [0.5, -2.0, 1e9], pd.Series([1, 2], dtype="Int64"), np.array([3, 3])],
    ids=["int", "float", "nullable-int", "constant"],
)
def test_check_target_accepts_finite_numbers(y):
    TASK.check_target(y, WHERE)


@pytest.mark.parametrize(
    ("y", "message"),
    [
        ([1.0, np.nan, 2.0, np.nan, np.nan], r"3 of 5 rows have no label \(missing/NaN\)"),
        ([1.0, np.inf, -np.inf, 2.0], r"2 of 4 values are infinite"),
        (["10", "20"], r"needs a numeric target.*use task: binary or multiclass"),
        ([True, False], r"boolean: use task: binary"),
        ([], r"no rows"),
    ],
    ids=["nan", "inf", "strings", "bool", "empty"],
)
def test_check_target_refuses_wrong_targets_naming_where(y, message):
    with pytest.raises(DataError, match=message) as info:
        TASK.check_target(y, WHERE)
    assert str(info.value).startswith(WHERE + ":")


def test_metrics_refuse_nan_predictions_and_other_lengths():
    with pytest.raises(DataError, match="1 predictions are NaN or infinite"):
        TASK.metrics([1.0, 2.0], [1.0, np.nan])
    with pytest.raises(DataError, match="same length"):
        TASK.metrics([1.0, 2.0], [1.0])


def test_score_is_predict_as_1d_float64(diabetes):
    assert diabetes["pred"].dtype == np.float64 and diabetes["pred"].ndim == 1
    np.testing.assert_array_equal(diabetes["pred"], diabetes["model"].predict(diabetes["X"]))

    class Column:  # a model that returns an (n, 1) column
        def predict(self, X):
            return np.arange(len(X), dtype=np.int32).reshape(-1, 1)

    assert TASK.score(Column(), np.zeros((3, 2))).tolist() == [0.0, 1.0, 2.0]


def test_predictions_are_one_prediction_column_aligned_to_the_features(diabetes):
    out = TASK.predictions(diabetes["model"], diabetes["X"])
    assert out.columns.tolist() == ["prediction"]
    assert out.index.equals(diabetes["X"].index)
    np.testing.assert_array_equal(out["prediction"], diabetes["pred"])


def test_compare_says_challenger_better_for_the_model_against_the_mean(diabetes):
    table = TASK.compare(diabetes["y"], diabetes["mean"], diabetes["pred"], ["rmse", "mae", "r2"])
    assert table["challenger_better"].all()
    assert ((table["ci_low"] <= table["diff"]) & (table["diff"] <= table["ci_high"])).all()
    point = TASK.metrics(diabetes["y"], diabetes["pred"])
    assert table.set_index("metric")["challenger"].to_dict() == pytest.approx(
        {k: point[k] for k in ("rmse", "mae", "r2")}
    )
    assert table["higher_is_better"].tolist() == [False, False, True]


def test_compare_says_not_better_for_an_identical_model(diabetes):
    table = TASK.compare(
        diabetes["y"], diabetes["pred"], diabetes["pred"].copy(), ["rmse", "mae", "r2"]
    )
    assert not table["challenger_better"].any()
    assert (table[["diff", "ci_low", "ci_high"]].to_numpy() == 0).all()


def test_compare_is_reproducible_for_a_seed(diabetes):
    args = (diabetes["y"], diabetes["mean"], diabetes["pred"], "rmse")
    first = TASK.compare(*args, seed=1)
    pd.testing.assert_frame_equal(first, TASK.compare(*args, seed=1))
    assert TASK.compare(*args, seed=2).loc[0, "ci_low"] != first.loc[0, "ci_low"]


def test_compare_on_a_constant_target_cannot_promote_on_r2():
    table = TASK.compare(np.full(30, 2.0), np.zeros(30), np.ones(30), ["r2", "mae"], n_boot=20)
    r2, mae = table.iloc[0], table.iloc[1]
    assert np.isnan(r2["ci_low"]) and not r2["challenger_better"]
    assert mae["challenger_better"]  # the other metric still works


def test_compare_unknown_metric_lists_the_regression_metrics():
    with pytest.raises(
        ConfigError,
        match=r"evaluate\.metric \(task: regression\) must be one of \['rmse', 'mae', 'r2'\], got 'roc_auc'",
    ):
        TASK.compare(np.arange(5.0), np.zeros(5), np.zeros(5), "roc_auc")


# 10 rows, worked out by hand (total value 30). By prediction, highest first:
# row:   0    7    2   3|9 (tie 0.6)  4    1    5    8    6
# value: 10   4    5   3 , 5          2    0    0    1    0
Y = np.array([10.0, 0.0, 5.0, 3.0, 2.0, 0.0, 0.0, 4.0, 1.0, 5.0])
PRED = np.array([0.95, 0.30, 0.70, 0.60, 0.50, 0.20, 0.05, 0.80, 0.10, 0.60])


def test_value_share_of_a_hand_worked_example_with_a_tie_and_fractional_rows():
    table = value_share_table(Y, PRED, [1, 5, 10, 20, 35, 50])
    assert table.columns.tolist() == [
        "top_pct",
        "rows",
        "value_share",
        "perfect_share",
        "random_share",
    ]
    np.testing.assert_allclose(table["rows"], [0.1, 0.5, 1, 2, 3.5, 5])
    # 0.1 and 0.5 of the top row (10); then 10; 10 + 4; 10 + 4 + 5 + half the tie block (3 + 5)
    # at 3.5 rows; the whole tie block at 5 rows
    expected = np.array([1.0, 5.0, 10.0, 14.0, 19.0 + 0.5 * 4.0, 27.0]) / 30
    np.testing.assert_allclose(table["value_share"], expected)
    # perfect order: 10, 5, 5, 4, 3, ... (3.5 rows: 10 + 5 + 5 + half of 4)
    np.testing.assert_allclose(table["perfect_share"], np.array([1, 5, 10, 15, 22, 27]) / 30)
    np.testing.assert_allclose(table["random_share"], [0.01, 0.05, 0.1, 0.2, 0.35, 0.5])


def test_value_share_is_nan_when_the_total_value_is_not_positive():
    table = value_share_table([1.0, -1.0], [0.2, 0.1])
    assert table["value_share"].isna().all() and table["perfect_share"].isna().all()


def test_value_curve_ends_at_the_whole_value_and_a_constant_prediction_is_the_diagonal():
    curve = value_curve(Y, PRED, points=11)
    assert curve["value_share"].iloc[0] == 0.0 and curve["value_share"].iloc[-1] == pytest.approx(
        1.0
    )
    assert curve["value_share"].iloc[1] == pytest.approx(10 / 30)
    flat = value_curve(Y, np.zeros(10), points=11)
    np.testing.assert_allclose(flat["value_share"], flat["fraction"])


def test_predicted_vs_actual_by_decile_of_a_hand_worked_example():
    table = predicted_vs_actual_table(Y, PRED, n_bins=5)
    assert table.columns.tolist() == ["decile", "rows", "mean_predicted", "mean_actual"]
    assert table["decile"].tolist() == [1, 2, 3, 4, 5]
    # bins of 2 ranks; the tie at ranks 4-5 straddles bins 2 and 3: its average rank 4.5 puts the
    # whole block in bin 3 (ceil(4.5 * 5 / 10) = 3)
    assert table["rows"].tolist() == [2, 1, 3, 2, 2]
    np.testing.assert_allclose(table["mean_predicted"], [0.875, 0.7, 1.7 / 3, 0.25, 0.075])
    np.testing.assert_allclose(table["mean_actual"], [7.0, 5.0, 10 / 3, 0.0, 0.5])


def test_predicted_vs_actual_keeps_a_tie_block_in_one_decile():
    table = predicted_vs_actual_table(np.arange(4.0), [0.9, 0.5, 0.5, 0.1], n_bins=4)
    assert table["rows"].tolist() == [1, 0, 2, 1]  # average rank 2.5 of the tie: decile 3
    assert np.isnan(table.loc[1, "mean_actual"]) and table.loc[2, "mean_actual"] == 1.5


def test_predicted_vs_actual_refuses_a_bad_bin_count():
    with pytest.raises(ConfigError, match="n_bins"):
        predicted_vs_actual_table(Y, PRED, n_bins=0)


def test_residuals_figure_samples_at_most_max_points_reproducibly():
    rng = np.random.default_rng(0)
    actual, predicted = rng.normal(size=6_000), rng.normal(size=6_000)
    first = (
        residuals_figure(actual, predicted, max_points=5_000, seed=3)
        .axes[0]
        .collections[0]
        .get_offsets()
    )
    again = (
        residuals_figure(actual, predicted, max_points=5_000, seed=3)
        .axes[0]
        .collections[0]
        .get_offsets()
    )
    assert len(first) == 5_000
    np.testing.assert_array_equal(first, again)
    small = residuals_figure(actual[:100], predicted[:100]).axes[0].collections[0].get_offsets()
    np.testing.assert_allclose(small[:, 1], actual[:100] - predicted[:100])


def test_sections_build_the_named_tables_figures_and_metrics(diabetes, tmp_path):
    y = diabetes["y"]
    report = TASK.sections(y, {"model": diabetes["pred"], "baseline": diabetes["mean"]}, n_bins=10)
    assert [s.title for s in report.sections] == [
        "Model vs baseline",
        "Predicted vs actual by decile",
        "Residuals",
        "Value captured by the top predictions",
    ]
    assert sorted(report.tables) == ["comparison", "predicted_vs_actual", "value_share"]
    assert sorted(report.figures) == ["predicted_vs_actual", "residuals", "value_share"]
    assert all(isinstance(f, Figure) for f in report.figures.values())
    comparison = report.tables["comparison"].set_index("scorer")
    assert comparison.columns.tolist() == ["rmse", "mae", "r2"]
    assert comparison.loc["model", "rmse"] == pytest.approx(
        root_mean_squared_error(y, diabetes["pred"])
    )
    assert comparison.loc["dummy (mean)", "mae"] == pytest.approx(
        mean_absolute_error(y, diabetes["mean"])
    )
    assert comparison.loc["dummy (mean)", "r2"] == pytest.approx(r2_score(y, diabetes["mean"]))
    assert (
        report.tables["value_share"]["top_pct"].tolist() == list(TOP_PERCENTS) == [1, 5, 10, 20, 50]
    )
    # by hand: the value of the top 10% of rows (22.1 rows) by prediction over the total
    order = np.argsort(-diabetes["pred"])
    k = 0.1 * len(y)
    top = y[order[: int(k)]].sum() + (k - int(k)) * y[order[int(k)]]
    assert report.metrics == {"test_value_share_top_10pct": pytest.approx(top / y.sum())}
    legend = [t.get_text() for t in report.figures["value_share"].axes[0].get_legend().get_texts()]
    assert legend == ["model", "dummy (mean)", "perfect", "random"]
    html, _ = write_report(Report("Diabetes", report.sections), tmp_path)
    assert html.read_text().count("<img") == 3


def test_sections_of_the_hand_worked_example_log_its_top_10pct_share():
    report = TASK.sections(Y, {"model": PRED}, n_bins=5)
    assert report.metrics["test_value_share_top_10pct"] == pytest.approx(10 / 30)
    assert report.tables["predicted_vs_actual"]["rows"].tolist() == [2, 1, 3, 2, 2]
