"""Any scikit-learn estimator from the ``model`` config (``_target_``), the ``${estimator:...}``
resolver, the template's model and sweep presets, and logged models that carry their own
requirements and the project's code (a real SQLite MLflow store, a fresh process to load)."""

import json
import os
import re
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
import pytest
from omegaconf import DictConfig, OmegaConf
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.preprocessing import StandardScaler

from mlcore._estimator import build_estimator
from mlcore._model_io import log_sklearn_model, model_code, model_requirements
from mlcore.config import register_resolvers
from mlcore.errors import ConfigError
from mlcore.model import DaskLightGBMClassifier, build_pipeline
from tests.conftest import NETGUARD, REPO

TEMPLATE_CONF = REPO / "{{cookiecutter.project_slug}}" / "conf"


@pytest.mark.parametrize(
    ("config", "name", "given"),
    [
        (
            {"_target_": "lightgbm.LGBMClassifier", "n_estimators": 30, "n_jobs": 2},
            "LGBMClassifier",
            {"n_estimators": 30, "n_jobs": 2, "deterministic": True, "force_row_wise": True},
        ),
        (
            {"_target_": "sklearn.ensemble.HistGradientBoostingClassifier", "max_iter": 20},
            "HistGradientBoostingClassifier",
            {"max_iter": 20},
        ),
        (
            {"_target_": "sklearn.linear_model.LogisticRegression", "C": 0.5, "max_iter": 200},
            "LogisticRegression",
            {"C": 0.5, "max_iter": 200},
        ),
        (
            {"_target_": "sklearn.ensemble.ExtraTreesClassifier", "n_estimators": 50},
            "ExtraTreesClassifier",
            {"n_estimators": 50},
        ),
    ],
    ids=["lightgbm", "hist_gradient_boosting", "logistic_regression", "extra_trees"],
)
def test_any_estimator_is_built_from_its_target_with_the_seed(config, name, given) -> None:
    model = build_estimator(config, seed=11)
    assert type(model).__name__ == name
    params = model.get_params()
    assert {key: params[key] for key in given} == given
    assert params["random_state"] == 11


def test_a_random_state_given_wins_and_nested_targets_are_built_and_seeded() -> None:
    given = {"_target_": "sklearn.ensemble.ExtraTreesClassifier", "random_state": 3}
    assert build_estimator(given, seed=11).random_state == 3
    bagging = build_estimator(
        {
            "_target_": "sklearn.ensemble.BaggingClassifier",
            "estimator": {"_target_": "sklearn.tree.DecisionTreeClassifier", "max_depth": 2},
            "n_estimators": 3,
        },
        seed=11,
    )
    assert (bagging.estimator.max_depth, bagging.estimator.random_state) == (2, 11)
    weighted = {"_target_": "sklearn.linear_model.LogisticRegression", "class_weight": {0: 1, 1: 4}}
    assert type(build_estimator(OmegaConf.create(weighted), seed=0).class_weight) is dict


def test_the_dask_model_keeps_lightgbms_settings_under_params() -> None:
    config = {
        "_target_": "mlcore.model.DaskLightGBMClassifier",
        "params": {"n_estimators": 5, "n_jobs": 2},
        "cluster": "tcp://scheduler:8786",
    }
    model = build_estimator(config, seed=4)
    assert isinstance(model, DaskLightGBMClassifier) and model.cluster == "tcp://scheduler:8786"
    assert model.params["random_state"] == 4 and "n_jobs" not in model.params


