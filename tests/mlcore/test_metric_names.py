"""Metric names: mlcore's flat names are logged under MLflow keys grouped by "/", and read back."""

from types import SimpleNamespace

import pytest

from mlcore.track import metric_key, run_metrics


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("test_roc_auc", "test/roc_auc"),
        ("baseline_test_roc_auc", "baseline/test/roc_auc"),
        ("uncalibrated_test_ece_10_bins", "uncalibrated/test/ece_10_bins"),
        ("heuristic_test_best_profit", "heuristic/test/best_profit"),
        ("step_seconds_train", "step_seconds/train"),
        ("target_dropped_censored", "target/dropped_censored"),
        ("drift_features_error", "drift/features_error"),
        ("n_scored", "n_scored"),  # no known group: as it is
    ],
)
def test_a_metric_is_logged_under_its_groups_and_read_back_by_its_name(name, key):
    assert metric_key(name) == key
    run = SimpleNamespace(data=SimpleNamespace(metrics={key: 1.0}))
    assert run_metrics(run) == {name: 1.0}


def test_runs_logged_before_the_grouping_read_the_same_names():
    run = SimpleNamespace(data=SimpleNamespace(metrics={"test_roc_auc": 0.8, "test/log_loss": 0.4}))
    assert run_metrics(run) == {"test_roc_auc": 0.8, "test_log_loss": 0.4}
