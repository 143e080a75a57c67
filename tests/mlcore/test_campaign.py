"""The campaign job against a real SQLite MLflow store and a real champion: assign, then evaluate
simulated outcomes; every bad input is one clear error."""

from __future__ import annotations

import json
from pathlib import Path

import mlflow
import pandas as pd
import pytest
from omegaconf import OmegaConf

from mlcore.campaign import main, run_assign, run_evaluate
from mlcore.cli import main as cli
from mlcore.datasets import campaign_outcomes
from mlcore.errors import ConfigError, DataError
from mlcore.pipeline import run
from mlcore.predict import score_batch
from mlcore.track import run_metrics
from tests.conftest import small_config

# One xdist group: the module's champion and its scored batch (a pipeline run) is made once, on one worker.
pytestmark = pytest.mark.xdist_group("campaign")


@pytest.fixture(scope="module")
def scored(tmp_path_factory) -> dict:
    """A champion trained with evaluate.profit, and one scored batch of its data table."""
    root = tmp_path_factory.mktemp("campaign")
    config = small_config(root, predict={"output_dir": str(root / "predictions")})
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        run(config)
        score_batch(config)
    return config


def _config(scored: dict, tmp_path: Path, **campaign) -> dict:
    dirs = {"output_dir": str(tmp_path / "campaigns"), "report_dir": str(tmp_path / "reports")}
    return {**scored, "campaign": {**dirs, **campaign}}


def test_assign_targets_the_profit_optimal_fraction_and_logs_a_linked_run(scored, tmp_path):
    first = run_assign(_config(scored, tmp_path))
    second = run_assign(_config(scored, tmp_path))
    assert first.path != second.path and first.path.is_file() and second.path.is_file()
    a, b = pd.read_parquet(first.path), pd.read_parquet(second.path)
    assert (a["group"] == b["group"]).all()  # same salt, same customers: same groups
    assert a["customer_id"].is_unique and sum(first.counts.values()) == len(a)
    client = mlflow.MlflowClient(tracking_uri=scored["tracking"]["uri"])
    champion = client.get_model_version_by_alias(scored["tracking"]["model_name"], "champion")
    fraction = run_metrics(client.get_run(champion.run_id))["test_best_fraction"]
    assert a["targeted"].mean() == pytest.approx(fraction, abs=1 / len(a))
    campaign_run = client.get_run(first.run_id)
    assert campaign_run.data.tags["mlcore.kind"] == "campaign"
    assert campaign_run.data.tags["mlcore.model_version"] == str(champion.version)
    assert campaign_run.data.tags["mlcore.model_run_id"] == champion.run_id
    experiment = client.get_experiment(campaign_run.info.experiment_id)
    assert experiment.name == "test-campaigns"
    sidecar = json.loads(first.sidecar.read_text())
    assert sidecar["campaign_run_id"] == first.run_id == a["campaign_run_id"].iloc[0]
    assert {f.path for f in client.list_artifacts(first.run_id, "assignment")} == {
        f"assignment/{first.path.name}",
        f"assignment/{first.sidecar.name}",
    }
    assert "Groups:" in first.summary()


def test_top_k_and_threshold_selections(scored, tmp_path):
    top = run_assign(_config(scored, tmp_path, selection={"kind": "top_k", "value": 200}))
    assert top.design["selection"]["targeted"] == 200
    frame = pd.read_parquet(top.path)
    assert set(frame.loc[~frame["targeted"], "group"]) == {"random", "others"}
    assert set(frame.loc[frame["targeted"], "group"]) == {"random", "treatment", "control"}
    cut = run_assign(_config(scored, tmp_path, selection={"kind": "threshold", "value": 0.5}))
    frame = pd.read_parquet(cut.path)
    assert (frame.loc[frame["targeted"], "score"] >= 0.5).all()
    assert (frame.loc[~frame["targeted"], "score"] < 0.5).all()


