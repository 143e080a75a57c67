"""Campaign design: stable treatment / control / random groups, and the campaign's measured effect.

Predicting churn is not preventing it. A campaign on the customers the model targets is measured
against a control group of targeted customers left alone; a random group drawn from the whole
population (targeted or not) is contacted too, to explore whom else the campaign helps and to
collect unbiased data for the next model. Everyone else is ``others``.

Assignment uses the hash machinery of :mod:`mlcore.split` with its own salt (default
``"campaign"``): an id's bucket ``b`` puts it in ``random`` when ``b < random_fraction``; a
targeted id above that is in ``treatment`` or ``control`` by the treatment / control fractions of
the remaining bucket range. A customer targeted in two consecutive months stays in the same group,
and the groups are independent of the train / validation / test split (a different salt). Use a
new salt for a new campaign.

Campaign config keys (keyword arguments of :func:`assign_groups`): ``fractions``
(``{"treatment": 0.8, "control": 0.2}`` by default), ``random_fraction`` (default 0) and
``salt``.

After the campaign (one private module per concept, re-exported here):

- ``_assign``: :func:`select_targets` (top-k, a score threshold or a fraction),
  :func:`assign_groups`, both at once (:func:`plan_campaign`), :func:`contacted`;
- ``_effect``: :func:`campaign_effect` (treatment minus control, Wald interval; vectorised as
  :func:`rate_difference`) and :func:`incremental_profit`;
- ``_uplift``: the two-model :class:`TLearner`, :func:`cross_fit_uplift`,
  :func:`uplift_by_decile`, :func:`qini_curve` and :func:`qini_coefficient`;
- ``_propensity``: :func:`propensity_effect`, the weaker evidence when there is no control group
  (logistic propensity, overlap diagnostics and trimming, weighting; :class:`OverlapError` when
  the overlap is too poor);
- ``_outcomes``: :func:`scored_population` (one row per customer of a scored batch) and
  :func:`join_outcomes` (a campaign's outcomes checked against its assignment);
- ``_evaluate``: :func:`evaluate_campaign`, all of the above for one finished campaign;
- ``_figures`` and ``_report``: :func:`campaign_figures` and :func:`report_parts`, its report's
  figures and sections.

No MLflow, Hydra or Great Expectations here: the job that reads files and logs runs is
:mod:`mlcore.campaign`.

Example:
    >>> import numpy as np
    >>> groups = assign_groups(np.arange(6), targeted=np.array([True] * 3 + [False] * 3))
    >>> set(groups[:3]) <= {"treatment", "control"}, set(groups[3:])
    (True, {'others'})
"""

from mlcore.experiment._assign import (
    ARMS,
    DEFAULT_SALT,
    GROUPS,
    SELECTIONS,
    assign_groups,
    contacted,
    plan_campaign,
    select_targets,
)
from mlcore.experiment._effect import (
    CampaignEffect,
    IncrementalProfit,
    campaign_effect,
    incremental_profit,
    rate_difference,
)
from mlcore.experiment._evaluate import CampaignEvaluation, UpliftSummary, evaluate_campaign
from mlcore.experiment._figures import campaign_figures
from mlcore.experiment._outcomes import join_outcomes, scored_population
from mlcore.experiment._propensity import OverlapError, PropensityEffect, propensity_effect
from mlcore.experiment._report import report_parts
from mlcore.experiment._uplift import (
    UPLIFT_MODELS,
    TLearner,
    cross_fit_uplift,
    qini_coefficient,
    qini_curve,
    uplift_by_decile,
)

__all__ = [
    "ARMS",
    "DEFAULT_SALT",
    "GROUPS",
    "SELECTIONS",
    "UPLIFT_MODELS",
    "CampaignEffect",
    "CampaignEvaluation",
    "IncrementalProfit",
    "OverlapError",
    "PropensityEffect",
    "TLearner",
    "UpliftSummary",
    "assign_groups",
    "campaign_effect",
    "campaign_figures",
    "contacted",
    "cross_fit_uplift",
    "evaluate_campaign",
    "incremental_profit",
    "join_outcomes",
    "plan_campaign",
    "propensity_effect",
    "qini_coefficient",
    "qini_curve",
    "rate_difference",
    "report_parts",
    "scored_population",
    "select_targets",
    "uplift_by_decile",
]