LGBM = "lightgbm.LGBMClassifier"


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (
            {"kind": "lightgbm", "params": {"n_estimators": 5}},
            r"^model\.kind is replaced by model\._target_: .*_target_: lightgbm\.LGBMClassifier",
        ),
        ({"n_estimators": 5}, r"^model\._target_ is missing"),
        ({"_target_": "x.Y"}, r"^model\._target_: cannot import 'x\.Y' \(No module named 'x'\)"),
        (
            {"_target_": "sklearn.ensemble.ExtraTreeClassifier"},
            r"^model\._target_: cannot import .* did you mean sklearn\.ensemble\.ExtraTreesClassifier",
        ),
        (
            {"_target_": LGBM, "learning_rte": 0.1},
            r"^model: LGBMClassifier got an unexpected keyword 'learning_rte' "
            r"\(did you mean 'learning_rate'\?\)",
        ),
        (
            {"_target_": "sklearn.linear_model.LogisticRegression", "max_itr": 5},
            r"^model: LogisticRegression got an unexpected keyword 'max_itr'",
        ),
        (
            {
                "_target_": "sklearn.ensemble.BaggingClassifier",
                "estimator": {"_target_": "sklearn.tree.DecisionTreeClassifier", "max_dep": 2},
            },
            r"^model\.estimator: DecisionTreeClassifier got an unexpected keyword 'max_dep'",
        ),
        (
            {"_target_": "sklearn.linear_model.LogisticRegression", "max_iter": -5},
            r"^model\.max_iter: The 'max_iter' parameter of LogisticRegression must be",
        ),
        ({"_target_": LGBM, "n_estimators": 0}, r"^model\.n_estimators must be an integer >= 1"),
        (
            {"_target_": LGBM, "learning_rate": "fast"},
            r"^model\.learning_rate must be a number > 0, got 'fast'",
        ),
        ({"_target_": LGBM, "subsample": 1.5}, r"^model\.subsample must be a number in \(0, 1\]"),
        ({"_target_": LGBM, "num_leaves": True}, r"^model\.num_leaves must be an integer >= 2"),
        (
            {"_target_": "mlcore.model.DaskLightGBMClassifier", "params": {"n_estimators": 0}},
            r"^model\.params\.n_estimators must be an integer >= 1",
        ),
        ({"_target_": "collections.OrderedDict"}, r"not a scikit-learn estimator"),
        ({"_target_": "sklearn"}, r"^model\._target_: not a class or function \(got a module\)"),
        ("lightgbm", r"^model must be a mapping with a `_target_`"),
    ],
)
def test_config_mistakes_are_config_errors_naming_the_key(config, message) -> None:
    with pytest.raises(ConfigError, match=message):
        build_estimator(config, seed=0)


def test_errors_name_the_section_they_come_from() -> None:
    with pytest.raises(ConfigError, match=r"^baseline\.n_estimators must be"):
        build_estimator({"_target_": LGBM, "n_estimators": -1}, seed=0, where="baseline")


def _template_model(preset: str, **root) -> DictConfig:
    """A root config holding the template's ``conf/model/<preset>.yaml`` under ``model``."""
    return OmegaConf.create(
        {"seed": 5, **root, "model": OmegaConf.load(TEMPLATE_CONF / "model" / f"{preset}.yaml")}
    )


def test_the_estimator_resolver_picks_the_class_of_the_configs_task(tmp_path) -> None:
    register_resolvers(tmp_path)
    regression = _template_model("lightgbm", task="regression")
    model = build_estimator(regression.model, seed=regression.seed)
    assert type(model).__name__ == "LGBMRegressor"
    assert model.random_state == 5 and model.n_estimators == 300  # ${seed} and the preset
    assert type(build_estimator(_template_model("lightgbm").model, seed=5)).__name__ == (
        "LGBMClassifier"  # no task: binary
    )
    resolved = OmegaConf.to_container(
        _template_model("hist_gradient_boosting", task="regression"), resolve=True
    )
    assert resolved["model"]["_target_"] == "sklearn.ensemble.HistGradientBoostingRegressor"


@pytest.mark.parametrize(
    ("family", "task", "target"),
    [
        ("lightgbm", "binary", "lightgbm.LGBMClassifier"),
        ("lightgbm", "multiclass", "lightgbm.LGBMClassifier"),
        ("hist_gradient_boosting", "binary", "sklearn.ensemble.HistGradientBoostingClassifier"),
        ("linear", "binary", "sklearn.linear_model.LogisticRegression"),
        ("linear", "regression", "sklearn.linear_model.Ridge"),
        ("dummy", "binary", "sklearn.dummy.DummyClassifier"),
        ("dummy", "regression", "sklearn.dummy.DummyRegressor"),
        ("lightgbm_dask", "binary", "mlcore.model.DaskLightGBMClassifier"),
    ],
)
def test_every_family_resolves_for_its_tasks(tmp_path, family, task, target) -> None:
    register_resolvers(tmp_path)
    config = OmegaConf.create({"task": task, "model": {"_target_": f"${{estimator:{family}}}"}})
    assert config.model._target_ == target


@pytest.mark.parametrize(
    ("family", "task", "message"),
    [
        ("xgboost", "binary", r"unknown estimator family 'xgboost'; choices: \['lightgbm', "),
        (
            "lightgbm",
            "ranking",
            r"unknown task 'ranking'; choices: \['binary', 'multiclass', 'regression'\]",
        ),
        (
            "lightgbm_dask",
            "regression",
            r"the 'lightgbm_dask' family has no regressor .*'lightgbm'",
        ),
    ],
)
def test_an_unknown_family_or_task_lists_the_choices(tmp_path, family, task, message) -> None:
    register_resolvers(tmp_path)
    config = OmegaConf.create({"task": task, "model": {"_target_": f"${{estimator:{family}}}"}})
    with pytest.raises(ConfigError, match=rf"^model: \$\{{estimator:{family}\}}: {message}"):
        build_estimator(config.model, seed=0)


