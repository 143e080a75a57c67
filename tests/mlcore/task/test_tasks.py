"""mlcore.task: the lookup, the attributes each task promises, and what every task shares."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from mlcore.errors import ConfigError
from mlcore.evaluate import METRICS, compare_models
from mlcore.task import (
    COMPARE_COLUMNS,
    TASKS,
    BinaryTask,
    MulticlassTask,
    RegressionTask,
    Task,
    get_task,
)

EXPECTED = {
    # name: (class, default metric, predict_fn, is_classifier, gate metrics)
    "binary": (
        BinaryTask,
        "roc_auc",
        "predict_proba",
        True,
        {"roc_auc": True, "log_loss": False, "brier": False},
    ),
    "multiclass": (
        MulticlassTask,
        "roc_auc",
        "predict_proba",
        True,
        {"roc_auc": True, "log_loss": False, "accuracy": True, "f1_macro": True, "brier": False},
    ),
    "regression": (
        RegressionTask,
        "rmse",
        "predict",
        False,
        {"rmse": False, "mae": False, "r2": True},
    ),
}


def _scores(task: Task, y: np.ndarray) -> np.ndarray:
    """Some valid scores of the task for labels ``y``."""
    if task.name == "multiclass":
        return np.full((len(y), 3), 1 / 3)
    return np.linspace(0.1, 0.9, len(y))


def _labels(name: str) -> np.ndarray:
    return {
        "binary": np.arange(40) % 2,
        "multiclass": np.arange(40) % 3,
        "regression": np.arange(40.0),
    }[name]


def test_tasks_lists_the_three_task_names():
    assert TASKS == ("binary", "multiclass", "regression")


@pytest.mark.parametrize("name", TASKS)
def test_get_task_returns_the_task_with_the_promised_attributes(name):
    cls, default_metric, predict_fn, is_classifier, gate = EXPECTED[name]
    task = get_task(name)
    assert type(task) is cls
    assert isinstance(task, Task)
    assert task.name == name
    assert task.default_metric == default_metric
    assert task.default_metric in task.gate_metrics
    assert task.predict_fn == predict_fn
    assert task.is_classifier is is_classifier
    assert dict(task.gate_metrics) == gate
    assert task == get_task(name) and hash(task) == hash(get_task(name))
    assert repr(task) == f"{cls.__name__}()"


def test_binary_gate_metrics_are_the_metrics_of_mlcore_evaluate():
    assert dict(get_task("binary").gate_metrics) == {n: hib for n, (_, hib) in METRICS.items()}


def test_gate_metrics_cannot_be_changed_by_a_caller():
    with pytest.raises(TypeError):
        get_task("regression").gate_metrics["rmse"] = True  # type: ignore[index]


def test_an_unknown_task_name_is_a_config_error_naming_task_and_the_choices():
    with pytest.raises(
        ConfigError,
        match=r"^task must be one of \['binary', 'multiclass', 'regression'\], got 'ranking'",
    ):
        get_task("ranking")


@pytest.mark.parametrize(
    ("name", "cls", "strategy"),
    [
        ("binary", DummyClassifier, "prior"),
        ("multiclass", DummyClassifier, "prior"),
        ("regression", DummyRegressor, "mean"),
    ],
)
def test_the_baseline_is_an_unfitted_dummy(name, cls, strategy):
    model = get_task(name).baseline(7)
    assert type(model) is cls
    assert model.strategy == strategy
    with pytest.raises(NotFittedError):
        check_is_fitted(model)


@pytest.mark.parametrize("name", TASKS)
def test_an_unknown_compare_metric_names_evaluate_metric_and_the_gate_metrics(name):
    task = get_task(name)
    y = _labels(name)
    with pytest.raises(ConfigError, match=r"evaluate\.metric") as info:
        task.compare(y, _scores(task, y), _scores(task, y), "gini", n_boot=5)
    assert "gini" in str(info.value)
    for metric in task.gate_metrics:
        assert repr(metric) in str(info.value)


@pytest.mark.parametrize("name", TASKS)
def test_compare_returns_exactly_the_columns_of_compare_models(name):
    reference = compare_models(
        np.arange(40) % 2, np.linspace(0, 1, 40), np.linspace(0, 1, 40), n_boot=5
    )
    assert list(COMPARE_COLUMNS) == list(reference.columns)
    task = get_task(name)
    y = _labels(name)
    table = task.compare(y, _scores(task, y), _scores(task, y), task.default_metric, n_boot=5)
    assert list(table.columns) == list(reference.columns)
    assert table.dtypes.to_dict() == reference.dtypes.to_dict()
    assert len(table) == 1 and table.loc[0, "metric"] == task.default_metric


@pytest.mark.parametrize("name", TASKS)
def test_compare_takes_several_metrics_one_row_each(name):
    task = get_task(name)
    y = _labels(name)
    metrics = list(task.gate_metrics)
    table = task.compare(y, _scores(task, y), _scores(task, y), metrics, n_boot=5)
    assert table["metric"].tolist() == metrics
    assert table["higher_is_better"].tolist() == [task.gate_metrics[m] for m in metrics]


@pytest.mark.parametrize("name", TASKS)
@pytest.mark.parametrize(("n_boot", "confidence"), [(0, 0.95), (10, 1.0), (10, 0.0), (2.5, 0.9)])
def test_bad_bootstrap_settings_are_config_errors(name, n_boot, confidence):
    task = get_task(name)
    y = _labels(name)
    with pytest.raises(ConfigError, match="n_boot"):
        task.compare(
            y,
            _scores(task, y),
            _scores(task, y),
            task.default_metric,
            n_boot=n_boot,
            confidence=confidence,
        )


@pytest.mark.parametrize("name", TASKS)
def test_n_bins_passed_by_position_into_classes_is_refused(name):
    task = get_task(name)
    y = _labels(name)
    with pytest.raises(TypeError, match="n_bins= by keyword"):
        task.metrics(y, _scores(task, y), 10)


def test_importing_mlcore_task_loads_no_plotting_tracking_or_pipeline_module():
    code = (
        "import sys, mlcore.task\n"
        "heavy = ('matplotlib', 'mlflow', 'hydra', 'great_expectations', 'lightgbm',\n"
        "         'mlcore.pipeline', 'mlcore.registry', 'mlcore.predict', 'mlcore.track',\n"
        "         'mlcore._evaluation', 'mlcore.plots')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy or m in heavy))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize("name", TASKS)
def test_predictions_keep_the_index_of_the_features(name):
    task = get_task(name)
    X = pd.DataFrame(
        {"a": np.arange(30.0)}, index=pd.Index([f"c{i}" for i in range(30)], name="id")
    )
    y = {
        "binary": np.arange(30) % 2,
        "multiclass": np.arange(30) % 3,
        "regression": np.arange(30.0),
    }[name]
    model = task.baseline(0).fit(X, y)
    out = task.predictions(model, X)
    assert out.index.equals(X.index)
    plain = task.predictions(model, X.to_numpy())
    assert plain.index.equals(pd.RangeIndex(30))
