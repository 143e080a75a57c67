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
    # source synthetic: the generated table, churn (labelled) | churn_panel (raw, see ``target``)
    table: str | None = None
    entity_col: str = "customer_id"
    date_col: str | None = "snapshot_month"
    target: str = "churn"
    target_definition: str = ""  # one sentence for the model card
    synthetic: dict[str, Any] = field(default_factory=dict)
    # Store the input table as Parquet, named by its sha256, once per content (mlcore.snapshot).
    snapshot: bool = True
    # Where: a local folder or a URI MLflow stores artifacts in (s3://...); null: the folder
    # snapshots/ of the experiment's artifact location.
    snapshot_store: str | None = None


@dataclass
class ValidationConfig:
    expectations: list[Any] = field(default_factory=list)


@dataclass
class TrackingConfig:
    uri: str = "sqlite:///mlflow.db"
    artifact_location: str | None = None
    experiment: str = "default"
    model_name: str = "model"


@dataclass
class PipelineConfig:
    """The schema of the pipeline's composed config: one field per top-level key."""

    project: ProjectConfig = field(default_factory=ProjectConfig)
    seed: int = 42
    # binary | multiclass | regression (mlcore.task): scoring, baseline, metrics, gate, report.
    task: str = "binary"
    # Built-in step names in pipeline order, and import paths of project steps (mlcore.pipeline).
    steps: list[str] = field(default_factory=lambda: list(STEPS))
    # Settings of project steps, by step name: ``step_params.<name>`` is the step's ``ctx.params``.
    step_params: dict[str, Any] = field(default_factory=dict)
    # Reuse a step's persisted output when its data, config keys and mlcore version are unchanged.
    cache: bool = True
    paths: PathsConfig = field(default_factory=PathsConfig)
    data: DataConfig = field(default_factory=DataConfig)
    validation: ValidationConfig = field(default_factory=ValidationConfig)
    # How the label is built from the raw table (mlcore.targets); no definition: the table has it.
    target: dict[str, Any] = field(default_factory=dict)
    features: dict[str, Any] = field(default_factory=dict)
    split: dict[str, Any] = field(default_factory=dict)
    # How the training rows are rebalanced (mlcore.sampling.sample_training): never validation/test.
    sampling: dict[str, Any] = field(default_factory=dict)
    # none | isotonic | sigmoid | auto, fitted on validation inside the logged model (mlcore.model).
    calibration: dict[str, Any] = field(default_factory=dict)
    # Any scikit-learn estimator: ``_target_`` (a class path) and its parameters (mlcore._estimator).
    model: dict[str, Any] = field(default_factory=dict)
    evaluate: dict[str, Any] = field(default_factory=dict)
    tracking: TrackingConfig = field(default_factory=TrackingConfig)
    predict: dict[str, Any] = field(default_factory=dict)
    drift: dict[str, Any] = field(default_factory=dict)
    campaign: dict[str, Any] = field(default_factory=dict)
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
    choice(plain["data"]["source"], "data.source", ("synthetic", "file"))
    store = plain["data"]["snapshot_store"]
    if store and "://" not in store and not Path(store).is_absolute():
        raise ConfigError(
            f"data.snapshot_store must be an absolute path or a URI (s3://...), got {store!r}"
        )
    return plain


# ``${estimator:FAMILY}``: the class of a family for the config's ``task`` (binary when unset).
_ESTIMATOR_FAMILIES: dict[str, dict[str, str | None]] = {
    "lightgbm": {"classifier": "lightgbm.LGBMClassifier", "regressor": "lightgbm.LGBMRegressor"},
    "hist_gradient_boosting": {
        "classifier": "sklearn.ensemble.HistGradientBoostingClassifier",
        "regressor": "sklearn.ensemble.HistGradientBoostingRegressor",
    },
    "linear": {
        "classifier": "sklearn.linear_model.LogisticRegression",
        "regressor": "sklearn.linear_model.Ridge",
    },
    "dummy": {
        "classifier": "sklearn.dummy.DummyClassifier",
        "regressor": "sklearn.dummy.DummyRegressor",
    },
    "lightgbm_dask": {"classifier": "mlcore.model.DaskLightGBMClassifier", "regressor": None},
}
_TASK_ESTIMATOR = {"binary": "classifier", "multiclass": "classifier", "regression": "regressor"}


def _estimator_class(family: str, *, _root_: Any) -> str:
    """The ``_target_`` of ``family`` for the root config's ``task``.

    Example:
        >>> from omegaconf import OmegaConf
        >>> _estimator_class("linear", _root_=OmegaConf.create({"task": "regression"}))
        'sklearn.linear_model.Ridge'
    """
    task = (_root_.get("task") if "task" in _root_ else None) or "binary"
    where = f"${{estimator:{family}}}"
    if family not in _ESTIMATOR_FAMILIES:
        raise ConfigError(
            f"{where}: unknown estimator family {family!r}; choices: {list(_ESTIMATOR_FAMILIES)}"
            " (or name any class: _target_: sklearn.ensemble.ExtraTreesClassifier)"
        )
    if task not in _TASK_ESTIMATOR:
        raise ConfigError(f"{where}: unknown task {task!r}; choices: {list(_TASK_ESTIMATOR)}")
    target = _ESTIMATOR_FAMILIES[family][_TASK_ESTIMATOR[task]]
    if target is None:
        able = [f for f, kinds in _ESTIMATOR_FAMILIES.items() if kinds[_TASK_ESTIMATOR[task]]]
        raise ConfigError(
            f"{where}: the {family!r} family has no {_TASK_ESTIMATOR[task]} for task {task!r}; "
            f"families for {task!r}: {able}"
        )
    return target


def register_resolvers(project_root: Path) -> None:
    """Register ``${project_root:}``, ``${run_id:}`` and ``${estimator:FAMILY}`` (idempotent).

    ``run_id`` is a short random id so two runs started in the same second never share a folder.
    ``estimator`` gives the class of an estimator family for the config's top-level ``task``
    (``binary``, ``multiclass`` or ``regression``; ``binary`` when absent): ``lightgbm``,
    ``hist_gradient_boosting``, ``linear`` (LogisticRegression / Ridge), ``dummy``, and
    ``lightgbm_dask`` (classification only), e.g. ``_target_: ${estimator:lightgbm}``.
    """
    import uuid

    from omegaconf import OmegaConf

    root = str(Path(project_root).resolve())
    OmegaConf.register_new_resolver("project_root", lambda: root, replace=True)
    if not OmegaConf.has_resolver("run_id"):
        OmegaConf.register_new_resolver("run_id", lambda: uuid.uuid4().hex[:8], use_cache=True)
    OmegaConf.register_new_resolver("estimator", _estimator_class, replace=True)
