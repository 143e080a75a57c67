"""Batch scoring with the champion against a real SQLite MLflow store and a real LightGBM model."""

from __future__ import annotations

from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
import pytest

from mlcore.datasets import make_churn
from mlcore.errors import DataError
from mlcore.pipeline import run
from mlcore.predict import main, score_batch, scoring_expectations
from tests.conftest import small_config

# One xdist group: the module's champion (a pipeline run) is made once, on one worker.
pytestmark = pytest.mark.xdist_group("predict")


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("store")
    config = small_config(root)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        run(config)
    return config


@pytest.fixture
def batch_file(tmp_path) -> Path:
    """A new unlabelled scoring table (a panel with its history), as Parquet."""
    frame = make_churn(n_customers=300, n_months=5, seed=11).drop(columns="churn")
    path = tmp_path / "batch.parquet"
    frame.to_parquet(path)
    return path


def _config(trained: dict, tmp_path: Path, source: Path | None) -> dict:
    out = tmp_path / "predictions"
    return {
        **trained,
        "predict": {"input": None if source is None else str(source), "output_dir": str(out)},
    }


def _aliases(config: dict) -> dict[str, str]:
    client = mlflow.MlflowClient(tracking_uri=config["tracking"]["uri"])
    return client.get_registered_model(config["tracking"]["model_name"]).aliases


def test_predictions_carry_ids_scores_and_the_champion_version_and_run(
    trained, tmp_path, monkeypatch, batch_file, capsys
):
    monkeypatch.chdir(tmp_path)
    assert main(_config(trained, tmp_path, batch_file)) == 0
    (path,) = (tmp_path / "predictions").glob("*.parquet")
    assert str(path) in capsys.readouterr().out
    out = pd.read_parquet(path)
    reasons = [f"reason_{i}{part}" for i in (1, 2, 3) for part in ("", "_contribution")]
    assert out.columns.tolist() == [
        "customer_id",
        "snapshot_month",
        "score",
        *reasons,
        "model_name",
        "model_version",
        "run_id",
    ]
    champion = mlflow.MlflowClient(
        tracking_uri=trained["tracking"]["uri"]
    ).get_model_version_by_alias("test-churn", "champion")
    assert set(out["model_version"]) == {str(champion.version)}
    assert set(out["run_id"]) == {champion.run_id}
    assert set(out["model_name"]) == {"test-churn"}
    assert len(out) == len(pd.read_parquet(batch_file))
    assert out["score"].between(0, 1).all()
    assert set(tmp_path.iterdir()) == {batch_file, tmp_path / "predictions"}  # nothing else


def test_two_runs_never_overwrite_and_give_identical_scores(
    trained, tmp_path, monkeypatch, batch_file
):
    monkeypatch.chdir(tmp_path)
    first = score_batch(_config(trained, tmp_path, batch_file))
    before = first.path.read_bytes()
    second = score_batch(_config(trained, tmp_path, batch_file))
    assert first.path != second.path
    assert first.path.read_bytes() == before
    assert len(list((tmp_path / "predictions").iterdir())) == 2  # no temp file left behind
    a, b = pd.read_parquet(first.path), pd.read_parquet(second.path)
    pd.testing.assert_frame_equal(a, b)


