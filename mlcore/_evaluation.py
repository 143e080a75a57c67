"""The evaluate step's content: every number, table and plot of one run's evaluation report.

A primitive on top of :mod:`mlcore.evaluate`, :mod:`mlcore.plots`, :mod:`mlcore.explain` and
:mod:`mlcore.report` (no MLflow): the pipeline logs what :func:`evaluate_models` returns. The
config is the ``evaluate`` group; every section but the model-vs-baselines one is optional.

Example (the keys of the ``evaluate`` group)::

    n_bins: 10
    heuristic: {column: days_since_last_login, ascending: false}
    profit: {cost_per_contact: 5, value_per_success: 300, success_rate: 0.25}
    fairness: {column: age, bins: [18, 30, 45, 60, 120]}
    importance: {n_repeats: 3, max_rows: 10000}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from mlcore import evaluate, plots
from mlcore._evaluation_parts import calibration_part, fairness_part, profit_part
from mlcore._schema import section
from mlcore.errors import ConfigError, DataError
from mlcore.explain import permutation_importance_table
from mlcore.model import uncalibrated
from mlcore.report import Report, Section
from mlcore.task import get_task

__all__ = ["Evaluation", "evaluate_models", "evaluate_settings"]

EVAL_SETS = ("validation", "test")
_BINARY = get_task("binary")
_DEFAULTS: dict[str, Any] = {
    "n_bins": 10,
    "promotion_margin": 0.0,
    "min_compare_rows": 100,  # the gate refuses when fewer test rows are unseen by the champion
    "replace_unscorable_champion": False,  # a champion that cannot score: decide on the baseline
    "metric": None,  # the task's default_metric
    "heuristic": None,
    "profit": None,
    "fairness": None,
    "importance": None,
}
_PARTS: dict[str, tuple[dict[str, Any], tuple[str, ...]]] = {  # part: (defaults, required)
    "heuristic": ({"ascending": True}, ("column",)),
    "profit": ({"currency": None}, ("cost_per_contact", "value_per_success", "success_rate")),
    "fairness": ({"bins": None}, ("column",)),
    "importance": ({"n_repeats": 3, "max_rows": 10_000}, ()),
}
_NUMBERS = {
    "n_bins": int,
    "promotion_margin": float,
    "min_compare_rows": int,
    "profit.cost_per_contact": float,
    "profit.value_per_success": float,
    "profit.success_rate": float,
    "importance.n_repeats": int,
    "importance.max_rows": int,
}


@dataclass
class Evaluation:
    """Metrics (flat, for MLflow), the report, its figures and tables (for artifacts)."""

    metrics: dict[str, float]
    report: Report
    figures: dict[str, Any] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    scores: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)  # by set, then scorer


def _number(value: Any, kind: type, where: str) -> int | float:
    try:
        number = kind(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{where} must be a number, got {value!r}") from None
    if kind is int and number != value:
        raise ConfigError(f"{where} must be an integer, got {value!r}")
    return number


def evaluate_settings(cfg: Mapping[str, Any] | None, task: Any = None) -> dict[str, Any]:
    """The ``evaluate`` section checked (keys, required keys, numbers) with its defaults filled.

    A missing or ``null`` part (``heuristic``, ``profit``, ``fairness``, ``importance``) stays
    ``None``: that section of the report is left out. ``metric`` must be one of the task's gate
    metrics (``task``: a :class:`mlcore.task.Task`, binary by default); null is its default.

    Example:
        >>> evaluate_settings({"heuristic": {"column": "age"}})["heuristic"]
        {'ascending': True, 'column': 'age'}
    """
    task = task or _BINARY
    settings = section(cfg, "evaluate", _DEFAULTS)
    settings["metric"] = settings["metric"] or task.default_metric
    task.check_metric(settings["metric"])
    for part, (defaults, required) in _PARTS.items():
        if settings[part]:
            settings[part] = section(
                settings[part], f"evaluate.{part}", defaults, required=required
            )
    for key, kind in _NUMBERS.items():
        part, _, name = key.rpartition(".")
        holder = settings[part] if part else settings
        if holder is not None and holder.get(name) is not None:
            holder[name] = _number(holder[name], kind, f"evaluate.{key}")
    return settings


def _scorers(
    models: Mapping[str, Any],
    features: pd.DataFrame,
    heuristic: Mapping[str, Any] | None,
    known: Mapping[str, np.ndarray],
) -> dict[str, np.ndarray]:
    scores = {
        name: known[name] if name in known else _BINARY.score(model, features)
        for name, model in models.items()
    }
    if heuristic:
        column = heuristic["column"]
        ascending = bool(heuristic.get("ascending", True))
        order = "lowest" if ascending else "highest"
        try:
            scores[f"heuristic ({order} {column} first)"] = evaluate.heuristic_scores(
                features, column, ascending
            )
        except (DataError, TypeError) as exc:
            raise ConfigError(f"evaluate.heuristic: {exc}") from None
    return scores


def _importance(
    model: Any,
    features: pd.DataFrame,
    labels: np.ndarray,
    cfg: Mapping[str, Any],
    seed: int,
    scoring: str,
) -> pd.DataFrame:
    max_rows = cfg["max_rows"]
    if len(features) > max_rows:
        rows = np.random.default_rng(seed).choice(len(features), max_rows, replace=False)
        rows.sort()
        features, labels = features.iloc[rows], labels[rows]
    return permutation_importance_table(
        model, features, labels, scoring=scoring, n_repeats=cfg["n_repeats"], seed=seed
    )


def evaluate_models(
    models: Mapping[str, Any],
    sets: Mapping[str, tuple[pd.DataFrame, np.ndarray]],
    cfg: Mapping[str, Any],
    *,
    title: str,
    subtitle: str = "",
    seed: int = 0,
    scores: Mapping[str, Mapping[str, np.ndarray]] | None = None,
    task: Any = None,
    calibration: Mapping[str, Any] | None = None,
) -> Evaluation:
    """Score ``models`` (``model`` and the dummy ``baseline``) on the validation and test sets.

    ``sets`` maps ``validation``/``test`` to ``(features, labels)``; ``scores`` may hold scores
    already computed (``{set: {model name: scores}}``), the rest are computed and all are
    returned in ``Evaluation.scores``. Metrics are named
    ``<set>_<metric>`` for the model, ``baseline_<set>_<metric>`` for the dummy and
    ``heuristic_<set>_<metric>`` for the business rule; plus ``test_ece`` (and per bin count,
    ``uncalibrated_*`` for a calibrated model), the profit optimum against contacting everyone
    and the heuristic's, and the largest fairness gaps at that cutoff when configured. ``task`` (binary by default) scores the models;
    multiclass and regression reports come from :meth:`mlcore.task.Task.sections`.
    ``calibration`` is the train step's decision (:class:`mlcore.model.Calibration` as a dict):
    a calibrated binary model's report shows its test reliability before and after.

    Example:
        >>> from sklearn.dummy import DummyClassifier
        >>> X, y = pd.DataFrame({"a": np.arange(40.0)}), np.arange(40) % 2
        >>> m = {"model": DummyClassifier().fit(X, y), "baseline": DummyClassifier().fit(X, y)}
        >>> ev = evaluate_models(m, {"validation": (X, y), "test": (X, y)}, {"n_bins": 4}, title="t")
        >>> ev.metrics["test_roc_auc"]
        0.5
    """
    task = task or _BINARY
    cfg = evaluate_settings(cfg, task)
    decision = dict(calibration or {})
    if task.name != "binary":
        evaluation = _task_evaluation(task, models, sets, cfg, scores or {}, title, subtitle)
        if decision:
            text = f"{decision['method']} ({decision['reason']})."
            evaluation.report.sections.append(Section("Calibration", text))
    else:
        evaluation = _binary_evaluation(models, sets, cfg, scores or {}, title, subtitle, decision)
    if cfg["importance"]:
        val_features, val_labels = sets["validation"]
        importance = _importance(  # of the model inside its calibrator: a monotone map of it
            uncalibrated(models["model"]),
            val_features,
            val_labels,
            cfg["importance"],
            seed,
            task.scoring,
        )
        evaluation.figures["importance"] = plots.importance_figure(importance)
        evaluation.tables["importance"] = importance
        evaluation.report.sections.append(
            Section(
                "What the model uses",
                f"Permutation importance on validation data: the {task.scoring} lost when a "
                "column is shuffled.",
                importance,
                {"importance": evaluation.figures["importance"]},
            )
        )
    return evaluation


def _task_evaluation(
    task: Any,
    models: Mapping[str, Any],
    sets: Mapping[str, tuple[pd.DataFrame, np.ndarray]],
    cfg: Mapping[str, Any],
    known: Mapping[str, Mapping[str, np.ndarray]],
    title: str,
    subtitle: str,
) -> Evaluation:
    """Multiclass and regression: the task's metrics per set and scorer, and its report."""
    classes = getattr(models["model"], "classes_", None)
    metrics: dict[str, float] = {}
    scores: dict[str, dict[str, np.ndarray]] = {}
    for set_name in EVAL_SETS:
        features, labels = sets[set_name]
        given = known.get(set_name, {})
        scores[set_name] = {
            name: given[name] if name in given else task.score(model, features)
            for name, model in models.items()
        }
        for name, values in scores[set_name].items():
            prefix = {"model": "", "baseline": "baseline_"}[name]
            found = task.metrics(labels, values, classes, n_bins=cfg["n_bins"])
            metrics.update({f"{prefix}{set_name}_{k}": float(v) for k, v in found.items()})
    labels = sets["test"][1]
    content = task.sections(labels, scores["test"], n_bins=cfg["n_bins"], classes=classes)
    metrics.update(content.metrics)
    report = Report(title, list(content.sections), subtitle)
    return Evaluation(metrics, report, dict(content.figures), dict(content.tables), scores)


