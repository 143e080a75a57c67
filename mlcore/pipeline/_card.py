"""The model card of a registered version, from the run's values and the project profile."""

from __future__ import annotations

from pathlib import Path

from mlcore import track
from mlcore.pipeline._step import StepContext
from mlcore.pipeline._values import Evaluated, Splits

__all__ = ["model_card"]


def model_card(
    ctx: StepContext, name: str, version: str, splits: Splits, evaluation: Evaluated, gate: str
) -> Path:
    """Write ``reports/model_card.md`` for ``name`` ``version`` (see :mod:`mlcore.model_card`)."""
    import yaml

    from mlcore.image import card_rows
    from mlcore.model_card import write_model_card

    cfg, metrics, target = ctx.cfg, evaluation.metrics, ctx.cfg["data"]["target"]
    profile_path = Path(cfg["paths"]["root"]) / "project.yaml"
    profile = yaml.safe_load(profile_path.read_text()) if profile_path.is_file() else None
    fingerprints = [
        {"name": set_name, **{k: v for k, v in track.fingerprint(part).items() if k != "schema"}}
        for set_name, part in (
            ("train", splits.train),
            ("validation", splits.validation),
            ("test", splits.test),
        )
    ]
    keys = [k for k in ctx.task.card_metrics if f"test_{k}" in metrics]
    definition = cfg["data"]["target_definition"] or f"{target} ({ctx.task.name}; see conf/data/)"
    if splits.labels is not None:  # built by the pipeline: the definition, rate and rows dropped
        definition = splits.labels.summary()
    return write_model_card(
        Path(cfg["paths"]["reports"]) / "model_card.md",
        profile or {},
        run_id=ctx.run_id,
        model_name=name,
        model_version=version,
        data_fingerprints=fingerprints,
        target_definition=definition,
        metrics={f"test_{k}": metrics[f"test_{k}"] for k in keys},
        baseline_metrics={f"test_{k}": metrics[f"baseline_test_{k}"] for k in keys},
        calibration=evaluation.tables.get("calibration", []),
        group_metrics=evaluation.tables.get("groups", []),
        limitations=cfg["limitations"] or ["None recorded: add them under `limitations` in conf/."],
        gate=gate,
        environment=card_rows(cfg["paths"]["root"]),
    )
