"""The open pipeline in generated projects, as a user drives it: any estimator from one config
file, project features and steps, and the three tasks on tables of the user's own kind.

Real cookiecutter, uv, Hydra, MLflow (SQLite store) and ``mlflow models serve`` on loopback. Two
installed projects are shared: the default one (example pipeline; every run gets its own store
with ``paths.root=<tmp>``) and the skeleton, copied for each table because conf/, the data and
the store are per project (:func:`~tests.template.conftest.copy_installed`).
"""

from __future__ import annotations

import json
import re
import subprocess
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import mlflow
import numpy as np
import pandas as pd
import pytest

from mlcore.track import run_metrics
from tests._processes import free_port, group_members, stop_group
from tests.mlcore.test_serve import _wait_ready
from tests.template.conftest import UV, bake, copy_installed, git, make, outer_env, run

pytestmark = pytest.mark.slow
EXAMPLE = pytest.mark.xdist_group("open_pipeline_example")
SKELETON = pytest.mark.xdist_group("open_pipeline_skeleton")

NAME = "churn-model"  # the registered model: the project slug
SMOKE = "experiment=smoke"
# The project step by import path; the run records steps by name.
STEPS = "validate,split,train,evaluate,churn_model.steps.export_top_scores,register"
STEP_NAMES = ["validate", "split", "train", "evaluate", "export_top_scores", "register"]


def _env() -> dict:
    """The environment of the project's own tools (make, uv, the project's .venv)."""
    return outer_env("MLFLOW_TRACKING_URI", UV=UV, UV_COMPILE_BYTECODE="1")


def _client(root: Path) -> mlflow.MlflowClient:
    return mlflow.MlflowClient(tracking_uri=f"sqlite:///{root}/mlflow.db")


def _runs(root: Path) -> list:
    client = _client(root)
    experiment = client.get_experiment_by_name(NAME)
    return client.search_runs([experiment.experiment_id]) if experiment else []


def _pipeline(project: Path, *overrides: str) -> subprocess.CompletedProcess:
    """``python -m churn_model.pipeline`` with the project's interpreter; must succeed."""
    python = str(project / ".venv" / "bin" / "python")
    done = run(python, "-m", "churn_model.pipeline", *overrides, cwd=project, env=_env())
    assert done.returncode == 0, f"{overrides}:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    return done


def _model_dir(client: mlflow.MlflowClient, version) -> Path:
    """The local folder of a registered version's logged model (MLmodel, code/, ...)."""
    logged = client.get_logged_model(version.source.removeprefix("models:/"))
    return Path(urlparse(logged.artifact_location).path)


def _changed_files(project: Path) -> tuple[set[str], set[str]]:
    """The tracked files changed since the generated commit, and the new untracked files."""
    changed = git(project, "diff", "--name-only").splitlines()
    untracked = git(project, "ls-files", "--others", "--exclude-standard").splitlines()
    return set(changed), set(untracked) - {"uv.lock"}  # uv.lock: written by `make install`


# ---------------------------------------------------------------------------------------------
# The default project: model presets, project features, a new estimator, a project step
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def example(default_project) -> Path:
    return default_project


def _scoring_table(project: Path, overrides: list[str]) -> pd.DataFrame:
    """The raw rows ``make predict`` scores by default (the data group's table, no target),
    composed from the project's conf/ as the make targets compose it."""
    from mlcore._commands.config import compose
    from mlcore.config import check_config
    from mlcore.data import load_table

    cfg = check_config(compose(str(project / "conf"), overrides))
    raw = load_table(cfg["data"], labelled=False)
    return raw.drop(columns=cfg["data"]["target"], errors="ignore")


