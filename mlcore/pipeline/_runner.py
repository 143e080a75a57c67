"""The runner: check everything before work, then run the steps as one MLflow run.

Before the first step: the config schema, the ``evaluate`` and ``model`` sections, the step list
(order, reads), the data loaded and every column the config names, the target against the task.
Then each step gets its declared inputs, from this run or from disk when their provenance
matches (:mod:`mlcore.pipeline._artifacts`), and its result is persisted and recorded; a cached
step whose output on disk matches reuses it instead of running (:mod:`mlcore.pipeline._cache`).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from mlcore import __version__, track
from mlcore._memory import return_freed_memory
from mlcore.config import check_config
from mlcore.errors import DataError, MlcoreError, run_main
from mlcore.pipeline._artifacts import PERSISTED, Provenance, Store
from mlcore.pipeline._builtin import BUILTIN_STEPS
from mlcore.pipeline._cache import CACHED_STEPS, cacheable, replay, result_record
from mlcore.pipeline._checks import check_against_data, check_writable
from mlcore.pipeline._hooks import MlflowHook
from mlcore.pipeline._preload import Preload, modules_for
from mlcore.pipeline._step import Step, StepContext, StepResult, resolve_steps
from mlcore.pipeline._values import Evaluated, Models, Scores, Splits, Verdict

__all__ = ["PipelineResult", "main", "run"]

_DERIVED = ("raw", "raw_sha256", "table", "scores")
_READERS = {"validation": Verdict.read, "splits": Splits.read, "models": Models.read}
_READERS["evaluation"] = Evaluated.read
_INPUTS = {  # the inputs an output is made from (derived ones are the data's unless a step wrote them)
    "validation": ("raw",),
    "splits": ("table",),
    "models": ("splits",),
    "evaluation": ("splits", "models"),
}


def _settings(name: str, cfg: Mapping[str, Any]) -> dict[str, Any]:
    """The config an output depends on (besides the data and its inputs), JSON-normalised."""
    data = {k: cfg["data"][k] for k in ("entity_col", "date_col", "target")}
    settings = {
        "validation": {"validation": cfg["validation"]},
        "splits": {
            "data": data,
            "split": cfg["split"],
            "activity": cfg["features"].get("activity"),
            "target": cfg["target"],
        },
        "models": {
            "task": cfg["task"],
            "model": cfg["model"],
            "features": cfg["features"],
            "sampling": cfg["sampling"],
            "calibration": cfg["calibration"],
            "seed": cfg["seed"],
        },
        "evaluation": {"evaluate": cfg["evaluate"]},
    }[name]
    return json.loads(json.dumps(settings, default=str, sort_keys=True))


class _State:
    """The values of one run: derived on demand, read from disk when their record matches."""

    def __init__(self, cfg: dict[str, Any], task: Any, raw: pd.DataFrame, store: Store) -> None:
        self.cfg, self.task, self.store = cfg, task, store
        self.fingerprint = track.fingerprint(raw)
        self.sha256 = self.fingerprint["sha256"]
        self.values: dict[str, Any] = {"raw": raw, "raw_sha256": self.sha256}
        self.producers: dict[str, str] = {"raw": "data", "raw_sha256": "data"}
        self.loaded: dict[str, str] = {}  # persisted inputs read from disk -> their run

    def provenance(self, name: str, run_id: str = "") -> Provenance:
        inputs = {i: self.producer(i) for i in _INPUTS[name]}
        return Provenance(run_id, self.sha256, inputs, _settings(name, self.cfg))

    def producer(self, name: str) -> str:
        if name in ("raw", "table") and name not in self.values:  # the data's, or freed
            return "data"
        self.get(name)
        return self.producers[name]

    def get(self, name: str) -> Any:
        if name in self.values:
            return self.values[name]
        if name == "table":
            from mlcore.activity import panel_features

            features = panel_features(self.cfg["features"].get("activity"))  # the model's step
            raw = self.values["raw"]
            value = raw if features is None else features.fit_transform(raw)
            producer = "data"
        elif name == "scores":
            target = self.cfg["data"]["target"]
            value = Scores(self.task, self.get("models"), self.get("splits"), target)
            producer = self.producer("models")
        elif name in PERSISTED:
            value, producer = self._load(name)
        else:  # resolve_steps lets no other read through
            raise DataError(f"no value {name!r} in this run")
        self.values[name], self.producers[name] = value, producer
        return value

    def _load(self, name: str) -> tuple[Any, str]:
        expected = self.provenance(name)
        if (
            name == "validation"
            and not (self.store.folder(name) / "validation.provenance.json").is_file()
        ):
            reason = "data validation did not run for this data: add 'validate' to steps"
            return Verdict("not run", reason), "none"
        value, saved = self.store.load(name, _READERS[name], expected)
        self.loaded[name] = saved.run_id
        return value, saved.run_id

    def put(self, s: Step, result: StepResult, run_id: str) -> dict[str, list[Path]]:
        """Keep a step's values; persist those that are persisted (with the step's record when a
        later run may reuse it); return the files written."""
        files: dict[str, list[Path]] = {}
        step = None
        if cacheable(s.name, result):
            step = {"mlcore_version": __version__, "result": result_record(result)}
        for name, value in result.values.items():
            self._keep(name, value, run_id)
            if name in PERSISTED:
                record = step if CACHED_STEPS.get(s.name) == name else None
                for folder, paths in self.store.save(
                    name, value.save, self.provenance(name, run_id), record
                ).items():
                    files.setdefault(folder, []).extend(paths)
        return files

    def reuse(self, s: Step) -> tuple[StepResult, str] | None:
        """The replayed result of ``s`` and the run that made it, when ``s`` is cached and its
        output on disk was made from this run's data, inputs, settings and mlcore version."""
        name = CACHED_STEPS.get(s.name)
        if name is None or not self.cfg["cache"]:
            return None
        found = self.store.reusable(name, _READERS[name], self.provenance(name), __version__)
        if found is None:
            return None
        value, saved, step = found
        self._keep(name, value, saved.run_id)
        self.loaded[name] = saved.run_id
        return replay(step["result"], step["files"]), saved.run_id

    def release(self, needed: set[str]) -> None:
        """Free the raw table and the table with its activity features once no step to come
        reads them (at 10M rows each is about the table's size)."""
        if "table" in needed and "table" not in self.values:  # still to be derived from the raw
            needed = {*needed, "raw"}
        for name in ("raw", "table"):
            if name not in needed:
                self.values.pop(name, None)

    def _keep(self, name: str, value: Any, producer: str) -> None:
        if name in ("splits", "models"):
            self.values.pop("scores", None)
        self.values[name], self.producers[name] = value, producer


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
            lines.append("MLflow UI:         make ui (http://127.0.0.1:5000)")
        if self.model_version:
            lines.append(
                f"Registered model:  models:/{self.model_name}/{self.model_version} (alias challenger)"
            )
            verdict = "promoted" if self.promoted else "not promoted"
            lines.append(f"Promotion gate:    {verdict}: {self.reason}")
            if self.promoted:
                lines.append(f"Champion:          models:/{self.model_name}@champion")
        return "\n".join(lines)


