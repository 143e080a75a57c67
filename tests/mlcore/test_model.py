"""Estimator primitives: the adapter of each estimator class (seed, determinism, fit options, the
saved model, requirements), the pipeline and LightGBM's progress (the Dask fit is in
test_model_dask.py; building from config in test_estimator.py)."""

import importlib
import logging
import subprocess
import sys
from importlib import metadata

import numpy as np
import pytest
from lightgbm import LGBMClassifier, LGBMRegressor
from sklearn.datasets import make_classification
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import BaggingClassifier, ExtraTreesClassifier
from sklearn.neighbors import KNeighborsClassifier
from sklearn.tree import DecisionTreeClassifier

from mlcore.errors import ConfigError
from mlcore.model import (
    DaskLightGBMAdapter,
    DaskLightGBMClassifier,
    EstimatorAdapter,
    LightGBMAdapter,
    adapter_for,
    boosting_progress,
    build_pipeline,
    origin_of,
)


def test_each_estimator_class_gets_its_adapter() -> None:
    assert type(adapter_for(LGBMClassifier())) is LightGBMAdapter
    assert type(adapter_for(LGBMRegressor())) is LightGBMAdapter  # any LGBMModel
    assert type(adapter_for(DaskLightGBMClassifier())) is DaskLightGBMAdapter
    for estimator in (ExtraTreesClassifier(), DummyClassifier(), KNeighborsClassifier()):
        assert type(adapter_for(estimator)) is EstimatorAdapter


def test_lightgbm_gets_the_seed_and_the_reproducibility_settings() -> None:
    model = adapter_for(LGBMClassifier(n_estimators=5)).prepare(LGBMClassifier(n_estimators=5), 3)
    params = model.get_params()
    assert (params["random_state"], params["deterministic"], params["force_row_wise"]) == (
        3,
        True,
        True,
    )
    assert (params["verbose"], params["n_estimators"]) == (-1, 5)


def test_lightgbm_settings_given_win_over_the_defaults() -> None:
    given = LGBMClassifier(random_state=9, deterministic=False, verbose=1)
    params = LightGBMAdapter().prepare(given, seed=3).get_params()
    assert (params["random_state"], params["deterministic"], params["verbose"]) == (9, False, 1)
    assert params["force_row_wise"] is True


def test_same_data_and_seed_give_the_same_lightgbm_model() -> None:
    X, y = make_classification(500, 6, random_state=0)
    first, second = (
        LightGBMAdapter().prepare(LGBMClassifier(n_estimators=10, n_jobs=1), seed=1).fit(X, y)
        for _ in range(2)
    )
    assert first.booster_.model_to_string() == second.booster_.model_to_string()


def test_generic_adapter_seeds_every_random_state_left_at_none() -> None:
    adapter = EstimatorAdapter()
    assert adapter.prepare(ExtraTreesClassifier(), seed=4).random_state == 4
    assert adapter.prepare(ExtraTreesClassifier(random_state=1), seed=4).random_state == 1
    bagging = adapter.prepare(BaggingClassifier(DecisionTreeClassifier()), seed=4)
    assert bagging.random_state == 4 and bagging.estimator.random_state == 4
    knn = KNeighborsClassifier()
    assert adapter.prepare(knn, seed=4).get_params() == KNeighborsClassifier().get_params()


def test_generic_check_runs_the_estimators_own_validation() -> None:
    EstimatorAdapter().check(ExtraTreesClassifier(n_estimators=5))
    with pytest.raises(ConfigError, match=r"^clf\.n_estimators: The 'n_estimators' parameter"):
        EstimatorAdapter().check(ExtraTreesClassifier(n_estimators=-1), where="clf")


def test_only_lightgbm_gets_fit_params_and_they_reach_the_pipeline_step(caplog) -> None:
    X, y = make_classification(n_samples=200, random_state=0)
    estimator = LightGBMAdapter().prepare(LGBMClassifier(n_estimators=4), seed=0)
    logger = logging.getLogger("test.fit")
    options = adapter_for(estimator).fit_params(estimator, "train: 200 rows", logger=logger)
    assert list(options) == ["model__callbacks"]
    with caplog.at_level(logging.INFO, logger="test.fit"):
        build_pipeline("passthrough", estimator).fit(X, y, **options)
    assert caplog.records[-1].getMessage().startswith("train: 200 rows: 4 / 4 trees (100%)")
    assert EstimatorAdapter().fit_params(ExtraTreesClassifier(), "train") == {}
    assert DaskLightGBMAdapter().fit_params(DaskLightGBMClassifier(), "train") == {}


