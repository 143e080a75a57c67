"""The project's profile on its MLflow experiment, so a team server alone knows every project.

Each training run (:class:`mlcore.pipeline.MlflowHook`) writes the profile of the project root
(``project.yaml``, see :mod:`mlcore.project`), the template commit of its ``.cruft.json`` and
the mlcore version as experiment tags ``mlcore.project.<key>``; ``mlcore portfolio`` reads them
back. Every key is written on every run (an emptied field overwrites the old value), and the run
itself gets ``mlcore.template.commit``, so the server also knows when each commit was first used.

A missing ``project.yaml`` records what is known without it; an invalid one never stops the
training run: the problems go to ``mlcore.project.profile_error`` and the log.

Example:
    >>> import tempfile
    >>> from pathlib import Path
    >>> root = Path(tempfile.mkdtemp())
    >>> _ = (root / ".cruft.json").write_text('{"template": "/t", "commit": "abc123"}')
    >>> profile_tags(root)["mlcore.project.template_commit"]
    'abc123'
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = [
    "PREFIX",
    "PROFILE_KEYS",
    "RUN_TEMPLATE_TAG",
    "profile_tags",
    "read_cruft",
    "record_profile",
]

log = logging.getLogger(__name__)

PREFIX = "mlcore.project."
RUN_TEMPLATE_TAG = "mlcore.template.commit"
# The profile fields written one tag each (the whole profile is also in ``<PREFIX>profile``).
PROFILE_KEYS = ("id", "topic", "business_target", "status", "team_lead", "customer", "domain")
_MAX_VALUE = 20_000  # MLflow 3's MAX_EXPERIMENT_TAG_VAL_LENGTH


def read_cruft(root: str | Path) -> dict[str, str]:
    """The template URL and commit of ``root/.cruft.json`` ({} without a readable one).

    Example:
        >>> read_cruft("/nonexistent")
        {}
    """
    path = Path(root) / ".cruft.json"
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(record, Mapping):
        return {}
    return {
        "template": str(record.get("template") or ""),
        "template_commit": str(record.get("commit") or ""),
    }


def _mlcore_version() -> str:
    from mlcore import __version__

    return __version__


def profile_tags(root: str | Path, cfg: Mapping[str, Any] | None = None) -> dict[str, str]:
    """The experiment tags for the project at ``root``: its profile, template and mlcore version.

    ``cfg`` (the checked pipeline config) adds the model name, the task and the drift
    experiment, so the portfolio finds the champion and the drift runs from the tags alone.

    Example:
        >>> tags = profile_tags("/nonexistent")
        >>> tags["mlcore.project.id"], tags["mlcore.project.template_commit"]
        ('', '')
    """
    from mlcore.errors import ConfigError
    from mlcore.project import load_profile

    root = Path(root)
    values = dict.fromkeys([*PROFILE_KEYS, "profile", "profile_error"], "")
    values.update({"template": "", "template_commit": "", **read_cruft(root)})
    values["mlcore_version"] = _mlcore_version()
    path = root / "project.yaml"
    if path.is_file():
        try:
            profile = load_profile(path)
        except ConfigError as exc:
            values["profile_error"] = str(exc)
            log.warning("project profile not recorded on the experiment: %s", exc)
        else:
            data = dataclasses.asdict(profile)
            values.update({key: str(data[key]) for key in PROFILE_KEYS})
            values["profile"] = json.dumps(data, sort_keys=True)
    if cfg is not None:
        tracking = cfg.get("tracking") or {}
        drift = cfg.get("drift") or {}
        values["model_name"] = str(tracking.get("model_name") or "")
        values["task"] = str(cfg.get("task") or "")
        values["drift_experiment"] = str(
            drift.get("experiment") or f"{tracking.get('experiment', '')}-monitoring"
        )
    return {f"{PREFIX}{key}": value[:_MAX_VALUE] for key, value in values.items()}


def record_profile(cfg: Mapping[str, Any]) -> dict[str, str]:
    """Write :func:`profile_tags` on the active run's experiment and the template commit on the
    run; return the experiment tags written.

    Example (inside an active MLflow run)::

        record_profile(cfg)   # cfg["paths"]["root"] holds project.yaml and .cruft.json
    """
    import mlflow

    tags = profile_tags(cfg["paths"]["root"], cfg)
    run = mlflow.active_run()
    if run is None:
        raise RuntimeError("record_profile needs an active MLflow run")
    client = mlflow.MlflowClient()
    for key, value in tags.items():
        client.set_experiment_tag(run.info.experiment_id, key, value)
    mlflow.set_tag(RUN_TEMPLATE_TAG, tags[f"{PREFIX}template_commit"])
    return tags
