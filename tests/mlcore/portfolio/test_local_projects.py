"""``mlcore portfolio --projects DIR…``: local projects read from their files and ``mlflow.db``,
and the command's errors (one ``ERROR:`` line, exit 1)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from sklearn.datasets import load_diabetes

from mlcore.cli import main
from mlcore.pipeline import run
from tests._processes import free_port
from tests.conftest import bundled, table_config

PROFILE = {
    "topic": "Disease progression",
    "business_target": "Rank patients for follow-up",
    "id": "DIABETES",
    "status": "r_and_d",
    "team_lead": "Boris Ivanov",
}


def _project(folder: Path, profile: dict | str, commit: str = "c" * 40) -> Path:
    folder.mkdir(parents=True)
    text = profile if isinstance(profile, str) else yaml.safe_dump(profile)
    (folder / "project.yaml").write_text(text)
    (folder / ".cruft.json").write_text(json.dumps({"template": "/t", "commit": commit}))
    return folder


def _regression(root: Path) -> dict:
    return table_config(
        root,
        bundled(load_diabetes),
        task="regression",
        model={"_target_": "sklearn.linear_model.Ridge"},
        tracking={
            "uri": f"sqlite:///{root}/mlflow.db",
            "artifact_location": str(root / "mlartifacts"),
            "experiment": "diabetes",
            "model_name": "diabetes",
        },
    )


@pytest.fixture(scope="module")
def local(tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("local")
    trained = _project(base / "diabetes", PROFILE)
    config = _regression(trained)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(base)
        result = run(config)
    # The profile moved on after the run: the files, not the experiment tags, are the truth.
    (trained / "project.yaml").write_text(yaml.safe_dump({**PROFILE, "status": "pilot"}))
    never = _project(base / "ltv", {**PROFILE, "id": "LTV", "topic": "Lifetime value"})
    broken = _project(base / "broken", "topic: Broken\nstatus: someday\n")
    return {"base": base, "result": result, "folders": [trained, never, broken]}


def test_local_projects_are_read_from_their_files_and_stores(local, tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["portfolio", "--projects", *map(str, local["folders"]), "--output", str(out)])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    assert "3 project(s)" in printed.out
    projects = {p["id"]: p for p in json.loads((out / "portfolio.json").read_text())["projects"]}
    diabetes = projects["DIABETES"]
    assert diabetes["status"] == "pilot"  # from project.yaml, not the tag written at training
    assert diabetes["champion"]["version"] == "1" and diabetes["champion"]["decision"] == "promoted"
    assert diabetes["test_metric"]["metric"] == "rmse"
    assert diabetes["test_metric"]["value"] == pytest.approx(local["result"].metrics["test_rmse"])
    assert diabetes["task"] == "regression" and diabetes["template_commit"] == "c" * 40
    assert diabetes["alerts"] == [] and not diabetes["stale"]
    assert diabetes["fingerprints"]["features_from"] == "signature"
    assert "age" in diabetes["fingerprints"]["features"]
    ltv = projects["LTV"]
    assert ltv["last_run"] is None and ltv["stale"] and ltv["alerts"] == ["never trained"]
    (broken,) = [p for p in projects.values() if p["profile_error"]]
    assert any(a.startswith("project.yaml invalid:") for a in broken["alerts"])
    html = (out / "portfolio.html").read_text()
    assert "DIABETES" in html and "LTV" in html and "never trained" in html
    md = (out / "portfolio.md").read_text()
    assert md.count("| DIABETES |") == 1 and "- LTV: never trained" in md


def test_the_training_run_wrote_the_profile_on_the_local_experiment(local):
    import mlflow

    root = local["folders"][0]
    client = mlflow.MlflowClient(tracking_uri=f"sqlite:///{root}/mlflow.db")
    tags = client.get_experiment_by_name("diabetes").tags
    assert tags["mlcore.project.id"] == "DIABETES"
    assert tags["mlcore.project.status"] == "r_and_d"
    assert tags["mlcore.project.model_name"] == "diabetes"
    run = client.get_run(local["result"].run_id)
    assert run.data.tags["mlcore.template.commit"] == "c" * 40


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--projects", "/nonexistent/project"], "no such folder"),
        (["--projects", "{empty}"], "not a generated project (no project.yaml)"),
        (["--projects", "{empty}", "--stale-days", "-1"], "--stale-days must be 0 or more"),
        (["--tracking-uri", "sqlite:////nonexistent/mlflow.db"], "no MLflow store at"),
        (["--tracking-uri", "http://127.0.0.1:{port}"], "no MLflow server answers at"),
    ],
)
def test_bad_input_gives_one_error_line_and_exit_1(tmp_path, capsys, args, message):
    (tmp_path / "empty").mkdir()
    args = [a.format(empty=tmp_path / "empty", port=free_port()) for a in args]
    code = main(["portfolio", *args, "--output", str(tmp_path / "out")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1
    assert len(err) == 1 and err[0].startswith("ERROR: ") and message in err[0], err
    assert not (tmp_path / "out").exists()
