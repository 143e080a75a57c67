"""One feature path: the registered model computes the activity features from raw rows, so it
scores a customer's raw history as the pipeline scored its featured test rows, for an
entity-stable split and for an out-of-time one (whose test rows' history is in train)."""

from __future__ import annotations

import mlflow
import numpy as np
import pytest

from mlcore.config import check_config
from mlcore.data import load_table
from mlcore.pipeline import run
from mlcore.pipeline._artifacts import Store
from mlcore.pipeline._values import Models, Splits

pytestmark = pytest.mark.slow  # whole pipeline runs against a real store

OOT = {"kind": "oot", "cutoffs": {"validation": "2024-02-01", "test": "2024-03-01"}}


@pytest.mark.parametrize("split", [None, OOT], ids=["hash", "oot"])
def test_the_registered_model_scores_raw_history_as_the_pipeline_scored_its_test_rows(
    make_config, split
):
    config = make_config() if split is None else make_config(split=split)
    result = run(config)
    cfg = check_config(config)
    store = Store(cfg["paths"])
    splits, models = Splits.read(store.folder("splits")), Models.read(store.folder("models"))
    x_test, _ = splits.xy("test", "churn")
    in_run = models.model.predict_proba(x_test)[:, 1]  # featured rows, as evaluate scored them

    mlflow.set_tracking_uri(config["tracking"]["uri"])
    registered = mlflow.sklearn.load_model(f"models:/test-churn/{result.model_version}")
    raw = load_table(cfg["data"]).drop(columns="churn")
    keys = ["customer_id", "snapshot_month"]
    history = raw[raw["customer_id"].isin(x_test["customer_id"])].reset_index(drop=True)
    assert not any(c.startswith("logins_") for c in history.columns)  # raw rows only
    served = history[keys].assign(score=registered.predict_proba(history)[:, 1])
    both = x_test[keys].assign(in_run=in_run).merge(served, on=keys, validate="one_to_one")
    assert len(both) == len(x_test)
    if split is not None:  # the test months' features need the earlier months' rows
        assert (history["snapshot_month"] < "2024-03-01").any()
    np.testing.assert_allclose(both["score"], both["in_run"], rtol=0, atol=1e-12)
