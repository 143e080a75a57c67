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

import sys
from pathlib import Path
from typing import Any

from mlcore import track

__all__ = ["PARENT_FILE", "MlflowSweepCallback", "parent_run_id"]

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
        client.set_terminated(parent, "FAILED" if failed or not children else "FINISHED")
        if failed:  # Hydra turns a callback's exceptions into warnings: exit explicitly
            print(
                f"ERROR: {len(failed)} of {len(children)} sweep jobs failed "
                f"(MLflow parent run {parent})",
                file=sys.stderr,
            )
            raise SystemExit(1)