def _checked(config: Mapping[str, Any] | Any) -> tuple[dict[str, Any], Any, list]:
    """The config, its task and its steps, every section checked: no work has been done yet."""
    from mlcore._estimator import build_estimator, build_transformers
    from mlcore._evaluation import evaluate_settings
    from mlcore.model import calibration_settings
    from mlcore.task import get_task

    cfg = check_config(config)
    check_writable(cfg)
    task = get_task(cfg["task"])
    cfg["evaluate"] = evaluate_settings(cfg["evaluate"], task)
    cfg["calibration"] = calibration_settings(cfg["calibration"], task.name)
    steps = resolve_steps(cfg["steps"], BUILTIN_STEPS, [*_DERIVED, *PERSISTED])
    if any(s.name == "train" for s in steps):  # instantiating checks the class and its params
        build_estimator(cfg["model"], cfg["seed"])
        build_transformers(cfg["features"].get("extra") or [], where="features.extra")
    return cfg, task, steps


def _prepare(config: Mapping[str, Any] | Any) -> tuple:
    """Everything checked and loaded before the MLflow run starts: nothing is written yet.

    The steps' heavy libraries are imported meanwhile (:class:`Preload`, waited for by ``run``).
    """
    from mlcore.data import SYNTHETIC_TABLES, load_table
    from mlcore.targets import target_settings

    cfg, task, steps = _checked(config)
    preload = Preload(modules_for(s.name for s in steps))
    data = cfg["data"]
    raw = load_table(data, labelled=target_settings(cfg["target"]) is None)
    generator = SYNTHETIC_TABLES[data.get("table") or "churn"].__name__ if not data["path"] else ""
    source = data["path"] or f"mlcore.datasets.{generator}({data.get('synthetic') or {}})"
    if raw.empty:
        raise DataError(f"{source}: the input table has no rows")
    state = _State(cfg, task, raw, Store(cfg["paths"]))
    check_against_data(cfg, raw, task, lambda: state.get("table"))
    return cfg, task, steps, raw, source, state, preload


def _record_failed_job(config: Any, parent_run_id: str, error: Exception) -> None:
    """A FAILED child run under the sweep for a job that stopped before its run began."""
    try:
        tracking = check_config(config)["tracking"]
    except ValueError:  # the config itself is broken: nothing to record it in
        return
    import mlflow

    experiment = track.configure(
        tracking["uri"], tracking["experiment"], tracking["artifact_location"]
    )
    tags = {"mlcore.kind": "train", "mlcore.error": str(error)[:5000]}
    client = mlflow.MlflowClient()
    job = client.create_run(experiment, tags={**tags, "mlflow.parentRunId": parent_run_id})
    client.set_terminated(job.info.run_id, "FAILED")


