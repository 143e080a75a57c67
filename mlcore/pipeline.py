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
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mlcore import track
from mlcore._files import write_atomic
from mlcore.config import STEPS, check_config
from mlcore.data import load_table
from mlcore.errors import DataError, MlcoreError
from mlcore.evaluate import classification_metrics, lift_table
from mlcore.features import build_preprocessor
from mlcore.model import build_estimator, build_pipeline
from mlcore.report import Report, Section, write_report
from mlcore.split import SET_NAMES, split_frame
from mlcore.validate import ValidationFailed, validate_frame

__all__ = ["PipelineResult", "main", "run"]

log = logging.getLogger(__name__)

EVAL_SETS = ("validation", "test")


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

    @cached_property
    def table(self) -> pd.DataFrame:
        frame = load_table(self.cfg["data"])
        if frame.empty:
            raise DataError("the input table is empty")
        return frame

    @cached_property
    def splits(self) -> dict[str, pd.DataFrame]:
        files = {name: self.split_dir / f"{name}.parquet" for name in SET_NAMES}
        missing = [str(p) for p in files.values() if not p.is_file()]
        if missing:
            raise DataError(f"no split on disk ({missing[0]}); run the 'split' step first")
        return {name: pd.read_parquet(path) for name, path in files.items()}

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


def _step_validate(ctx: _Context) -> None:
    import mlflow

    expectations = ctx.cfg["validation"]["expectations"]
    if not expectations:
        log.warning("validate: no expectations configured; skipping data validation")
        return
    result = validate_frame(ctx.table, expectations, name="raw")
    table_path = write_atomic(
        ctx.reports_dir / "validation" / "raw.csv", result.table.to_csv(index=False)
    )
    track.log_file(table_path, "validation")
    mlflow.log_metric("validation_success", float(result.success))
    for line in result.failed_descriptions("warning"):
        log.warning("validation warning: %s", line)
    if not result.success:
        raise ValidationFailed(result, "raw data")


def _step_split(ctx: _Context) -> None:
    import mlflow

    data = ctx.cfg["data"]
    split_cfg = ctx.cfg["split"]
    result = split_frame(
        ctx.table,
        entity_col=data["entity_col"],
        fractions=split_cfg.get("fractions", {"train": 0.70, "validation": 0.15, "test": 0.15}),
        salt=str(split_cfg.get("salt", "")),
        target_col=ctx.target,
    )
    for name in SET_NAMES:
        part = result[name]
        if part.empty:
            raise DataError(
                f"split: the {name} set is empty; check split.fractions and the data size"
            )
        if part[ctx.target].nunique() < 2:
            raise DataError(f"split: the {name} set holds a single class of {ctx.target!r}")
    for name in SET_NAMES:
        tmp = ctx.split_dir / f".{name}.parquet.tmp"
        ctx.split_dir.mkdir(parents=True, exist_ok=True)
        result[name].to_parquet(tmp, index=False)
        tmp.replace(ctx.split_dir / f"{name}.parquet")
    track.log_table(result.report, "split/report.csv")
    mlflow.log_metrics({f"rows_{r.set}": float(r.rows) for r in result.report.itertuples()})
    ctx.splits = {name: result[name] for name in SET_NAMES}


def _features_config(cfg: dict[str, Any]) -> dict[str, Any]:
    """The features config with the entity and date columns always dropped (they are ids)."""
    features = dict(cfg["features"])
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
        build_preprocessor(x_train, _features_config(cfg)),
        build_estimator(cfg["model"], seed=cfg["seed"]),
    ).fit(x_train, y_train)
    baseline = build_estimator({"kind": "dummy", "params": {}}, seed=cfg["seed"])
    baseline.fit(x_train, y_train)
    ctx.models_dir.mkdir(parents=True, exist_ok=True)
    for name, obj in (("model", model), ("baseline", baseline)):
        tmp = ctx.models_dir / f".{name}.joblib.tmp"
        joblib.dump(obj, tmp)
        tmp.replace(ctx.models_dir / f"{name}.joblib")
    ctx.models = {"model": model, "baseline": baseline}


def _scores(model: Any, features: pd.DataFrame) -> np.ndarray:
    return model.predict_proba(features)[:, 1]


def _lift_figures(lift: pd.DataFrame, baseline_lift: pd.DataFrame) -> dict[str, Any]:
    from matplotlib.figure import Figure

    lift_fig = Figure(figsize=(6, 3.5))
    ax = lift_fig.subplots()
    ax.bar(lift["bin"], lift["lift"], color="#3b6ea8")
    ax.axhline(1.0, color="#999", linestyle="--", label="random")
    ax.set(xlabel="score decile (1 = highest scores)", ylabel="lift", title="Lift by decile (test)")
    ax.legend()
    gains_fig = Figure(figsize=(6, 3.5))
    ax = gains_fig.subplots()
    for table, label in ((lift, "model"), (baseline_lift, "dummy baseline")):
        share = np.concatenate([[0.0], table["cum_count"] / table["cum_count"].iloc[-1]])
        ax.plot(share, np.concatenate([[0.0], table["cum_gain"].fillna(0.0)]), label=label)
    ax.plot([0, 1], [0, 1], color="#999", linestyle="--", label="random")
    ax.set(
        xlabel="share of customers targeted", ylabel="share of churners found", title="Gains (test)"
    )
    ax.legend()
    return {"lift": lift_fig, "gains": gains_fig}


