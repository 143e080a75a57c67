"""Estimators from config: kinds, seeds and errors (the Dask path is in test_model_dask.py)."""

import logging

import numpy as np
import pytest
from sklearn.datasets import make_classification

from mlcore.errors import ConfigError
from mlcore.model import (
    DaskLightGBMClassifier,
    boosting_progress,
    build_estimator,
    build_pipeline,
)


def test_lightgbm_gets_the_seed_and_the_reproducibility_settings() -> None:
    model = build_estimator({"kind": "lightgbm", "params": {"n_estimators": 5}}, seed=3)
    params = model.get_params()
    assert (params["random_state"], params["deterministic"], params["force_row_wise"]) == (
        3,
        True,
        True,
    )
    assert params["n_estimators"] == 5


def test_params_win_over_the_defaults() -> None:
    model = build_estimator({"kind": "lightgbm", "params": {"random_state": 9}}, seed=3)
    assert model.get_params()["random_state"] == 9


def test_same_data_and_seed_give_the_same_model() -> None:
    X, y = make_classification(500, 6, random_state=0)
    config = {"kind": "lightgbm", "params": {"n_estimators": 10, "n_jobs": 1}}
    first, second = (build_estimator(config, seed=1).fit(X, y) for _ in range(2))
    assert first.booster_.model_to_string() == second.booster_.model_to_string()


def test_dask_kind_builds_the_wrapper_without_starting_a_cluster() -> None:
    config = {"kind": "lightgbm_dask", "params": {"n_estimators": 5, "n_jobs": 2}}
    model = build_estimator({**config, "cluster": "tcp://scheduler:8786"}, seed=4)
    assert isinstance(model, DaskLightGBMClassifier)
    assert model.cluster == "tcp://scheduler:8786"
    assert model.params["random_state"] == 4 and "n_jobs" not in model.params
    with pytest.raises(Exception, match="not fitted"):
        model.to_local()


def test_unknown_kind_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="model.kind must be one of"):
        build_estimator({"kind": "xgboost", "params": {}}, seed=0)


def test_dummy_and_pipeline() -> None:
    X, y = make_classification(200, 5, random_state=0)
    pipe = build_pipeline("passthrough", build_estimator({"kind": "dummy"}, seed=0)).fit(X, y)
    assert np.allclose(pipe.predict_proba(X)[:, 1], y.mean())


def test_boosting_progress_logs_trees_built_with_an_eta_and_a_final_rate(caplog) -> None:
    X, y = make_classification(n_samples=200, random_state=0)
    model = build_estimator({"kind": "lightgbm", "params": {"n_estimators": 5}}, seed=0)
    with caplog.at_level(logging.INFO, logger="mlcore.progress"):
        model.fit(X, y, callbacks=[boosting_progress("train: 200 rows", every=0.0)])
    lines = [r.getMessage() for r in caplog.records]
    assert lines[0].startswith("train: 200 rows: 1 / 5 trees (20%)") and "ETA" in lines[0]
    assert len(lines) == 6 and lines[-1].startswith("train: 200 rows: 5 / 5 trees (100%)")
    assert lines[-1].endswith("trees/s")
