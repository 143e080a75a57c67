"""MLflow tracking: one store per project, runs that record config, metrics, artifacts and the model.

MLflow is imported only when tracking starts. Telemetry is switched off before the import, and the
artifact root is always an absolute path, so Hydra's per-run working folders never scatter
``mlruns/`` directories around the project.

Example:
    >>> from mlcore.track import flatten
    >>> flatten({"model": {"params": {"lr": 0.1}}, "seed": 7})
    {'model.params.lr': '0.1', 'seed': '7'}
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import platform
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from mlcore._files import file_sha256
from mlcore._metric_names import metric_key, run_metrics
from mlcore._mlflow_store import create_store

__all__ = [
    "MAX_PARAM_LENGTH",
    "configure",
    "content_sha256",
    "disable_telemetry",
    "environment_info",
    "fingerprint",
    "flatten",
    "git_info",
    "log_config",
    "log_dataset",
    "log_provenance",
    "log_file",
    "log_metrics",
    "log_table",
    "metric_key",
    "run_metrics",
    "start_run",
]

log = logging.getLogger(__name__)

MAX_PARAM_LENGTH = 6000  # mlflow.utils.validation.MAX_PARAM_VAL_LENGTH in MLflow 3
_MAX_KEY_LENGTH = 250
_BATCH = 100


def log_metrics(metrics: Mapping[str, float]) -> None:
    """Log mlcore metrics to the active run under their grouped keys (:func:`metric_key`).

    Example (inside a run)::

        log_metrics({"test_roc_auc": 0.81})  # shown as roc_auc in the UI's "test" group
    """
    import mlflow

    mlflow.log_metrics({metric_key(k): float(v) for k, v in metrics.items()})


def disable_telemetry() -> None:
    """Turn off MLflow's and Great Expectations' usage reporting for this process and children,
    and MLflow's download progress bars (a log line each) unless the user set them."""
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    os.environ["MLFLOW_DISABLE_TELEMETRY"] = "true"
    os.environ["DO_NOT_TRACK"] = "true"
    os.environ["GX_ANALYTICS_ENABLED"] = "false"


def flatten(config: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """Flatten nested mappings to dotted keys with string values (lists are kept as one value).

    Example:
        >>> flatten({"a": {"b": [1, 2]}})
        {'a.b': '[1, 2]'}
    """
    flat: dict[str, str] = {}
    for key, value in config.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            flat.update(flatten(value, f"{name}."))
        else:
            flat[name] = json.dumps(value) if isinstance(value, list | tuple) else str(value)
    return flat


def _truncate(value: str, limit: int) -> str:
    marker = "...[truncated]"
    return value if len(value) <= limit else value[: limit - len(marker)] + marker


def _check_sqlite_store(uri: str) -> None:
    """A ``sqlite:///`` store must be a SQLite file and be writable; a new one is copied from
    an empty store (:mod:`mlcore._mlflow_store`)."""
    from mlcore.errors import DataError

    prefix = "sqlite:///"
    if not uri.startswith(prefix):
        return
    path = Path(uri[len(prefix) :])
    if not path.exists():
        create_store(path)  # from the empty store made once per MLflow version
        return
    with path.open("rb") as file:
        header = file.read(16)
    if header and header != b"SQLite format 3\x00":
        raise DataError(
            f"tracking.uri {uri}: {path} is not a SQLite database (damaged or another file); "
            "move it away to start a new store, or restore it from a backup"
        )
    if not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK):
        raise DataError(f"tracking.uri {uri}: {path} (or its folder) is not writable")


# MLflow 3's UI opens an experiment of this kind on its runs table (not the GenAI overview).
_MODEL_TRAINING = {"mlflow.experimentKind": "custom_model_development"}


def configure(uri: str, experiment: str, artifact_location: str | None = None) -> str:
    """Point MLflow at ``uri`` and select (or create) ``experiment``; return its id.

    ``artifact_location`` must be absolute: it is stored with the experiment when it is created.
    """
    disable_telemetry()
    _check_sqlite_store(uri)
    import mlflow

    mlflow.set_tracking_uri(uri)
    found = mlflow.get_experiment_by_name(experiment)
    if found is None:
        location = None
        if artifact_location:
            path = Path(artifact_location)
            if not path.is_absolute():
                raise ValueError(f"tracking.artifact_location must be absolute, got {path}")
            location = path.as_uri()
        experiment_id = mlflow.create_experiment(
            experiment, artifact_location=location, tags=_MODEL_TRAINING
        )
    else:
        experiment_id = found.experiment_id
    mlflow.set_experiment(experiment_id=experiment_id)
    return experiment_id


