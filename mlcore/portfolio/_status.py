"""What the records mean for the team: staleness, version lag and open alerts.

* **Stale**: no training run for more than ``stale_days`` days (or never run).
* **Template lag**: a ``.cruft.json`` commit holds no date, so commits are ordered by when a
  training run on the server first recorded them (tag ``mlcore.template.commit``): the lag is
  how many other commits were first used later, and the newest is the one first used last.
* **mlcore lag**: versions in PEP 440 order; the lag is how many newer versions are in use.
* **Open alerts**: the last drift check of the current champion raised an alert; the last run
  failed after the last success; no run in ``stale_days``; no champion from the
  ``testing_validation`` stage on; an invalid ``project.yaml``.

Example:
    >>> version_key("0.10.0") > version_key("0.9.1")
    True
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from mlcore.portfolio._records import Project
from mlcore.project import STAGES

__all__ = ["apply_status", "version_key"]

_NEEDS_CHAMPION = STAGES[STAGES.index("testing_validation") :]


def version_key(version: str) -> tuple:
    """A sort key for version strings: PEP 440 when it parses, text after every valid one.

    Example:
        >>> sorted(["0.2.0", "0.10.0", "dev"], key=version_key)
        ['0.2.0', '0.10.0', 'dev']
    """
    from packaging.version import InvalidVersion, Version

    try:
        return (0, Version(version), "")
    except InvalidVersion:
        return (1, Version("0"), version)


def _short(stamp: str | None) -> str:
    """``2026-12-01T09:18:03+00:00`` → ``2026-12-01 09:18 UTC``."""
    return "" if not stamp else f"{stamp[:10]} {stamp[11:16]} UTC"


def _parse(stamp: str | None) -> datetime | None:
    return None if not stamp else datetime.fromisoformat(stamp)


def _days(later: datetime, earlier: datetime) -> float:
    return round((later - earlier).total_seconds() / 86400, 1)


def _template_lags(projects: Sequence[Project]) -> str:
    """Set each project's ``template_lag``; return the newest commit ('' when none is known)."""
    first: dict[str, datetime] = {}
    for p in projects:
        seen = _parse(p.template_first_used) or _parse(p.created)
        if p.template_commit and seen is not None:
            first[p.template_commit] = min(seen, first.get(p.template_commit, seen))
    newest = max(first, key=lambda c: first[c]) if first else ""
    for p in projects:
        if p.template_commit not in first:
            p.template_lag = {"behind": None, "newest": newest, "days": None}
            continue
        mine = first[p.template_commit]
        behind = sum(1 for seen in first.values() if seen > mine)
        p.template_lag = {"behind": behind, "newest": newest, "days": _days(first[newest], mine)}
    return newest


def _mlcore_lags(projects: Sequence[Project]) -> str:
    """Set each project's ``mlcore_lag``; return the newest version in use ('' when none)."""
    versions = sorted({p.mlcore_version for p in projects if p.mlcore_version}, key=version_key)
    newest = versions[-1] if versions else ""
    for p in projects:
        behind = None
        if p.mlcore_version:
            behind = len(versions) - 1 - versions.index(p.mlcore_version)
        p.mlcore_lag = {"behind": behind, "newest": newest}
    return newest


def _alerts(p: Project) -> list[str]:
    found = []
    drift, champion = p.drift, p.champion
    if drift and drift["alert"] and champion and drift["model_version"] == champion["version"]:
        errors = drift.get("features_error")
        detail = f": {errors:.0f} feature(s) at error" if errors else ""
        found.append(
            f"drift alert on champion v{champion['version']}{detail} ({_short(drift['start'])})"
        )
    last, success = p.last_run, p.last_success
    if last and last["status"] in ("FAILED", "KILLED") and last != success:
        found.append(f"last run {last['status']} ({_short(last['start'])})")
    if p.stale:
        found.append("never trained" if last is None else f"no run in {p.days_since_run:g} days")
    if champion is None and p.status in _NEEDS_CHAMPION:
        found.append(f"no champion at stage {p.status}")
    if p.profile_error:
        found.append(f"project.yaml invalid: {p.profile_error}")
    return found


def apply_status(
    projects: Sequence[Project], stale_days: float, now: datetime | None = None
) -> dict[str, Any]:
    """Fill in the staleness, lags and alerts of ``projects``; return the newest versions seen.

    Example:
        >>> p = Project(key="a", experiment="a", experiment_id="1", source="x")
        >>> apply_status([p], stale_days=30)
        {'template_commit': '', 'mlcore_version': ''}
        >>> p.stale, p.alerts
        (True, ['never trained'])
    """
    now = now or datetime.now(UTC)
    for p in projects:
        start = _parse((p.last_run or {}).get("start"))
        days = None if start is None else (now - start).total_seconds() / 86400
        p.days_since_run = None if days is None else round(days, 3)
        p.stale = days is None or days > stale_days
    newest = {"template_commit": _template_lags(projects), "mlcore_version": _mlcore_lags(projects)}
    for p in projects:
        p.alerts = _alerts(p)
    return newest
