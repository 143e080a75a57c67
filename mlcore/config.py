"""The pipeline's config schema: a composed Hydra config is checked before anything runs.

Hydra accepts ``+anything=value`` silently; merging the composed config into this structured schema
turns a mistyped key or a wrong type into an error that names the key. Groups whose keys belong to
one module (``features``, ``split``, ``evaluate``, ``model.params``) are open mappings checked by
that module.

Example:
    >>> from mlcore.config import check_config
    >>> check_config({"seed": "x"})
    Traceback (most recent call last):
    ...
    mlcore.errors.ConfigError: invalid config: Value 'x' of type 'str' could not be converted to Integer (key: seed)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlcore._schema import choice
from mlcore.errors import ConfigError

__all__ = ["STEPS", "PipelineConfig", "check_config", "register_resolvers"]

STEPS = ("validate", "split", "train", "evaluate", "register")


@dataclass
class ProjectConfig:
    name: str = "project"
    slug: str = "project"


@dataclass
class PathsConfig:
    root: str = "."
    data: str = "${paths.root}/data"
    interim: str = "${paths.data}/interim"
    processed: str = "${paths.data}/processed"
    models: str = "${paths.root}/models"
    reports: str = "${paths.root}/reports"


@dataclass
class DataConfig:
    source: str = "synthetic"  # synthetic | file
    path: str | None = None
    entity_col: str = "customer_id"
    date_col: str | None = "snapshot_month"
    target: str = "churn"
    target_definition: str = ""  # one sentence for the model card
    synthetic: dict[str, Any] = field(default_factory=dict)


@dataclass
class ValidationConfig:
    expectations: list[Any] = field(default_factory=list)


@dataclass
class ModelConfig:
    kind: str = "lightgbm"
    params: dict[str, Any] = field(default_factory=dict)
    cluster: str | None = None  # lightgbm_dask: a scheduler address, or null for a local cluster


@dataclass
class TrackingConfig:
    uri: str = "sqlite:///mlflow.db"
    artifact_location: str | None = None
    experiment: str = "default"
    model_name: str = "model"


@dataclass
class PipelineConfig:
    project: ProjectConfig = field(default_factory=ProjectConfig)
    seed: int = 42
    steps: list[str] = field(default_factory=lambda: list(STEPS))
    paths: PathsConfig = field(default_factory=PathsConfig)
    data: DataConfig = field(default_factory=DataConfig)
    validation: ValidationConfig = field(default_factory=ValidationConfig)
    features: dict[str, Any] = field(default_factory=dict)
    split: dict[str, Any] = field(default_factory=dict)
    model: ModelConfig = field(default_factory=ModelConfig)
    evaluate: dict[str, Any] = field(default_factory=dict)
    tracking: TrackingConfig = field(default_factory=TrackingConfig)
    predict: dict[str, Any] = field(default_factory=dict)
    drift: dict[str, Any] = field(default_factory=dict)
    # The metric a Hydra sweeper maximises or minimises (returned by the pipeline's entry point).
    optimized_metric: str | None = None
    # Known limitations of the model, listed in every model card.
    limitations: list[str] = field(default_factory=list)


def check_config(config: Mapping[str, Any] | Any) -> dict[str, Any]:
    """Merge ``config`` into the schema, resolve interpolations and return a plain dict.

    Raises :class:`~mlcore.errors.ConfigError` naming the offending key.
    """
    from omegaconf import OmegaConf
    from omegaconf.errors import OmegaConfBaseException

    try:
        schema = OmegaConf.structured(PipelineConfig)
        merged = OmegaConf.merge(schema, config)
        plain = OmegaConf.to_container(merged, resolve=True, throw_on_missing=True)
    except OmegaConfBaseException as exc:
        message = str(exc).splitlines()[0]
        key = getattr(exc, "full_key", None)
        raise ConfigError(f"invalid config: {message} (key: {key})") from None
    unknown = [step for step in plain["steps"] if step not in STEPS]
    if unknown:
        raise ConfigError(
            f"invalid config: unknown step(s) {unknown} in 'steps'; use {list(STEPS)}"
        )
    choice(plain["data"]["source"], "data.source", ("synthetic", "file"))
    return plain


def register_resolvers(project_root: Path) -> None:
    """Register ``${project_root:}`` and ``${run_id:}`` for Hydra configs (idempotent).

    ``run_id`` is a short random id so two runs started in the same second never share a folder.
    """
    import uuid

    from omegaconf import OmegaConf

    root = str(Path(project_root).resolve())
    OmegaConf.register_new_resolver("project_root", lambda: root, replace=True)
    if not OmegaConf.has_resolver("run_id"):
        OmegaConf.register_new_resolver("run_id", lambda: uuid.uuid4().hex[:8], use_cache=True)
