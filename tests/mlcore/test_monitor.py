"""Drift monitoring against a real SQLite MLflow store and a real LightGBM champion: each drift
knob of the synthetic data raises its own alert, a same-distribution batch raises none."""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import mlflow
import pandas as pd
import pytest

from mlcore.config import check_config
from mlcore.datasets import make_churn_batches
from mlcore.drift import reference_profile
from mlcore.errors import ConfigError, DataError
from mlcore.monitor import (
    PROFILE_ARTIFACT,
    load_reference_profile,
    log_reference_profile,
    main,
    run_drift,
)
from mlcore.pipeline import run
from mlcore.predict import SCORE_COL, load_champion
from mlcore.track import run_metrics
from tests.conftest import small_config

# Big enough that a same-distribution batch scores like the held-out set (AUC within noise).
SYNTHETIC = {"n_customers": 12_000, "n_months": 6, "seed": 7}


def train_champion(root: Path, **overrides) -> dict:
    """Run the pipeline into ``root`` and make sure the champion's run has a drift profile.

    The pipeline logs the profile itself (held-out rows: the validation set); if it does not, it
    is built here the same way from the split on disk and logged into the same run.
    """
    config = small_config(root, data__synthetic=dict(SYNTHETIC), **overrides)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        result = run(config)
    client = mlflow.MlflowClient(tracking_uri=config["tracking"]["uri"])
    logged = {a.path for a in client.list_artifacts(result.run_id, "monitoring")}
    if PROFILE_ARTIFACT not in logged:
        split = root / "data" / "interim" / "split"
        train = pd.read_parquet(split / "train.parquet")
        held_out = pd.read_parquet(split / "validation.parquet")
        checked = check_config(config)
        target = checked["data"]["target"]
        champion = load_champion(config["tracking"]["uri"], config["tracking"]["model_name"])
        profile = reference_profile(
            train.drop(columns=target),
            train[target].to_numpy(),
            champion.scores(held_out, "validation split"),
            held_out[target].to_numpy(),
            checked,
        )
        log_reference_profile(profile, result.run_id)
    return config


# One xdist group: the module's champion (a pipeline run) is made once, on one worker.
pytestmark = pytest.mark.xdist_group("monitor")


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> dict:
    return train_champion(tmp_path_factory.mktemp("store"))


def _config(trained: dict, tmp_path: Path, **drift) -> dict:
    return {**trained, "drift": {"output_dir": str(tmp_path / "drift"), **drift}}


def test_the_champion_run_holds_a_profile_with_held_out_performance(trained):
    champion = load_champion(trained["tracking"]["uri"], trained["tracking"]["model_name"])
    profile = load_reference_profile(champion.run_id)
    assert {"customer_id", "snapshot_month", "churn"}.isdisjoint(profile.features)
    assert {"age", "plan", "zip_code", "minutes_used"} <= set(profile.features)
    assert profile.label_col == "churn" and profile.score_col == "score"
    metrics = run_metrics(mlflow.MlflowClient().get_run(champion.run_id))
    assert profile.performance["auc"] == pytest.approx(metrics["validation_roc_auc"])  # held out
    assert profile.performance["auc_se"] > 0


