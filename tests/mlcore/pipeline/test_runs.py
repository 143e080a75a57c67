"""The pipeline end to end against a real SQLite MLflow store, real GX and real LightGBM.

The tests that read a run of the default small config share one store where it ran twice
(:func:`twice`): the first run promoted, the second, the same model again, refused.
"""

from dataclasses import dataclass
from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
import pytest

from mlcore.errors import ConfigError, DataError
from mlcore.pipeline import main, run
from mlcore.track import run_metrics
from mlcore.validate import ValidationFailed
from tests.conftest import small_config

# whole pipeline runs against a real store; one group: the module's shared runs are made once
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("pipeline_runs")]

REPORTS = ("report.html", "report.md", "model_card.md", "index.html")


def _client(config) -> mlflow.MlflowClient:
    return mlflow.MlflowClient(tracking_uri=config["tracking"]["uri"])


@dataclass
class Twice:
    """The default small config run twice in one store, and reports/ as each run left it."""

    config: dict
    root: Path
    first: object
    second: object
    reports: tuple[dict[str, str], dict[str, str]]


@pytest.fixture(scope="module")
def twice(tmp_path_factory) -> Twice:
    root = tmp_path_factory.mktemp("twice")
    config = small_config(root)
    results, reports = [], []
    for _ in range(2):
        results.append(run(config))
        reports.append({name: (root / "reports" / name).read_text() for name in REPORTS})
    return Twice(config, root, *results, tuple(reports))


def test_full_run_logs_params_metrics_report_and_registers_a_champion(twice):
    config, result = twice.config, twice.first
    client = _client(config)
    logged = client.get_run(result.run_id)
    assert logged.info.status == "FINISHED"
    assert logged.data.params["model.n_estimators"] == "30"
    assert logged.data.params["seed"] == "7"
    assert run_metrics(logged)["test_roc_auc"] > run_metrics(logged)["baseline_test_roc_auc"]
    artifacts = {a.path for a in client.list_artifacts(result.run_id, "report")}
    assert {"report/report.html", "report/report.md", "report/metrics.json"} <= artifacts
    champion = client.get_model_version_by_alias("test-churn", "champion")
    assert champion.run_id == result.run_id
    assert champion.tags["mlcore.decision"] == "promoted"
    card = twice.reports[0]["model_card.md"]
    assert card.startswith(f"# Model card: test-churn version {result.model_version}")
    assert champion.description == card  # the card travels with the model version
    monitoring = {a.path for a in client.list_artifacts(result.run_id, "monitoring")}
    assert monitoring == {"monitoring/drift_profile.json"}  # make drift's reference
    figures = {a.path for a in client.list_artifacts(result.run_id, "report/figures")}
    names = ("lift", "gains", "calibration", "profit", "importance")
    if logged.data.tags["mlcore.calibration"] != "none":  # auto chose a calibrator
        names += ("calibration_uncalibrated",)
    assert figures == {f"report/figures/{name}.png" for name in names}
    html = twice.reports[0]["report.html"]
    assert html.count("data:image/png;base64") == len(names)
    index = twice.reports[0]["index.html"]
    for link in ("report.html", "validation/raw.html", "model_card.md"):
        assert f"<a href='{link}'>" in index
    assert index.count(f"<code>{result.run_id}</code>") == 3  # the run made each of them
    for section in ("Model vs baselines", "heuristic", "Calibration", "Profit", "Group metrics"):
        assert section in html
    metrics = run_metrics(logged)
    assert metrics["test_roc_auc"] > metrics["heuristic_test_roc_auc"] > 0.5
    assert {"test_ece", "test_best_profit", "test_gap_selection_rate"} <= set(metrics)


