"""Model registry with aliases and a promotion gate: the champion never moves to a worse model.

A new model version gets the alias ``challenger``. It becomes ``champion`` only when validation
passed and it beats both the dummy baseline and the current champion, all scored on the same test
rows, by more than the configured margin (:func:`decide` on the point difference; the paired
bootstrap CI of :func:`mlcore.evaluate.compare_models` is reported, not gated on). Aliases only:
MLflow's deprecated stages are never used.

Audit and history, as tags on the model versions (MLflow keeps no alias history itself):

* every gate decision: ``mlcore.decision`` (promoted | refused), ``mlcore.reason``,
  ``mlcore.decided_by``, ``mlcore.decided_at`` (UTC ISO), ``mlcore.gate_metrics`` (JSON) and
  ``mlcore.run_id``;
* a promoted version also gets ``mlcore.champion_since`` and, if it replaced one,
  ``mlcore.previous_champion`` (that version). These links form the chain :func:`rollback` walks
  back: each rollback moves ``champion`` one link back, never to a version that was not champion;
* a rollback tags the demoted version (``mlcore.rolled_back_to/_by/_at``, ``mlcore.rollback_reason``)
  and the restored one (``mlcore.restored_from/_by/_at``, a new ``mlcore.champion_since``).

Example:
    >>> from mlcore.registry import gate
    >>> gate(challenger=0.80, baseline=0.50, champion=0.79, margin=0.0).promote
    True
"""

from __future__ import annotations

import getpass
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import numpy as np

from mlcore.errors import ConfigError, MlcoreError

__all__ = [
    "CHALLENGER",
    "CHAMPION",
    "Decision",
    "RegistryError",
    "decide",
    "gate",
    "promote_if_better",
    "rollback",
    "versions",
]

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


def gate(
    challenger: float,
    baseline: float,
    champion: float | None,
    margin: float = 0.0,
    *,
    validation_passed: bool = True,
    validation_reason: str = "data validation did not pass in this run (failed or skipped)",
    higher_is_better: bool = True,
    metric: str = "roc_auc",
) -> Decision:
    """Promote when validation passed and ``challenger`` beats the baseline and the champion (if
    any) by more than ``margin`` (lower is better when ``higher_is_better`` is False).

    Example:
        >>> gate(challenger=0.70, baseline=0.50, champion=0.72).reason
        'roc_auc: challenger 0.7000 does not beat champion 0.7200 by more than margin 0'
    """
    metrics = {
        "metric": metric,
        "challenger": challenger,
        "baseline": baseline,
        "champion": champion,
        "margin": margin,
        "validation_passed": validation_passed,
    }
    if not validation_passed:
        return Decision(False, validation_reason, metrics)
    for name, other in (("baseline", baseline), ("champion", champion)):
        if other is not None and not _beats(challenger, other, margin, higher_is_better):
            return Decision(
                False,
                f"{metric}: challenger {challenger:.4f} does not beat {name} {other:.4f} "
                f"by more than margin {margin:g}",
                metrics,
            )
    against = "no champion yet" if champion is None else f"champion {champion:.4f}"
    return Decision(
        True, f"{metric}: challenger {challenger:.4f} beats baseline and {against}", metrics
    )


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


def _scores(client: Any, model_name: str, version: str, features: Any, task: Any) -> np.ndarray:
    import mlflow

    model = mlflow.sklearn.load_model(client.get_model_version_download_uri(model_name, version))
    return task.score(model, features)


