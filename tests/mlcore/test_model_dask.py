"""LightGBM through a 2-worker Dask LocalCluster: same predictions as in memory, and registrable."""

import mlflow
import numpy as np
import pytest
from omegaconf import OmegaConf
from sklearn.datasets import make_classification
from sklearn.metrics import roc_auc_score

from mlcore.config import check_config
from mlcore.model import build_estimator
from mlcore.pipeline import run
from tests.conftest import REPO

pytest.importorskip("distributed")
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("dask")]

PARAMS = {"n_estimators": 30, "num_leaves": 15, "n_jobs": 1}


def test_dask_predictions_match_the_in_memory_model() -> None:
    X, y = make_classification(4000, 10, n_informative=6, random_state=0)
    local = build_estimator({"kind": "lightgbm", "params": PARAMS}, seed=0).fit(X, y)
    dask = build_estimator({"kind": "lightgbm_dask", "params": PARAMS}, seed=0).fit(X, y)

    ours, reference = dask.predict_proba(X)[:, 1], local.predict_proba(X)[:, 1]
    # Data-parallel training sees the same rows split over 2 workers: close, not bit-identical.
    assert np.mean(np.abs(ours - reference)) < 0.05
    assert np.corrcoef(ours, reference)[0, 1] > 0.98
    assert abs(roc_auc_score(y, ours) - roc_auc_score(y, reference)) < 0.02
    assert type(dask.to_local()).__name__ == "LGBMClassifier"
    assert np.array_equal(dask.predict(X), dask.to_local().predict(X))


def test_pipeline_registers_a_dask_trained_model(make_config) -> None:
    config = make_config(model__kind="lightgbm_dask", model__params=dict(PARAMS))
    result = run(config)

    assert result.model_version == "1"
    assert result.metrics["test_roc_auc"] > result.metrics["baseline_test_roc_auc"]
    mlflow.set_tracking_uri(config["tracking"]["uri"])
    loaded = mlflow.pyfunc.load_model(f"models:/{config['tracking']['model_name']}/1")
    assert loaded.metadata.flavors["python_function"]["predict_fn"] == "predict_proba"


def test_template_config_selects_the_dask_model() -> None:
    conf = REPO / "{{cookiecutter.project_slug}}" / "conf" / "model" / "lightgbm_dask.yaml"
    model = OmegaConf.load(conf)
    checked = check_config({"seed": 5, "model": model})["model"]
    assert checked["kind"] == "lightgbm_dask" and checked["cluster"] is None
    estimator = build_estimator(checked, seed=5)
    assert estimator.cluster is None and estimator.params["random_state"] == 5