@pytest.fixture
def template_conf(tmp_path):
    """The template's conf/ with its cookiecutter placeholders filled, plus a user's new preset."""
    conf = tmp_path / "conf"
    shutil.copytree(TEMPLATE_CONF, conf)
    for path in conf.rglob("*.yaml"):
        path.write_text(re.sub(r"\{\{\s*cookiecutter\.\w+[^}]*\}\}", "demo", path.read_text()))
    (conf / "model" / "extra_trees.yaml").write_text(
        "# A user's own estimator: one file, no change to mlcore.\n"
        "_target_: sklearn.ensemble.ExtraTreesClassifier\nn_estimators: 50\n"
    )
    register_resolvers(tmp_path)
    return conf


def _compose(conf: Path, *overrides: str):
    from hydra import compose, initialize_config_dir

    with initialize_config_dir(config_dir=str(conf), version_base="1.3"):
        return compose("config", overrides=list(overrides), return_hydra_config=True)


@pytest.mark.parametrize(
    ("overrides", "name", "given"),
    [
        ((), "LGBMClassifier", {"n_estimators": 300, "random_state": 42}),
        (("experiment=smoke",), "LGBMClassifier", {"n_estimators": 40}),
        (("debug=default",), "LGBMClassifier", {"n_estimators": 5}),
        (("model.learning_rate=0.1",), "LGBMClassifier", {"learning_rate": 0.1}),
        (("++task=regression",), "LGBMRegressor", {"n_estimators": 300}),
        (("model=hist_gradient_boosting",), "HistGradientBoostingClassifier", {"max_iter": 300}),
        (("model=logistic_regression", "model.C=0.1"), "LogisticRegression", {"C": 0.1}),
        (("model=lightgbm_dask",), "DaskLightGBMClassifier", {"cluster": None}),
        (("model=extra_trees",), "ExtraTreesClassifier", {"n_estimators": 50, "random_state": 42}),
    ],
)
def test_the_template_presets_build_their_estimators(template_conf, overrides, name, given):
    cfg = _compose(template_conf, *overrides)
    model = build_estimator(cfg.model, seed=cfg.seed)
    assert type(model).__name__ == name
    params = model.get_params()
    assert {key: params[key] for key in given} == given


@pytest.mark.parametrize(
    ("preset", "name"),
    [
        ("lightgbm_optuna", "LGBMClassifier"),
        ("hist_gradient_boosting_optuna", "HistGradientBoostingClassifier"),
        ("logistic_regression_optuna", "LogisticRegression"),
    ],
)
def test_each_sweep_selects_its_model_and_searches_its_hyperparameters(template_conf, preset, name):
    cfg = _compose(template_conf, f"hparams_search={preset}")
    model = build_estimator(cfg.model, seed=cfg.seed)
    assert type(model).__name__ == name
    searched = list(cfg.hydra.sweeper.params)
    assert searched and all(key.startswith("model.") for key in searched)
    assert {key.removeprefix("model.") for key in searched} <= set(model.get_params())
    if preset == "logistic_regression_optuna":
        assert cfg.hydra.sweeper.params["model.C"] == "tag(log, interval(0.01, 10))"


# --- what a logged model needs: requirements and the project's own code ---------------------

PROJECT_CODE = '''"""Stands in for a generated project's own feature code."""

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin


class Scaled(TransformerMixin, BaseEstimator):
    def __init__(self, factor=2.0):
        self.factor = factor

    def fit(self, X, y=None):
        self.n_features_in_ = np.asarray(X).shape[1]
        return self

    def transform(self, X):
        return np.asarray(X, dtype=float) * self.factor
'''


@pytest.fixture
def project_transformer(tmp_path, monkeypatch, request):
    """A transformer class from a throwaway package, importable only through ``sys.path``."""
    package = tmp_path / "src" / "throwaway_features"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("from throwaway_features.transformers import Scaled\n")
    (package / "transformers.py").write_text(PROJECT_CODE)
    monkeypatch.syspath_prepend(str(package.parent))
    request.addfinalizer(
        lambda: [
            sys.modules.pop(n, None)
            for n in list(sys.modules)
            if n.startswith("throwaway_features")
        ]
    )
    from throwaway_features import Scaled

    return Scaled, package


def _frame(rows: int = 300) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(rows, 3)), columns=["a", "b", "c"])
    return frame, (frame["a"] + 0.5 * frame["b"] > 0).astype(int).to_numpy()


