"""Aliases with an audit trail: promote, abandon, roll back, list (see :mod:`mlcore.registry`)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from mlcore.registry._base import (
    _TAG,
    CHALLENGER,
    CHAMPION,
    Decision,
    RegistryError,
    _champion,
    _client,
    _now,
    _set_tags,
    _who,
)

__all__ = ["abandon", "promote_if_better", "rollback", "versions"]


def promote_if_better(
    model_name: str,
    version: str,
    decision: Decision,
    run_id: str | None = None,
    client: Any | None = None,
) -> Decision:
    """Point ``challenger`` at ``version``; move ``champion`` there only if ``decision.promote``.

    Refuses (and says so) when the champion changed after ``decision`` was made, e.g. another run
    on a shared server promoted meanwhile. Writes the audit record on the version either way and
    returns the decision actually applied.

    Example (needs a configured store)::

        applied = promote_if_better("churn-model", "3", decision, run_id)
    """
    client = _client(client)
    current = _champion(client, model_name)
    current_version = None if current is None else str(current.version)
    if decision.promote and current_version != decision.champion_version:
        compared = decision.champion_version or "none"
        decision = replace(
            decision,
            promote=False,
            reason=f"the champion changed from {compared} to v{current_version} during this "
            "run; not promoted (re-run to compare with the new champion)",
        )
    when = _now()
    audit = {
        "decision": "promoted" if decision.promote else "refused",
        "reason": decision.reason,
        "decided_by": _who(),
        "decided_at": when,
        "gate_metrics": json.dumps(dict(decision.metrics)),
    }
    if run_id:
        audit["run_id"] = run_id
    if decision.promote:
        audit["champion_since"] = when
        if current_version is not None:
            audit["previous_champion"] = current_version
    _set_tags(client, model_name, version, audit)
    # Aliases last, so an interrupted call never leaves an alias on an unaudited version.
    client.set_registered_model_alias(model_name, CHALLENGER, version)
    if decision.promote:
        client.set_registered_model_alias(model_name, CHAMPION, version)
    return decision


def abandon(model_name: str, version: str, reason: str, client: Any | None = None) -> None:
    """Mark ``version`` as abandoned (its run was interrupted or failed before the gate ended):
    tag ``mlcore.decision=aborted`` and take the ``challenger`` alias off it. The champion is
    never moved.

    Example (needs a configured store)::

        abandon("churn-model", "7", "interrupted during register")
    """
    client = _client(client)
    _set_tags(client, model_name, version, {"decision": "aborted", "reason": reason})
    aliases = client.get_model_version(model_name, version).aliases
    if CHALLENGER in aliases:
        client.delete_registered_model_alias(model_name, CHALLENGER)


def rollback(
    model_name: str, client: Any | None = None, reason: str = "manual rollback"
) -> tuple[str, str]:
    """Point ``champion`` back to the version it replaced; return ``(old, new)`` versions.

    Raises :class:`RegistryError` when there is no champion, when the champion replaced none, or
    when that version was deleted.

    Example (needs a configured store)::

        old, new = rollback("churn-model")   # e.g. ("3", "1")
    """
    from mlflow.exceptions import MlflowException

    client = _client(client)
    current = _champion(client, model_name)
    if current is None:
        raise RegistryError(f"registered model {model_name!r} has no champion to roll back")
    old = str(current.version)
    previous = current.tags.get(_TAG + "previous_champion")
    if not previous:
        raise RegistryError(
            f"{model_name}: champion v{old} has no previous champion (it was the first one "
            "promoted); nothing to roll back to"
        )
    try:
        client.get_model_version(model_name, previous)
    except MlflowException:
        raise RegistryError(
            f"{model_name}: previous champion v{previous} no longer exists; cannot roll back"
        ) from None
    who, when = _who(), _now()
    _set_tags(
        client,
        model_name,
        old,
        {
            "rolled_back_to": previous,
            "rolled_back_by": who,
            "rolled_back_at": when,
            "rollback_reason": reason,
        },
    )
    _set_tags(
        client,
        model_name,
        previous,
        {"restored_from": old, "restored_by": who, "restored_at": when, "champion_since": when},
    )
    client.set_registered_model_alias(model_name, CHAMPION, previous)
    return old, previous


def versions(model_name: str, client: Any | None = None) -> list[dict[str, Any]]:
    """Every version of ``model_name``, newest first: aliases, run, creation time, mlcore tags.

    Example (needs a configured store)::

        for v in versions("churn-model"):
            print(v["version"], v["aliases"], v["tags"].get("mlcore.decision"))
    """
    from mlflow.exceptions import MlflowException

    client = _client(client)
    try:
        model = client.get_registered_model(model_name)
    except MlflowException:
        raise RegistryError(f"no registered model {model_name!r} in this store") from None
    aliases: dict[str, list[str]] = {}
    for alias, version in model.aliases.items():
        aliases.setdefault(str(version), []).append(alias)
    escaped = model_name.replace("'", "\\'")
    found = client.search_model_versions(f"name = '{escaped}'")
    rows = []
    for mv in sorted(found, key=lambda mv: int(mv.version), reverse=True):
        created = datetime.fromtimestamp(mv.creation_timestamp / 1000, UTC)
        rows.append(
            {
                "version": str(mv.version),
                "aliases": sorted(aliases.get(str(mv.version), [])),
                "run_id": mv.run_id,
                "created": created.isoformat(timespec="seconds"),
                "tags": {k: v for k, v in sorted(mv.tags.items()) if k.startswith(_TAG)},
            }
        )
    return rows
