"""The open pipeline on a real SQLite MLflow store: stale artifacts, project steps, config checked
against the data before work, and the three tasks end to end with any scikit-learn estimator."""

import json

import mlflow
import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_diabetes, load_wine

from mlcore.errors import ConfigError
from mlcore.pipeline import StaleArtifact, run
from mlcore.track import run_metrics
from tests.conftest import bundled, table_config

pytestmark = pytest.mark.slow  # whole pipeline runs against a real store


def _client(config):
    return mlflow.MlflowClient(tracking_uri=config["tracking"]["uri"])


def _versions(config):
    client = _client(config)
    return client.search_model_versions(f"name = '{config['tracking']['model_name']}'")


def test_a_resumed_run_on_changed_data_stops_naming_the_stale_split_and_registers_nothing(
    make_config,
):
    run(make_config(steps=["validate", "split", "train", "evaluate"]))
    changed = make_config(
        data__synthetic={"n_customers": 1400, "n_months": 6, "seed": 7},
        steps=["split", "train", "evaluate", "register"][1:],
    )
    with pytest.raises(StaleArtifact, match=r"stale splits in .*interim/split .*other data"):
        run(changed)
    assert _versions(changed) == []
    runs = _client(changed).search_runs(
        [_client(changed).get_experiment_by_name("test").experiment_id],
        order_by=["start_time DESC"],
    )
    assert runs[0].info.status == "FAILED"


def test_a_split_made_with_other_split_settings_is_not_reused(make_config):
    run(make_config(steps=["split"]))
    other = make_config(steps=["train"], split={"kind": "hash", "salt": "v2"})
    with pytest.raises(StaleArtifact, match=r"other settings of \['split'\]"):
        run(other)


def test_register_reuses_only_models_and_metrics_of_this_split(make_config):
    first = run(make_config(steps=["validate", "split", "train", "evaluate"]))
    resumed = run(make_config(steps=["register"]))
    assert resumed.model_version == "1" and resumed.promoted
    tags = _client(make_config()).get_run(resumed.run_id).data.tags
    assert tags["mlcore.input.models"] == tags["mlcore.input.splits"] == first.run_id
    run(make_config(steps=["split"], cache=False))  # a new split: the models no longer belong
    with pytest.raises(StaleArtifact, match="stale models .*made from the splits of run"):
        run(make_config(steps=["register"]))


