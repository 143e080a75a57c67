"""MulticlassTask: metrics and report tables pinned against scikit-learn on the wine data and
against hand-worked examples; the paired bootstrap against a per-replicate scikit-learn loop."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from sklearn.datasets import load_wine
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    accuracy_score,
    brier_score_loss,
    classification_report,
    confusion_matrix,
    f1_score,
    log_loss,
    roc_auc_score,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from mlcore.errors import DataError
from mlcore.evaluate import reliability_table
from mlcore.report import Report, write_report
from mlcore.task import (
    MULTICLASS_METRICS,
    bootstrap_weights,
    class_reliability_table,
    confusion_table,
    encode_classes,
    get_task,
    per_class_table,
)

TASK = get_task("multiclass")
WHERE = "data.target 'cultivar'"
NAMES = np.array(["barolo", "grignolino", "barbera"])


@pytest.fixture(scope="module")
def wine():
    """A weak-ish LogisticRegression on half the wine data, its prior baseline, the other half."""
    X, y = load_wine(return_X_y=True, as_frame=True)
    labels = NAMES[y.to_numpy()]
    train, test = np.arange(len(y)) % 2 == 0, np.arange(len(y)) % 2 == 1
    model = make_pipeline(StandardScaler(), LogisticRegression(C=0.01, max_iter=1000))
    model.fit(X[train], labels[train])
    baseline = TASK.baseline(0).fit(X[train], labels[train])
    return {
        "model": model,
        "X": X[test],
        "y": labels[test],
        "classes": model.classes_,
        "p": TASK.score(model, X[test]),
        "prior": TASK.score(baseline, X[test]),
    }


def _brier(y_codes: np.ndarray, p: np.ndarray) -> float:
    """By hand: mean over rows of sum_k (p_k - [y = k])^2."""
    return float(
        np.mean([((p[i] - np.eye(p.shape[1])[c]) ** 2).sum() for i, c in enumerate(y_codes)])
    )


def test_metrics_equal_sklearn_on_wine(wine):
    y, p, classes = wine["y"], wine["p"], wine["classes"]
    predicted = wine["model"].predict(wine["X"])
    got = TASK.metrics(y, p, classes)
    assert list(got) == ["roc_auc", "log_loss", "accuracy", "f1_macro", "brier"]
    codes = pd.Index(classes).get_indexer(y)
    assert got["roc_auc"] == pytest.approx(
        roc_auc_score(y, p, multi_class="ovr", average="macro", labels=classes), rel=1e-12
    )
    assert got["log_loss"] == pytest.approx(log_loss(y, y_proba=p, labels=classes), rel=1e-12)
    assert got["accuracy"] == pytest.approx(accuracy_score(y, predicted), rel=1e-12)
    assert got["f1_macro"] == pytest.approx(f1_score(y, predicted, average="macro"), rel=1e-12)
    assert got["brier"] == pytest.approx(_brier(codes, p), rel=1e-12)
    assert got["brier"] == pytest.approx(
        brier_score_loss(y, p, labels=classes, scale_by_half=False), rel=1e-12
    )
    assert got["accuracy"] < 1.0 and got["roc_auc"] < 1.0  # not a degenerate perfect model


def test_metrics_default_classes_are_the_sorted_labels(wine):
    assert TASK.metrics(wine["y"], wine["p"]) == TASK.metrics(wine["y"], wine["p"], wine["classes"])


def test_metrics_follow_the_column_order_given_by_classes(wine):
    order = [2, 0, 1]
    permuted = TASK.metrics(wine["y"], wine["p"][:, order], wine["classes"][order])
    assert permuted == pytest.approx(TASK.metrics(wine["y"], wine["p"], wine["classes"]))


def test_hand_worked_metrics_of_a_four_row_example():
    y = np.array([0, 1, 2, 2])
    p = np.array([[0.6, 0.3, 0.1], [0.2, 0.5, 0.3], [0.1, 0.2, 0.7], [0.1, 0.6, 0.3]])
    got = TASK.metrics(y, p)
    assert got["accuracy"] == 0.75  # the last row is predicted 1
    # f1 per class: 0 -> 1, 1 -> 2*1/(2+1) (tp 1, fp 1), 2 -> 2*1/(1+2) (tp 1, fn 1)
    assert got["f1_macro"] == pytest.approx((1 + 2 / 3 + 2 / 3) / 3)
    brier = (
        (0.16 + 0.09 + 0.01) + (0.04 + 0.25 + 0.09) + (0.01 + 0.04 + 0.09) + (0.01 + 0.36 + 0.49)
    )
    assert got["brier"] == pytest.approx(brier / 4)
    assert got["log_loss"] == pytest.approx(-np.mean(np.log([0.6, 0.5, 0.7, 0.3])))
    # AUC class 0: 1; class 1: positive 0.5 vs negatives 0.3, 0.2, 0.6 -> 2/3; class 2: 0.7, 0.3
    # vs 0.1, 0.3 -> (1 + 1 + 1 + 0.5) / 4
    assert got["roc_auc"] == pytest.approx((1 + 2 / 3 + 3.5 / 4) / 3)


def test_roc_auc_is_undefined_when_a_class_has_no_row():
    y = np.array([0, 1, 0, 1])
    got = TASK.metrics(y, np.full((4, 3), 1 / 3), classes=[0, 1, 2])
    assert np.isnan(got["roc_auc"]) and np.isfinite(got["log_loss"])


@pytest.mark.parametrize(
    ("y", "scores", "classes", "message"),
    [
        (
            ["a", "b", "d"],
            np.eye(3),
            ["a", "b", "c"],
            r"labels \['d'\] are not among the model's classes",
        ),
        (["a", "b"], np.eye(3), None, r"labels \(\(2,\)\) must be 1-D"),
        (["a", "b", "c"], np.eye(3)[:, :2], ["a", "b", "c"], r"3 classes for 2 score columns"),
        (["a", "b", "b"], np.eye(3), None, r"pass classes=model.classes_"),
        (["a", "b", "c"], 2 * np.eye(3), None, r"probabilities in \[0, 1\]"),
        (["a", None, "c"], np.eye(3), None, r"1 of 3 labels are missing"),
    ],
    ids=["unknown-label", "rows", "columns", "classes-needed", "not-probabilities", "missing"],
)
def test_bad_labels_or_scores_are_data_errors(y, scores, classes, message):
    with pytest.raises(DataError, match=message):
        encode_classes(np.array(y, dtype=object), scores, classes)
    with pytest.raises(DataError, match=message):
        TASK.metrics(np.array(y, dtype=object), scores, classes)


@pytest.mark.parametrize(
    "y",
    [
        np.array([0, 1, 2, 2]),
        ["a", "b", "c"],
        pd.Series([1.0, 2.0, 3.0]),
        pd.Categorical(list("xyzx")),
    ],
    ids=["int", "str", "integer-floats", "categorical"],
)
def test_check_target_accepts_three_or_more_classes(y):
    TASK.check_target(y, WHERE)


@pytest.mark.parametrize(
    ("y", "message"),
    [
        ([0, 1, 1, 0], r"only 2 classes \[0, 1\]; multiclass needs at least 3: use task: binary"),
        (["a", "a"], r"a single class \['a'\]"),
        (["a", None, "b", "c", None], r"2 of 5 rows have no label"),
        ([0.5, 1.25, 2.0], r"non-integer numbers.*use task: regression"),
        (pd.Series([1, "a", 2], dtype=object), r"labels mix types"),
        ([], r"no rows"),
    ],
    ids=["two-classes", "single-class", "missing", "continuous", "mixed-types", "empty"],
)
def test_check_target_refuses_wrong_targets_naming_where(y, message):
    with pytest.raises(DataError, match=message) as info:
        TASK.check_target(y, WHERE)
    assert str(info.value).startswith(WHERE + ":")


def test_score_is_predict_proba_in_classes_order(wine):
    np.testing.assert_array_equal(wine["p"], wine["model"].predict_proba(wine["X"]))
    assert wine["p"].shape == (len(wine["y"]), 3)


def test_predictions_are_the_label_and_one_probability_column_per_class(wine):
    out = TASK.predictions(wine["model"], wine["X"])
    assert out.columns.tolist() == [
        "prediction",
        "proba_barbera",
        "proba_barolo",
        "proba_grignolino",
    ]
    assert out.index.equals(wine["X"].index)
    np.testing.assert_array_equal(out["prediction"], wine["model"].predict(wine["X"]))
    np.testing.assert_array_equal(out.iloc[:, 1:].to_numpy(), wine["p"])


@pytest.mark.parametrize("name", list(MULTICLASS_METRICS))
def test_weighted_metrics_equal_sklearn_with_bootstrap_sample_weights(wine, name):
    y, p, classes = wine["y"], wine["p"], wine["classes"]
    codes = pd.Index(classes).get_indexer(y)
    weights = np.vstack(list(bootstrap_weights(len(y), 20, seed=2)))
    predicted = classes[p.argmax(axis=1)]
    reference = {
        "roc_auc": lambda w: roc_auc_score(
            y, p, multi_class="ovr", labels=classes, sample_weight=w
        ),
        "log_loss": lambda w: log_loss(y, y_proba=p, labels=classes, sample_weight=w),
        "accuracy": lambda w: accuracy_score(y, predicted, sample_weight=w),
        "f1_macro": lambda w: f1_score(
            y[w > 0], predicted[w > 0], average="macro", sample_weight=w[w > 0]
        ),
        "brier": lambda w: brier_score_loss(
            y, p, labels=classes, sample_weight=w, scale_by_half=False
        ),
    }[name]
    got = MULTICLASS_METRICS[name][0](codes, p, weights)
    np.testing.assert_allclose(got, [reference(w) for w in weights], rtol=1e-10)


def test_compare_says_challenger_better_for_the_model_against_the_prior(wine):
    table = TASK.compare(
        wine["y"], wine["prior"], wine["p"], list(TASK.gate_metrics), classes=wine["classes"]
    )
    assert table["challenger_better"].all()
    assert ((table["ci_low"] <= table["diff"]) & (table["diff"] <= table["ci_high"])).all()
    point = TASK.metrics(wine["y"], wine["p"], wine["classes"])
    assert dict(zip(table["metric"], table["challenger"], strict=True)) == pytest.approx(point)


def test_compare_says_not_better_for_an_identical_model(wine):
    table = TASK.compare(
        wine["y"], wine["p"], wine["p"].copy(), list(TASK.gate_metrics), classes=wine["classes"]
    )
    assert not table["challenger_better"].any()
    assert (table[["diff", "ci_low", "ci_high"]].to_numpy() == 0).all()


def test_compare_is_reproducible_for_a_seed(wine):
    args = (wine["y"], wine["prior"], wine["p"], "log_loss")
    first = TASK.compare(*args, seed=5, classes=wine["classes"])
    pd.testing.assert_frame_equal(first, TASK.compare(*args, seed=5, classes=wine["classes"]))
    assert (
        TASK.compare(*args, seed=6, classes=wine["classes"]).loc[0, "ci_low"]
        != first.loc[0, "ci_low"]
    )


def test_compare_skips_replicates_that_miss_a_class():
    y = np.array([0] * 14 + [1] * 14 + [2])  # class 2 is missed by about 37% of resamples
    rng = np.random.default_rng(0)
    champion = rng.dirichlet(np.ones(3), size=len(y))
    challenger = 0.5 * champion + 0.5 * np.eye(3)[y]
    table = TASK.compare(y, champion, challenger, "roc_auc", n_boot=100, seed=1)
    weights = np.vstack(list(bootstrap_weights(len(y), 100, seed=1)))
    auc = MULTICLASS_METRICS["roc_auc"][0]
    diffs = auc(y, challenger, weights) - auc(y, champion, weights)
    kept = diffs[np.isfinite(diffs)]
    assert 30 < len(diffs) - len(kept) < 50
    np.testing.assert_allclose(
        table.loc[0, ["ci_low", "ci_high"]].astype(float), np.quantile(kept, [0.025, 0.975])
    )


def test_per_class_table_of_a_hand_worked_example():
    y = np.array([0, 1, 2, 2])
    p = np.array([[0.6, 0.3, 0.1], [0.2, 0.5, 0.3], [0.1, 0.2, 0.7], [0.1, 0.6, 0.3]])
    table = per_class_table(y, p)
    assert table["class"].tolist() == [0, 1, 2, "macro avg"]
    np.testing.assert_allclose(table["precision"], [1, 0.5, 1, 2.5 / 3])
    np.testing.assert_allclose(table["recall"], [1, 1, 0.5, 2.5 / 3])
    np.testing.assert_allclose(table["f1"], [1, 2 / 3, 2 / 3, (1 + 4 / 3) / 3])
    assert table["support"].tolist() == [1, 1, 2, 4]
    np.testing.assert_allclose(table["roc_auc"], [1, 2 / 3, 3.5 / 4, (1 + 2 / 3 + 3.5 / 4) / 3])


def test_per_class_table_equals_sklearn_classification_report_on_wine(wine):
    table = per_class_table(wine["y"], wine["p"], wine["classes"]).set_index("class")
    report = classification_report(wine["y"], wine["model"].predict(wine["X"]), output_dict=True)
    for label in wine["classes"]:
        assert table.loc[label, "precision"] == pytest.approx(report[label]["precision"])
        assert table.loc[label, "recall"] == pytest.approx(report[label]["recall"])
        assert table.loc[label, "f1"] == pytest.approx(report[label]["f1-score"])
        assert table.loc[label, "support"] == report[label]["support"]
        one_vs_rest = roc_auc_score(
            wine["y"] == label, wine["p"][:, list(wine["classes"]).index(label)]
        )
        assert table.loc[label, "roc_auc"] == pytest.approx(one_vs_rest)
    assert table.loc["macro avg", "f1"] == pytest.approx(report["macro avg"]["f1-score"])


def test_confusion_table_equals_sklearn_confusion_matrix(wine):
    table = confusion_table(wine["y"], wine["p"], wine["classes"])
    assert table.columns.tolist() == ["actual", *map(str, wine["classes"])]
    assert table["actual"].tolist() == list(wine["classes"])
    expected = confusion_matrix(wine["y"], wine["model"].predict(wine["X"]), labels=wine["classes"])
    np.testing.assert_array_equal(table.drop(columns="actual").to_numpy(), expected)


def test_class_reliability_equals_the_binary_reliability_table_of_each_class(wine):
    table = class_reliability_table(wine["y"], wine["p"], wine["classes"], n_bins=5)
    assert table.columns.tolist() == ["class", "bin", "mean_predicted", "observed_rate", "rows"]
    for j, label in enumerate(wine["classes"]):
        part = table[table["class"] == label].reset_index(drop=True)
        reference = reliability_table((wine["y"] == label).astype(int), wine["p"][:, j], n_bins=5)
        assert part["bin"].tolist() == reference["bin"].tolist()
        assert part["rows"].tolist() == reference["count"].tolist()
        np.testing.assert_allclose(part["mean_predicted"], reference["mean_score"])
        np.testing.assert_allclose(part["observed_rate"], reference["observed_rate"])


def test_sections_build_the_named_tables_figures_and_metrics(wine, tmp_path):
    scores = {"model": wine["p"], "baseline": wine["prior"]}
    report = TASK.sections(wine["y"], scores, n_bins=5, classes=wine["classes"])
    assert [s.title for s in report.sections] == [
        "Model vs baseline",
        "Per-class metrics",
        "Confusion matrix",
        "Reliability by class",
    ]
    assert sorted(report.tables) == [
        "class_reliability",
        "comparison",
        "confusion_matrix",
        "per_class",
    ]
    assert sorted(report.figures) == ["class_reliability", "confusion_matrix"]
    assert all(isinstance(f, Figure) for f in report.figures.values())
    assert len(report.figures["confusion_matrix"].axes[0].texts) == 9
    assert len(report.figures["class_reliability"].axes[0].lines) == 1 + 3  # diagonal + classes
    comparison = report.tables["comparison"]
    assert comparison["scorer"].tolist() == ["model", "dummy (prior)"]
    assert comparison.iloc[0, 1:].to_dict() == pytest.approx(
        TASK.metrics(wine["y"], wine["p"], wine["classes"])
    )
    macro = report.tables["per_class"].iloc[-1]
    assert report.metrics == pytest.approx(
        {"test_precision_macro": macro["precision"], "test_recall_macro": macro["recall"]}
    )
    html, _ = write_report(Report("Wine", report.sections), tmp_path)
    assert html.read_text().count("<img") == 2


def test_sections_need_the_model_scores(wine):
    with pytest.raises(DataError, match="'model'"):
        TASK.sections(wine["y"], {"baseline": wine["prior"]}, classes=wine["classes"])
