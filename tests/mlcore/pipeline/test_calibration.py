"""The train step's calibration, end to end: a real run, the registered model loaded back from a
real SQLite MLflow store, and make predict's scores."""

from __future__ import annotations

import joblib
import mlflow
import numpy as np
import pandas as pd
import pytest
from sklearn.calibration import CalibratedClassifierCV

from mlcore.model import split_features, uncalibrated
from mlcore.pipeline import run
from mlcore.predict import check_schema, load_champion, score_batch
from mlcore.track import run_metrics

pytestmark = pytest.mark.slow  # a whole pipeline run against a real store


def test_a_calibrated_run_logs_the_calibrated_model_and_reports_before_and_after(
    make_config, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    config = make_config(
        calibration={"method": "sigmoid"},  # isotonic needs more rows than this
        model__class_weight="balanced",  # over-predicts churn: a model calibration must fix
    )
    result = run(config)
    logged = mlflow.MlflowClient(config["tracking"]["uri"]).get_run(result.run_id)
    assert logged.data.tags["mlcore.calibration"] == "sigmoid"
    reason = logged.data.tags["mlcore.calibration_reason"]
    assert reason.startswith("set by calibration.method; cross-fitted validation log loss none ")
    metrics = run_metrics(logged)
    assert metrics["calibration_val_log_loss_sigmoid"] < metrics["calibration_val_log_loss_none"]
    assert metrics["test_ece"] < metrics["uncalibrated_test_ece"]
    assert {"test_ece_50_bins", "uncalibrated_test_ece_20_quantile_bins"} <= set(metrics)

    report = (tmp_path / "reports" / "report.md").read_text()
    assert f"Calibration: sigmoid ({reason})." in report
    for section in ("Calibration on the test set", "Before calibration (test set)"):
        assert f"## {section}" in report
    assert "| bins | calibrated | uncalibrated |" in report

    # The registered model, loaded back from the store, serves the calibrated scores.
    trained = joblib.load(tmp_path / "models" / "model.joblib")  # the train step's model
    test = pd.read_parquet(tmp_path / "data" / "interim" / "split" / "test.parquet")
    champion = load_champion(config["tracking"]["uri"], config["tracking"]["model_name"])
    inputs = check_schema(test, champion.model.metadata.get_input_schema(), "test")
    served = np.asarray(champion.model.predict(inputs))[:, 1]
    np.testing.assert_allclose(served, trained.predict_proba(inputs)[:, 1])
    features, calibrated = split_features(champion.model.get_raw_model())
    assert isinstance(calibrated, CalibratedClassifierCV)  # behind the activity features
    inner = uncalibrated(split_features(trained)[1])
    assert not np.allclose(served, inner.predict_proba(features.transform(inputs))[:, 1])
    out = pd.read_parquet(score_batch({**config, "predict": {"input": None}}).path)
    assert out["score"].between(0, 1).all() and out["reason_1"].notna().any()  # make predict