def test_a_project_step_runs_in_its_place_and_its_outputs_are_logged(
    make_config, tmp_path, monkeypatch
):
    (tmp_path / "team_steps.py").write_text(
        "from mlcore.pipeline import StepResult, step\n"
        "@step(reads=('splits', 'scores'), writes=('export',))\n"
        "def export(ctx):\n"
        "    ctx.output_dir.mkdir(parents=True, exist_ok=True)\n"
        "    path = ctx.output_dir / 'top.csv'\n"
        "    test = ctx['splits'].test.assign(score=ctx['scores']('model', 'test'))\n"
        "    top = test.nlargest(int(ctx.params['rows']), 'score')\n"
        "    top[['customer_id', 'score']].to_csv(path, index=False)\n"
        "    return StepResult(values={'export': path}, metrics={'export_rows': len(top)},\n"
        "                      files={'export': [path]})\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    steps = ["validate", "split", "train", "evaluate", "team_steps.export", "register"]
    config = make_config(steps=steps, step_params={"export": {"rows": 25}})
    result = run(config)
    logged = _client(config).get_run(result.run_id)
    assert logged.data.tags["mlcore.steps"] == "validate,split,train,evaluate,export,register"
    assert run_metrics(logged)["export_rows"] == 25
    artifacts = {a.path for a in _client(config).list_artifacts(result.run_id, "export")}
    assert artifacts == {"export/top.csv"}
    assert len(pd.read_csv(tmp_path / "reports" / "export" / "top.csv")) == 25
    assert result.model_version == "1"


def test_a_later_step_still_reads_the_table_the_split_step_took(make_config, tmp_path, monkeypatch):
    (tmp_path / "late_steps.py").write_text(
        "from mlcore.pipeline import StepResult, step\n"
        "@step(reads=('table',), writes=('late',))\n"
        "def late(ctx):\n"
        "    return StepResult(values={'late': 1}, metrics={'late_rows': len(ctx['table'])})\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    config = make_config(steps=["validate", "split", "late_steps.late"], cache=False)
    result = run(config)
    logged = run_metrics(_client(config).get_run(result.run_id))
    assert logged["late_rows"] > logged["rows_train"] + logged["rows_validation"]


@pytest.mark.parametrize(
    ("override", "key"),
    [
        ({"evaluate__heuristic": {"column": "logins_trnd_3"}}, "evaluate.heuristic.column"),
        ({"evaluate__fairness": {"column": "agee"}}, "evaluate.fairness.column"),
        ({"features__numeric": ["tenure"]}, "features.numeric"),
    ],
)
def test_a_column_the_data_lacks_is_an_error_naming_the_key_before_any_run(
    make_config, tmp_path, override, key
):
    config = make_config(**override)
    with pytest.raises(ConfigError, match=rf"^{key}: column '\w+' is not in the data"):
        run(config)
    assert (
        not (tmp_path / "mlflow.db").exists()
        or _client(config).search_experiments() == []
        or (_client(config).get_experiment_by_name("test") is None)
    )


def test_a_binary_only_section_under_another_task_is_an_error_before_any_run(make_config):
    with pytest.raises(ConfigError, match=r"evaluate.\w+ applies to task 'binary' only"):
        run(make_config(task="regression"))


def test_calibrating_a_regression_model_is_an_error_before_any_run(make_config, tmp_path):
    config = make_config(task="regression", calibration={"method": "isotonic"})
    with pytest.raises(ConfigError, match=r"calibration.method 'isotonic' applies to classifiers"):
        run(config)
    assert not (tmp_path / "models").exists()


def test_fairness_reports_values_outside_the_bands_as_such_never_as_nan(make_config, tmp_path):
    config = make_config(
        steps=["split", "train", "evaluate"], evaluate__fairness={"column": "age", "bins": [30, 50]}
    )
    result = run(config)
    path = mlflow.artifacts.download_artifacts(
        run_id=result.run_id,
        artifact_path="report/tables/groups.csv",
        tracking_uri=config["tracking"]["uri"],
    )
    groups = pd.read_csv(path, keep_default_na=False)
    assert set(groups["group"]) == {"[30, 50)", "outside bands"}


def test_regression_runs_end_to_end_and_the_gate_compares_rmse_with_mean_and_champion(
    make_config, tmp_path
):
    config = table_config(
        tmp_path,
        bundled(load_diabetes),
        task="regression",
        model={"_target_": "sklearn.linear_model.Ridge", "alpha": 1.0},
    )
    first = run(config)
    metrics = first.metrics
    assert metrics["test_rmse"] < metrics["baseline_test_rmse"]
    assert {"test_mae", "test_r2", "test_value_share_top_10pct"} <= set(metrics)
    assert first.promoted, first.reason
    second = run(config)
    assert "rmse" in second.reason and "champion" in second.reason
    gate = json.loads(_versions(config)[0].tags["mlcore.gate_metrics"])
    assert gate["metric"] == "rmse"
    html = (tmp_path / "reports" / "report.html").read_text()
    assert "Predicted vs actual" in html or "predicted" in html.lower()
    card = (tmp_path / "reports" / "model_card.md").read_text()
    assert "test_rmse" in card
    from mlcore.monitor import run_drift

    drift = run_drift({**config, "drift": {"batch": str(tmp_path / "table.csv")}})
    assert drift.alerts == []  # the training table against its own features profile


def test_multiclass_runs_end_to_end_with_macro_auc_as_the_gate_metric(make_config, tmp_path):
    config = table_config(
        tmp_path,
        bundled(load_wine),
        task="multiclass",
        model={"_target_": "sklearn.linear_model.LogisticRegression", "max_iter": 2000},
    )
    result = run(config)
    assert result.promoted, result.reason
    assert result.metrics["test_roc_auc"] > result.metrics["baseline_test_roc_auc"]
    assert {"test_accuracy", "test_f1_macro", "test_log_loss"} <= set(result.metrics)
    assert "roc_auc" in result.reason
    html = (tmp_path / "reports" / "report.html").read_text()
    assert "onfusion" in html
    decision = _client(config).get_run(result.run_id).data.tags["mlcore.calibration_reason"]
    assert "<h2>Calibration</h2>" in html and decision in html.replace("&#x27;", "'")
    mlflow.set_tracking_uri(config["tracking"]["uri"])
    served = mlflow.pyfunc.load_model(f"models:/{config['tracking']['model_name']}@champion")
    probabilities = np.asarray(served.predict(bundled(load_wine).drop(columns="target").head(5)))
    assert probabilities.shape == (5, 3)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-6)  # float32 input


def test_a_sweep_job_that_fails_its_checks_still_leaves_a_failed_child_run(make_config):
    config = make_config(data__synthetic={"n_customers": 0, "n_months": 6})
    client = _client(config)
    client.search_experiments()  # creates the store
    experiment = client.create_experiment("test")
    parent = client.create_run(experiment).info.run_id
    with pytest.raises(ValueError, match="n_customers"):
        run(config, parent_run_id=parent)
    (child,) = client.search_runs([experiment], f"tags.mlflow.parentRunId = '{parent}'")
    assert child.info.status == "FAILED"
    assert "n_customers" in child.data.tags["mlcore.error"]


def test_the_gate_compares_an_oot_challenger_with_a_hash_champion_only_on_rows_neither_trained_on(
    make_config, tmp_path
):
    champion = run(make_config())
    assert champion.promoted
    oot = {"kind": "oot", "cutoffs": {"validation": "2024-02-01", "test": "2024-03-01"}}
    challenger = run(make_config(split=oot))
    assert "test rows the champion did not train on (its split: hash" in challenger.reason
    version = _client(make_config()).get_model_version("test-churn", challenger.model_version)
    gate = json.loads(version.tags["mlcore.gate_metrics"])
    test_rows = pd.read_parquet(tmp_path / "data" / "interim" / "split" / "test.parquet")
    assert 0 < gate["compared_rows"] < len(test_rows) == gate["rows"]
    # exactly the rows whose customer the champion's hash split did not put in training
    from mlcore.split import codes_from_config

    codes = codes_from_config(test_rows, make_config()["split"], entity_col="customer_id")
    assert gate["compared_rows"] == int((codes != 0).sum())
    card = (tmp_path / "reports" / "model_card.md").read_text()
    assert "## Promotion gate" in card and "did not train on" in card
    salted = {"kind": "hash", "salt": "other"}  # differs from either champion's split
    refused = run(make_config(split=salted, evaluate__min_compare_rows=10**6))
    assert not refused.promoted and "too few to decide" in refused.reason


def test_undersampling_changes_the_training_rows_only(make_config, tmp_path):
    plain = run(make_config(steps=["split", "train"]))
    folder = tmp_path / "data" / "interim" / "split"
    before = {name: pd.read_parquet(folder / f"{name}.parquet") for name in ("validation", "test")}
    sampled = make_config(sampling={"method": "undersample", "negatives_per_positive": 2.0})
    result = run({**sampled, "steps": ["split", "train"]})
    client = _client(sampled)
    rows = run_metrics(client.get_run(result.run_id))
    assert rows["sampling_rows_train"] < rows["rows_train"]  # the persisted split is whole
    assert run_metrics(client.get_run(plain.run_id))["sampling_rows_train"] == rows["rows_train"]
    assert client.get_run(result.run_id).data.tags["mlcore.sampling"] == "undersample"
    for name, frame in before.items():
        pd.testing.assert_frame_equal(pd.read_parquet(folder / f"{name}.parquet"), frame)
