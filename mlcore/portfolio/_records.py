"""The plain records of the portfolio: one :class:`Project` per project, one :class:`Portfolio`.

Every field is a JSON-ready value, so the JSON output is the records themselves.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Portfolio", "Project"]


@dataclass
class Project:
    """One project as the portfolio shows it; every field is JSON-ready (``None``: not known).

    ``key`` is unique in a portfolio (the experiment name on a server, the folder and the
    experiment for local projects); ``profile`` holds the fields of ``project.yaml``.
    """

    key: str
    experiment: str
    experiment_id: str
    source: str
    profile: dict[str, Any] = field(default_factory=dict)
    profile_error: str = ""
    task: str = ""
    model_name: str = ""
    template: str = ""
    template_commit: str = ""
    template_first_used: str | None = None
    mlcore_version: str = ""
    created: str | None = None
    last_run: dict[str, Any] | None = None
    last_success: dict[str, Any] | None = None
    champion: dict[str, Any] | None = None
    latest: dict[str, Any] | None = None
    test_metric: dict[str, Any] | None = None
    drift: dict[str, Any] | None = None
    fingerprints: dict[str, Any] = field(default_factory=dict)
    # Filled in by mlcore.portfolio._status:
    days_since_run: float | None = None
    stale: bool = False
    template_lag: dict[str, Any] = field(default_factory=dict)
    mlcore_lag: dict[str, Any] = field(default_factory=dict)
    alerts: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        """The profile's id, else the experiment name."""
        return str(self.profile.get("id") or self.experiment or self.key)

    @property
    def status(self) -> str:
        """The lifecycle stage of the profile ('' when unknown)."""
        return str(self.profile.get("status") or "")

    def to_dict(self) -> dict[str, Any]:
        """The record as plain JSON-ready values, with ``id`` and ``status`` included."""
        return {"id": self.id, "status": self.status, **dataclasses.asdict(self)}


@dataclass
class Portfolio:
    """Every project of one source, the matches between them and the newest versions seen."""

    source: str
    generated_at: str
    stale_days: float
    projects: list[Project]
    duplicates: list[dict[str, Any]] = field(default_factory=list)
    newest: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values (non-finite numbers become ``None``)."""
        data = {
            "source": self.source,
            "generated_at": self.generated_at,
            "stale_days": self.stale_days,
            "newest": self.newest,
            "projects": [p.to_dict() for p in self.projects],
            "duplicates": self.duplicates,
        }
        return _finite(data)


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Mapping):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value