def decide(
    model_name: str,
    features: Any,
    y_true: np.ndarray,
    challenger_scores: np.ndarray,
    baseline_scores: np.ndarray,
    *,
    validation_passed: bool,
    validation_reason: str | None = None,
    metric: str = "roc_auc",
    margin: float = 0.0,
    n_boot: int = 200,
    seed: int = 0,
    task: Any = None,
    unseen_by: Callable[[Mapping[str, str]], tuple[np.ndarray | None, str]] | None = None,
    min_rows: int = 100,
    replace_unscorable: bool = False,
    client: Any | None = None,
) -> Decision:
    """The promotion gate on the test rows: challenger vs baseline and vs the current champion.

    The champion is loaded from the registry and scored on ``features``, so all three models are
    compared on the same rows with the task's paired bootstrap (``task.compare``; binary by
    default: :func:`mlcore.evaluate.compare_models`). The
    decision uses the point difference and the margin; the CIs go into ``metrics`` and the reason
    (``n_boot`` replicates: the CI is reported, not gated on, so a few hundred are enough).
    A champion that cannot score these rows (e.g. a changed schema) is not beaten: refused.

    A fair comparison: ``unseen_by(champion version tags)`` gives the mask of the test rows the
    champion did not train on (None: all of them) and a sentence naming them; the champion is
    compared on those rows only, and the gate refuses when fewer than ``min_rows`` remain (or a
    single class). The rows compared are in the reason and ``metrics["compared_on"]``. A
    champion that cannot score the rows refuses the challenger, unless ``replace_unscorable``
    (the champion's inputs are gone for good): then the baseline alone decides, and says so.

    Example (needs a configured store)::

        decision = decide("churn-model", x_test, y_test, model_scores, dummy_scores,
                          validation_passed=True, margin=0.001)
    """
    from mlcore.task import get_task

    task = task or get_task("binary")
    if metric not in task.gate_metrics:
        raise ConfigError(
            f"promotion metric: unknown {metric!r}; use one of {sorted(task.gate_metrics)} "
            f"(task {task.name!r})"
        )
    client = _client(client)
    found = _champion(client, model_name)
    version = None if found is None else str(found.version)
    options = {"metric": metric, "n_boot": n_boot, "seed": seed, "margin": margin}
    vs_baseline = task.compare(y_true, baseline_scores, challenger_scores, **options).iloc[0]
    vs_champion, rows, compared_on = None, None, "all test rows"
    if version is not None:
        if unseen_by is not None:
            rows, compared_on = unseen_by(found.tags)
        y_c, x_c, s_c = y_true, features, challenger_scores
        if rows is not None:
            y_c, x_c, s_c = np.asarray(y_true)[rows], features[rows], challenger_scores[rows]
            one_class = task.is_classifier and len(np.unique(y_c)) < 2
            if len(y_c) < min_rows or one_class:
                reason = (
                    f"champion v{version} compared on {compared_on}: too few to decide (need "
                    f"at least {min_rows}{' with both classes' if task.is_classifier else ''}); "
                    "retrain with the champion's split, or lower evaluate.min_compare_rows"
                )
                metrics = {"metric": metric, "compared_on": compared_on, "compared_rows": len(y_c)}
                return Decision(False, reason, metrics, version)
        try:
            scores = _scores(client, model_name, version, x_c, task)
            vs_champion = task.compare(y_c, scores, s_c, **options).iloc[0]
        except Exception as exc:  # any failure to score means "not beaten"
            unscorable = f"champion v{version} could not be scored on the test rows: {exc}"
            if not replace_unscorable:
                metrics = {"metric": metric, "validation_passed": validation_passed}
                reason = (
                    f"{unscorable}; if its inputs are gone for good, set "
                    "evaluate.replace_unscorable_champion=true to decide on the baseline alone"
                )
                return Decision(False, reason, metrics, version)
            compared_on = f"the baseline alone ({unscorable})"
    higher_is_better = bool(vs_baseline["higher_is_better"])
    decision = gate(
        challenger=float(vs_baseline["challenger"]),
        baseline=float(vs_baseline["champion"]),
        champion=None
        if vs_champion is None or rows is not None
        else float(vs_champion["champion"]),
        margin=margin,
        validation_passed=validation_passed,
        **({"validation_reason": validation_reason} if validation_reason else {}),
        higher_is_better=higher_is_better,
        metric=metric,
    )
    if version is not None and vs_champion is None:  # an unscorable champion, replaced
        decision = replace(decision, reason=f"{decision.reason}; decided on {compared_on}")
    elif decision.promote and rows is not None:  # the champion, on the rows neither trained on
        mine, theirs = float(vs_champion["challenger"]), float(vs_champion["champion"])
        beaten = _beats(mine, theirs, margin, higher_is_better)
        verdict = "beats" if beaten else f"does not beat (by more than margin {margin:g})"
        decision = replace(
            decision,
            promote=beaten,
            reason=f"{metric}: on {compared_on}, challenger {mine:.4f} {verdict} champion {theirs:.4f}",
        )
    metrics = dict(
        decision.metrics,
        champion_version=version,
        rows=len(challenger_scores),
        compared_on=compared_on,
        compared_rows=len(challenger_scores) if rows is None else int(np.sum(rows)),
    )
    notes = []
    for name, row in (("baseline", vs_baseline), ("champion", vs_champion)):
        if row is not None:
            interval = [float(row["ci_low"]), float(row["ci_high"])]
            metrics[f"diff_vs_{name}"] = float(row["diff"])
            metrics[f"ci_vs_{name}"] = interval
            notes.append(
                f"vs {name} {row['diff']:+.4f} "
                f"({row['confidence']:.0%} CI [{interval[0]:+.4f}, {interval[1]:+.4f}])"
            )
    return replace(
        decision,
        reason=f"{decision.reason}; {', '.join(notes)}",
        metrics=metrics,
        champion_version=version,
    )


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
