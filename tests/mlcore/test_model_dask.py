"""LightGBM through a 2-worker Dask LocalCluster: same predictions as in memory, and registrable."""

import mlflow
import numpy as np
import pytest
from omegaconf import OmegaConf
from sklearn.datasets import make_classification
from sklearn.metrics import roc_auc_score

from mlcore._estimator import build_estimator
from mlcore.config import register_resolvers
from mlcore.model import DaskLightGBMClassifier, adapter_for
from mlcore.pipeline import run
from tests.conftest import REPO

pytest.importorskip("distributed")
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("dask")]

PARAMS = {"n_estimators": 30, "num_leaves": 15, "n_jobs": 1}
DASK = "mlcore.model.DaskLightGBMClassifier"


def test_dask_predictions_match_the_in_memory_model() -> None:
    X, y = make_classification(4000, 10, n_informative=6, random_state=0)
    local = build_estimator({"_target_": "lightgbm.LGBMClassifier", **PARAMS}, seed=0).fit(X, y)
    dask = build_estimator({"_target_": DASK, "params": PARAMS}, seed=0).fit(X, y)

    ours, reference = dask.predict_proba(X)[:, 1], local.predict_proba(X)[:, 1]
    # Data-parallel training sees the same rows split over 2 workers: close, not bit-identical.
    assert np.mean(np.abs(ours - reference)) < 0.05
    assert np.corrcoef(ours, reference)[0, 1] > 0.98
    assert abs(roc_auc_score(y, ours) - roc_auc_score(y, reference)) < 0.02
    assert type(dask.to_local()).__name__ == "LGBMClassifier"
    assert adapter_for(dask).finalize(dask) is dask.to_local()
    assert np.array_equal(dask.predict(X), dask.to_local().predict(X))


def test_pipeline_registers_a_dask_trained_model(make_config) -> None:
    config = make_config(model={"_target_": DASK, "params": dict(PARAMS), "cluster": None})
    result = run(config)

    assert result.model_version == "1"
    assert result.metrics["test_roc_auc"] > result.metrics["baseline_test_roc_auc"]
    mlflow.set_tracking_uri(config["tracking"]["uri"])
    loaded = mlflow.pyfunc.load_model(f"models:/{config['tracking']['model_name']}/1")
    assert loaded.metadata.flavors["python_function"]["predict_fn"] == "predict_proba"


def test_template_config_selects_the_dask_model(tmp_path) -> None:
    conf = REPO / "{{cookiecutter.project_slug}}" / "conf" / "model" / "lightgbm_dask.yaml"
    register_resolvers(tmp_path)
    config = OmegaConf.create({"seed": 5, "model": OmegaConf.load(conf)})
    checked = OmegaConf.to_container(config, resolve=True)["model"]
    assert checked["_target_"] == DASK and checked["cluster"] is None
    estimator = build_estimator(checked, seed=5)
    assert isinstance(estimator, DaskLightGBMClassifier)
    assert estimator.cluster is None and estimator.params["random_state"] == 5
