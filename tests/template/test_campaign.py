"""A baked project's campaign path: smoke → predict → campaign-assign → outcomes → campaign-evaluate.

One end-to-end test with its own installed default project (a copy of the one installed per
worker, so its store and files are its own), in its own xdist group (no longer queued behind the
generated project's tests); kept cheap: the smoke preset's 2,000 customers.
"""

import time
from pathlib import Path

import mlflow
import pandas as pd
import pytest

from mlcore.track import run_metrics
from tests.template.conftest import UV, outer_env, run

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("template_campaign")]


@pytest.fixture(scope="module")
def project(default_project) -> Path:
    return default_project


def _make(project: Path, target: str, args: str = "") -> str:
    env = outer_env(UV=UV)
    started = time.monotonic()
    done = run("make", "--no-print-directory", target, f"ARGS={args}", cwd=project, env=env)
    assert done.returncode == 0, f"make {target}:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    print(f"make {target}: {time.monotonic() - started:.1f} s")
    return done.stdout


def test_a_campaign_from_scores_to_a_report_linked_to_the_model_version(project):
    _make(project, "smoke")
    _make(project, "predict", "experiment=smoke")
    assigned = _make(project, "campaign-assign", "experiment=smoke")
    assert "Groups:            treatment" in assigned
    (assignment,) = (project / "data" / "processed" / "campaigns").glob("campaign_*.parquet")
    groups = pd.read_parquet(assignment)["group"].value_counts()
    assert set(groups.index) == {"treatment", "control", "random", "others"}

    outcomes = project / "data" / "raw" / "campaign_outcomes.parquet"
    simulate = ("simulate-outcomes", str(outcomes))
    done = run(str(project / ".venv" / "bin" / "mlcore"), "campaign", *simulate, cwd=project)
    assert done.returncode == 0, done.stderr
    evaluated = _make(
        project, "campaign-evaluate", f"experiment=smoke campaign.outcomes={outcomes}"
    )
    assert "Effect on churn:" in evaluated

    (report,) = (project / "reports" / "campaigns" / assignment.stem).glob(
        "evaluation_*/report.html"
    )
    assert "The campaign&#x27;s effect (randomized: treatment vs control)" in report.read_text()
    client = mlflow.MlflowClient(tracking_uri=f"sqlite:///{project}/mlflow.db")
    champion = client.get_model_version_by_alias("churn-model", "champion")
    experiment = client.get_experiment_by_name("churn-model-campaigns")
    (campaign,) = client.search_runs([experiment.experiment_id])
    tags = campaign.data.tags
    assert tags["mlcore.kind"] == "campaign"
    assert (tags["mlcore.model_name"], tags["mlcore.model_version"]) == (
        "churn-model",
        str(champion.version),
    )
    assert tags["mlcore.model_run_id"] == champion.run_id
    assert {"campaign_effect", "incremental_profit", "n_treatment"} <= set(run_metrics(campaign))
    assert client.list_artifacts(campaign.info.run_id, "evaluation")
