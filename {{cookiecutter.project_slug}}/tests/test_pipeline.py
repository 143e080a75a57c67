"""The smoke pipeline runs end to end and leaves a tracked, registered model."""

import mlflow
from mlcore.pipeline import run


def test_smoke_pipeline_logs_a_run_and_registers_a_champion(compose_config, run_root):
    cfg = compose_config("experiment=smoke", f"paths.root={run_root}")
    result = run(cfg)

    client = mlflow.MlflowClient(tracking_uri=f"sqlite:///{run_root}/mlflow.db")
    logged = client.get_run(result.run_id)
    assert logged.info.status == "FINISHED"
    assert logged.data.params["seed"] == "42"
    assert logged.data.metrics["test_roc_auc"] > logged.data.metrics["baseline_test_roc_auc"]
    champion = client.get_model_version_by_alias(result.model_name, "champion")
    assert champion.run_id == result.run_id
    assert (run_root / "reports" / "report.html").is_file()
