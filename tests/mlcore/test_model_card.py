"""The model card renders every section from plain inputs and rejects bad inputs by name."""

import re

import pandas as pd
import pytest

from mlcore.model_card import render_model_card, write_model_card

PROFILE = {
    "topic": "Churn model",
    "business_target": "Keep 5% more customers",
    "id": "CHURN-MODEL",
    "status": "pilot",
    "team_lead": "Ada Lovelace",
    "customer": "Marketing",
    "departments": {"initiator": "Marketing", "recipient": "CRM", "in_charge": "Data Science"},
    "data_scientists": ["Ada Lovelace", "Alan Turing"],
}


def inputs(**changes):
    base = {
        "run_id": "0123abcd",
        "model_name": "churn-model",
        "model_version": "4",
        "data_fingerprints": [{"name": "raw", "rows": 100000, "sha256": "9f2c77"}],
        "target_definition": "churn = 1 when the customer leaves within the next 3 months",
        "metrics": {"test_roc_auc": 0.8123, "test_log_loss": 0.31},
        "baseline_metrics": {"test_roc_auc": 0.5, "test_log_loss": 0.33},
        "calibration": pd.DataFrame(
            {"bin": [1, 2], "mean_predicted": [0.05, 0.4], "observed_rate": [0.04, 0.42]}
        ),
        "group_metrics": [
            {"group": "plan=basic", "rows": 400, "roc_auc": 0.79},
            {"group": "plan=premium | family", "rows": 120, "roc_auc": float("nan")},
        ],
        "limitations": ["Trained on synthetic data", "Not validated on new markets"],
    }
    return {**base, **changes}


def test_the_card_has_every_section_in_order():
    card = render_model_card(PROFILE, **inputs())
    headings = [line for line in card.splitlines() if line.startswith("#")]
    assert headings == [
        "# Model card: churn-model version 4",
        "## Intended use",
        "## Data",
        "## Target",
        "## Metrics vs baseline",
        "## Calibration",
        "## Metrics by group",
        "## Limitations",
    ]
    assert "MLflow run `0123abcd`" in card and "`models:/churn-model/4`" in card
    assert "status `pilot`" in card and "| Used by | CRM |" in card
    assert "| Data scientists | Ada Lovelace, Alan Turing |" in card
    assert "| raw | 100000 | 9f2c77 |" in card
    assert "| test_roc_auc | 0.8123 | 0.5000 | 0.3123 |" in card
    assert "| test_log_loss | 0.3100 | 0.3300 | -0.0200 |" in card
    assert "| 1 | 0.0500 | 0.0400 |" in card  # a DataFrame is accepted as a table
    assert "| plan=premium \\| family | 120 | — |" in card  # pipes escaped, NaN shown as a dash
    assert card.endswith("- Trained on synthetic data\n- Not validated on new markets\n")


def test_missing_baseline_and_empty_optional_tables_are_explicit():
    card = render_model_card(
        {}, **inputs(baseline_metrics={}, calibration=[], group_metrics=pd.DataFrame())
    )
    assert "| test_roc_auc | 0.8123 | — | — |" in card
    assert card.count("_Not computed for this run._") == 2
    assert "| Team lead | — |" in card


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"run_id": ""}, "run_id must be a non-empty string"),
        ({"target_definition": None}, "target_definition must be a non-empty string"),
        ({"metrics": {"test_roc_auc": "high"}}, "metrics['test_roc_auc'] must be a number"),
        ({"metrics": {}}, "metrics is empty"),
        ({"baseline_metrics": {"test_roc_auc": True}}, "baseline_metrics['test_roc_auc']"),
        ({"limitations": []}, "limitations must be a non-empty list"),
        ({"limitations": "one string"}, "limitations must be a non-empty list"),
        ({"limitations": ["ok", " "]}, "limitations[1] must be a non-empty string"),
        ({"data_fingerprints": []}, "data_fingerprints is empty"),
        ({"group_metrics": ["plan=basic"]}, "group_metrics[0] must be a mapping"),
    ],
)
def test_bad_inputs_fail_naming_the_input(changes, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        render_model_card(PROFILE, **inputs(**changes))


def test_write_is_atomic_and_writes_nothing_on_bad_input(tmp_path):
    path = tmp_path / "reports" / "model_card.md"
    assert write_model_card(path, PROFILE, **inputs()) == path
    assert path.read_text().startswith("# Model card: churn-model version 4")
    other = tmp_path / "other" / "model_card.md"
    with pytest.raises(ValueError):
        write_model_card(other, PROFILE, **inputs(run_id=""))
    assert not other.exists()
    assert [p.name for p in path.parent.iterdir()] == ["model_card.md"]


def test_the_environment_section_follows_the_gate_when_given():
    rows = [{"": "uv.lock sha256", "value": "ab12"}, {"": "Container image", "value": "m:lock-ab"}]
    card = render_model_card(PROFILE, **inputs(gate="promoted", environment=rows))
    headings = [line for line in card.splitlines() if line.startswith("## ")]
    assert headings[4:7] == ["## Promotion gate", "## Environment", "## Calibration"]
    assert "| uv.lock sha256 | ab12 |" in card and "| Container image | m:lock-ab |" in card
