"""Model registry with aliases and a promotion gate: the champion never moves to a worse model.

A new model version is registered with the alias ``challenger``. It becomes ``champion`` only when
it beats the dummy baseline and the current champion, scored on the same test rows, by the
configured margin. Every decision is written as tags on the model version (an audit record).

Example:
    >>> from mlcore.registry import gate
    >>> gate(challenger=0.80, baseline=0.50, champion=0.79, margin=0.0).promote
    True
"""

from __future__ import annotations

import getpass
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

__all__ = ["CHALLENGER", "CHAMPION", "Decision", "gate", "promote_if_better", "score_champion"]

CHAMPION = "champion"
CHALLENGER = "challenger"


@dataclass(frozen=True)
class Decision:
    """The verdict of the promotion gate and why."""

    promote: bool
    reason: str
    metrics: Mapping[str, float | None]


def gate(
    challenger: float, baseline: float, champion: float | None, margin: float = 0.0
) -> Decision:
    """Promote when the challenger beats the baseline and the champion (if any) by ``margin``.

    Example:
        >>> gate(challenger=0.70, baseline=0.50, champion=0.72).reason
        'challenger 0.7000 does not beat champion 0.7200 by margin 0'
    """
    metrics = {"challenger": challenger, "baseline": baseline, "champion": champion}
    if not challenger > baseline + margin:
        return Decision(
            False,
            f"challenger {challenger:.4f} does not beat baseline {baseline:.4f} by margin {margin:g}",
            metrics,
        )
    if champion is not None and not challenger > champion + margin:
        return Decision(
            False,
            f"challenger {challenger:.4f} does not beat champion {champion:.4f} by margin {margin:g}",
            metrics,
        )
    against = "no champion yet" if champion is None else f"champion {champion:.4f}"
    return Decision(True, f"challenger {challenger:.4f} beats baseline and {against}", metrics)


def score_champion(model_name: str, features: Any) -> Any | None:
    """Positive-class scores of the current champion on ``features``; None if there is none."""
    import mlflow
    from mlflow.exceptions import MlflowException

    client = mlflow.MlflowClient()
    try:
        client.get_model_version_by_alias(model_name, CHAMPION)
    except MlflowException:
        return None
    model = mlflow.sklearn.load_model(f"models:/{model_name}@{CHAMPION}")
    return model.predict_proba(features)[:, 1]


def promote_if_better(
    model_name: str, version: str, decision: Decision, run_id: str | None = None
) -> Decision:
    """Point ``challenger`` at ``version``; move ``champion`` there only if ``decision.promote``.

    Writes the audit record (who, when, why, metrics) as tags on the version either way.
    """
    import mlflow

    client = mlflow.MlflowClient()
    client.set_registered_model_alias(model_name, CHALLENGER, version)
    audit = {
        "mlcore.decision": "promoted" if decision.promote else "refused",
        "mlcore.reason": decision.reason,
        "mlcore.decided_by": getpass.getuser(),
        "mlcore.decided_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "mlcore.gate_metrics": json.dumps(dict(decision.metrics)),
    }
    if run_id:
        audit["mlcore.run_id"] = run_id
    for key, value in audit.items():
        client.set_model_version_tag(model_name, version, key, value)
    if decision.promote:
        client.set_registered_model_alias(model_name, CHAMPION, version)
    return decision
