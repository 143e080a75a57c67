"""Hydra multirun ↔ MLflow: one parent run per sweep, one child run per job.

The callback runs in Hydra's main process: before the jobs start it creates the parent run and
writes its id to ``<sweep dir>/mlflow_parent_run_id``; every job (in any launcher process: basic,
joblib, Ray, Slurm with a shared folder) reads it through :func:`parent_run_id` and nests its run
under it. A failed job does not stop the others; when the sweep ends the parent is FINISHED, or
FAILED (and the command exits non-zero) if a child failed.

Enable it in ``conf/config.yaml``::

    hydra:
      callbacks:
        mlflow_sweep:
          _target_: mlcore.sweep.MlflowSweepCallback
"""

from __future__ import annotations

import logging
import math
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mlcore import track

__all__ = ["PARENT_FILE", "MlflowSweepCallback", "parent_run_id", "sweep_space"]

PARENT_FILE = "mlflow_parent_run_id"


def _hydra() -> Any:
    from hydra.core.hydra_config import HydraConfig

    return HydraConfig.get() if HydraConfig.initialized() else None


def parent_run_id() -> str | None:
    """The sweep's parent run id inside a Hydra multirun job, else None.

    Example:
        >>> parent_run_id() is None  # not inside Hydra
        True
    """
    hydra = _hydra()
    if hydra is None or str(hydra.mode) != "RunMode.MULTIRUN":
        return None
    marker = Path(hydra.sweep.dir) / PARENT_FILE
    return marker.read_text().strip() if marker.is_file() else None


def _tracking(config: Any) -> tuple[str, str, str | None]:
    tracking = config["tracking"]
    return tracking["uri"], tracking["experiment"], tracking.get("artifact_location")


def sweep_space(config: Any) -> dict[str, str]:
    """What the sweep varies: the sweeper's ``params`` (Optuna) and the command's comma-separated
    overrides (the basic sweeper), as ``key -> range``.

    Example:
        >>> from omegaconf import OmegaConf
        >>> sweep_space(OmegaConf.create({"hydra": {"sweeper": {"params": {"lr": "interval(0.01, 0.2)"}},
        ...     "overrides": {"task": ["experiment=smoke", "seed=1,2"]}}}))
        {'lr': 'interval(0.01, 0.2)', 'seed': '1,2'}
    """
    hydra = config["hydra"]
    space = {str(k): str(v) for k, v in (hydra.get("sweeper", {}).get("params") or {}).items()}
    for override in hydra.get("overrides", {}).get("task") or []:
        key, _, value = str(override).partition("=")
        if "," in value and not key.startswith("hydra."):
            space[key.lstrip("+~")] = value
    return space


def _best(children: list[Any], metric: str | None, direction: str) -> Any | None:
    """The finished child run with the best ``metric`` (None without a metric or a result)."""
    scored = [
        c
        for c in children
        if c.info.status == "FINISHED" and math.isfinite(track.run_metrics(c).get(metric, math.nan))
    ]
    if not metric or not scored:
        return None
    sign = -1 if direction.startswith("min") else 1
    return max(scored, key=lambda c: sign * track.run_metrics(c)[metric])


class _TrialTag(logging.Filter):
    """Prefix every log line of a sweep job with its trial, once (a record may pass two handlers)."""

    def __init__(self, tag: str) -> None:
        super().__init__()
        self.tag = tag

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "mlcore_trial", None) is None:
            record.msg, record.mlcore_trial = f"{self.tag} {record.msg}", self.tag
        return True


try:
    from hydra.experimental.callback import Callback
except ImportError:  # pragma: no cover - hydra-core is a dependency of mlcore
    Callback = object  # type: ignore[assignment,misc]


