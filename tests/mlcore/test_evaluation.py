"""mlcore._evaluation: the binary report's calibration, profit and fairness sections on small data."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from mlcore._evaluation import evaluate_models
from mlcore.evaluate import format_money
from mlcore.model import calibrate


def _sets(n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {"customer_id": np.arange(n), "x": rng.normal(size=n), "age": rng.integers(18, 80, n)}
    )
    labels = (rng.random(n) < 1 / (1 + np.exp(-(2 * frame["x"] - 2.5)))).astype(int)
    return frame, labels


def _evaluate(calibration: dict | None = None) -> tuple:
    """A model that over-predicts (balanced class weights) reading only ``x``: ``age`` feeds the
    heuristic and the groups."""
    (x_train, y_train), val, test = _sets(4000, 0), _sets(4000, 1), _sets(4000, 2)
    only_x = ColumnTransformer([("x", "passthrough", ["x"])])
    model = make_pipeline(only_x, LogisticRegression(class_weight="balanced")).fit(x_train, y_train)
    decision = {}
    if calibration is not None:
        model, made, _ = calibrate(model, *val, calibration)
        decision = made.to_dict()
    cfg = {
        "n_bins": 10,
        "heuristic": {"column": "age", "ascending": False},
        "profit": {
            "cost_per_contact": 5.0,
            "value_per_success": 3000.0,
            "success_rate": 0.25,
            "currency": "EUR",
        },
        "fairness": {"column": "age", "bins": [18, 40, 60, 120]},
    }
    models = {"model": model, "baseline": DummyClassifier().fit(x_train, y_train)}
    sets = {"validation": val, "test": test}
    return evaluate_models(models, sets, cfg, title="t", calibration=decision), decision


def _section(report, title: str):
    (found,) = [s for s in report.sections if s.title == title]
    return found


def test_the_profit_section_compares_the_model_everyone_and_the_heuristic_in_money():
    evaluation, _ = _evaluate()
    metrics = evaluation.metrics
    profit = _section(evaluation.report, "Profit-optimal targeting")
    table = profit.table.set_index("rule")
    assert set(table.index) == {"model", "heuristic (highest age first)", "contact everyone"}
    assert table.loc["model", "expected profit"] == format_money(metrics["test_best_profit"], "EUR")
    everyone = metrics["test_profit_contact_everyone"]
    assert table.loc["contact everyone", "expected profit"] == format_money(everyone, "EUR")
    assert metrics["test_best_profit"] > everyone and metrics["heuristic_test_best_profit"] > 0
    assert f"more than contacting everyone ({format_money(everyone, 'EUR')})" in profit.text
    assert "than the heuristic at its best" in profit.text
    shown = profit.text + profit.table.to_string()
    assert re.search(r"EUR \d{1,3}(,\d{3})+", shown) and not re.search(r"\de[+-]?\d", shown)
    groups = _section(evaluation.report, "Group metrics by age")
    rate = metrics["test_selection_rate"]
    assert f"(the profit-optimal cutoff): {rate:.1%} of the test rows selected" in groups.text
    assert 0 < rate < 0.8


def test_a_calibrated_model_reports_its_reliability_before_and_after():
    evaluation, decision = _evaluate({"method": "sigmoid"})
    metrics = evaluation.metrics
    assert decision["method"] == "sigmoid"
    after = _section(evaluation.report, "Calibration on the test set")
    before = _section(evaluation.report, "Before calibration (test set)")
    assert after.text.startswith(f"Calibration: sigmoid ({decision['reason']}).")
    assert "Miscalibrated: " in before.text and "lower than predicted" in before.text
    assert metrics["test_ece"] < metrics["uncalibrated_test_ece"] / 2
    assert list(after.table.columns) == list(before.table.columns)
    by_bins = _section(evaluation.report, "Calibration error by bin count").table
    assert list(by_bins.columns) == ["bins", "calibrated", "uncalibrated"]
    assert (by_bins["calibrated"] < by_bins["uncalibrated"]).all()


def test_an_uncalibrated_model_names_its_miscalibrated_region():
    evaluation, _ = _evaluate()
    section = _section(evaluation.report, "Calibration on the test set")
    assert section.text.startswith("Calibration: none (no calibration decision recorded).")
    assert re.search(r"Miscalibrated: (above|between) 0\.\d\d", section.text)
    titles = [s.title for s in evaluation.report.sections]
    assert "Before calibration (test set)" not in titles
