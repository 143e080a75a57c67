"""Embedded example data: a synthetic monthly customer-activity panel for churn modelling.

The panel looks like what a subscription business keeps in its warehouse: one row per customer
and month with profile columns, usage counts, a low-cardinality plan, a high-cardinality zip code
and missing values. About 10% of active customers cancel each month, and their activity declines
in the months before they do, so a model has a real (but not trivial) signal to find.

Three knobs (all 0 by default, which leaves the output bit-identical for a seed) inject one kind
of drift each, so monitoring code can be tested against a known truth:

- ``feature_drift`` (>= 0), a change of P(X) only: ``age`` is recorded ``10 * feature_drift``
  years older, ``minutes_used`` is scaled by ``1 + feature_drift`` and a share
  ``min(feature_drift, 1) / 2`` of card payers show up as ``paypal``. None of these columns drives
  churn, so P(Y) is unchanged.
- ``label_drift`` (any float, :func:`make_churn` only), a change of P(Y) with P(X|Y) kept (prior
  shift): the odds of ``churn == 1`` are multiplied by ``exp(label_drift)`` by dropping a random
  share of the negative snapshots (of the positive ones when negative). 0.7 takes the churn rate
  from about 24% to about 39%; P(X) moves only as the mix of churners and stayers does.
- ``concept_drift`` (in [0, 1]), a change of P(Y|X): a share ``concept_drift`` of customers get
  the latent risk of another random customer, so the profile columns (contract, plan, tickets,
  usage level, zip) stop explaining churn for them while the marginal hazard stays the same.

:func:`make_churn_batches` returns a reference table and a later, optionally drifted, batch.

:func:`make_campaign` simulates retention campaigns with a known, heterogeneous effect of contact;
:func:`campaign_outcomes` draws outcomes for an existing assignment from its churn scores. Each
customer is one of :data:`SEGMENTS`: a *persuadable* churns only if left alone, a *sure thing*
never churns, a *lost cause* always churns and a *sleeping dog* churns only if contacted. The
customer's ``true_effect`` is P(churn | contacted) - P(churn | left alone) given their features
(negative: contact helps); average it over a group for the effect an estimate should cover.

Example:
    >>> from mlcore.datasets import make_churn
    >>> df = make_churn(n_customers=1_000, n_months=6, seed=0)
    >>> sorted(df.columns)[:3]
    ['age', 'churn', 'contract']
"""

from mlcore.datasets._campaign import SEGMENTS, campaign_outcomes, make_campaign
from mlcore.datasets._churn import (
    PLANS,
    make_churn,
    make_churn_batches,
    make_churn_panel,
    prior_shift,
)

__all__ = [
    "PLANS",
    "SEGMENTS",
    "campaign_outcomes",
    "make_campaign",
    "make_churn",
    "make_churn_batches",
    "make_churn_panel",
    "prior_shift",
]