def test_the_default_input_is_the_data_table_without_its_target(trained, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = score_batch(_config(trained, tmp_path, None))
    assert result.rows == len(make_churn(**trained["data"]["synthetic"]))


@pytest.mark.parametrize(
    ("corrupt", "named"),
    [
        (lambda f: f.drop(columns="age"), "column 'age' is missing"),
        (
            lambda f: f.assign(tenure_months=f["tenure_months"] + 0.5),
            "column 'tenure_months' must hold integers (long), got float64",
        ),
        (lambda f: f.assign(plan=1), "column 'plan' must hold strings (string), got int64"),
    ],
    ids=["missing", "mistyped-int", "mistyped-str"],
)
def test_a_frame_that_does_not_match_the_signature_is_an_error_naming_the_column(
    trained, tmp_path, monkeypatch, batch_file, capsys, corrupt, named
):
    monkeypatch.chdir(tmp_path)
    corrupt(pd.read_parquet(batch_file)).to_parquet(batch_file)
    assert main(_config(trained, tmp_path, batch_file)) == 1
    err = capsys.readouterr().err
    assert err.startswith("ERROR: ") and named in err
    assert not (tmp_path / "predictions").exists()


def test_a_failed_validation_writes_nothing_and_leaves_the_registry_alone(
    trained, tmp_path, monkeypatch, batch_file, capsys
):
    monkeypatch.chdir(tmp_path)
    before = _aliases(trained)
    frame = pd.read_parquet(batch_file)
    frame.assign(age=150.0).to_parquet(batch_file)  # valid type, out of the configured range
    assert main(_config(trained, tmp_path, batch_file)) == 1
    err = capsys.readouterr().err
    assert "data validation of" in err and "between(column=age" in err
    assert not (tmp_path / "predictions").exists()
    assert _aliases(trained) == before


def test_a_csv_input_with_text_dates_is_parsed(trained, tmp_path, monkeypatch, batch_file):
    monkeypatch.chdir(tmp_path)
    csv = tmp_path / "batch.csv"
    pd.read_parquet(batch_file).to_csv(csv, index=False)
    from_csv = pd.read_parquet(score_batch(_config(trained, tmp_path, csv)).path)
    from_parquet = pd.read_parquet(score_batch(_config(trained, tmp_path, batch_file)).path)
    pd.testing.assert_series_equal(from_csv["score"], from_parquet["score"], rtol=1e-12)
    assert pd.api.types.is_datetime64_any_dtype(from_csv["snapshot_month"])


def test_no_store_or_no_champion_is_a_clear_error_and_creates_nothing(
    tmp_path, monkeypatch, batch_file
):
    monkeypatch.chdir(tmp_path)
    config = small_config(tmp_path)
    with pytest.raises(DataError, match="no MLflow store at sqlite:///"):
        score_batch(_config(config, tmp_path, batch_file))
    assert not (tmp_path / "mlflow.db").exists()
    mlflow.MlflowClient(tracking_uri=config["tracking"]["uri"]).search_experiments()  # empty store
    with pytest.raises(DataError, match="no champion: models:/test-churn@champion does not exist"):
        score_batch(_config(config, tmp_path, batch_file))
    assert not (tmp_path / "predictions").exists()


def test_target_checks_are_left_out_of_the_scoring_suite():
    suite = [
        {"type": "in_set", "column": "churn", "values": [0, 1]},
        {"type": "not_null", "column": "customer_id"},
        {"type": "unique", "columns": ["customer_id", "churn"]},
        {"type": "columns_match", "columns": ["churn"]},
    ]
    assert scoring_expectations(suite, "churn") == [
        {"type": "not_null", "column": "customer_id"},
        {"type": "unique", "columns": ["customer_id"]},
    ]


def test_reason_codes_name_input_columns_whose_contributions_sum_to_the_raw_score(
    trained, tmp_path, monkeypatch, batch_file
):
    from mlcore.explain import local_contributions
    from mlcore.model import split_features, uncalibrated
    from mlcore.predict import check_schema, load_champion

    monkeypatch.chdir(tmp_path)
    assert main(_config(trained, tmp_path, batch_file)) == 0
    (path,) = (tmp_path / "predictions").glob("*.parquet")
    out = pd.read_parquet(path)
    champion = load_champion(trained["tracking"]["uri"], trained["tracking"]["model_name"])
    raw = check_schema(
        pd.read_parquet(batch_file), champion.model.metadata.get_input_schema(), "batch"
    )
    features, scorer = split_features(champion.model.get_raw_model())
    inputs = features.transform(raw)  # the codes name the activity features the model computes
    model = uncalibrated(scorer)  # and explain the model inside the calibrator
    contributions = local_contributions(model, inputs, by_input=True)
    inner = model.predict_proba(inputs)[:, 1]
    raw = np.log(inner / (1 - inner))  # the log-odds its score comes from
    np.testing.assert_allclose(contributions.sum(axis=1).to_numpy(), raw, atol=1e-6)
    assert set(out["reason_1"].dropna()) <= set(inputs.columns)
    top = contributions.drop(columns="bias").max(axis=1).to_numpy()
    np.testing.assert_allclose(
        out["reason_1_contribution"].fillna(0).to_numpy(), np.maximum(top, 0), atol=1e-12
    )
