"""The one-button pipeline: validate → split → train → evaluate → register, or any selection.

Each run of :func:`run` is one MLflow run. Steps hand their outputs to the next in memory and also
persist them atomically (``data/interim/split/``, ``models/``, ``reports/``), so a selection such
as ``steps=[train, evaluate]`` picks up where an earlier run left off. A failed step marks the run
FAILED, writes nothing downstream and never moves the ``champion`` alias.

Example (inside a generated project, through Hydra)::

    python -m my_project.pipeline experiment=smoke
    python -m my_project.pipeline steps=[train,evaluate]
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mlcore import track
from mlcore._evaluation import evaluate_models, evaluate_settings
from mlcore._files import write_atomic
from mlcore.activity import add_activity_features
from mlcore.config import STEPS, check_config
from mlcore.data import load_table
from mlcore.errors import DataError, run_main
from mlcore.features import build_preprocessor
from mlcore.model import build_estimator, build_pipeline, fit_params
from mlcore.report import write_report
from mlcore.split import SET_NAMES, split_from_config
from mlcore.validate import ValidationFailed, validate_frame

__all__ = ["PipelineResult", "main", "run"]

log = logging.getLogger(__name__)


@dataclass
class PipelineResult:
    """What a run produced and where to find it."""

    run_id: str
    tracking_uri: str
    steps: list[str]
    metrics: dict[str, float] = field(default_factory=dict)
    report_html: Path | None = None
    report_md: Path | None = None
    model_name: str | None = None
    model_version: str | None = None
    promoted: bool | None = None
    reason: str | None = None

    def summary(self) -> str:
        """Human-readable lines: report, store, model and how to open the MLflow UI."""
        lines = [f"MLflow run:        {self.run_id} (steps: {', '.join(self.steps)})"]
        if self.report_html:
            lines.append(f"Report:            {self.report_html}")
            lines.append(f"Report (markdown): {self.report_md}")
        lines.append(f"MLflow store:      {self.tracking_uri}")
        if self.tracking_uri.startswith(("http://", "https://")):
            lines.append(f"MLflow UI:         {self.tracking_uri}")
        else:
            lines.append(f"MLflow UI:         mlflow ui --backend-store-uri {self.tracking_uri}")
        if self.model_version:
            lines.append(
                f"Registered model:  models:/{self.model_name}/{self.model_version} (alias challenger)"
            )
            verdict = "promoted" if self.promoted else "not promoted"
            lines.append(f"Promotion gate:    {verdict}: {self.reason}")
            if self.promoted:
                lines.append(f"Champion:          models:/{self.model_name}@champion")
        return "\n".join(lines)


class _Context:
    """State shared by the steps: in memory when an earlier step ran, else loaded from disk."""

    def __init__(self, cfg: dict[str, Any]) -> None:
        self.cfg = cfg
        paths = cfg["paths"]
        self.split_dir = Path(paths["interim"]) / "split"
        self.models_dir = Path(paths["models"])
        self.reports_dir = Path(paths["reports"])
        self.target = cfg["data"]["target"]
        self.metrics: dict[str, float] = {}
        self.result: dict[str, Any] = {}
        self.validation_passed: bool | None = None  # None: the validate step did not run
        self.tables: dict[str, pd.DataFrame] = {}  # the evaluation's tables, for the model card
        self.scores: dict[str, dict[str, np.ndarray]] = {}  # set -> model -> scores, this run

    @cached_property
    def raw(self) -> pd.DataFrame:
        """The input table, fingerprinted and logged as the run's dataset input."""
        data = self.cfg["data"]
        frame = load_table(data)
        if frame.empty:
            raise DataError("the input table is empty")
        source = data["path"] or f"mlcore.datasets.make_churn({data.get('synthetic') or {}})"
        track.log_dataset(frame, "raw", str(source), target=self.target)
        return frame

    @cached_property
    def table(self) -> pd.DataFrame:
        """The raw table with the panel's activity features (each row sees only its past)."""
        return add_activity_features(self.raw, self.cfg["features"].get("activity"))

    @cached_property
    def splits(self) -> dict[str, pd.DataFrame]:
        files = {name: self.split_dir / f"{name}.parquet" for name in SET_NAMES}
        missing = [str(p) for p in files.values() if not p.is_file()]
        if missing:
            raise DataError(f"no split on disk ({missing[0]}); run the 'split' step first")
        parts = {name: pd.read_parquet(path) for name, path in files.items()}
        for name, part in parts.items():
            track.log_dataset(part, name, str(files[name]), target=self.target)
        return parts

    @cached_property
    def models(self) -> dict[str, Any]:
        import joblib

        files = {name: self.models_dir / f"{name}.joblib" for name in ("model", "baseline")}
        missing = [str(p) for p in files.values() if not p.is_file()]
        if missing:
            raise DataError(f"no trained model on disk ({missing[0]}); run the 'train' step first")
        return {name: joblib.load(path) for name, path in files.items()}

    def xy(self, name: str) -> tuple[pd.DataFrame, np.ndarray]:
        part = self.splits[name]
        return part.drop(columns=[self.target]), part[self.target].to_numpy()

    def score(self, model: str, set_name: str) -> np.ndarray:
        """The positive-class scores of ``model`` on a set, computed once per run."""
        by_model = self.scores.setdefault(set_name, {})
        if model not in by_model:
            by_model[model] = self.models[model].predict_proba(self.xy(set_name)[0])[:, 1]
        return by_model[model]