def _step_evaluate(ctx: _Context) -> None:
    import mlflow

    n_bins = int(ctx.cfg["evaluate"].get("n_bins", 10))
    rows = []
    tables: dict[str, pd.DataFrame] = {}
    for set_name in EVAL_SETS:
        features, labels = ctx.xy(set_name)
        for model_name, model in ctx.models.items():
            scores = _scores(model, features)
            metrics = classification_metrics(labels, scores, n_bins)
            prefix = "" if model_name == "model" else "baseline_"
            ctx.metrics.update({f"{prefix}{set_name}_{k}": v for k, v in metrics.items()})
            rows.append({"model": model_name, "set": set_name, **metrics})
            if set_name == "test":
                tables[model_name] = lift_table(labels, scores, n_bins)
    comparison = pd.DataFrame(rows)
    figures = _lift_figures(tables["model"], tables["baseline"])
    run_id = mlflow.active_run().info.run_id
    report = Report(
        f"{ctx.cfg['project']['name']}: model evaluation",
        [
            Section(
                "Model vs dummy baseline",
                "Is ML even needed? The dummy predicts the training churn rate for everyone.",
                comparison,
            ),
            Section("Lift and gains on the test set", table=tables["model"], figures=figures),
        ],
        subtitle=f"MLflow run {run_id} · model {ctx.cfg['model']['kind']} · seed {ctx.cfg['seed']}",
    )
    html_path, md_path = write_report(report, ctx.reports_dir)
    metrics_path = write_atomic(
        ctx.reports_dir / "metrics.json", json.dumps(ctx.metrics, indent=2, sort_keys=True)
    )
    mlflow.log_metrics(ctx.metrics)
    for path in (html_path, md_path, metrics_path):
        track.log_file(path, "report")
    for name, figure in figures.items():
        track.log_figure(figure, f"report/figures/{name}.png")
    ctx.result.update(report_html=html_path, report_md=md_path)


def _step_register(ctx: _Context) -> None:
    import mlflow

    from mlcore import registry
    from mlcore._model_io import log_sklearn_model

    tracking = ctx.cfg["tracking"]
    if "test_roc_auc" not in ctx.metrics:
        stored = ctx.reports_dir / "metrics.json"
        if not stored.is_file():
            raise DataError(f"no metrics ({stored}); run the 'evaluate' step first")
        ctx.metrics.update(json.loads(stored.read_text()))
    x_test, y_test = ctx.xy("test")
    model = ctx.models["model"]
    info = log_sklearn_model(model, x_test, tracking["model_name"])
    try:
        champion_scores = registry.score_champion(tracking["model_name"], x_test)
        champion_auc = None
        if champion_scores is not None:
            champion_auc = classification_metrics(y_test, champion_scores)["roc_auc"]
        decision = registry.gate(
            challenger=ctx.metrics["test_roc_auc"],
            baseline=ctx.metrics["baseline_test_roc_auc"],
            champion=champion_auc,
            margin=float(ctx.cfg["evaluate"].get("promotion_margin", 0.0)),
        )
    except Exception as exc:  # a champion that cannot score today's data is not beaten
        decision = registry.Decision(False, f"champion could not be compared: {exc}", {})
    run_id = mlflow.active_run().info.run_id
    registry.promote_if_better(
        tracking["model_name"], str(info.registered_model_version), decision, run_id
    )
    mlflow.set_tags({"mlcore.promoted": str(decision.promote), "mlcore.reason": decision.reason})
    ctx.result.update(
        model_name=tracking["model_name"],
        model_version=str(info.registered_model_version),
        promoted=decision.promote,
        reason=decision.reason,
    )


_STEPS: dict[str, Callable[[_Context], None]] = {
    "validate": _step_validate,
    "split": _step_split,
    "train": _step_train,
    "evaluate": _step_evaluate,
    "register": _step_register,
}


def run(config: Mapping[str, Any] | Any) -> PipelineResult:
    """Run the configured steps (in pipeline order) as one MLflow run and return what it made."""
    track.disable_telemetry()  # before anything imports MLflow: its import writes an id file
    import mlflow

    cfg = check_config(config)
    steps = [step for step in STEPS if step in cfg["steps"]]
    tracking = cfg["tracking"]
    track.configure(tracking["uri"], tracking["experiment"], tracking["artifact_location"])
    ctx = _Context(cfg)
    with track.start_run(tags={"mlcore.steps": ",".join(steps)}) as active:
        track.log_config(cfg)
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


def main(config: Mapping[str, Any] | Any) -> int:
    """Entry point for the generated project: run, print the summary, return an exit code.

    Errors meant for the user (bad config, bad data, failed validation) print one ``ERROR:`` line
    naming what and where and return 1; the full traceback goes to the log.
    """
    try:
        result = run(config)
    except (MlcoreError, ValueError, KeyError) as exc:
        log.debug("pipeline failed", exc_info=True)
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        print(f"ERROR: {message}", file=sys.stderr)
        return 1
    print(result.summary())
    return 0