def _pipeline(transformer, estimator):
    preprocess = ColumnTransformer(
        [("project", transformer, ["a", "b"]), ("scale", StandardScaler(), ["c"])]
    )
    return build_pipeline(preprocess, estimator)


def test_requirements_name_the_libraries_of_the_estimator_and_of_every_step() -> None:
    sklearn_pin = f"scikit-learn=={metadata.version('scikit-learn')}"
    lightgbm_pin = f"lightgbm=={metadata.version('lightgbm')}"
    lgbm = build_estimator({"_target_": LGBM, "n_estimators": 3}, seed=0)
    with_lightgbm = model_requirements(_pipeline(StandardScaler(), lgbm))
    assert sklearn_pin in with_lightgbm and lightgbm_pin in with_lightgbm
    assert len(with_lightgbm) == len(set(with_lightgbm))
    linear = model_requirements(_pipeline(StandardScaler(), LogisticRegression()))
    assert sklearn_pin in linear
    assert not any(r.startswith("lightgbm") for r in linear)  # not pinned for every model
    assert any(r.startswith("mlcore @ ") for r in linear)  # by its install URL, never the index


def test_a_project_step_is_shipped_as_code_not_as_a_requirement(project_transformer) -> None:
    scaled, package = project_transformer
    requirements, paths = model_code(_pipeline(scaled(), LogisticRegression()))
    assert paths == [package]  # found inside the ColumnTransformer inside the Pipeline
    assert requirements == [f"scikit-learn=={metadata.version('scikit-learn')}"]


LOAD_AND_PREDICT = """
import importlib.util, json, sys
import mlflow, numpy as np, pandas as pd
assert importlib.util.find_spec("throwaway_features") is None, "the project package is on the path"
mlflow.set_tracking_uri(sys.argv[1])
model = mlflow.pyfunc.load_model(sys.argv[2])
print(json.dumps(np.asarray(model.predict(pd.read_parquet(sys.argv[3]))).tolist()))
"""


def _predict_in_a_fresh_process(uri: str, model_uri: str, frame: pd.DataFrame, where: Path):
    """Load ``model_uri`` with ``mlflow.pyfunc`` in a new interpreter (network blocked, the
    project package not on its path) and predict ``frame``."""
    data = where / "rows.parquet"
    frame.to_parquet(data)
    netlog = where / "netlog.txt"
    env = {**os.environ, "PYTHONPATH": str(NETGUARD), "NETGUARD_LOG": str(netlog)}
    done = subprocess.run(
        [sys.executable, "-c", LOAD_AND_PREDICT, uri, model_uri, str(data)],
        capture_output=True, text=True, env=env, cwd=where,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert not netlog.exists() or not netlog.read_text(), netlog.read_text()
    return np.asarray(json.loads(done.stdout.strip().splitlines()[-1]))


def test_a_model_with_a_project_transformer_loads_and_predicts_in_a_fresh_process(
    project_transformer, store, tmp_path
) -> None:
    scaled, _ = project_transformer
    frame, labels = _frame()
    model = _pipeline(
        scaled(factor=3.0),
        build_estimator({"_target_": LGBM, "n_estimators": 5, "min_child_samples": 5}, seed=0),
    )
    model.fit(frame, labels)
    with mlflow.start_run():
        info = log_sklearn_model(model, frame, "project-code")
    assert info.registered_model_version == 1
    requirements = Path(mlflow.pyfunc.get_model_dependencies("models:/project-code/1")).read_text()
    assert f"lightgbm=={metadata.version('lightgbm')}" in requirements
    assert "throwaway" not in requirements

    scores = _predict_in_a_fresh_process(store, "models:/project-code/1", frame.head(20), tmp_path)
    np.testing.assert_allclose(scores, model.predict_proba(frame.head(20)))


def test_a_regressor_is_logged_with_predict(project_transformer, store, tmp_path) -> None:
    scaled, _ = project_transformer
    frame, _ = _frame()
    target = frame["a"] * 2.0 - frame["c"]
    model = _pipeline(scaled(), Ridge(alpha=0.1)).fit(frame, target)
    with mlflow.start_run():
        info = log_sklearn_model(model, frame, "regressor", predict_fn="predict")
    loaded = mlflow.pyfunc.load_model(info.model_uri)
    assert loaded.metadata.flavors["python_function"]["predict_fn"] == "predict"
    assert loaded.metadata.get_output_schema().inputs[0].shape == (-1,)  # one value per row
    predictions = _predict_in_a_fresh_process(
        store, "models:/regressor/1", frame.head(10), tmp_path
    )
    np.testing.assert_allclose(predictions, model.predict(frame.head(10)))