def _step_validate(ctx: _Context) -> None:
    import mlflow

    expectations = ctx.cfg["validation"]["expectations"]
    if not expectations:
        log.warning("validate: no expectations configured; skipping data validation")
        ctx.validation_passed = True
        return
    result = validate_frame(ctx.raw, expectations, name="raw")
    folder = ctx.reports_dir / "validation"
    result.to_json(folder / "raw.json")
    result.to_html(folder / "raw.html")
    for name in ("raw.json", "raw.html"):
        track.log_file(folder / name, "validation")
    mlflow.log_metric("validation_success", float(result.success))
    mlflow.log_metrics({f"validation_{k}": float(v) for k, v in result.statistics().items()})
    for line in result.failed_descriptions("warning"):
        log.warning("validation warning: %s", line)
    ctx.validation_passed = result.success
    if not result.success:
        raise ValidationFailed(result, f"raw data (report: {folder / 'raw.html'})")


def _step_split(ctx: _Context) -> None:
    import mlflow

    data = ctx.cfg["data"]
    result = split_from_config(
        ctx.table,
        ctx.cfg["split"],
        entity_col=data["entity_col"],
        date_col=data.get("date_col"),
        target_col=ctx.target,
    )
    for name in SET_NAMES:
        part = result[name]
        if part.empty:
            raise DataError(
                f"split: the {name} set is empty; check the split config and the data size"
            )
        if part[ctx.target].nunique() < 2:
            raise DataError(f"split: the {name} set holds a single class of {ctx.target!r}")
    ctx.split_dir.mkdir(parents=True, exist_ok=True)
    for name in SET_NAMES:
        tmp = ctx.split_dir / f".{name}.parquet.tmp"
        result[name].to_parquet(tmp, index=False)
        tmp.replace(ctx.split_dir / f"{name}.parquet")
    track.log_table(result.report, "split/report.csv")
    mlflow.log_metrics({f"rows_{r.set}": float(r.rows) for r in result.report.itertuples()})
    mlflow.log_metric("rows_dropped_leakage", float(result.dropped))
    if result.dropped:
        log.info("split: dropped %d rows that would leak across sets", result.dropped)
    ctx.splits = {name: result[name] for name in SET_NAMES}
    for table in ("table", "raw"):  # the sets hold the rows now: free the whole-table copies
        ctx.__dict__.pop(table, None)


def _features_config(cfg: dict[str, Any]) -> dict[str, Any]:
    """The features config with the entity and date columns always dropped (they are ids)."""
    features = {k: v for k, v in cfg["features"].items() if k != "activity"}
    data = cfg["data"]
    ids = [c for c in (data["entity_col"], data.get("date_col")) if c]
    features["drop"] = list(dict.fromkeys([*(features.get("drop") or []), *ids]))
    return features