def _job_number() -> int | None:
    """The Hydra job number of this process (a sweep's trial), None outside Hydra."""
    from hydra.core.hydra_config import HydraConfig

    return int(HydraConfig.get().job.num) if HydraConfig.initialized() else None


@contextmanager
def start_run(
    run_name: str | None = None,
    tags: Mapping[str, str] | None = None,
    parent_run_id: str | None = None,
) -> Iterator[Any]:
    """Start an MLflow run that ends FAILED (not FINISHED) when the body raises, KILLED when it
    is interrupted (Ctrl-C or SIGTERM).

    ``parent_run_id`` makes it a child run (a job of a Hydra multirun under the sweep's run),
    named and tagged (``mlcore.trial``) with its Hydra job number.

    Example (needs a configured store)::

        with start_run("train") as run:
            ...
    """
    import mlflow

    tags = dict(tags or {})
    if parent_run_id:
        tags["mlflow.parentRunId"] = parent_run_id
        trial = _job_number()
        if trial is not None:
            tags["mlcore.trial"] = str(trial)
            run_name = f"{run_name or 'run'}-trial{trial}"
    run = mlflow.start_run(run_name=run_name, tags=tags)
    try:
        with _interrupt_on_sigterm():
            yield run
    except KeyboardInterrupt:  # Ctrl-C, or SIGTERM (a scheduler stopping the job)
        mlflow.end_run(status="KILLED")
        raise
    except BaseException:
        mlflow.end_run(status="FAILED")
        raise
    mlflow.end_run(status="FINISHED")