def test_finalize_keeps_the_estimator_except_the_dask_one_which_gives_its_local_model() -> None:
    X, y = make_classification(200, 5, random_state=0)
    trees = ExtraTreesClassifier(n_estimators=3).fit(X, y)
    assert adapter_for(trees).finalize(trees) is trees
    dask = DaskLightGBMClassifier()
    with pytest.raises(Exception, match="not fitted"):
        adapter_for(dask).finalize(dask)
    dask.model_ = LGBMClassifier(n_estimators=2, verbose=-1).fit(X, y)  # as fit leaves it
    assert adapter_for(dask).finalize(dask) is dask.model_


def test_dask_prepare_fills_params_without_changing_the_callers_mapping() -> None:
    given = {"n_estimators": 5, "n_jobs": 2}
    model = DaskLightGBMAdapter().prepare(DaskLightGBMClassifier(given, "tcp://s:8786"), seed=4)
    assert model.cluster == "tcp://s:8786"
    assert model.params["random_state"] == 4 and model.params["deterministic"] is True
    assert "n_jobs" not in model.params  # each Dask worker trains with its own threads
    assert given == {"n_estimators": 5, "n_jobs": 2}


def test_requirements_name_the_estimators_library_pinned() -> None:
    sklearn_pin = f"scikit-learn=={metadata.version('scikit-learn')}"
    lightgbm_pin = f"lightgbm=={metadata.version('lightgbm')}"
    assert adapter_for(ExtraTreesClassifier()).requirements(ExtraTreesClassifier()) == [sklearn_pin]
    assert adapter_for(LGBMRegressor()).requirements(LGBMRegressor()) == [lightgbm_pin]
    # The saved model of a Dask fit is the local LGBMClassifier: LightGBM, not mlcore nor Dask.
    dask = DaskLightGBMClassifier()
    assert adapter_for(dask).requirements(dask) == [lightgbm_pin]


def test_origin_tells_installed_libraries_from_local_code(tmp_path, monkeypatch, request) -> None:
    package = tmp_path / "local_estimators_pkg"
    package.mkdir()
    (package / "__init__.py").write_text(
        "from sklearn.dummy import DummyClassifier\n\nclass Mine(DummyClassifier):\n    pass\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    request.addfinalizer(lambda: sys.modules.pop("local_estimators_pkg", None))
    mine = importlib.import_module("local_estimators_pkg").Mine()

    origin = origin_of(mine)
    assert origin.module == "local_estimators_pkg" and origin.local_path == package
    assert origin.requirements == ()
    assert adapter_for(mine).requirements(mine) == []  # shipped as code, not as a pip package
    assert origin_of(np.float64).requirements == (f"numpy=={metadata.version('numpy')}",)
    assert origin_of(len) is None and origin_of(logging.getLogger) is None  # the standard library


def test_dummy_and_pipeline() -> None:
    X, y = make_classification(200, 5, random_state=0)
    pipe = build_pipeline("passthrough", DummyClassifier(strategy="prior")).fit(X, y)
    assert [name for name, _ in pipe.steps] == ["preprocess", "model"]
    assert np.allclose(pipe.predict_proba(X)[:, 1], y.mean())


def test_boosting_progress_logs_trees_built_with_an_eta_and_a_final_rate(caplog) -> None:
    X, y = make_classification(n_samples=200, random_state=0)
    model = LightGBMAdapter().prepare(LGBMClassifier(n_estimators=5), seed=0)
    with caplog.at_level(logging.INFO, logger="mlcore.progress"):
        model.fit(X, y, callbacks=[boosting_progress("train: 200 rows", every=0.0)])
    lines = [r.getMessage() for r in caplog.records]
    assert lines[0].startswith("train: 200 rows: 1 / 5 trees (20%)") and "ETA" in lines[0]
    assert len(lines) == 6 and lines[-1].startswith("train: 200 rows: 5 / 5 trees (100%)")
    assert lines[-1].endswith("trees/s")


def test_the_primitives_import_neither_lightgbm_nor_hydra_nor_mlflow() -> None:
    code = (
        "import sys, mlcore.model\n"
        "print(sorted({'lightgbm', 'hydra', 'mlflow', 'distributed'} & set(sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
