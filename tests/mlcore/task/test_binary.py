"""BinaryTask: the target checks, and delegation to mlcore.evaluate for everything else."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from mlcore.errors import DataError
from mlcore.evaluate import classification_metrics, compare_models
from mlcore.task import get_task

TASK = get_task("binary")
WHERE = "data.target 'churn'"


def _data(n: int = 400, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Labels, a weak champion and a clearly better challenger."""
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.3).astype(np.int64)
    champion = np.clip(0.3 + 0.05 * y + rng.normal(0, 0.2, n), 0.01, 0.99)
    challenger = np.clip(0.2 + 0.5 * y + rng.normal(0, 0.1, n), 0.01, 0.99)
    return y, champion, challenger


@pytest.mark.parametrize(
    "y",
    [
        np.array([0, 1, 1, 0]),
        np.array([0.0, 1.0, 1.0]),
        pd.Series([True, False, True]),
        pd.Series([0, 1, 1], dtype="Int64"),
        [1, 0],
    ],
    ids=["int", "float", "bool", "nullable-int", "list"],
)
def test_check_target_accepts_0_1_and_boolean_labels(y):
    TASK.check_target(y, WHERE)


@pytest.mark.parametrize(
    ("y", "message"),
    [
        ([0, 1, 2, 1], r"3 classes \[0, 1, 2\].*map them to 0/1, or use task: multiclass"),
        (["a", "b", "c"], r"3 classes.*use task: multiclass"),
        ([1, 2, 1], r"labels \[1, 2\] are not 0/1: map them to 0/1"),
        (["no", "yes"], r"labels \['no', 'yes'\] are not 0/1: map them to 0/1"),
        (["0", "1"], r"labels \['0', '1'\] are not 0/1"),
        ([1, 1, 1], r"a single class \[1\]; binary needs both 0 and 1"),
        ([0, np.nan, 1, np.nan], r"2 of 4 rows have no label"),
        (pd.Series([0, 1, None], dtype="Int64"), r"1 of 3 rows have no label"),
        ([], r"no rows"),
        (np.zeros((3, 2)), r"must be 1-D"),
        (pd.DataFrame({"a": [0, 1], "b": [1, 0]}), r"one column"),
    ],
    ids=[
        "three-classes",
        "three-strings",
        "1-2",
        "yes-no",
        "string-0-1",
        "single-class",
        "missing",
        "nullable-missing",
        "empty",
        "2-d",
        "two-columns",
    ],
)
def test_check_target_refuses_labels_that_are_not_binary_naming_where(y, message):
    with pytest.raises(DataError, match=message) as info:
        TASK.check_target(y, WHERE)
    assert str(info.value).startswith(WHERE + ":")


def test_score_is_the_probability_of_class_1_as_1d_float():
    X = np.random.default_rng(0).normal(size=(60, 2))
    y = (X[:, 0] > 0).astype(int)
    model = LogisticRegression().fit(X, y)
    scores = TASK.score(model, X)
    assert scores.shape == (60,) and scores.dtype == np.float64
    np.testing.assert_array_equal(scores, model.predict_proba(X)[:, 1])


def test_metrics_are_exactly_those_of_classification_metrics():
    y, _, scores = _data()
    assert TASK.metrics(y, scores, n_bins=5) == classification_metrics(y, scores, 5)
    assert TASK.metrics(y, scores) == classification_metrics(y, scores, 10)


@pytest.mark.parametrize("metric", ["roc_auc", "log_loss", "brier"])
def test_compare_delegates_to_compare_models(metric):
    y, champion, challenger = _data()
    got = TASK.compare(y, champion, challenger, metric, n_boot=150, seed=3, margin=0.001)
    expected = compare_models(y, champion, challenger, metric, n_boot=150, seed=3, margin=0.001)
    pd.testing.assert_frame_equal(got, expected)


def test_compare_says_challenger_better_for_a_clearly_better_model_and_not_for_an_identical_one():
    y, champion, challenger = _data()
    better = TASK.compare(y, champion, challenger, ["roc_auc", "log_loss", "brier"])
    assert better["challenger_better"].all()
    assert ((better["ci_low"] <= better["diff"]) & (better["diff"] <= better["ci_high"])).all()
    same = TASK.compare(y, champion, champion.copy(), ["roc_auc", "log_loss", "brier"])
    assert not same["challenger_better"].any()
    assert (same[["diff", "ci_low", "ci_high"]].to_numpy() == 0).all()


def test_compare_is_reproducible_for_a_seed():
    y, champion, challenger = _data()
    first = TASK.compare(y, champion, challenger, "roc_auc", seed=11)
    pd.testing.assert_frame_equal(first, TASK.compare(y, champion, challenger, "roc_auc", seed=11))
    other = TASK.compare(y, champion, challenger, "roc_auc", seed=12)
    assert other.loc[0, "ci_low"] != first.loc[0, "ci_low"]


def test_predictions_are_one_score_column_aligned_to_the_features():
    X = pd.DataFrame({"a": np.arange(20.0)}, index=np.arange(100, 120))
    y = (X["a"] > 9).astype(int)
    model = LogisticRegression().fit(X, y)
    out = TASK.predictions(model, X)
    assert out.columns.tolist() == ["score"]
    assert out.index.equals(X.index)
    np.testing.assert_array_equal(out["score"], model.predict_proba(X)[:, 1])


def test_sections_leave_the_binary_report_to_mlcore_evaluation():
    with pytest.raises(NotImplementedError, match="_evaluation"):
        TASK.sections(np.array([0, 1]), {"model": np.array([0.2, 0.8])})