@contextmanager
def _interrupt_on_sigterm() -> Iterator[None]:
    """Turn SIGTERM into ``KeyboardInterrupt`` inside the block (main thread only), so a stopped
    run unwinds like Ctrl-C: marked KILLED, nothing half-registered."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def log_config(config: Mapping[str, Any]) -> None:
    """Log the resolved config as ``config.yaml`` and its flattened keys as params.

    Values longer than MLflow's limit are truncated with a marker (the artifact keeps them whole).
    """
    import mlflow
    from omegaconf import OmegaConf

    mlflow.log_text(OmegaConf.to_yaml(OmegaConf.create(dict(config))), "config/config.yaml")
    params = {
        _truncate(k, _MAX_KEY_LENGTH): _truncate(v, MAX_PARAM_LENGTH)
        for k, v in flatten(config).items()
    }
    items = sorted(params.items())
    for start in range(0, len(items), _BATCH):
        mlflow.log_params(dict(items[start : start + _BATCH]))


def log_table(frame: Any, artifact_file: str) -> None:
    """Log a pandas DataFrame as a CSV artifact of the active run."""
    import mlflow

    mlflow.log_text(frame.to_csv(index=False), artifact_file)


def log_file(path: Path, artifact_path: str | None = None) -> None:
    """Log a local file as an artifact of the active run."""
    import mlflow

    mlflow.log_artifact(str(path), artifact_path)


_VERSIONED = (
    "mlcore",
    "scikit-learn",
    "lightgbm",
    "pandas",
    "numpy",
    "pyarrow",
    "mlflow",
    "hydra-core",
    "great-expectations",
)


def git_info(path: str | Path) -> dict[str, str]:
    """Commit, branch and dirty flag of the git work tree holding ``path`` ({} outside git).

    Dirty: a tracked file changed or a file git does not ignore is not committed (a new module
    the run may have imported counts; the outputs a generated project ignores do not).

    Example:
        >>> sorted(git_info("/"))  # not a repository
        []
    """

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-C", str(path), *args], capture_output=True, text=True, check=True
        ).stdout.strip()

    try:
        commit = git("rev-parse", "HEAD")
        branch = git("rev-parse", "--abbrev-ref", "HEAD")
        dirty = bool(git("status", "--porcelain"))
    except (OSError, subprocess.CalledProcessError):
        return {}
    return {"commit": commit, "branch": branch, "dirty": str(dirty).lower()}


def content_sha256(columns: Sequence[Any], row_hashes: Any) -> str:
    """The sha256 of :func:`fingerprint` from the column names and the table's row hashes
    (``pd.util.hash_pandas_object(frame, index=False)``, which a reader of one column at a time
    can combine itself).

    Example:
        >>> import pandas as pd
        >>> frame = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
        >>> rows = pd.util.hash_pandas_object(frame, index=False)
        >>> content_sha256(["a", "b"], rows) == fingerprint(frame)["sha256"]
        True
    """
    import numpy as np

    digest = hashlib.sha256(json.dumps([str(c) for c in columns]).encode())
    digest.update(np.asarray(row_hashes, dtype=np.uint64).tobytes())
    return digest.hexdigest()


def fingerprint(frame: Any) -> dict[str, Any]:
    """Content hash (order-sensitive, of values and column names), row count and schema.

    Example:
        >>> import pandas as pd
        >>> fp = fingerprint(pd.DataFrame({"a": [1, 2]}))
        >>> fp["rows"], fp["schema"], len(fp["sha256"])
        (2, {'a': 'int64'}, 64)
    """
    import pandas as pd

    return {
        "sha256": content_sha256(frame.columns, pd.util.hash_pandas_object(frame, index=False)),
        "rows": len(frame),
        "schema": {str(c): str(t) for c, t in frame.dtypes.items()},
    }


def environment_info(project_root: str | Path | None = None) -> dict[str, str]:
    """Python and library versions, and the sha256 of the project's ``uv.lock`` when present.

    Example:
        >>> "python" in environment_info()
        True
    """
    from importlib.metadata import PackageNotFoundError, version

    info = {"python": platform.python_version()}
    for name in _VERSIONED:
        try:
            info[name] = version(name)
        except PackageNotFoundError:
            continue
    lock = file_sha256(Path(project_root or ".") / "uv.lock")
    if lock is not None:
        info["uv.lock.sha256"] = lock
    return info


def log_dataset(
    frame: Any,
    name: str,
    source: str,
    context: str = "training",
    target: str | None = None,
    known: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Log ``frame`` as an MLflow dataset input of the active run and tag its fingerprint
    (``mlcore.data.<name>.sha256`` / ``.rows``); return the fingerprint (``known``: the one
    already computed, so a large table is not hashed twice).
    """
    import mlflow

    from mlcore._signature import dataset_source, declared_schema

    fp = dict(known) if known is not None else fingerprint(frame)
    dataset = mlflow.data.from_pandas(
        frame, source=dataset_source(source), name=name, targets=target, digest=fp["sha256"][:32]
    )
    # MLflow would infer the schema cell by cell over the whole frame (21 s on 590k rows); the
    # first rows give the same schema in milliseconds.
    dataset.schema = declared_schema(frame.head(1000))
    mlflow.log_input(dataset, context=context)
    mlflow.set_tags(
        {f"mlcore.data.{name}.sha256": fp["sha256"], f"mlcore.data.{name}.rows": fp["rows"]}
    )
    mlflow.log_dict(fp, f"provenance/data/{name}.json")
    return fp


def log_provenance(project_root: str | Path) -> None:
    """Record the code and environment of the active run: git commit/branch/dirty (also as
    MLflow's own ``mlflow.source.git.*`` tags), Python and library versions, and the sha256 of
    the project's ``uv.lock`` (also as ``mlcore.lock_sha256``), as ``mlcore.*`` tags and
    ``provenance/environment.json``.
    """
    import mlflow

    git = git_info(project_root)
    env = environment_info(project_root)
    tags = {f"mlcore.git.{k}": v for k, v in git.items()}
    if git:
        tags["mlflow.source.git.commit"] = git["commit"]
        tags["mlflow.source.git.branch"] = git["branch"]
    tags.update({f"mlcore.version.{k}": v for k, v in env.items()})
    if "uv.lock.sha256" in env:  # the environment `mlcore reproduce` rebuilds
        tags["mlcore.lock_sha256"] = env["uv.lock.sha256"]
    mlflow.set_tags(tags)
    mlflow.log_dict({"git": git, "environment": env}, "provenance/environment.json")
