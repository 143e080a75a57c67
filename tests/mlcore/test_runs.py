"""``mlcore runs compare`` on a real SQLite MLflow store: differing params only, metrics, sort
order, registered versions, CSV + markdown output and exit codes."""

import mlflow
import pandas as pd
import pytest

from mlcore import track
from mlcore.cli import main as cli
from mlcore.errors import MlcoreError
from mlcore.runs import compare_runs, format_table, write_tables

RUNS = [  # (n_estimators, test_roc_auc, test_brier)
    (30, 0.81, 0.12),
    (1, 0.62, 0.19),
    (100, 0.84, 0.11),
]


@pytest.fixture(scope="module")
def runs_store(tmp_path_factory):
    """Three training runs that differ in one param, a sweep parent run, v1 of a model.

    Built once: the tests only read it.
    """
    root = tmp_path_factory.mktemp("store")
    uri = f"sqlite:///{root}/mlflow.db"
    track.configure(uri, "proj", str(root / "mlartifacts"))
    ids = []
    for n_estimators, auc, brier in RUNS:
        with mlflow.start_run() as run:
            mlflow.log_params(
                {
                    "seed": 7,
                    "model.n_estimators": n_estimators,
                    "tracking.model_name": "proj-churn",
                }
            )
            mlflow.log_metrics(
                {"test_roc_auc": auc, "test_brier": brier, "validation_roc_auc": auc}
            )
            ids.append(run.info.run_id)
    with mlflow.start_run(tags={"mlcore.kind": "sweep"}):
        mlflow.log_params({"seed": 99})
    client = mlflow.MlflowClient(tracking_uri=uri)
    client.create_registered_model("proj-churn")
    version = client.create_model_version("proj-churn", f"runs:/{ids[0]}/model", ids[0])
    client.set_registered_model_alias("proj-churn", "champion", version.version)
    return uri, client, ids


@pytest.fixture
def store(runs_store, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return runs_store


def test_only_differing_params_and_best_run_first(store):
    _, client, ids = store
    table = compare_runs(client, "proj")
    assert table["run_id"].tolist() == [ids[2], ids[0], ids[1]]  # sweep parent left out
    params = [c for c in table.columns if "." in c or c == "seed"]
    assert params == ["model.n_estimators"]  # seed and model name are the same everywhere
    assert table["model.n_estimators"].tolist() == ["100", "30", "1"]
    assert table["test_roc_auc"].tolist() == [0.84, 0.81, 0.62]
    assert table["baseline_test_roc_auc"].isna().all()
    assert table["model"].tolist() == ["", "v1 (champion)", ""]
    assert table["run"].tolist() == [i[:8] for i in table["run_id"]]
    assert set(table["status"]) == {"FINISHED"}


def test_losses_sort_ascending_and_max_runs_limits(store):
    _, client, ids = store
    table = compare_runs(client, "proj", max_runs=2, metric="test_brier")
    assert table["run_id"].tolist() == [ids[2], ids[0]]


def test_terminal_csv_and_markdown(store, tmp_path):
    _, client, _ = store
    table = compare_runs(client, "proj")
    text = format_table(table).splitlines()
    assert len(text) == 4 and len({len(line) for line in text}) == 1  # aligned
    assert "0.84 " in text[1] and "v1 (champion)" in text[2]
    csv_path, md_path = write_tables(table, tmp_path / "out")
    back = pd.read_csv(csv_path)
    assert back["test_roc_auc"].tolist() == [0.84, 0.81, 0.62]
    markdown = md_path.read_text().splitlines()
    assert markdown[2].startswith("| run | start | status | model.n_estimators |")
    assert markdown[3].startswith("|---|")
    assert len(markdown) == 7


def test_an_unknown_experiment_names_the_ones_that_exist(store):
    _, client, _ = store
    with pytest.raises(MlcoreError, match=r"no experiment 'nope' .*'proj'"):
        compare_runs(client, "nope")


def test_cli_exit_codes_and_outputs(store, tmp_path, capsys):
    uri, _, _ = store
    args = ["runs", "compare", "--tracking-uri", uri, "--experiment", "proj"]
    assert cli([*args, "--output", "reports/runs", "--max-runs", "2"]) == 0
    out = capsys.readouterr().out
    assert "model.n_estimators" in out and "2 run(s); wrote" in out
    assert (tmp_path / "reports" / "runs" / "runs.csv").is_file()
    assert (tmp_path / "reports" / "runs" / "runs.md").is_file()

    assert cli(["runs", "compare", "--tracking-uri", uri, "--experiment", "nope"]) == 1
    assert capsys.readouterr().err.startswith("ERROR: no experiment 'nope'")
    assert cli([*args, "--max-runs", "0"]) == 1
    assert "--max-runs must be >= 1" in capsys.readouterr().err
    missing = f"sqlite:///{tmp_path}/other.db"
    assert cli(["runs", "compare", "--tracking-uri", missing, "--experiment", "proj"]) == 1
    assert "no MLflow store at" in capsys.readouterr().err
    with pytest.raises(SystemExit) as usage:
        cli(["runs", "compare", "--tracking-uri", uri])  # --experiment is required
    assert usage.value.code == 2


def test_the_terminal_is_narrow_by_default_and_wide_on_request(store):
    _, client, _ = store
    table = compare_runs(client, "proj")
    header = format_table(table).splitlines()[0].split()
    # baseline_test_roc_auc is missing in every run: no empty column
    assert header == [
        "run", "status", "model.n_estimators", "validation_roc_auc", "test_roc_auc", "model"
    ]  # fmt: skip
    wide = format_table(table, wide=True).splitlines()[0].split()
    assert {"start", "test_brier", "test_top_bin_lift", "model"} <= set(wide)


def test_values_get_four_significant_digits():
    row = {
        "run": "ab",
        "status": "FINISHED",
        "test_roc_auc": 0.123456789,
        "model": "",
        "run_id": "x",
    }
    assert format_table(pd.DataFrame([row])).splitlines()[1].split()[2] == "0.1235"


def test_runs_sort_by_the_validation_metric_by_default(store):
    uri, client, _ = store
    track.configure(uri, "proj-sort", None)
    ids = []
    for validation, test in [(0.70, 0.90), (0.80, 0.60)]:
        with mlflow.start_run() as run:
            mlflow.log_metrics({"validation_roc_auc": validation, "test_roc_auc": test})
            ids.append(run.info.run_id)
    assert compare_runs(client, "proj-sort")["run_id"].tolist() == [ids[1], ids[0]]
    by_test = compare_runs(client, "proj-sort", metric="test_roc_auc")
    assert by_test["run_id"].tolist() == ids
