"""Read the projects of an MLflow server, or of local project folders, into plain records.

A project is an experiment that carries the profile tags of :mod:`mlcore._profile_tags` or
holds training runs (``mlcore.kind=train``). For each one the record holds what the team view
shows: the profile, the champion and the newest version with their gate verdicts (model version
tags ``mlcore.decision``, ``mlcore.reason``, ``mlcore.gate_metrics``), the test metric against
the baseline, the last run and the last successful one, the last drift check (experiment
``<experiment>-monitoring``, tags ``mlcore.kind=drift`` and ``mlcore.alert``) and what the
duplication view compares (target, data fingerprint, features). Nothing here decides: lags,
staleness and alerts are worked out by :mod:`mlcore.portfolio._status`.
"""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mlcore._metric_names import run_metrics
from mlcore._profile_tags import PREFIX, PROFILE_KEYS, RUN_TEMPLATE_TAG, read_cruft
from mlcore.errors import ConfigError, DataError
from mlcore.portfolio._records import Project

__all__ = ["from_folders", "from_server"]

_TRAIN = "tags.`mlcore.kind` = 'train'"
_DRIFT = "tags.`mlcore.kind` = 'drift'"
_NEWEST = ["attributes.start_time DESC"]


def _iso(millis: int | None) -> str | None:
    if millis is None:
        return None
    return datetime.fromtimestamp(millis / 1000, UTC).isoformat(timespec="seconds")


def _run(run: Any) -> dict[str, Any]:
    info = run.info
    return {
        "run_id": info.run_id,
        "status": info.status,
        "start": _iso(info.start_time),
        "end": _iso(info.end_time),
    }


def _get_run(client: Any, run_id: str) -> Any | None:
    from mlflow.exceptions import MlflowException

    try:
        return client.get_run(run_id)
    except MlflowException:
        return None


def _newest_run(client: Any, experiment_id: str, where: str) -> Any | None:
    found = client.search_runs([experiment_id], where, order_by=_NEWEST, max_results=1)
    return found[0] if found else None


def _version(client: Any, model_name: str, version: Any) -> dict[str, Any]:
    """A model version's gate verdict from its audit tags."""
    mv = client.get_model_version(model_name, str(version))
    tags = mv.tags
    try:
        gate = json.loads(tags.get("mlcore.gate_metrics") or "{}")
    except ValueError:
        gate = {}
    return {
        "version": str(mv.version),
        "run_id": mv.run_id,
        "source": mv.source,
        "created": _iso(mv.creation_timestamp),
        "decision": tags.get("mlcore.decision", ""),
        "reason": tags.get("mlcore.reason", ""),
        "decided_at": tags.get("mlcore.decided_at", ""),
        "since": tags.get("mlcore.champion_since", ""),
        "metric": gate.get("metric", ""),
        "diff_vs_baseline": gate.get("diff_vs_baseline"),
        "ci_vs_baseline": gate.get("ci_vs_baseline"),
        "diff_vs_champion": gate.get("diff_vs_champion"),
        "ci_vs_champion": gate.get("ci_vs_champion"),
        "compared_with": gate.get("champion_version"),
    }


def _registry(client: Any, model_name: str) -> tuple[dict | None, dict | None]:
    """The champion and the newest version (None when it is the champion) of ``model_name``."""
    from mlflow.exceptions import MlflowException

    try:
        model = client.get_registered_model(model_name)
    except MlflowException:
        return None, None
    champion = None
    if "champion" in model.aliases:
        champion = _version(client, model_name, model.aliases["champion"])
    escaped = model_name.replace("'", "\\'")
    newest = client.search_model_versions(
        f"name = '{escaped}'", order_by=["version_number DESC"], max_results=1
    )
    latest = None
    if newest and (champion is None or str(newest[0].version) != champion["version"]):
        latest = _version(client, model_name, newest[0].version)
    return champion, latest


def _test_metric(run: Any, metric: str) -> dict[str, Any] | None:
    """``test_<metric>`` against ``baseline_test_<metric>`` of ``run``."""
    from mlcore.task import get_task

    task = run.data.tags.get("mlcore.task") or run.data.params.get("task") or "binary"
    metrics = run_metrics(run)
    if not metric:
        metric = run.data.params.get("evaluate.metric") or ""
    if f"test_{metric}" not in metrics:
        return None
    try:
        higher = bool(get_task(task).gate_metrics.get(metric, True))
    except ConfigError:
        higher = True
    return {
        "metric": metric,
        "value": metrics[f"test_{metric}"],
        "baseline": metrics.get(f"baseline_test_{metric}"),
        "higher_is_better": higher,
        "run_id": run.info.run_id,
        "task": task,
    }


