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

from mlcore.registry._aliases import abandon, promote_if_better, rollback, versions
from mlcore.registry._base import CHALLENGER, CHAMPION, Decision, RegistryError
from mlcore.registry._gate import decide, gate

__all__ = [
    "CHALLENGER",
    "CHAMPION",
    "Decision",
    "RegistryError",
    "abandon",
    "decide",
    "gate",
    "promote_if_better",
    "rollback",
    "versions",
]