def _binary_evaluation(
    models: Mapping[str, Any],
    sets: Mapping[str, tuple[pd.DataFrame, np.ndarray]],
    cfg: Mapping[str, Any],
    known: Mapping[str, Mapping[str, np.ndarray]],
    title: str,
    subtitle: str,
    decision: Mapping[str, Any],
) -> Evaluation:
    """Binary: lift, gains, calibration, the heuristic, profit and fairness sections."""
    n_bins = cfg["n_bins"]
    metrics: dict[str, float] = {}
    comparisons, scores = [], {}
    for set_name in EVAL_SETS:
        features, labels = sets[set_name]
        scores[set_name] = _scorers(models, features, cfg.get("heuristic"), known.get(set_name, {}))
        table = evaluate.compare_scorers(labels, scores[set_name], n_bins)
        for row in table.to_dict("records"):
            scorer = row.pop("scorer")
            prefix = {"model": "", "baseline": "baseline_"}.get(scorer, "heuristic_")
            metrics.update({f"{prefix}{set_name}_{k}": float(v) for k, v in row.items()})
        comparisons.append(table.assign(set=set_name))
    features, labels = sets["test"]
    test_scores = scores["test"]
    model_scores = test_scores["model"]
    renamed = {"baseline": "dummy (prior)"}
    lift = evaluate.lift_table(labels, model_scores, n_bins)
    gains = {renamed.get(k, k): evaluate.gains_curve(labels, s) for k, s in test_scores.items()}
    figures = {
        "lift": plots.lift_figure(lift, "Lift by score decile (test)"),
        "gains": plots.gains_figure(gains, "Cumulative gains (test)"),
    }
    comparison = pd.concat(comparisons, ignore_index=True)
    comparison["scorer"] = comparison["scorer"].replace(renamed)
    tables = {"comparison": comparison, "lift": lift}
    sections = [
        Section(
            "Model vs baselines",
            "Is ML even needed? The dummy predicts the training churn rate for everyone; the "
            "heuristic is the business rule the model must beat. Heuristic scores are ranks: "
            "read their AUC and lift, not their log loss.",
            comparison,
        ),
        Section(
            "Lift and gains on the test set",
            f"Top-decile lift {metrics['test_top_bin_lift']:.2f}.",
            lift,
            {"lift": figures["lift"], "gains": figures["gains"]},
        ),
    ]
    inner = uncalibrated(models["model"])
    raw = None if inner is models["model"] else _BINARY.score(inner, features)
    parts = [calibration_part(labels, model_scores, raw, n_bins, decision)]
    threshold, chosen = 0.5, "0.5: evaluate.profit is not set"
    if cfg["profit"]:
        heuristic = next((k for k in test_scores if k.startswith("heuristic (")), None)
        part, threshold = profit_part(labels, test_scores, heuristic, cfg["profit"])
        parts.append(part)
        chosen = "the profit-optimal cutoff"
    if cfg["fairness"]:
        parts.append(
            fairness_part(features, labels, model_scores, threshold, chosen, cfg["fairness"])
        )
    for part in parts:
        metrics.update(part.metrics)
        sections += part.sections
        figures.update(part.figures)
        tables.update(part.tables)
    return Evaluation(metrics, Report(title, sections, subtitle), figures, tables, scores)