def _step_train(ctx: _Context) -> None:
    import joblib

    x_train, y_train = ctx.xy("train")
    if len(np.unique(y_train)) < 2:
        raise DataError(f"train: the training labels hold a single class of {ctx.target!r}")
    cfg = ctx.cfg
    model = build_pipeline(
        build_preprocessor(x_train, _features_config(cfg), seed=cfg["seed"]),
        build_estimator(cfg["model"], seed=cfg["seed"]),
    )
    model.fit(
        x_train, y_train, **fit_params(cfg["model"], f"train: {len(x_train):,} rows", logger=log)
    )
    if hasattr(model[-1], "to_local"):  # trained on a Dask cluster: register a plain model
        model.steps[-1] = (model.steps[-1][0], model[-1].to_local())
    baseline = build_estimator({"kind": "dummy", "params": {}}, seed=cfg["seed"])
    baseline.fit(x_train, y_train)
    ctx.models_dir.mkdir(parents=True, exist_ok=True)
    for name, obj in (("model", model), ("baseline", baseline)):
        tmp = ctx.models_dir / f".{name}.joblib.tmp"
        joblib.dump(obj, tmp)
        tmp.replace(ctx.models_dir / f"{name}.joblib")
    ctx.models = {"model": model, "baseline": baseline}
    _log_drift_reference(ctx, x_train, y_train)


def _log_drift_reference(ctx: _Context, x_train: pd.DataFrame, y_train: np.ndarray) -> None:
    """Save the training data's drift profile (and held-out scores) with the run: make drift."""
    from mlcore.drift import reference_profile
    from mlcore.monitor import log_reference_profile

    y_val = ctx.xy("validation")[1]
    scores = ctx.score("model", "validation")
    log_reference_profile(reference_profile(x_train, y_train, scores, y_val, ctx.cfg))


def _step_evaluate(ctx: _Context) -> None:
    import mlflow

    run_id = mlflow.active_run().info.run_id
    cfg = ctx.cfg
    evaluation = evaluate_models(
        ctx.models,
        {name: ctx.xy(name) for name in ("validation", "test")},
        cfg["evaluate"],
        title=f"{cfg['project']['name']}: model evaluation",
        subtitle=f"MLflow run {run_id} · model {cfg['model']['kind']} · seed {cfg['seed']}",
        seed=cfg["seed"],
        scores=ctx.scores,
    )
    ctx.scores.update(evaluation.scores)
    ctx.metrics.update(evaluation.metrics)
    html_path, md_path = write_report(evaluation.report, ctx.reports_dir)
    metrics_path = write_atomic(
        ctx.reports_dir / "metrics.json", json.dumps(ctx.metrics, indent=2, sort_keys=True)
    )
    mlflow.log_metrics(ctx.metrics)
    for path in (html_path, md_path, metrics_path):
        track.log_file(path, "report")
    for name, table in evaluation.tables.items():
        track.log_table(table, f"report/tables/{name}.csv")
    for name in evaluation.figures:  # the PNGs write_report rendered: not rendered again
        track.log_file(ctx.reports_dir / "figures" / f"{name}.png", "report/figures")
    ctx.result.update(report_html=html_path, report_md=md_path)
    ctx.tables = evaluation.tables


def _validation_passed(ctx: _Context) -> bool:
    """This run's validation verdict, else the one saved by the last validate step."""
    if ctx.validation_passed is not None:
        return ctx.validation_passed
    saved = ctx.reports_dir / "validation" / "raw.json"
    return saved.is_file() and bool(json.loads(saved.read_text())["success"])


def _step_register(ctx: _Context) -> None:
    import mlflow

    from mlcore import registry
    from mlcore._model_io import log_sklearn_model

    cfg, tracking = ctx.cfg, ctx.cfg["tracking"]
    if "test_roc_auc" not in ctx.metrics:
        stored = ctx.reports_dir / "metrics.json"
        if not stored.is_file():
            raise DataError(f"no metrics ({stored}); run the 'evaluate' step first")
        ctx.metrics.update(json.loads(stored.read_text()))
    x_test, y_test = ctx.xy("test")
    model, name = ctx.models["model"], tracking["model_name"]
    info = log_sklearn_model(model, x_test, name)
    version = str(info.registered_model_version)
    evaluate_cfg = cfg["evaluate"]
    decision = registry.decide(
        name,
        x_test,
        y_test,
        ctx.score("model", "test"),
        ctx.score("baseline", "test"),
        validation_passed=_validation_passed(ctx),
        metric=evaluate_cfg["metric"],
        margin=evaluate_cfg["promotion_margin"],
        seed=cfg["seed"],
    )
    run_id = mlflow.active_run().info.run_id
    decision = registry.promote_if_better(name, version, decision, run_id)
    mlflow.set_tags({"mlcore.promoted": str(decision.promote), "mlcore.reason": decision.reason})
    card = _model_card(ctx, run_id, name, version)
    track.log_file(card, "report")
    mlflow.MlflowClient().update_model_version(name, version, description=card.read_text())
    ctx.result.update(
        model_name=name, model_version=version, promoted=decision.promote, reason=decision.reason
    )