def _serve(project: Path, port: int, args: str, frame: pd.DataFrame, log: Path) -> np.ndarray:
    """``make serve PORT=port ARGS=args`` in the background; the predictions for ``frame``."""
    url = f"http://127.0.0.1:{port}"
    with log.open("w") as sink:
        server = subprocess.Popen(
            ["make", "--no-print-directory", "serve", f"PORT={port}", f"ARGS={args}"],
            cwd=project,
            env=_env(),
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_ready(server, url, log)
        split = json.loads(frame.to_json(orient="split", date_format="iso", index=False))
        request = urllib.request.Request(
            f"{url}/invocations",
            data=json.dumps({"dataframe_split": split}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            served = np.asarray(json.loads(response.read())["predictions"])
    finally:
        stop_group(server)
    assert not group_members(server.pid), "make serve left processes behind"
    return served


@EXAMPLE
def test_logistic_regression_with_project_features_serves_what_make_predict_scores(
    example, tmp_path
):
    root = tmp_path / "store"
    root.mkdir()
    # The smoke preset's budget applies to the models it names (conf/budget/smoke/): not to this one.
    overrides = [SMOKE, "model=logistic_regression", f"paths.root={root}"]
    done = _pipeline(example, *overrides)
    assert f"models:/{NAME}@champion" in done.stdout

    client = _client(root)
    champion = client.get_model_version_by_alias(NAME, "champion")
    params = client.get_run(champion.run_id).data.params
    assert params["model._target_"] == "sklearn.linear_model.LogisticRegression"
    assert "churn_model.features.RatioFeatures" in params["features.extra"]  # on by default
    model_dir = _model_dir(client, champion)
    assert (model_dir / "code" / "churn_model" / "features.py").is_file()  # carried by the model

    scoring = [SMOKE, f"paths.root={root}"]
    make(example, "predict", {**_env(), "ARGS": " ".join(scoring)})
    (output,) = (root / "data" / "processed" / "predictions").glob("predictions_*.parquet")
    predictions = pd.read_parquet(output)
    assert set(predictions["model_version"]) == {str(champion.version)}

    # The serving contract: a client sends raw rows, each customer's history, and the model
    # computes their activity features; every row gets the score make predict gave it.
    keys = ["customer_id", "snapshot_month"]
    chosen = predictions.iloc[:: max(1, len(predictions) // 40)]
    raw = _scoring_table(example, scoring)
    history = raw[raw["customer_id"].isin(chosen["customer_id"])].reset_index(drop=True)
    signature = mlflow.models.Model.load(model_dir).signature.inputs.input_names()
    assert "logins" in signature and not any(c.startswith("logins_") for c in signature)
    served = _serve(
        example, free_port(), f"paths.root={root}", history[signature], tmp_path / "serve.log"
    )
    assert served.shape == (len(history), 2)
    both = history[keys].assign(served=served[:, 1]).merge(chosen, on=keys, validate="one_to_one")
    assert len(both) == len(chosen)
    np.testing.assert_allclose(both["served"], both["score"], rtol=0, atol=1e-9)


@EXAMPLE
def test_a_new_estimator_is_one_config_file_in_the_project(example, tmp_path):
    (example / "conf" / "model" / "extra_trees.yaml").write_text(
        "_target_: sklearn.ensemble.ExtraTreesClassifier\nn_estimators: 20\nmin_samples_leaf: 5\n"
    )
    _pipeline(example, SMOKE, "model=extra_trees", f"paths.root={tmp_path}")

    (logged,) = _runs(tmp_path)
    params = logged.data.params
    assert params["model._target_"] == "sklearn.ensemble.ExtraTreesClassifier"
    assert params["model.min_samples_leaf"] == "5"
    (version,) = _client(tmp_path).search_model_versions(f"name = '{NAME}'")
    assert version.run_id == logged.info.run_id
    assert _changed_files(example) == (set(), {"conf/model/extra_trees.yaml"})


@EXAMPLE
def test_a_project_step_runs_where_steps_puts_it(example, tmp_path):
    _pipeline(example, SMOKE, f"steps=[{STEPS}]", f"paths.root={tmp_path}")

    (logged,) = _runs(tmp_path)
    assert logged.info.status == "FINISHED"
    assert logged.data.tags["mlcore.steps"] == ",".join(STEP_NAMES)
    metrics = run_metrics(logged)
    assert metrics["export_rows"] == max(1, round(metrics["rows_test"] * 0.1))  # fraction 0.1
    client = _client(tmp_path)
    assert [a.path for a in client.list_artifacts(logged.info.run_id, "export")] == [
        "export/top_scores.csv"
    ]
    # Each step's wall time is logged when it ends: their timestamps give the order they ran in.
    ended = {
        name: client.get_metric_history(logged.info.run_id, f"step_seconds/{name}")[0].timestamp
        for name in STEP_NAMES
    }
    assert sorted(STEP_NAMES, key=ended.__getitem__) == STEP_NAMES
    export = pd.read_csv(tmp_path / "reports" / "export_top_scores" / "top_scores.csv")
    assert list(export.columns) == ["customer_id", "score"]
    assert len(export) == metrics["export_rows"] and export["score"].is_monotonic_decreasing
    (version,) = client.search_model_versions(f"name = '{NAME}'")
    assert version.run_id == logged.info.run_id  # register ran after the project step


# ---------------------------------------------------------------------------------------------
# The skeleton: your own table, changing only conf/
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def skeleton(tmp_path_factory) -> Path:
    assert UV, "uv is needed to install the generated project (make test provides it)"
    output = tmp_path_factory.mktemp("open_skeleton")
    done = bake(output, "include_example_pipeline=no")
    assert done.returncode == 0, done.stderr
    project = output / NAME
    synced = run(UV, "sync", "--extra", "dev", "--quiet", cwd=project, env=_env())
    assert synced.returncode == 0, synced.stderr
    return project


@pytest.fixture
def own_table(skeleton, tmp_path) -> Path:
    """A fresh copy of the installed skeleton: its own conf/, data and MLflow store."""
    return copy_installed(skeleton, tmp_path / NAME, _env())


def _set(path: Path, key: str, value: str) -> None:
    """Edit the top-level ``key: value`` line of a YAML file as a user would (comment kept)."""
    text, count = re.subn(
        rf"^{key}: \S+", lambda _: f"{key}: {value}", path.read_text(), flags=re.MULTILINE
    )
    assert count == 1, f"{path}: expected one `{key}:` line"
    path.write_text(text)


def _sklearn_table(project: Path, load, target: str, task: str) -> None:
    """A scikit-learn bundled table with an ``id`` column as data/raw/<name>.csv, configured
    in conf/data/file.yaml (path, target) and conf/config.yaml (task)."""
    frame = load(as_frame=True).frame.rename(columns={"target": target})
    frame.insert(0, "id", np.arange(len(frame)))
    name = load.__name__.removeprefix("load_")
    frame.to_csv(project / "data" / "raw" / f"{name}.csv", index=False)
    _set(project / "conf" / "data" / "file.yaml", "path", f"${{paths.data}}/raw/{name}.csv")
    _set(project / "conf" / "data" / "file.yaml", "target", target)
    _set(project / "conf" / "config.yaml", "task", task)


def _profile_and_run(project: Path, times: int = 1) -> None:
    """``make profile`` (the skeleton's suite is empty: no champion without it), then ``make run``."""
    env = _env()
    make(project, "profile", env)
    assert "expectations: []" not in (project / "conf" / "validation" / "default.yaml").read_text()
    for _ in range(times):
        make(project, "run", env)


CONF_CHANGES = {"conf/config.yaml", "conf/data/file.yaml", "conf/validation/default.yaml"}


@SKELETON
def test_regression_on_the_diabetes_table_with_conf_changes_only(own_table):
    from sklearn.datasets import load_diabetes

    _sklearn_table(own_table, load_diabetes, "progression", "regression")
    _profile_and_run(own_table, times=2)

    client = _client(own_table)
    first, second = (client.get_model_version(NAME, v) for v in ("1", "2"))
    logged = client.get_run(first.run_id)
    assert logged.data.tags["mlcore.task"] == "regression"
    assert run_metrics(logged)["test_rmse"] < run_metrics(logged)["baseline_test_rmse"]
    assert json.loads(first.tags["mlcore.gate_metrics"])["metric"] == "rmse"
    assert client.get_model_version_by_alias(NAME, "champion").version == 1
    # The same data again: compared with the champion on the same test rows, not promoted.
    assert "champion" in second.tags["mlcore.reason"], second.tags["mlcore.reason"]
    assert json.loads(second.tags["mlcore.gate_metrics"])["champion_version"] == "1"
    assert _changed_files(own_table) == (CONF_CHANGES, set())


@SKELETON
def test_multiclass_on_the_wine_table_with_conf_changes_only(own_table):
    from sklearn.datasets import load_wine

    _sklearn_table(own_table, load_wine, "cultivar", "multiclass")
    _profile_and_run(own_table)

    client = _client(own_table)
    champion = client.get_model_version_by_alias(NAME, "champion")
    logged = client.get_run(champion.run_id)
    assert logged.data.tags["mlcore.task"] == "multiclass"
    assert {"test_roc_auc", "test_accuracy"} <= set(run_metrics(logged))
    assert "Confusion matrix" in (own_table / "reports" / "report.html").read_text()
    assert _changed_files(own_table) == (CONF_CHANGES, set())


@SKELETON
def test_a_binary_table_of_your_own_needs_only_the_data_config_and_make_profile(own_table):
    from sklearn.datasets import make_classification

    X, y = make_classification(n_samples=800, n_features=6, n_informative=4, random_state=3)
    table = pd.DataFrame(X, columns=[f"f{i}" for i in range(6)])
    table.insert(0, "client_id", np.arange(10_000, 10_000 + len(table)))
    table["channel"] = np.select([X[:, 0] < -0.5, X[:, 0] < 0.5], ["branch", "web"], "phone")
    table.loc[::11, "f2"] = np.nan
    table["took_offer"] = y
    table.to_parquet(own_table / "data" / "raw" / "offers.parquet", index=False)
    data = own_table / "conf" / "data" / "file.yaml"
    _set(data, "path", "${paths.data}/raw/offers.parquet")
    _set(data, "entity_col", "client_id")
    _set(data, "target", "took_offer")
    _profile_and_run(own_table)

    champion = _client(own_table).get_model_version_by_alias(NAME, "champion")
    make(own_table, "predict", _env())
    (output,) = (own_table / "data" / "processed" / "predictions").glob("predictions_*.parquet")
    predictions = pd.read_parquet(output)
    assert sorted(predictions["client_id"]) == sorted(table["client_id"])
    assert predictions["score"].between(0, 1).all()  # a probability for every row, none missing
    assert set(predictions["model_version"]) == {str(champion.version)}
    assert _changed_files(own_table) == (
        {"conf/data/file.yaml", "conf/validation/default.yaml"},
        set(),
    )
