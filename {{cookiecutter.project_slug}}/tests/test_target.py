"""The label the pipeline builds from the raw panel (conf/target/), in both of the talk's modes,
and the training-only sampling of conf/sampling/."""

import mlflow
import pytest
from mlcore.config import check_config
from mlcore.data import load_table
from mlcore.pipeline import run
from mlcore.targets import label_table, target_settings
from mlcore.track import run_metrics

SMOKE = "experiment=smoke"


def _metrics(cfg, run_id: str) -> dict[str, float]:
    uri = check_config(cfg)["tracking"]["uri"]
    return run_metrics(mlflow.MlflowClient(tracking_uri=uri).get_run(run_id))


@pytest.mark.parametrize("mode", ["in", "within"])
def test_the_split_step_labels_the_raw_panel_with_mlcore_targets(compose_config, run_root, mode):
    cfg = compose_config(SMOKE, f"paths.root={run_root}", f"target.mode={mode}", "steps=[split]")
    metrics = _metrics(cfg, run(cfg).run_id)

    checked = check_config(cfg)
    data = checked["data"]
    expected = label_table(
        load_table(data, labelled=False),
        target_settings(checked["target"]),
        entity_col=data["entity_col"],
        date_col=data["date_col"],
        label_col=data["target"],
    )
    assert metrics["target_rows"] == len(expected.frame)
    assert metrics["target_positive_rate"] == pytest.approx(expected.frame["churn"].mean())
    for reason, count in expected.dropped.items():
        assert metrics[f"target_dropped_{reason}"] == count
    assert metrics["target_dropped_censored"] > 0
    # "in": a customer who leaves before month t + 3 is not a snapshot of that question.
    assert (metrics["target_dropped_churned_before_target"] > 0) is (mode == "in")


def test_undersampling_thins_the_training_rows_only(compose_config, run_root):
    runs = {}
    for sampling in ("none", "undersample"):
        cfg = compose_config(
            SMOKE, f"paths.root={run_root}", f"sampling={sampling}", "steps=[split,train]"
        )
        runs[sampling] = _metrics(cfg, run(cfg).run_id)
    plain, thinned = runs["none"], runs["undersample"]
    for name in ("rows_train", "rows_validation", "rows_test"):
        assert thinned[name] == plain[name]  # the sets are the same; sampling comes after
    assert thinned["sampling_rows_train"] < plain["sampling_rows_train"] == plain["rows_train"]
    assert thinned["sampling_positive_rate_train"] > plain["sampling_positive_rate_train"]
