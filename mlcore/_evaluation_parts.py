"""The binary report's decision sections: calibration before and after the calibrator, profit by
targeting rule (the model, contacting everyone, the heuristic) and group metrics at the chosen
operating point. Used by :func:`mlcore._evaluation.evaluate_models`.

Example:
    >>> import numpy as np
    >>> y, s = np.array([0, 0, 1, 1] * 10), np.array([0.1, 0.4, 0.35, 0.8] * 10)
    >>> part = calibration_part(y, s, None, 4, {})
    >>> [section.title for section in part.sections]
    ['Calibration on the test set', 'Calibration error by bin count']
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from mlcore import evaluate, plots
from mlcore.errors import ConfigError
from mlcore.report import Section
from mlcore.task import TaskReport

__all__ = ["OUTSIDE", "calibration_part", "fairness_part", "groups_of", "profit_part"]

OUTSIDE = "outside bands"  # fairness: values below the first or above the last band edge


def _ece_metric(n_bins: int, strategy: str) -> str:
    return f"test_ece_{n_bins}{'' if strategy == 'uniform' else '_quantile'}_bins"


def calibration_part(
    labels: np.ndarray,
    served: np.ndarray,
    raw: np.ndarray | None,
    n_bins: int,
    decision: Mapping[str, Any],
) -> TaskReport:
    """Reliability of the served (calibrated) scores, of the ``raw`` ones when the model holds a
    calibrator, the ECE at several bin counts and the region that is off, in words."""
    method = decision.get("method", "none")
    reliability = evaluate.reliability_table(labels, served, n_bins)
    scorers = {"model": served} if raw is None else {"calibrated": served, "uncalibrated": raw}
    ece = evaluate.ece_by_bins(labels, scorers)
    metrics = {"test_ece": evaluate.expected_calibration_error(labels, served, n_bins)}
    for row in ece.to_dict("records"):
        n, strategy = row["bins"].split()
        if (int(n), strategy) == (n_bins, "uniform"):
            continue  # test_ece itself
        metrics[_ece_metric(int(n), strategy)] = float(row[next(iter(scorers))])
        if raw is not None:
            metrics[f"uncalibrated_{_ece_metric(int(n), strategy)}"] = float(row["uncalibrated"])
    region = evaluate.miscalibrated_region(reliability)
    how = (
        f"Calibration: {method} ({decision['reason']}). "
        if decision
        else "Calibration: none (no calibration decision recorded). "
    )
    if method != "none":
        how += "Fitted on the validation set inside the logged model: make predict and make serve return these scores. "
    found = (
        f"Miscalibrated: {region}."
        if region
        else "No score bin is off by more than 0.05 beyond sampling noise."
    )
    figures = {"calibration": plots.calibration_figure(reliability, "Reliability (test)")}
    sections = [
        Section(
            "Calibration on the test set",
            f"{how}Expected calibration error {metrics['test_ece']:.4f} ({n_bins} equal-width "
            f"bins), Brier score {np.mean((served - labels) ** 2):.4f}. "
            f"{found}",
            reliability,
            {"calibration": figures["calibration"]},
        )
    ]
    tables = {"calibration": reliability, "calibration_error": ece}
    if raw is not None:
        before = evaluate.reliability_table(labels, raw, n_bins)
        metrics["uncalibrated_test_ece"] = evaluate.expected_calibration_error(labels, raw, n_bins)
        was = evaluate.miscalibrated_region(before)
        figures["calibration_uncalibrated"] = plots.calibration_figure(
            before, "Reliability before calibration (test)"
        )
        tables["calibration_uncalibrated"] = before
        sections.append(
            Section(
                "Before calibration (test set)",
                f"The same model without its calibrator: expected calibration error "
                f"{metrics['uncalibrated_test_ece']:.4f}. "
                + (f"Miscalibrated: {was}." if was else "No score bin was off beyond noise."),
                before,
                {"calibration_uncalibrated": figures["calibration_uncalibrated"]},
            )
        )
    sections.append(
        Section(
            "Calibration error by bin count",
            "ECE at equal-width and equal-count (quantile) bins: a miscalibrated tail that ten "
            "bins average away shows at finer or equal-mass bins.",
            ece,
        )
    )
    return TaskReport(metrics, sections, figures, tables)


def _share(value: float) -> str:
    return f"{value:.1%}"


def profit_part(
    labels: np.ndarray,
    scores: Mapping[str, np.ndarray],
    heuristic: str | None,
    cfg: Mapping[str, Any],
) -> tuple[TaskReport, float]:
    """The model's profit-optimal cutoff against contacting everyone and the heuristic's best
    cutoff, money formatted; returns the part and the model's cutoff (the operating point)."""
    currency = cfg.get("currency")
    money = lambda v: evaluate.format_money(v, currency)  # noqa: E731
    costs = (cfg["cost_per_contact"], cfg["value_per_success"], cfg["success_rate"])
    rules = evaluate.profit_rules(labels, {k: scores[k] for k in ("model", heuristic) if k}, *costs)
    by_rule = rules.set_index("rule")
    best, everyone = by_rule.loc["model"], by_rule.loc["contact everyone"]
    threshold = float(best["threshold"])
    metrics = {
        "test_best_profit": float(best["profit"]),
        "test_best_fraction": float(best["fraction"]),
        "test_profit_contact_everyone": float(everyone["profit"]),
    }
    gain = best["profit"] - everyone["profit"]
    relative = f" ({gain / abs(everyone['profit']):.1%})" if everyone["profit"] else ""
    target = (
        f"contacts the top {_share(best['fraction'])} of the test rows "
        f"({int(best['contacts']):,}, score ≥ {threshold:.4f})"
        if best["contacts"]
        else "contacts nobody (no cutoff earns back its contacts)"
    )
    text = (
        f"The model's best targeting {target}: expected profit {money(best['profit'])}, "
        f"{money(gain)}{relative} more than contacting everyone ({money(everyone['profit'])})"
    )
    if heuristic:
        rule = by_rule.loc[heuristic]
        metrics["heuristic_test_best_profit"] = float(rule["profit"])
        metrics["heuristic_test_best_fraction"] = float(rule["fraction"])
        versus = best["profit"] - rule["profit"]
        word = "more" if versus >= 0 else "less"
        text += (
            f" and {money(abs(versus))} {word} than the heuristic at its best (top "
            f"{_share(rule['fraction'])}: {money(rule['profit'])})"
        )
    text += (
        f". Assumed: cost per contact {money(cfg['cost_per_contact'])}, value of a retained "
        f"customer {money(cfg['value_per_success'])}, success rate {cfg['success_rate']:.0%}."
    )
    if best["fraction"] >= 0.9 or (everyone["profit"] > 0 and gain < 0.01 * everyone["profit"]):
        text += (
            " Contacting everyone earns nearly as much: at these costs the model adds little "
            "to a campaign for everyone."
        )
    shown = pd.DataFrame(
        {
            "rule": rules["rule"],
            "contacted": [_share(f) for f in rules["fraction"]],
            "rows": [f"{n:,}" for n in rules["contacts"]],
            "score cutoff": [  # the heuristic's scores are ranks: no cutoff to read
                f"≥ {t:.4f}" if r == "model" else "everyone" if np.isnan(t) else "top rows"
                for r, t in zip(rules["rule"], rules["threshold"], strict=True)
            ],
            "expected profit": [money(p) for p in rules["profit"]],
            "vs the model": [money(p - best["profit"]) for p in rules["profit"]],
        }
    )
    curve = evaluate.profit_curve(labels, scores["model"], *costs)
    figure = plots.profit_figure(
        curve, evaluate.best_cutoff(curve), "Expected campaign profit (test)"
    )
    section = Section("Profit-optimal targeting", text, shown, {"profit": figure})
    return TaskReport(metrics, [section], {"profit": figure}, {"profit": rules}), threshold