def test_evaluate_reports_to_the_campaign_run(scored, tmp_path, capsys):
    top = {"kind": "top_k", "value": 600}
    assigned = run_assign(_config(scored, tmp_path, selection=top))
    outcomes = tmp_path / "outcomes.csv"
    campaign_outcomes(pd.read_parquet(assigned.path), seed=1).to_csv(outcomes, index=False)
    assert main(_config(scored, tmp_path, outcomes=str(outcomes), action="evaluate")) == 0
    out = capsys.readouterr().out
    assert "Effect on churn:" in out and "MLflow campaign run: " + assigned.run_id in out
    (report,) = (tmp_path / "reports" / assigned.path.stem).glob("evaluation_*/report.md")
    text = report.read_text()
    assert "The campaign's effect (randomized: treatment vs control)" in text
    assert "Without the control group: propensity estimate (weaker evidence)" in text
    assert "Customers the model did not select (random vs others)" in text
    client = mlflow.MlflowClient(tracking_uri=scored["tracking"]["uri"])
    logged = client.get_run(assigned.run_id)
    assert {"campaign_effect", "incremental_profit", "qini_churn_score"} <= set(run_metrics(logged))
    assert "mlcore.evaluated" in logged.data.tags
    (folder,) = client.list_artifacts(assigned.run_id, "evaluation")
    names = {f.path.rsplit("/", 1)[-1] for f in client.list_artifacts(assigned.run_id, folder.path)}
    assert {"report.html", "report.md", "evaluation.json"} <= names


@pytest.mark.parametrize(
    ("campaign", "error", "message"),
    [
        (
            {"fractions": {"treatment": 0.5, "control": 0.6}},
            ConfigError,
            r"campaign.fractions must sum to 1, got treatment=0.5, control=0.6",
        ),
        ({"fractions": {"treatment": 1.0}}, ConfigError, "campaign.fractions.control is 0"),
        ({"selection": {"kind": "profit", "value": 0.3}}, ConfigError, "must be null for kind"),
        ({"selection": {"kind": "best"}}, ConfigError, "campaign.selection.kind must be one of"),
        ({"selection": {"kind": "top_k", "value": 0}}, ConfigError, "integer >= 1"),
        ({"fraction": 0.1}, ConfigError, r"campaign: unknown config key\(s\) \['fraction'\]"),
        ({"random_fraction": 1.0}, ConfigError, r"random_fraction must be in \[0, 1\)"),
        ({"predictions": "nope.parquet"}, DataError, "campaign.predictions nope.parquet: no such"),
        (
            {"selection": {"kind": "top_k", "value": 1}},
            DataError,
            "the control group is empty",
        ),
    ],
)
def test_bad_assign_settings_are_named(scored, tmp_path, campaign, error, message):
    with pytest.raises(error, match=message):
        run_assign(_config(scored, tmp_path, **campaign))


def test_bad_outcomes_are_one_error_line(scored, tmp_path, capsys):
    assigned = run_assign(_config(scored, tmp_path))
    frame = campaign_outcomes(pd.read_parquet(assigned.path), seed=2)
    unknown = frame.assign(customer_id=frame["customer_id"] + 10**9)
    cases = {
        "unknown.parquet": (unknown, "are not in the assignment"),
        "no_control.parquet": (
            frame.loc[frame["group"] != "control"],
            "no outcomes of the control group",
        ),
        "no_group.parquet": (frame.drop(columns="group"), r"missing column\(s\) \['group'\]"),
    }
    for name, (outcomes, message) in cases.items():
        path = tmp_path / name
        outcomes.to_parquet(path)
        config = _config(scored, tmp_path, outcomes=str(path), action="evaluate")
        assert main(config) == 1
        err = capsys.readouterr().err.strip()
        assert err.startswith("ERROR: campaign.outcomes") and len(err.splitlines()) == 1
        assert pd.Series([err]).str.contains(message).all(), err
    with pytest.raises(ConfigError, match="campaign.outcomes is not set"):
        run_evaluate(_config(scored, tmp_path))
    assert main(_config(scored, tmp_path)) == 1
    assert (
        "campaign.action must be one of ['assign', 'evaluate'], got None" in capsys.readouterr().err
    )
    with pytest.raises(DataError, match="no assignment in"):
        run_evaluate(_config(scored, tmp_path / "empty", outcomes="x.csv"))


def test_the_cli_composes_the_project_config(scored, tmp_path, capsys):
    conf = tmp_path / "conf"
    conf.mkdir()
    config = _config(scored, tmp_path, selection={"kind": "top_k", "value": 300}, outcomes=None)
    OmegaConf.save(OmegaConf.create(config), conf / "config.yaml")
    assert cli(["campaign", "assign", "--config-dir", str(conf)]) == 0
    assert "Targeted:          300 of" in capsys.readouterr().out
    outcomes = tmp_path / "outcomes.parquet"
    assert cli(["campaign", "simulate-outcomes", str(outcomes), "--config-dir", str(conf)]) == 0
    args = ["--config-dir", str(conf), "--override", f"campaign.outcomes={outcomes}"]
    assert cli(["campaign", "evaluate", *args]) == 0
    assert "Report:" in capsys.readouterr().out
    assert cli(["campaign", "assign", "--config-dir", str(tmp_path / "none")]) == 2
    assert capsys.readouterr().err.startswith("ERROR:")
