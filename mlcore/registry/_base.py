"""The registry's vocabulary: aliases, the decision, the store client (see :mod:`mlcore.registry`)."""

from __future__ import annotations

import getpass
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from mlcore.errors import MlcoreError

__all__ = ["CHALLENGER", "CHAMPION", "Decision", "RegistryError"]

CHAMPION = "champion"
CHALLENGER = "challenger"
_TAG = "mlcore."


class RegistryError(MlcoreError):
    """A registry operation cannot be done (no such model, no champion, nothing to roll back)."""


@dataclass(frozen=True)
class Decision:
    """The verdict of the promotion gate, why, and the numbers behind it.

    ``champion_version`` is the champion the challenger was compared with (None: there was none);
    :func:`promote_if_better` refuses if the champion moved in the meantime.
    """

    promote: bool
    reason: str
    metrics: Mapping[str, Any] = field(default_factory=dict)
    champion_version: str | None = None


def _beats(a: float, b: float, margin: float, higher_is_better: bool) -> bool:
    return (a - b if higher_is_better else b - a) > margin


def _client(client: Any | None) -> Any:
    if client is not None:
        return client
    import mlflow

    return mlflow.MlflowClient()


def _champion(client: Any, model_name: str) -> Any | None:
    """The champion's ModelVersion, or None when there is no such model or alias."""
    from mlflow.exceptions import MlflowException

    try:
        return client.get_model_version_by_alias(model_name, CHAMPION)
    except MlflowException:
        return None


def _who() -> str:
    """Who acts: ``MLCORE_USER`` (e.g. a CI service name) or the login name."""
    try:
        return os.environ.get("MLCORE_USER") or getpass.getuser()
    except (OSError, KeyError):  # no login name and no passwd entry (some containers)
        return f"uid:{os.getuid()}"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _set_tags(client: Any, model_name: str, version: str, tags: Mapping[str, str]) -> None:
    for key, value in tags.items():
        client.set_model_version_tag(model_name, version, _TAG + key, value)