def _signature_inputs(client: Any, uri: str, version: dict[str, Any]) -> list[str] | None:
    """The input names of a model version's signature (None when it cannot be read)."""
    import mlflow
    from mlflow.exceptions import MlflowException
    from mlflow.models import Model

    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    try:
        where = client.get_model_version_download_uri(version["name"], version["version"])
        with tempfile.TemporaryDirectory() as folder:
            path = mlflow.artifacts.download_artifacts(
                artifact_uri=f"{where.rstrip('/')}/MLmodel", dst_path=folder, tracking_uri=uri
            )
            signature = Model.load(path).signature
    except (MlflowException, OSError):
        return None
    if signature is None or signature.inputs is None:
        return None
    return sorted(str(name) for name in signature.inputs.input_names())


def _fingerprints(
    client: Any, uri: str, run: Any | None, model_name: str, version: dict | None
) -> dict[str, Any]:
    """What the duplication view compares: target, raw data sha256 and the feature list."""
    if run is None:
        return {}
    params, tags = run.data.params, run.data.tags
    features, origin = None, "signature"
    if version is not None:
        features = _signature_inputs(client, uri, {**version, "name": model_name})
    if features is None:
        origin = "params"
        features = sorted(f"{k}={v}" for k, v in params.items() if k.startswith("features."))
    return {
        "target": params.get("data.target", ""),
        "target_definition": params.get("data.target_definition", ""),
        "data_sha256": tags.get("mlcore.data.raw.sha256", ""),
        "features": features,
        "features_from": origin,
        "run_id": run.info.run_id,
    }


def _drift(client: Any, experiment: Any | None) -> dict[str, Any] | None:
    """The newest drift run of the monitoring experiment."""
    if experiment is None:
        return None
    run = _newest_run(client, experiment.experiment_id, _DRIFT)
    if run is None:
        return None
    metrics, tags = run_metrics(run), run.data.tags
    return {
        **_run(run),
        "alert": tags.get("mlcore.alert") == "True",
        "model_version": tags.get("mlcore.model_version", ""),
        "features_error": metrics.get("drift_features_error"),
        "features_warning": metrics.get("drift_features_warning"),
        "max_psi": metrics.get("drift_max_psi"),
        "experiment": experiment.name,
    }


def _first_used(client: Any, experiment_id: str, commit: str) -> str | None:
    """When a training run of this experiment first recorded the template ``commit``."""
    if not commit:
        return None
    escaped = commit.replace("'", "\\'")
    found = client.search_runs(
        [experiment_id],
        f"tags.`{RUN_TEMPLATE_TAG}` = '{escaped}'",
        order_by=["attributes.start_time ASC"],
        max_results=1,
    )
    return _iso(found[0].info.start_time) if found else None


def _profile_from_tags(tags: Mapping[str, str]) -> dict[str, Any]:
    try:
        profile = json.loads(tags.get(f"{PREFIX}profile") or "{}")
    except ValueError:
        profile = {}
    for key in PROFILE_KEYS:
        if tags.get(f"{PREFIX}{key}") and not profile.get(key):
            profile[key] = tags[f"{PREFIX}{key}"]
    return profile


def _project(
    client: Any, uri: str, experiment: Any, monitoring: Any | None, key: str, files: dict
) -> Project:
    """The record of one experiment; ``files`` (local mode) overrides the tags."""
    tags = experiment.tags
    last = _newest_run(client, experiment.experiment_id, _TRAIN)
    success = _newest_run(
        client, experiment.experiment_id, f"{_TRAIN} and attributes.status = 'FINISHED'"
    )
    some_run = success or last
    run_tags = {} if some_run is None else some_run.data.tags
    params = {} if some_run is None else some_run.data.params
    model_name = tags.get(f"{PREFIX}model_name") or params.get("tracking.model_name", "")
    champion, latest = _registry(client, model_name) if model_name else (None, None)
    basis = success  # the champion's run when there is one (and it was not deleted)
    if champion is not None:
        basis = _get_run(client, champion["run_id"]) or success
    test_metric = None
    if basis is not None:
        test_metric = _test_metric(basis, (champion or {}).get("metric", ""))
    template = {
        "template": tags.get(f"{PREFIX}template", ""),
        "template_commit": tags.get(f"{PREFIX}template_commit")
        or run_tags.get(RUN_TEMPLATE_TAG, ""),
        **(files.get("cruft") or {}),
    }
    # Local mode reads the profile from project.yaml; a server has the tags of the last run.
    if files:
        profile, problems = files.get("profile") or {}, files.get("profile_error", "")
    else:
        profile, problems = _profile_from_tags(tags), tags.get(f"{PREFIX}profile_error", "")
    version = tags.get(f"{PREFIX}mlcore_version") or run_tags.get("mlcore.version.mlcore", "")
    project = Project(
        key=key,
        experiment=experiment.name,
        experiment_id=str(experiment.experiment_id),
        source=uri,
        profile=profile,
        profile_error=problems,
        task=tags.get(f"{PREFIX}task") or run_tags.get("mlcore.task", ""),
        model_name=model_name,
        mlcore_version=version,
        created=_iso(experiment.creation_time),
        last_run=None if last is None else _run(last),
        last_success=None if success is None else _run(success),
        champion=champion,
        latest=latest,
        test_metric=test_metric,
        drift=_drift(client, monitoring),
        fingerprints=_fingerprints(client, uri, basis, model_name, champion or latest),
        **template,
    )
    project.template_first_used = _first_used(
        client, project.experiment_id, project.template_commit
    )
    return project


