"""The ``target`` config: the split step builds the label from the raw panel with mlcore.targets,
and the run, the report and the model card say how (definition, positive rate, rows dropped)."""

from pathlib import Path

import mlflow
import pandas as pd
import pytest

from mlcore.config import check_config
from mlcore.data import load_table
from mlcore.errors import ConfigError
from mlcore.pipeline import run
from mlcore.pipeline._values import Labels, Splits
from mlcore.targets import churn_labels
from mlcore.track import run_metrics

pytestmark = pytest.mark.slow  # pipeline runs against a real store

TARGET = {"definition": "cancellation", "cancel_col": "cancelled", "horizon": 2}


def panel_config(make_config, mode: str, **overrides) -> dict:
    config = make_config(data__table="churn_panel", **overrides)
    config["target"] = {**TARGET, "mode": mode}
    config["validation"]["expectations"][2]["column"] = "cancelled"  # the panel has no label
    return config


@pytest.mark.parametrize("mode", ["in", "within"])
def test_the_split_step_labels_the_panel_as_mlcore_targets_does(make_config, tmp_path, mode):
    config = panel_config(make_config, mode, steps=["split"])
    result = run(config)

    panel = load_table(check_config(config)["data"], labelled=False)
    expected = churn_labels(
        panel,
        entity_col="customer_id",
        date_col="snapshot_month",
        horizon=2,
        mode=mode,
        cancel_col="cancelled",
    )
    splits = Splits.read(Path(tmp_path) / "data" / "interim" / "split")
    sets = pd.concat([splits.train, splits.validation, splits.test])
    keys = ["customer_id", "snapshot_month"]
    got = sets[[*keys, "churn"]].sort_values(keys).reset_index(drop=True)
    want = expected.frame[[*keys, "churn"]].sort_values(keys).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want)
    assert "cancelled" not in sets.columns  # what the label is made of is not a feature

    metrics = run_metrics(mlflow.MlflowClient(config["tracking"]["uri"]).get_run(result.run_id))
    assert metrics["target_rows"] == len(expected.frame)
    assert metrics["target_positive_rate"] == pytest.approx(expected.frame["churn"].mean())
    for reason, count in expected.dropped.items():
        assert metrics[f"target_dropped_{reason}"] == count
    assert (expected.dropped["churned_before_target"] > 0) is (mode == "in")
    assert splits.labels.dropped == expected.dropped
    pd.testing.assert_frame_equal(splits.labels.by_period, expected.by_period)


def test_the_report_and_model_card_state_definition_positive_rate_and_drops(make_config, tmp_path):
    result = run(panel_config(make_config, "within"))

    assert result.promoted
    report = (tmp_path / "reports" / "report.md").read_text()
    card = (tmp_path / "reports" / "model_card.md").read_text()
    definition = "churn = 1 when the customer cancels (cancelled) within the 2 months after"
    for text in (report, card):
        assert definition in text
        assert "labelled snapshots, positive rate 0." in text
        assert "censored" in text and "churned_before_target" in text
    assert (
        "## Target" in report and "| snapshot period | rows | positives | positive_rate |" in report
    )


def test_a_warning_in_the_target_section_when_the_rate_climbs_at_the_edge():
    by_period = pd.DataFrame(
        {"rows": [100] * 6, "positives": [10, 11, 10, 30, 45, 90]},
        index=pd.date_range("2024-01-01", periods=6, freq="MS"),
    )
    by_period["positive_rate"] = by_period["positives"] / by_period["rows"]
    from mlcore.targets import edge_warning

    section = Labels("churn = 1 when ...", {"censored": 3}, by_period, edge_warning(by_period))
    assert "WARNING: the positive rate of the last 3 periods (0.550)" in section.section().text


def test_a_target_column_missing_from_the_panel_stops_before_any_run(make_config):
    config = panel_config(make_config, "within")
    config["target"]["cancel_col"] = "cancel_flag"
    with pytest.raises(ConfigError, match="target.cancel_col: column 'cancel_flag' is not in"):
        run(config)