def test_same_distribution_batch_gives_exit_0_and_a_report(trained, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(_config(trained, tmp_path)) == 0
    out = capsys.readouterr().out
    assert "no drift alert" in out
    (folder,) = (tmp_path / "drift").iterdir()
    assert {"report.html", "report.md", "drift.json"} <= {p.name for p in folder.iterdir()}
    assert {"psi.png", "distributions.png", "performance.png"} <= {
        p.name for p in (folder / "figures").iterdir()
    }
    data = json.loads((folder / "drift.json").read_text())
    assert data["summary"]["alert"] is False
    assert len(data["performance"]) == 3  # one row per labelled month of the batch
    assert list(tmp_path.iterdir()) == [tmp_path / "drift"]  # nothing else lands in the cwd


def test_feature_drift_gives_exit_1_naming_the_drifted_features(
    trained, tmp_path, monkeypatch, capsys
):
    monkeypatch.chdir(tmp_path)
    code = main(_config(trained, tmp_path, synthetic={"kind": "feature"}))
    out = capsys.readouterr().out
    assert code == 1
    alert = next(line for line in out.splitlines() if line.startswith("drift alert:"))
    named = set(alert.removeprefix("drift alert: ").split(", "))
    assert named == {"age", "minutes_used", "payment_method"}


@pytest.mark.parametrize(
    ("kind", "expected", "not_expected"),
    [("label", "churn (positive rate", "AUC "), ("concept", "AUC ", "churn ")],
)
def test_label_and_concept_drift_are_each_found_on_their_own_knob(
    trained, tmp_path, monkeypatch, kind, expected, not_expected
):
    monkeypatch.chdir(tmp_path)
    result = run_drift(_config(trained, tmp_path, synthetic={"kind": kind}))
    assert any(a.startswith(expected) for a in result.alerts), result.summary()
    assert not any(a.startswith(not_expected) for a in result.alerts), result.alerts
    # P(X) moves only through the churners' share (their activity), never the injected columns
    features = result.report.features.set_index("feature")["severity"]
    assert features[["age", "payment_method", "plan", "tenure_months"]].eq("ok").all()


def test_the_drift_run_is_logged_with_its_tag_and_linked_to_the_champion(
    trained, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    result = run_drift(_config(trained, tmp_path, synthetic={"kind": "feature"}))
    client = mlflow.MlflowClient(tracking_uri=trained["tracking"]["uri"])
    logged = client.get_run(result.run_id)
    champion = client.get_model_version_by_alias("test-churn", "champion")
    assert logged.info.status == "FINISHED"
    assert logged.data.tags["mlcore.kind"] == "drift"
    assert logged.data.tags["mlcore.model_version"] == str(champion.version)
    assert logged.data.tags["mlcore.model_run_id"] == champion.run_id
    assert logged.data.tags["mlcore.alert"] == "True"
    assert run_metrics(logged)["drift_features_error"] == 3
    experiment = client.get_experiment(logged.info.experiment_id)
    assert experiment.name == "test-monitoring"
    artifacts = {a.path for a in client.list_artifacts(result.run_id, "drift")}
    assert {"drift/report.html", "drift/report.md", "drift/drift.json"} <= artifacts


def test_the_reports_index_links_the_drift_report_and_its_run(trained, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    reports = Path(trained["paths"]["root"]) / "reports"
    result = run_drift(_config(trained, tmp_path, output_dir=str(reports / "drift")))
    index = (reports / "index.html").read_text()
    link = result.html.relative_to(reports).as_posix()
    row = next(line for line in index.splitlines() if f"<a href='{link}'>" in line)
    assert f"<code>{result.run_id}</code>" in row
    # severity and reason come first: readable without scrolling to the table's right edge
    assert "| feature | severity | reason | kind |" in result.markdown.read_text()


def test_a_batch_file_without_labels_checks_features_and_score_only(trained, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _, batch = make_churn_batches(**SYNTHETIC, feature_drift=1.0)
    path = tmp_path / "batch.parquet"
    batch.drop(columns="churn").to_parquet(path)
    result = run_drift(_config(trained, tmp_path, batch=str(path)))
    assert result.report.label.empty and result.report.performance.empty
    assert "age" in result.alerts


def test_a_batch_missing_a_model_column_is_an_error_naming_it(
    trained, tmp_path, monkeypatch, capsys
):
    monkeypatch.chdir(tmp_path)
    _, batch = make_churn_batches(**SYNTHETIC)
    path = tmp_path / "batch.csv"
    batch.drop(columns="tenure_months").to_csv(path, index=False)
    assert main(_config(trained, tmp_path, batch=str(path))) == 2
    assert "column 'tenure_months' is missing" in capsys.readouterr().err
    assert not (tmp_path / "drift").exists()


def test_bad_drift_config_is_an_error_naming_the_key(trained, tmp_path):
    with pytest.raises(ConfigError, match="drift.synthetic.kind"):
        run_drift(_config(trained, tmp_path, synthetic={"kind": "features"}))
    with pytest.raises(ConfigError, match="unknown key 'psi_level'"):
        run_drift(_config(trained, tmp_path, thresholds={"psi_level": 0.2}))
    with pytest.raises(ConfigError, match=r"drift: unknown config key\(s\) \['treshold'\]"):
        run_drift(_config(trained, tmp_path, treshold=1))


def test_a_model_run_without_a_profile_is_a_clear_error(trained):
    mlflow.set_tracking_uri(trained["tracking"]["uri"])
    client = mlflow.MlflowClient()
    champion = client.get_model_version_by_alias("test-churn", "champion")
    bare = client.create_run(client.get_run(champion.run_id).info.experiment_id)  # e.g. old mlcore
    with pytest.raises(DataError, match=f"run {bare.info.run_id} has no monitoring/drift_profile"):
        load_reference_profile(bare.info.run_id)


def test_the_reference_profile_names_the_score_as_scoring_does():
    # mlcore.drift sits below mlcore.predict: its default score column must be predict's
    assert inspect.signature(reference_profile).parameters["score_col"].default == SCORE_COL


def test_the_summary_counts_the_warnings_of_every_check_the_report_holds(
    trained, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    result = run_drift(_config(trained, tmp_path, synthetic={"kind": "concept"}))
    lines = result.summary().splitlines()
    report = result.report
    for title, table in [
        ("Prediction drift:", report.prediction),
        ("Label drift:", report.label),
        ("Concept drift:", report.performance),
    ]:
        errors, warnings = ((table["severity"] == s).sum() for s in ("error", "warning"))
        assert f"{title:<19}{errors} error, {warnings} warning" in lines
    total = sum(
        (t["severity"] == "warning").sum()
        for t in (report.features, report.prediction, report.label, report.performance)
    )
    assert total == 0 or f"({total} warning" in lines[0]
    overview = (result.directory / "report.md").read_text()
    assert "concept drift" in overview
