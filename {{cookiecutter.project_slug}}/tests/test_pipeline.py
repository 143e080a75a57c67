"""The smoke pipeline runs end to end and leaves a tracked, registered model."""

import mlflow
import pandas as pd
from mlcore.config import check_config
from mlcore.pipeline import run
from mlcore.track import run_metrics


def test_smoke_pipeline_logs_a_run_and_registers_a_champion(compose_config, run_root):
    cfg = compose_config("experiment=smoke", f"paths.root={run_root}")
    result = run(cfg)

    client = mlflow.MlflowClient(tracking_uri=f"sqlite:///{run_root}/mlflow.db")
    logged = client.get_run(result.run_id)
    assert logged.info.status == "FINISHED"
    assert logged.data.params["seed"] == "42"
    assert run_metrics(logged)["test_roc_auc"] > run_metrics(logged)["baseline_test_roc_auc"]
    champion = client.get_model_version_by_alias(result.model_name, "champion")
    assert champion.run_id == result.run_id
    assert (run_root / "reports" / "report.html").is_file()

    # What the talk shows: the top decile holds 3x the base rate or more, and the best campaign
    # contacts a part of the customers, clearly better than contacting every one of them.
    metrics = run_metrics(logged)
    assert metrics["test_top_bin_lift"] >= 3
    assert 0.05 < metrics["test_best_fraction"] < 0.8
    profit = check_config(cfg)["evaluate"]["profit"]
    test = pd.read_parquet(run_root / "data" / "interim" / "split" / "test.parquet")
    saved = profit["success_rate"] * profit["value_per_success"]
    everyone = test["churn"].sum() * saved - len(test) * profit["cost_per_contact"]
    assert metrics["test_best_profit"] > 1.1 * everyone