def _model_card(ctx: _Context, run_id: str, name: str, version: str) -> Path:
    """Write ``reports/model_card.md`` for the registered version (see mlcore.model_card)."""
    import yaml

    from mlcore.model_card import write_model_card

    cfg, metrics = ctx.cfg, ctx.metrics
    profile_path = Path(cfg["paths"]["root"]) / "project.yaml"
    profile = yaml.safe_load(profile_path.read_text()) if profile_path.is_file() else None
    fingerprints = [
        {"name": name_, **{k: v for k, v in track.fingerprint(part).items() if k != "schema"}}
        for name_, part in ctx.splits.items()
    ]
    keys = ("roc_auc", "log_loss", "brier", "top_bin_lift")
    return write_model_card(
        ctx.reports_dir / "model_card.md",
        profile or {},
        run_id=run_id,
        model_name=name,
        model_version=version,
        data_fingerprints=fingerprints,
        target_definition=cfg["data"]["target_definition"] or f"{ctx.target} (see data config)",
        metrics={f"test_{k}": metrics[f"test_{k}"] for k in keys},
        baseline_metrics={f"test_{k}": metrics[f"baseline_test_{k}"] for k in keys},
        calibration=ctx.tables.get("calibration", []),
        group_metrics=ctx.tables.get("groups", []),
        limitations=cfg["limitations"] or ["None recorded: add them under `limitations` in conf/."],
    )


_STEPS: dict[str, Callable[[_Context], None]] = {
    "validate": _step_validate,
    "split": _step_split,
    "train": _step_train,
    "evaluate": _step_evaluate,
    "register": _step_register,
}


def run(config: Mapping[str, Any] | Any, parent_run_id: str | None = None) -> PipelineResult:
    """Run the configured steps (in pipeline order) as one MLflow run and return what it made.

    ``parent_run_id`` nests the run under a sweep's parent run (see :mod:`mlcore.sweep`).
    """
    track.disable_telemetry()  # before anything imports MLflow: its import writes an id file
    import mlflow

    cfg = check_config(config)
    cfg["evaluate"] = evaluate_settings(cfg["evaluate"])  # checked before any work
    steps = [step for step in STEPS if step in cfg["steps"]]
    tracking = cfg["tracking"]
    track.configure(tracking["uri"], tracking["experiment"], tracking["artifact_location"])
    ctx = _Context(cfg)
    tags = {"mlcore.kind": "train", "mlcore.steps": ",".join(steps)}
    with track.start_run(tags=tags, parent_run_id=parent_run_id) as active:
        track.log_config(cfg)
        track.log_provenance(cfg["paths"]["root"])
        for step in steps:
            started = time.perf_counter()
            log.info("step %s: start", step)
            _STEPS[step](ctx)
            elapsed = time.perf_counter() - started
            mlflow.log_metric(f"step_seconds_{step}", elapsed)
            log.info("step %s: done in %.1f s", step, elapsed)
        run_id = active.info.run_id
    return PipelineResult(
        run_id=run_id,
        tracking_uri=tracking["uri"],
        steps=steps,
        metrics=dict(ctx.metrics),
        **ctx.result,
    )


def main(config: Mapping[str, Any] | Any) -> float | None:
    """Entry point of the generated project's Hydra app: run, print the summary.

    Returns ``config.optimized_metric`` (for Hydra sweepers) or None. Errors meant for the user
    (bad config, bad data, failed validation) print one ``ERROR:`` line naming what and where;
    a single run then exits with status 1, while a job of a multirun returns NaN so the other
    jobs go on (its MLflow run is FAILED, and the sweep's parent run too).
    """
    from mlcore.sweep import parent_run_id

    parent = parent_run_id()
    code, result = run_main(lambda: run(config, parent_run_id=parent))
    if code:
        if parent is None:
            raise SystemExit(code)
        return float("nan")
    print(result.summary())
    metric = check_config(config)["optimized_metric"]
    if metric is None:
        return None
    if metric not in result.metrics:
        raise SystemExit(f"ERROR: optimized_metric {metric!r} is not among the run's metrics")
    return result.metrics[metric]
