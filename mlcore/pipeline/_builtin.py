"""The built-in steps: validate → split → train → evaluate → register, on the Step contract.

Each reads what it declares and returns typed values (:mod:`mlcore.pipeline._values`) and what the
run records; none of them logs to MLflow (the runner's hooks do). ``register`` talks to the model
registry: registering is its job.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from mlcore.drift import reference_profile
from mlcore.errors import DataError
from mlcore.monitor import PROFILE_ARTIFACT
from mlcore.pipeline._step import Step, StepContext, StepResult, step
from mlcore.pipeline._values import Evaluated, Labels, Models, Registration, Splits, Verdict

__all__ = ["BUILTIN_STEPS", "features_config"]


@step(reads=("raw",), writes=("validation",))
def validate(ctx: StepContext) -> StepResult:
    """Great Expectations on the raw table; an empty suite is ``skipped``, not ``passed``."""
    from mlcore.validate import ValidationFailed, validate_frame

    expectations = ctx.cfg["validation"]["expectations"]
    if not expectations:
        reason = (
            "no expectations in the validation config (conf/validation/): draft them from "
            "trusted data with `make profile`, review them, and run again"
        )
        return StepResult(values={"validation": Verdict("skipped", reason)}, notes=(reason,))
    result = validate_frame(ctx["raw"], expectations, name="raw")
    stats = result.statistics()
    verdict = Verdict("passed" if result.success else "failed", "", result)
    metrics = {"validation_success": float(result.success)}
    metrics.update({f"validation_{k}": float(v) for k, v in stats.items()})
    notes = tuple(f"validation warning: {line}" for line in result.failed_descriptions("warning"))
    stop = None
    if not result.success:
        folder = ctx.folder("validation")
        stop = ValidationFailed(result, f"raw data (report: {folder / 'raw.html'})")
    return StepResult(values={"validation": verdict}, metrics=metrics, notes=notes, stop=stop)


def _labelled(ctx: StepContext) -> tuple[Any, Labels | None]:
    """The table with its label built as the ``target`` config says (as given when it has no
    definition), and how it was built."""
    from mlcore.targets import describe, edge_warning, label_table, target_settings

    settings = target_settings(ctx.cfg["target"])
    if settings is None:
        return ctx.take("table"), None
    data = ctx.cfg["data"]
    built = label_table(
        ctx.take("table"),  # freed once labelled, unless a later step reads it
        settings,
        entity_col=data["entity_col"],
        date_col=data.get("date_col"),
        label_col=data["target"],
    )
    warning = edge_warning(built.by_period)
    definition = describe(settings, data["target"])
    return built.frame, Labels(definition, built.dropped, built.by_period, warning)


def _label_record(labels: Labels | None) -> StepResult:
    """What the run records of the built label: its rows, positive rate, drops by reason."""
    if labels is None:
        return StepResult()
    metrics = {"target_rows": float(labels.rows), "target_positive_rate": labels.positive_rate}
    metrics.update({f"target_dropped_{k}": float(v) for k, v in labels.dropped.items()})
    table = labels.by_period.rename_axis("period").reset_index()
    notes = (f"target: {labels.warning}",) if labels.warning else ()
    return StepResult(metrics=metrics, tables={"target/by_period.csv": table}, notes=notes)


@step(reads=("table",), writes=("splits",))
def split(ctx: StepContext) -> StepResult:
    """The label built (``target`` config), then train / validation / test sets as the ``split``
    config says; each must hold every class."""
    from mlcore.split import SET_NAMES, split_from_config

    data, target = ctx.cfg["data"], ctx.cfg["data"]["target"]
    table, labels = _labelled(ctx)
    result = split_from_config(
        table,
        ctx.cfg["split"],
        entity_col=data["entity_col"],
        date_col=data.get("date_col"),
        target_col=target,
    )
    del table  # the labelled table: the sets are cut
    for name in SET_NAMES:
        part = result[name]
        if part.empty:
            raise DataError(
                f"split: the {name} set is empty; check the split config and the data size"
            )
        ctx.task.check_target(part[target], f"split: the {name} set's {target!r}")
    splits = Splits(
        result.train, result.validation, result.test, result.report, result.dropped, labels
    )
    record = _label_record(labels)
    metrics = {f"rows_{r.set}": float(r.rows) for r in result.report.itertuples()}
    metrics["rows_dropped_leakage"] = float(result.dropped)
    notes = (f"split: dropped {result.dropped} rows that would leak across sets",) * bool(
        result.dropped
    )
    return StepResult(
        values={"splits": splits},
        metrics={**record.metrics, **metrics},
        tables={"split/report.csv": result.report, **record.tables},
        notes=(*record.notes, *notes),
    )


def features_config(cfg: dict[str, Any]) -> dict[str, Any]:
    """The ``features`` config for the preprocessor: the entity and date columns always dropped;
    ``activity`` and ``extra`` are the pipeline's, not the preprocessor's."""
    features = {k: v for k, v in cfg["features"].items() if k not in ("activity", "extra")}
    data = cfg["data"]
    ids = [c for c in (data["entity_col"], data.get("date_col")) if c]
    features["drop"] = list(dict.fromkeys([*(features.get("drop") or []), *ids]))
    return features


@step(reads=("splits",), writes=("models",))
def train(ctx: StepContext) -> StepResult:
    """Fit the project's transformers, the preprocessing and the estimator as one Pipeline, behind
    the panel's activity features, and the task's dummy baseline; profile the training data for
    drift."""
    from sklearn.pipeline import Pipeline

    from mlcore._estimator import build_estimator, build_transformers
    from mlcore.activity import panel_features
    from mlcore.features import build_preprocessor
    from mlcore.model import adapter_for, calibrate
    from mlcore.sampling import sample_training

    cfg, data, target = ctx.cfg, ctx.cfg["data"], ctx.cfg["data"]["target"]
    splits: Splits = ctx["splits"]
    sampled = sample_training(  # the training rows only: validation and test stay as they are
        splits.train,
        cfg["sampling"],
        entity_col=data["entity_col"],
        target_col=target,
        date_col=data.get("date_col"),
    )
    x_train, y_train = sampled.frame.drop(columns=[target]), sampled.frame[target].to_numpy()
    ctx.task.check_target(y_train, f"train: the training labels {target!r}")
    extra = build_transformers(cfg["features"].get("extra") or [], where="features.extra")
    seen = x_train
    for _, transformer in extra:  # the preprocessor is fitted on what the extras produce
        seen = transformer.fit_transform(seen)
    estimator = build_estimator(cfg["model"], cfg["seed"])
    adapter = adapter_for(estimator)
    preprocess = build_preprocessor(seen, features_config(cfg), seed=cfg["seed"])
    model = Pipeline([*extra, ("preprocess", preprocess), ("model", estimator)])
    fit = adapter.fit_params(estimator, f"train: {len(x_train):,} rows")
    if sampled.weights is not None:
        fit["model__sample_weight"] = sampled.weights
    model.fit(x_train, y_train, **fit)
    model.steps[-1] = ("model", adapter.finalize(model[-1]))
    x_val, y_val = splits.xy("validation", target)
    model, calibration, proba = calibrate(  # on the validation set, inside the logged model
        model,
        x_val,
        y_val,
        cfg["calibration"],
        task=ctx.task.name,
        groups=x_val[data["entity_col"]],
    )
    baseline = ctx.task.baseline(cfg["seed"]).fit(x_train, y_train)
    features = panel_features(cfg["features"].get("activity"))  # as the table's were computed
    if features is not None:
        features.fit(x_train)
    val_scores = None if proba is None else ctx.task.from_proba(proba)
    models = Models(model, baseline, calibration.to_dict(), features, val_scores)
    # The drift job's reference: the training data, and for binary models the held-out scores.
    if ctx.task.name == "binary":
        held = (y_train, models.validation_scores, y_val)
    else:
        held = (None, None, None)
    profile = reference_profile(x_train, *held, cfg)
    texts = {PROFILE_ARTIFACT: json.dumps(profile.to_dict())}
    metrics = {"sampling_rows_train": float(len(x_train)), **calibration.metrics()}
    if ctx.task.name == "binary":
        metrics["sampling_positive_rate_train"] = float(np.mean(y_train))
    return StepResult(
        values={"models": models},
        texts=texts,
        metrics=metrics,
        tags={
            "mlcore.sampling": sampled.method,
            "mlcore.calibration": calibration.method,
            "mlcore.calibration_reason": calibration.reason,
        },
        notes=sampled.notes,
    )


@step(reads=("splits", "models", "scores"), writes=("evaluation",))
def evaluate(ctx: StepContext) -> StepResult:
    """The evaluation report: the model against its baselines on validation and test data."""
    from mlcore._evaluation import evaluate_models

    cfg, target = ctx.cfg, ctx.cfg["data"]["target"]
    splits, models, scores = ctx["splits"], ctx["models"], ctx["scores"]
    model = cfg["model"].get("_target_", "?").rpartition(".")[2]
    evaluation = evaluate_models(
        {"model": models.model, "baseline": models.baseline},
        {name: splits.xy(name, target) for name in ("validation", "test")},
        cfg["evaluate"],
        task=ctx.task,
        title=f"{cfg['project']['name']}: model evaluation",
        subtitle=f"MLflow run {ctx.run_id} · task {ctx.task.name} · model {model} · seed {cfg['seed']}",
        seed=cfg["seed"],
        scores=scores.known,
        calibration=models.calibration,
    )
    scores.known.update(evaluation.scores)
    if splits.labels is not None and evaluation.report is not None:
        evaluation.report.sections.insert(0, splits.labels.section())
    evaluated = Evaluated(
        dict(evaluation.metrics), evaluation.report, evaluation.tables, evaluation.figures
    )
    tables = {f"report/tables/{name}.csv": table for name, table in evaluation.tables.items()}
    return StepResult(values={"evaluation": evaluated}, metrics=evaluation.metrics, tables=tables)


@step(
    reads=("raw_sha256", "splits", "models", "scores", "evaluation", "validation"),
    writes=("registration",),
)
def register(ctx: StepContext) -> StepResult:
    """Log the model, register it as ``challenger`` and let the gate decide on ``champion``."""
    import mlflow

    from mlcore import registry
    from mlcore._model_io import log_sklearn_model
    from mlcore.pipeline._card import model_card
    from mlcore.pipeline._fair import SPLIT_TAG, split_record, unseen_by_champion

    cfg, task, target = ctx.cfg, ctx.task, ctx.cfg["data"]["target"]
    splits, models, scores = ctx["splits"], ctx["models"], ctx["scores"]
    verdict: Verdict = ctx["validation"]
    x_test, y_test = splits.xy("test", target)
    name = cfg["tracking"]["model_name"]
    info = log_sklearn_model(  # the model of raw rows: it computes the activity features
        models.logged, models.inputs(x_test), name, predict_fn=task.predict_fn
    )
    version = str(info.registered_model_version)
    try:
        record = split_record(cfg, ctx["raw_sha256"], splits.test)
        client = mlflow.MlflowClient()
        client.set_model_version_tag(name, version, SPLIT_TAG, json.dumps(record, sort_keys=True))
        evaluate_cfg = cfg["evaluate"]
        decision = registry.decide(
            name,
            x_test,
            y_test,
            scores("model", "test"),
            scores("baseline", "test"),
            validation_passed=verdict.passed,
            validation_reason=verdict.reason or f"data validation: {verdict.status}",
            metric=evaluate_cfg["metric"],
            margin=evaluate_cfg["promotion_margin"],
            seed=cfg["seed"],
            task=task,
            unseen_by=unseen_by_champion(record, splits.test),
            min_rows=evaluate_cfg["min_compare_rows"],
            replace_unscorable=bool(evaluate_cfg["replace_unscorable_champion"]),
        )
        decision = registry.promote_if_better(name, version, decision, ctx.run_id)
    except BaseException as exc:  # interrupted or failed before the gate ended: not finished
        registry.abandon(name, version, f"register did not finish: {type(exc).__name__}: {exc}")
        raise
    evaluation: Evaluated = ctx["evaluation"]
    card = model_card(ctx, name, version, splits, evaluation, decision.reason)
    client.update_model_version(name, version, description=card.read_text())
    registration = Registration(name, version, decision.promote, decision.reason)
    tags = {"mlcore.promoted": str(decision.promote), "mlcore.reason": decision.reason}
    files = [card, *_with_verdict(ctx, evaluation, registration)]
    return StepResult(values={"registration": registration}, tags=tags, files={"report": files})


def _with_verdict(ctx: StepContext, evaluation: Evaluated, registration: Registration) -> list:
    """The evaluation report rewritten to open with the gate's verdict (when this run made it)."""
    from mlcore.report import Section, write_report

    if evaluation.report is None:  # evaluated by an earlier run: its report stays as it was
        return []
    verdict = (
        f"Promoted: models:/{registration.model_name}/{registration.model_version} is the champion"
        if registration.promoted
        else f"Not promoted: models:/{registration.model_name}/{registration.model_version} stays "
        "challenger; the champion did not change"
    )
    data, labels = ctx.cfg["data"], ctx["splits"].labels
    target = labels.definition if labels else data["target_definition"] or data["target"]
    text = f"{verdict}. Why: {registration.reason}. Data: {data['path'] or 'synthetic'}; target: {target}."
    report = evaluation.report
    report.sections = [Section("Verdict", text), *report.sections]
    return list(write_report(report, Path(ctx.cfg["paths"]["reports"])))


BUILTIN_STEPS: dict[str, Step] = {s.name: s for s in (validate, split, train, evaluate, register)}