def test_a_run_records_git_versions_lock_hash_and_input_fingerprints(make_config, tmp_path):
    import subprocess

    def git(*args):
        return subprocess.run(
            ["git", "-C", str(tmp_path), *args], capture_output=True, text=True, check=True
        ).stdout.strip()

    git("init", "-q", "-b", "main")
    (tmp_path / "uv.lock").write_text("lock v1\n")
    outputs = ["mlflow.db", "mlartifacts/", "data/", "models/", "reports/"]
    (tmp_path / ".gitignore").write_text("\n".join(outputs) + "\n")  # as a generated project's
    git("add", "uv.lock", ".gitignore")
    git("-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qm", "lock")
    config = make_config(steps=["validate", "split"])
    result = run(config)
    logged = _client(config).get_run(result.run_id)
    tags = logged.data.tags
    assert tags["mlcore.git.commit"] == tags["mlflow.source.git.commit"] == git("rev-parse", "HEAD")
    assert tags["mlcore.git.branch"] == "main"
    assert tags["mlcore.git.dirty"] == "false"
    assert len(tags["mlcore.version.uv.lock.sha256"]) == 64
    assert tags["mlcore.version.scikit-learn"] and tags["mlcore.version.lightgbm"]
    assert int(tags["mlcore.data.raw.rows"]) > 0 and len(tags["mlcore.data.raw.sha256"]) == 64
    (dataset,) = logged.inputs.dataset_inputs
    assert dataset.dataset.name == "raw"
    assert dataset.dataset.digest == tags["mlcore.data.raw.sha256"][:32]
    assert logged.data.params["seed"] == "7"
    again = _client(config).get_run(run(config).run_id).data.tags
    assert again["mlcore.data.raw.sha256"] == tags["mlcore.data.raw.sha256"]
    assert again["mlcore.git.dirty"] == "false"  # the first run's outputs are ignored
    (tmp_path / "new_module.py").write_text(
        "X = 1\n"
    )  # not committed: the code is not the commit's
    assert _client(config).get_run(run(config).run_id).data.tags["mlcore.git.dirty"] == "true"


def test_the_artifact_store_is_the_configured_absolute_path_not_the_cwd(
    make_config, tmp_path, monkeypatch
):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    run(make_config(steps=["split", "train", "evaluate"]))
    assert (tmp_path / "mlartifacts").is_dir()
    assert list(elsewhere.iterdir()) == []


def test_the_registered_champion_loads_and_scores_probabilities(twice):
    mlflow.set_tracking_uri(twice.config["tracking"]["uri"])
    model = mlflow.pyfunc.load_model("models:/test-churn@champion")
    from mlcore.datasets import make_churn

    batch = make_churn(n_customers=50, n_months=5, seed=1).drop(columns="churn")  # raw rows
    scores = model.predict(batch)
    assert scores.shape == (len(batch), 2)
    assert ((scores >= 0) & (scores <= 1)).all().all()


def test_same_config_twice_gives_identical_metrics_predictions_and_keeps_the_champion(twice):
    config, first, second = twice.config, twice.first, twice.second
    assert pd.Series(first.metrics).equals(pd.Series(second.metrics))  # NaN-aware equality
    mlflow.set_tracking_uri(config["tracking"]["uri"])
    test_rows = pd.read_parquet(twice.root / "data" / "interim" / "split" / "test.parquet")
    scores = [
        mlflow.pyfunc.load_model(f"models:/test-churn/{version}").predict(test_rows)
        for version in (first.model_version, second.model_version)
    ]
    assert np.array_equal(np.asarray(scores[0]), np.asarray(scores[1]))  # bit-identical
    assert second.promoted is False
    assert "does not beat champion" in second.reason
    champion = _client(config).get_model_version_by_alias("test-churn", "champion")
    assert str(champion.version) == first.model_version
    challenger = _client(config).get_model_version_by_alias("test-churn", "challenger")
    assert str(challenger.version) == second.model_version
    assert challenger.tags["mlcore.decision"] == "refused"


