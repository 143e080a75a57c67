"""Bake the default project with the real cookiecutter CLI, install it, and use it as a user would.

One installed default project is shared by the tests of this module (a copy of the one baked and
installed per worker: :func:`~tests.template.conftest.installed_default`).
"""

import os
import re
import subprocess
from pathlib import Path

import mlflow
import pytest

from mlcore.evaluate import format_money
from mlcore.track import run_metrics
from tests.conftest import NETGUARD
from tests.template.conftest import run

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("generated_project")]


def _offline_env(home: Path, netlog: Path) -> dict:
    """The user's environment without any telemetry switch, and with the network guard loaded.

    Telemetry variables and the CI/pytest markers MLflow uses to switch itself off are removed, so
    the test proves that mlcore turns telemetry off by itself.
    """
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"MLFLOW_DISABLE_TELEMETRY", "DO_NOT_TRACK", "GX_ANALYTICS_ENABLED", "CI"}
        and not k.startswith("PYTEST_")
        and k not in {"VIRTUAL_ENV", "PYTHONPATH"}
    }
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"))
    env.update(PYTHONPATH=str(NETGUARD), NETGUARD_LOG=str(netlog))
    return env


@pytest.fixture(scope="module")
def project(default_project) -> Path:
    return default_project


@pytest.fixture
def offline(project, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    netlog = tmp_path / "network.log"
    return _offline_env(home, netlog), home, netlog


def _run(project: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return run(str(project / ".venv" / "bin" / args[0]), *args[1:], cwd=project, env=env)


def test_generated_code_is_ruff_clean(project):
    check = _run(project, "ruff", "check", ".")
    assert check.returncode == 0, check.stdout
    fmt = _run(project, "ruff", "format", "--check", ".")
    assert fmt.returncode == 0, fmt.stdout


def test_generated_tests_pass_offline(project, offline):
    env, _, netlog = offline
    done = _run(project, "pytest", "-q", "-p", "no:cacheprovider", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert " passed" in done.stdout
    assert not netlog.exists(), netlog.read_text()


def test_smoke_pipeline_runs_offline_without_telemetry_and_registers_a_champion(project, offline):
    env, home, netlog = offline
    done = _run(project, "python", "-m", "churn_model.pipeline", "experiment=smoke", env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "models:/churn-model@champion" in done.stdout

    assert not netlog.exists(), f"network attempted:\n{netlog.read_text()}"
    assert not (home / ".config" / "mlflow").exists(), "MLflow telemetry wrote its id file"

    client = mlflow.MlflowClient(tracking_uri=f"sqlite:///{project}/mlflow.db")
    experiment = client.get_experiment_by_name("churn-model")
    assert experiment.artifact_location == (project / "mlartifacts").as_uri()
    (logged,) = client.search_runs([experiment.experiment_id])
    assert logged.data.params["data.synthetic.n_customers"] == "2000"
    # MLflow groups the metrics by "/": test/, baseline/test/, step_seconds/ (make compare reads flat)
    assert logged.data.metrics["test/roc_auc"] > logged.data.metrics["baseline/test/roc_auc"]
    assert {"validation/roc_auc", "step_seconds/train", "target/positive_rate"} <= set(
        logged.data.metrics
    )
    assert not [key for key in logged.data.metrics if key.startswith(("test_", "validation_"))]
    assert client.search_logged_models([experiment.experiment_id])
    champion = client.get_model_version_by_alias("churn-model", "champion")
    assert champion.run_id == logged.info.run_id
    assert (project / "reports" / "report.html").is_file()

    # The profit section: the model's best cutoff vs contacting everyone vs the heuristic, as money.
    report = (project / "reports" / "report.md").read_text()
    profit = report.split("## Profit-optimal targeting", 1)[1].split("\n## ", 1)[0]
    metrics = run_metrics(logged)
    for amount in (
        "test_best_profit",
        "test_profit_contact_everyone",
        "heuristic_test_best_profit",
    ):
        assert f"| {format_money(metrics[amount])} |" in profit, amount
    assert "more than contacting everyone" in profit and "than the heuristic at its best" in profit
    assert (
        "| contact everyone |" in profit and "| heuristic (lowest logins_trend_3 first) |" in profit
    )
    assert not re.search(r"\de[+-]?\d", profit), profit  # no 1.007e+06
    groups = report.split("## Group metrics by age", 1)[1].split("\n## ", 1)[0]
    assert "(the profit-optimal cutoff)" in groups and "of the test rows selected" in groups
    # Calibration: the decision and why, the error at several bin counts.
    assert logged.data.tags["mlcore.calibration"] in {"none", "isotonic", "sigmoid"}
    assert f"Calibration: {logged.data.tags['mlcore.calibration']} (" in report
    assert "## Calibration error by bin count" in report


def test_a_bad_override_exits_non_zero_naming_the_key(project, offline):
    env, _, _ = offline
    done = _run(project, "python", "-m", "churn_model.pipeline", "+modle.lr=1", env=env)
    assert done.returncode != 0
    assert "modle" in done.stderr


def _runs(project: Path) -> list:
    return _runs_of(project, "churn-model")


def _sweep(project: Path, runs_before: set) -> tuple:
    new = [r for r in _runs(project) if r.info.run_id not in runs_before]
    (parent,) = [r for r in new if r.data.tags.get("mlcore.kind") == "sweep"]
    children = [r for r in new if r.data.tags.get("mlflow.parentRunId") == parent.info.run_id]
    return parent, children


def test_a_multirun_nests_one_child_run_per_job_and_a_failed_job_spares_the_others(
    project, offline
):
    env, _, _ = offline
    before = {r.info.run_id for r in _runs(project)}
    done = _run(
        project,
        *("python", "-m", "churn_model.pipeline", "--multirun", "experiment=smoke"),
        *("steps=[split,train,evaluate]", "data.synthetic.n_customers=2000,0,1500"),
        env=env,
    )
    assert done.returncode != 0
    assert "1 of 3 sweep jobs failed" in done.stderr
    parent, children = _sweep(project, before)
    assert parent.info.status == "FAILED"
    statuses = sorted(c.info.status for c in children)
    assert statuses == ["FAILED", "FINISHED", "FINISHED"]
    sweep_dir = Path(parent.data.tags["mlcore.sweep_dir"])
    assert sorted(p.name for p in sweep_dir.iterdir() if p.is_dir()) == ["0", "1", "2"]


def test_the_optuna_sweep_runs_trials_in_parallel_as_child_runs(project, offline):
    env, _, _ = offline
    before = {r.info.run_id for r in _runs(project)}
    done = _run(
        project,
        *("python", "-m", "churn_model.pipeline", "--multirun", "hparams_search=lightgbm_optuna"),
        *("experiment=smoke", "hydra.sweeper.n_trials=4"),
        env=env,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    parent, children = _sweep(project, before)
    assert parent.info.status == "FINISHED"
    assert [c.info.status for c in children] == ["FINISHED"] * 4
    rates = {c.data.params["model.learning_rate"] for c in children}
    assert len(rates) == 4
    results = Path(parent.data.tags["mlcore.sweep_dir"]) / "optimization_results.yaml"
    best = max(run_metrics(c)["validation_roc_auc"] for c in children)
    assert f"best_value: {best}" in results.read_text()
    # the parent carries the space, the best trial and its metrics
    (winner,) = [c for c in children if run_metrics(c)["validation_roc_auc"] == best]
    assert parent.data.params["sweep.space.model.learning_rate"] == "interval(0.01, 0.2)"
    assert parent.data.params["sweep.optimized_metric"] == "validation_roc_auc"
    assert parent.data.params["model.learning_rate"] == winner.data.params["model.learning_rate"]
    assert parent.data.tags["mlcore.best_run_id"] == winner.info.run_id
    assert run_metrics(parent)["validation_roc_auc"] == best
    assert run_metrics(parent)["test_roc_auc"] == run_metrics(winner)["test_roc_auc"]
    assert sorted(c.data.tags["mlcore.trial"] for c in children) == ["0", "1", "2", "3"]
    # the terminal: trial-tagged lines, one summary at the end naming the parent and the winner
    log = done.stdout + done.stderr
    assert log.count("Sweep:") == 1 and "MLflow run:" not in log
    assert f"MLflow parent run {parent.info.run_id}" in log
    trial = winner.data.tags["mlcore.trial"]
    assert f"Best trial:        trial {trial}, run {winner.info.run_id}" in log
    started = [line for line in log.splitlines() if "step train: start" in line]
    assert len(started) == 4 and all("[trial " in line for line in started)


@pytest.fixture
def champion(project, offline) -> None:
    """A champion in the project's store (trains the smoke pipeline if there is none)."""
    client = mlflow.MlflowClient(tracking_uri=f"sqlite:///{project}/mlflow.db")
    try:
        client.get_model_version_by_alias("churn-model", "champion")
    except mlflow.exceptions.MlflowException:
        done = _run(
            project, "python", "-m", "churn_model.pipeline", "experiment=smoke", env=offline[0]
        )
        assert done.returncode == 0, done.stderr[-3000:]


def test_make_predict_writes_a_new_scored_file_each_run(project, offline, champion):
    env, _, netlog = offline
    outputs = project / "data" / "processed" / "predictions"
    for _ in range(2):
        done = _run(project, "python", "-m", "churn_model.predict", "experiment=smoke", env=env)
        assert done.returncode == 0, done.stderr[-3000:]
    files = sorted(outputs.glob("predictions_*.parquet"))
    assert len(files) == 2
    import pandas as pd

    first, second = (pd.read_parquet(f) for f in files)
    assert {"score", "model_version", "run_id"} <= set(first.columns)
    assert first["score"].equals(second["score"])
    assert not netlog.exists(), netlog.read_text()


def test_make_drift_alerts_on_a_drifted_batch_and_not_on_a_same_distribution_one(
    project, offline, champion
):
    env, _, _ = offline
    drift = ("python", "-m", "churn_model.drift", "experiment=smoke")
    calm = _run(project, *drift, env=env)
    assert calm.returncode == 0, calm.stdout[-2000:] + calm.stderr[-2000:]
    drifted = _run(project, *drift, "drift.synthetic.kind=feature", env=env)
    assert drifted.returncode == 1, drifted.stdout[-2000:] + drifted.stderr[-2000:]
    assert "drift alert" in drifted.stdout + drifted.stderr
    runs = _runs_of(project, "churn-model-monitoring")
    assert len(runs) >= 2 and all(r.data.tags["mlcore.kind"] == "drift" for r in runs)
    assert list((project / "reports" / "drift").rglob("*.html"))


def _runs_of(project: Path, experiment_name: str) -> list:
    client = mlflow.MlflowClient(tracking_uri=f"sqlite:///{project}/mlflow.db")
    experiment = client.get_experiment_by_name(experiment_name)
    return client.search_runs([experiment.experiment_id]) if experiment else []