class MlflowSweepCallback(Callback):
    """Creates the sweep's parent MLflow run and closes it with the children's outcome."""

    def on_multirun_start(self, config: Any, **kwargs: Any) -> None:
        import mlflow

        track.configure(*_tracking(config))
        sweep_dir = Path(config.hydra.sweep.dir)
        run = mlflow.MlflowClient().create_run(
            mlflow.get_experiment_by_name(config["tracking"]["experiment"]).experiment_id,
            run_name=f"sweep {sweep_dir.name}",
            tags={"mlcore.kind": "sweep", "mlcore.sweep_dir": str(sweep_dir)},
        )
        sweep_dir.mkdir(parents=True, exist_ok=True)
        (sweep_dir / PARENT_FILE).write_text(run.info.run_id)
        sweeper = config.hydra.get("sweeper") or {}
        params = {f"sweep.space.{k}": v for k, v in sweep_space(config).items()}
        params["sweep.optimized_metric"] = str(config.get("optimized_metric"))
        for key in ("n_trials", "direction", "study_name"):
            if sweeper.get(key) is not None:
                params[f"sweep.{key}"] = str(sweeper[key])
        mlflow.MlflowClient().log_batch(
            run.info.run_id, params=[mlflow.entities.Param(k, v) for k, v in params.items()]
        )

    def on_job_start(self, config: Any, **kwargs: Any) -> None:
        """In a sweep job, tag every log line with the trial number (jobs run in parallel)."""
        if str(config.hydra.mode) != "RunMode.MULTIRUN":
            return
        tag = _TrialTag(f"[trial {config.hydra.job.num}]")
        for handler in logging.getLogger().handlers:
            handler.addFilter(tag)

    def on_multirun_end(self, config: Any, **kwargs: Any) -> None:
        import mlflow

        marker = Path(config.hydra.sweep.dir) / PARENT_FILE
        if not marker.is_file():
            return
        parent = marker.read_text().strip()
        client = mlflow.MlflowClient(tracking_uri=_tracking(config)[0])
        experiment = client.get_run(parent).info.experiment_id
        children = client.search_runs(
            [experiment], filter_string=f"tags.mlflow.parentRunId = '{parent}'"
        )
        failed = [c for c in children if c.info.status != "FINISHED"]
        client.set_tag(parent, "mlcore.children", str(len(children)))
        client.set_tag(parent, "mlcore.children_failed", str(len(failed)))
        metric = config.get("optimized_metric")
        best = _best(children, metric, str(config.hydra.get("sweeper", {}).get("direction", "")))
        if best is not None:
            _record_best(client, parent, best, sweep_space(config))
        client.set_terminated(parent, "FAILED" if failed or not children else "FINISHED")
        print(_summary(parent, children, failed, best, metric, marker.parent))
        if failed:  # Hydra turns a callback's exceptions into warnings: exit explicitly
            print(
                f"ERROR: {len(failed)} of {len(children)} sweep jobs failed "
                f"(MLflow parent run {parent})",
                file=sys.stderr,
            )
            raise SystemExit(1)


def _trial(run: Any) -> str:
    number = run.data.tags.get("mlcore.trial")
    return f"trial {number}" if number is not None else str(run.info.run_name)


def _record_best(client: Any, parent: str, best: Any, space: Mapping[str, str]) -> None:
    """The best trial on the parent run: its run id and name as tags, its metrics, and the values
    it drew for the swept keys as params."""
    from mlflow.entities import Metric, Param

    client.set_tag(parent, "mlcore.best_run_id", best.info.run_id)
    client.set_tag(parent, "mlcore.best_trial", _trial(best))
    stamp = best.info.end_time or best.info.start_time
    metrics = [Metric(k, v, stamp, 0) for k, v in best.data.metrics.items()]
    drawn = [Param(k, best.data.params[k]) for k in space if k in best.data.params]
    client.log_batch(parent, metrics=metrics, params=drawn)


def _summary(
    parent: str, children: list[Any], failed: list[Any], best: Any, metric: str | None, where: Path
) -> str:
    """The sweep's lines for the terminal, printed once at its end."""
    lines = [
        f"Sweep:             {len(children)} trials ({len(failed)} failed), "
        f"MLflow parent run {parent}"
    ]
    if best is not None:
        lines.append(
            f"Best trial:        {_trial(best)}, run {best.info.run_id}: "
            f"{metric} {track.run_metrics(best)[metric]:.4g}"
        )
    lines += [f"Sweep folder:      {where}", "MLflow UI:         make ui"]
    return "\n".join(lines)