def run(config: Mapping[str, Any] | Any, parent_run_id: str | None = None) -> PipelineResult:
    """Run the configured steps (in the order of ``steps``) as one MLflow run.

    ``parent_run_id`` nests the run under a sweep's parent run (see :mod:`mlcore.sweep`).

    Example (inside a generated project, through Hydra)::

        python -m my_project.pipeline steps=[split,train,evaluate]
    """
    track.disable_telemetry()  # before anything imports MLflow: its import writes an id file
    try:
        cfg, task, steps, raw, source, state, preload = _prepare(config)
    except (MlcoreError, ValueError) as exc:
        if parent_run_id is not None:  # a sweep job: its failure must show in the sweep
            _record_failed_job(config, parent_run_id, exc)
        raise
    tracking = cfg["tracking"]
    preload.wait()
    track.configure(tracking["uri"], tracking["experiment"], tracking["artifact_location"])
    hook = MlflowHook()
    names = [s.name for s in steps]
    tags = {"mlcore.kind": "train", "mlcore.steps": ",".join(names)}
    with track.start_run(_run_name(cfg), tags=tags, parent_run_id=parent_run_id) as active:
        run_id = active.info.run_id
        hook.before_pipeline_run(cfg, raw, str(source), task.name, state.fingerprint)
        del raw  # the state holds it while a step reads it
        state.release({name for s in steps for name in s.reads})
        return_freed_memory()  # the data's generation and checks
        folders = {name: state.store.folder(name) for name in PERSISTED}
        for i, s in enumerate(steps):
            later = {n for step in steps[i + 1 :] for n in step.reads}
            hook.before_step_run(s)
            started = time.perf_counter()
            reused = state.reuse(s)
            if reused is None:
                inputs = {name: state.get(name) for name in s.reads}
                state.release(later)  # what this step alone reads: its context holds it
                output_dir = Path(cfg["paths"]["reports"]) / s.name
                params = (cfg["step_params"] or {}).get(s.name) or {}
                ctx = StepContext(cfg, task, inputs, run_id, output_dir, folders, params)
                result, origin = s(ctx), None
                files = state.put(s, result, run_id)
                del inputs, ctx
            else:
                (result, origin), files = reused, {}
                state.release(later)
            loaded = {n: p for n, p in state.loaded.items() if n in s.reads}
            hook.after_step_run(s, result, files, loaded, time.perf_counter() - started)
            hook.step_cache(s, _cache_status(s, cfg, origin), origin)
            if result.stop is not None:
                raise result.stop
            return_freed_memory()  # what the step freed, back to the OS before the next one
        result = _result(cfg, names, run_id, state)
        hook.after_pipeline_run(result.summary())
    return result


def _cache_status(s: Step, cfg: Mapping[str, Any], origin: str | None) -> str:
    """``hit`` (reused), ``miss`` (computed), ``off`` (``cache: false``) or ``never`` (not cached)."""
    if s.name not in CACHED_STEPS:
        return "never"
    if not cfg["cache"]:
        return "off"
    return "miss" if origin is None else "hit"


def _run_name(cfg: Mapping[str, Any]) -> str:
    """A run named from its config, e.g. ``LGBMClassifier-hash-seed42`` (not MLflow's random one)."""
    estimator = str(cfg["model"].get("_target_", "model")).rpartition(".")[2]
    return f"{estimator}-{cfg['split'].get('kind', 'hash')}-seed{cfg['seed']}"


def _result(cfg: Mapping[str, Any], names: list[str], run_id: str, state: _State) -> PipelineResult:
    evaluation = state.values.get("evaluation")
    registration = state.values.get("registration")
    reports = Path(cfg["paths"]["reports"])
    return PipelineResult(
        run_id=run_id,
        tracking_uri=cfg["tracking"]["uri"],
        steps=names,
        metrics={} if evaluation is None else dict(evaluation.metrics),
        report_html=reports / "report.html" if "evaluate" in names else None,
        report_md=reports / "report.md" if "evaluate" in names else None,
        **(
            {}
            if registration is None
            else {
                "model_name": registration.model_name,
                "model_version": registration.model_version,
                "promoted": registration.promoted,
                "reason": registration.reason,
            }
        ),
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
    if parent is None:
        print(result.summary())
    else:  # a sweep trial: one line; the sweep prints its summary once, at the end (mlcore.sweep)
        logging.getLogger("mlcore.pipeline").info("trial done: MLflow run %s", result.run_id)
    metric = check_config(config)["optimized_metric"]
    if metric is None:
        return None
    if metric not in result.metrics:
        raise SystemExit(f"ERROR: optimized_metric {metric!r} is not among the run's metrics")
    return result.metrics[metric]