def _is_project(client: Any, experiment: Any) -> bool:
    if any(key.startswith(PREFIX) for key in experiment.tags):
        return True
    return _newest_run(client, experiment.experiment_id, _TRAIN) is not None


def _experiments(client: Any) -> list[Any]:
    found, token = [], None
    while True:
        page = client.search_experiments(max_results=1000, page_token=token)
        found.extend(page)
        token = page.token
        if not token:
            return found


def _read_store(client: Any, uri: str, key: Any, files: dict) -> list[Project]:
    experiments = _experiments(client)
    by_name = {e.name: e for e in experiments}
    projects = []
    for experiment in sorted(experiments, key=lambda e: e.name):
        if not _is_project(client, experiment):
            continue
        monitoring = (
            experiment.tags.get(f"{PREFIX}drift_experiment") or f"{experiment.name}-monitoring"
        )
        projects.append(
            _project(client, uri, experiment, by_name.get(monitoring), key(experiment), files)
        )
    return projects


def _unreachable(uri: str, exc: Exception) -> DataError:
    return DataError(f"cannot read the MLflow store at {uri}: {str(exc).splitlines()[0]}")


def from_server(client: Any, uri: str) -> list[Project]:
    """Every project of the store behind ``client`` (an ``MlflowClient`` on ``uri``).

    Example (needs a store)::

        projects = from_server(MlflowClient("http://mlflow.team:5000"), "http://mlflow.team:5000")
    """
    from mlflow.exceptions import MlflowException

    try:
        return _read_store(client, uri, lambda e: e.name, {})
    except (MlflowException, OSError) as exc:
        raise _unreachable(uri, exc) from None


def _folder_files(folder: Path) -> dict[str, Any]:
    """The profile (or its problems) and the template record of a project folder."""
    from mlcore.project import load_profile

    if not folder.is_dir():
        raise DataError(f"--projects {folder}: no such folder")
    if not (folder / "project.yaml").is_file():
        raise DataError(f"--projects {folder}: not a generated project (no project.yaml)")
    files: dict[str, Any] = {"cruft": read_cruft(folder)}
    try:
        files["profile"] = dataclasses.asdict(load_profile(folder / "project.yaml"))
    except ConfigError as exc:
        files["profile_error"] = str(exc)
    return files


def from_folders(folders: Iterable[str | Path]) -> list[Project]:
    """The projects of local project folders (``project.yaml``, ``.cruft.json``, ``mlflow.db``).

    The files give the profile and the template commit; the folder's ``mlflow.db`` gives the
    runs, the registry and the drift checks. A folder without a store is listed as never run.

    Example (needs project folders)::

        projects = from_folders(["projects/churn-model", "projects/ltv-model"])
    """
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    from mlcore.track import disable_telemetry

    disable_telemetry()
    projects = []
    for folder in map(Path, folders):
        files = _folder_files(folder.resolve())
        store = folder.resolve() / "mlflow.db"
        uri = f"sqlite:///{store}"
        found: list[Project] = []
        if store.is_file():
            try:
                found = _read_store(
                    MlflowClient(tracking_uri=uri), uri, lambda e, f=folder: f"{f}:{e.name}", files
                )
            except (MlflowException, OSError) as exc:
                raise _unreachable(uri, exc) from None
        if not found:  # never trained: the profile alone
            found = [
                Project(
                    key=str(folder),
                    experiment="",
                    experiment_id="",
                    source=str(folder),
                    profile=files.get("profile") or {},
                    profile_error=files.get("profile_error", ""),
                    **files["cruft"],
                )
            ]
        projects.extend(found)
    return projects
