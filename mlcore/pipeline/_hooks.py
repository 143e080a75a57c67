"""What the run records, in one place around the steps: MLflow logging and the step log lines.

Kedro's split of roles: steps compute, hooks record. :class:`MlflowHook` logs the config, the
provenance and the raw data (and stores its snapshot, :mod:`mlcore.snapshot`) before the first
step, and each step's :class:`StepResult` (metrics, tables, texts, files, tags) and wall time
after it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from mlcore import track
from mlcore.pipeline._step import Step, StepResult

__all__ = ["MlflowHook"]

log = logging.getLogger("mlcore.pipeline")


class MlflowHook:
    """Log a pipeline run to the active MLflow run (see the module docstring)."""

    def before_pipeline_run(
        self,
        cfg: Mapping[str, Any],
        raw: Any,
        source: str,
        task: str,
        fingerprint: Mapping[str, Any],
    ) -> None:
        import mlflow

        from mlcore._profile_tags import record_profile

        self.reports = Path(cfg["paths"]["reports"])
        track.log_config(cfg)
        track.log_provenance(cfg["paths"]["root"])
        label = cfg["data"]["target"] if cfg["data"]["target"] in raw else None  # else built
        track.log_dataset(raw, "raw", source, target=label, known=fingerprint)
        if cfg["data"]["snapshot"]:
            self._snapshot(cfg["data"]["snapshot_store"], raw, fingerprint["sha256"])
        mlflow.set_tag("mlcore.task", task)
        record_profile(cfg)  # the project profile, template and mlcore version, on the experiment

    @staticmethod
    def _snapshot(store: str | None, raw: Any, sha256: str) -> None:
        """The input table in the snapshot store (once per content), tagged on the run."""
        import mlflow

        from mlcore.snapshot import default_store, store_snapshot

        if not store:
            run = mlflow.active_run()
            store = default_store(mlflow.get_experiment(run.info.experiment_id).artifact_location)
        uri, new = store_snapshot(raw, sha256, store)
        mlflow.set_tag("mlcore.data.snapshot", uri)
        log.info("data snapshot %s: %s", "stored" if new else "already stored", uri)

    def after_pipeline_run(self, summary: str) -> None:
        """The run's summary as its MLflow description (what the UI shows first); the reports
        index (``reports/index.html``) updated."""
        import mlflow

        from mlcore.report import write_index

        mlflow.set_tag("mlflow.note.content", summary)
        log.info("reports: %s", write_index(self.reports))

    def before_step_run(self, step: Step) -> None:
        log.info("step %s: start", step.name)

    def after_step_run(
        self,
        step: Step,
        result: StepResult,
        files: Mapping[str, Sequence[Path]],
        inputs: Mapping[str, str],
        seconds: float,
    ) -> None:
        import mlflow

        for note in result.notes:
            log.warning("%s", note)
        if result.metrics:
            track.log_metrics(result.metrics)
        for artifact_file, table in result.tables.items():
            track.log_table(table, artifact_file)
        for artifact_file, text in result.texts.items():
            mlflow.log_text(text, artifact_file)
        for folder, paths in {**files, **result.files}.items():
            for path in paths:
                track.log_file(Path(path), folder)
        tags = {f"mlcore.input.{name}": producer for name, producer in inputs.items()}
        mlflow.set_tags({**tags, **result.tags})
        track.log_metrics({f"step_seconds_{step.name}": seconds})
        log.info("step %s: done in %.1f s", step.name, seconds)

    def step_cache(self, step: Step, status: str, origin: str | None) -> None:
        """Tag ``mlcore.cache.<step>``: hit (reused the output of run ``origin``), miss, off, never."""
        import mlflow

        tags = {f"mlcore.cache.{step.name}": status}
        if origin is not None:
            tags[f"mlcore.cache.{step.name}.run"] = origin
            log.info("step %s: reused the output of run %s (cache)", step.name, origin)
        mlflow.set_tags(tags)