def test_a_worse_model_is_registered_but_never_promoted(make_config):
    config = make_config()
    run(config)
    worse = make_config(model__n_estimators=1, model__num_leaves=2)
    result = run(worse)
    assert result.promoted is False
    champion = _client(config).get_model_version_by_alias("test-churn", "champion")
    assert str(champion.version) == "1"


def test_failed_validation_stops_before_training_and_leaves_the_registry_untouched(
    make_config, tmp_path
):
    bad = make_config(
        validation={"expectations": [{"type": "between", "column": "age", "min": 50, "max": 60}]}
    )
    with pytest.raises(ValidationFailed, match=r"between\(column=age"):
        run(bad)

    client = _client(bad)
    runs = client.search_runs([client.get_experiment_by_name("test").experiment_id])
    assert [r.info.status for r in runs] == ["FAILED"]
    assert client.search_registered_models() == []
    assert not (tmp_path / "models").exists()
    assert not (tmp_path / "data" / "interim").exists()


def test_main_prints_one_error_line_and_exits_1_on_bad_input(make_config, capsys):
    with pytest.raises(SystemExit) as exited:
        main(make_config(data__synthetic={"n_customers": 0, "n_months": 6}))
    assert exited.value.code == 1
    last_line = capsys.readouterr().err.splitlines()[-1]
    assert last_line.startswith("ERROR: make_churn needs n_customers >= 1")


def test_a_selection_of_steps_resumes_from_the_split_on_disk(make_config):
    run(make_config(steps=["split"]))
    result = run(make_config(steps=["train", "evaluate"]))
    assert result.steps == ["train", "evaluate"]
    assert result.metrics["test_roc_auc"] > 0.5


def test_training_without_a_split_on_disk_says_which_step_to_run(make_config):
    with pytest.raises(DataError, match="run the 'split' step first"):
        run(make_config(steps=["train"]))


def test_an_unknown_config_key_is_rejected_before_any_run(make_config):
    config = make_config()
    config["modle"] = {"params": {}}
    with pytest.raises(ConfigError, match="modle"):
        run(config)


def test_a_file_source_missing_the_target_column_is_a_clear_error(make_config, tmp_path):
    from mlcore.datasets import make_churn

    path = tmp_path / "raw.parquet"
    make_churn(n_customers=100, n_months=5).drop(columns="churn").to_parquet(path)
    config = make_config(data__source="file", data__path=str(path))
    with pytest.raises(DataError, match=r"missing column\(s\) \['churn'\]"):
        run(config)


def test_a_run_is_named_from_its_config_described_by_its_summary_in_a_training_experiment(
    twice,
):
    config, result = twice.config, twice.first
    client = _client(config)
    logged = client.get_run(result.run_id)
    assert logged.info.run_name == "LGBMClassifier-hash-seed7"
    assert logged.data.tags["mlflow.note.content"] == result.summary()
    assert "Promotion gate:    promoted" in logged.data.tags["mlflow.note.content"]
    experiment = client.get_experiment_by_name("test")
    assert experiment.tags["mlflow.experimentKind"] == "custom_model_development"


def test_the_report_opens_with_the_gates_verdict_promoted_or_refused(twice):
    config = twice.config
    first = twice.reports[0]["report.html"]
    assert first.index("<h2>Verdict</h2>") < first.index("<h2>Model vs baselines</h2>")
    assert "Promoted: models:/test-churn/1 is the champion" in first
    second = twice.reports[1]["report.html"]  # the same model again: refused
    assert "Not promoted: models:/test-churn/2 stays challenger" in second
    assert "does not beat champion" in second
    markdown = twice.reports[1]["report.md"]
    assert markdown.index("## Verdict") < markdown.index("## Model vs baselines")
    logged = mlflow.artifacts.download_artifacts(
        run_id=_client(config).get_model_version("test-churn", "2").run_id,
        artifact_path="report/report.html",
        tracking_uri=config["tracking"]["uri"],
    )
    assert "Not promoted" in Path(logged).read_text()