def groups_of(frame: pd.DataFrame, cfg: Mapping[str, Any]) -> pd.Series:
    """The fairness group of each row: its band of ``cfg["bins"]`` (``"[18, 30)"``) or its value."""
    column = cfg["column"]
    if column not in frame.columns:
        raise ConfigError(f"evaluate.fairness.column: {column!r} is not in the data")
    values = frame[column]
    if cfg["bins"]:  # "[18, 30)" labels; missing outside the bins (not one str() per row)
        bands = pd.cut(values, bins=list(cfg["bins"]), right=False)
        labels = bands.cat.rename_categories(bands.cat.categories.astype(str))
        return labels.cat.add_categories([OUTSIDE]).fillna(OUTSIDE).astype("str")
    return values.astype(str)


def fairness_part(
    features: pd.DataFrame,
    labels: np.ndarray,
    scores: np.ndarray,
    threshold: float,
    chosen: str,
    cfg: Mapping[str, Any],
) -> TaskReport:
    """Group metrics and the largest gaps at the operating point ``threshold`` (``chosen`` says
    where it comes from), with the selection rate it gives."""
    by_group = evaluate.group_metrics(labels, scores, groups_of(features, cfg), threshold)
    gaps = evaluate.fairness_gaps(by_group)
    metrics = {f"test_gap_{row['measure']}": float(row["gap"]) for row in gaps.to_dict("records")}
    selected = float(np.mean(scores >= threshold))
    metrics["test_selection_rate"] = selected
    text = (
        f"At the operating point, score ≥ {threshold:.4f} ({chosen}): {_share(selected)} of the "
        f"test rows selected ({int(np.sum(scores >= threshold)):,} of {len(scores):,})."
    )
    if selected >= 0.8:
        text += (
            " At a selection rate this high nearly every group is selected: the selection "
            "rate gaps say little; read the true-positive rates and AUCs."
        )
    column = cfg["column"]
    sections = [
        Section(f"Group metrics by {column}", text, by_group),
        Section(f"Largest gaps between {column} groups", "ratio = lowest / highest.", gaps),
    ]
    return TaskReport(metrics, sections, {}, {"groups": by_group, "fairness_gaps": gaps})
