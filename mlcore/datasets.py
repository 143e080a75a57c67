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

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from mlcore._progress import Progress

__all__ = [
    "PLANS",
    "SEGMENTS",
    "campaign_outcomes",
    "make_campaign",
    "make_churn",
    "make_churn_batches",
    "make_churn_panel",
]

PLANS = ("basic", "standard", "premium", "family")
_PLAN_FEE = np.array([9.99, 14.99, 24.99, 29.99])
_CONTRACTS = ("monthly", "annual")
_PAYMENTS = ("card", "direct_debit", "paypal", "invoice")
_N_ZIPS = 3_000

log = logging.getLogger(__name__)


def make_churn_panel(
    n_customers: int = 100_000,
    n_months: int = 12,
    seed: int = 0,
    start: str = "2024-01-01",
    monthly_churn: float = 0.10,
    *,
    feature_drift: float = 0.0,
    concept_drift: float = 0.0,
) -> pd.DataFrame:
    """Monthly activity panel: one row per customer and month while the customer is active.

    ``cancelled`` is 1 on the last row of a customer who cancels at the end of that month; a
    customer still active in the last month is censored (never ``cancelled``). The ``*_drift``
    knobs are described in the module docstring; they draw from their own random stream, so the
    other columns keep their values.

    Example:
        >>> panel = make_churn_panel(n_customers=100, n_months=3, seed=1)
        >>> int(panel.groupby("customer_id")["cancelled"].sum().max())
        1
    """
    columns, months_to_cancel = _simulate(
        n_customers, n_months, seed, start, monthly_churn, feature_drift, concept_drift
    )
    columns["cancelled"] = (months_to_cancel == 0).astype(np.int64)
    return _frame(columns, None, start, n_months)


def _simulate(
    n_customers: int,
    n_months: int,
    seed: int,
    start: str,
    monthly_churn: float,
    feature_drift: float,
    concept_drift: float,
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The panel's columns (plain arrays, holes included) and each row's months to cancellation.

    Kept as arrays so :func:`make_churn` selects its rows once, column by column, instead of
    copying a whole frame several times (the 10M-row table fits in a few times its own size).
    """
    if n_customers < 1 or n_months < 1:
        raise ValueError(
            f"make_churn needs n_customers >= 1 and n_months >= 1, got {n_customers} and {n_months}"
        )
    if not 0.0 < monthly_churn < 1.0:
        raise ValueError(f"monthly_churn must be in (0, 1), got {monthly_churn}")
    if feature_drift < 0.0:
        raise ValueError(f"feature_drift must be >= 0, got {feature_drift}")
    if not 0.0 <= concept_drift <= 1.0:
        raise ValueError(f"concept_drift must be in [0, 1], got {concept_drift}")
    rng = np.random.default_rng(seed)
    drift_rng = np.random.default_rng([seed, 1])  # separate stream: no drift = same draws
    n = n_customers

    # Static profile.
    tenure0 = rng.integers(0, 72, n)
    age = rng.normal(42, 13, n).clip(18, 90).round()
    plan = rng.choice(len(PLANS), n, p=[0.40, 0.30, 0.18, 0.12])
    contract = (rng.random(n) < 0.35).astype(np.int64)  # 1 = annual
    payment = rng.choice(len(_PAYMENTS), n, p=[0.5, 0.3, 0.15, 0.05])
    zip_rank = np.minimum(rng.zipf(1.3, n), _N_ZIPS) - 1
    zip_code = 10_000 + (zip_rank * 7_919) % 89_999
    zip_risk = rng.normal(0, 0.35, _N_ZIPS)[zip_rank]  # regional effect the model can learn
    base_logins = rng.gamma(3.0, 6.0, n) + 1.0
    regularity = rng.uniform(0.15, 0.6, n)  # coefficient of variation of monthly usage
    tickets_rate = rng.gamma(1.2, 0.25, n)

    # Latent risk -> monthly hazard scaled so the mean hazard is about `monthly_churn`.
    risk = (
        -0.025 * np.minimum(tenure0, 48)
        + 0.5 * (plan == 0)
        - 0.3 * (plan == 3)
        - 0.9 * contract
        + 0.4 * (payment == 3)
        + 1.2 * tickets_rate
        - 0.35 * np.log(base_logins)
        + zip_risk
        + rng.normal(0, 0.5, n)
    )
    if concept_drift > 0.0:
        swapped = drift_rng.random(n) < concept_drift
        risk = np.where(swapped, risk[drift_rng.permutation(n)], risk)
    logit = np.log(monthly_churn / (1 - monthly_churn))
    hazard = 1.0 / (1.0 + np.exp(-(logit + risk - np.mean(risk))))
    hazard = hazard.clip(0.005, 0.8)
    # Month index (0-based) after which the customer cancels; >= n_months means censored.
    u = rng.random(n)
    last_month = np.floor(np.log1p(-u) / np.log1p(-hazard)).astype(np.int64)

    n_rows = np.minimum(last_month, n_months - 1) + 1
    cust = np.repeat(np.arange(n), n_rows)
    month = np.arange(len(cust)) - np.repeat(np.cumsum(n_rows) - n_rows, n_rows)
    months_to_cancel = last_month[cust] - month  # 0 in the cancellation month

    # Activity declines in the three months before cancelling.
    decline = np.where(months_to_cancel < 3, 0.35 + 0.2 * months_to_cancel, 1.0)
    logins = rng.poisson(base_logins[cust] * decline * rng.lognormal(0.0, regularity[cust]))
    del decline
    minutes = np.round(logins * rng.gamma(4.0, 9.0, len(cust)), 1)
    tickets = rng.poisson(tickets_rate[cust] * np.where(months_to_cancel < 2, 2.5, 1.0))
    days_since_login = np.where(
        logins > 0, rng.integers(0, 10, len(cust)), 30 + rng.integers(0, 15, len(cust))
    )
    if feature_drift > 0.0:  # recorded inputs move; the churn mechanism above does not
        age = np.clip(age + np.round(10.0 * feature_drift), 18, 90)
        minutes = np.round(minutes * (1.0 + feature_drift), 1)
        to_paypal = (payment == 0) & (drift_rng.random(n) < min(feature_drift, 1.0) / 2)
        payment = np.where(to_paypal, _PAYMENTS.index("paypal"), payment)

    columns = {
        "customer_id": (1_000_000 + cust).astype(np.int64),
        "snapshot_month": month,  # month index; dates are made after rows are selected
        "tenure_months": (tenure0[cust] + month).astype(np.int64),
        "age": age[cust],
        "plan": plan[cust],  # codes; strings are made after rows are selected
        "contract": contract[cust],
        "payment_method": payment[cust],
        "zip_code": zip_code[cust],
        "monthly_fee": _PLAN_FEE[plan[cust]],
        "logins": logins.astype(np.int64),
        "minutes_used": minutes,
        "support_tickets": tickets.astype(np.int64),
        "days_since_last_login": days_since_login.astype(np.int64),
    }
    del cust, logins, minutes, tickets, days_since_login
    # Realistic holes: unknown age, missing payment method, unlogged minutes (-1 = missing code).
    columns["age"][rng.random(len(month)) < 0.04] = np.nan
    columns["payment_method"][rng.random(len(month)) < 0.02] = -1
    columns["minutes_used"][rng.random(len(month)) < 0.01] = np.nan
    return columns, months_to_cancel


_LABELS = {"plan": PLANS, "contract": _CONTRACTS, "payment_method": _PAYMENTS}


def _frame(
    columns: dict[str, np.ndarray], rows: np.ndarray | None, start: str, n_months: int
) -> pd.DataFrame:
    """Build the frame from :func:`_simulate`'s columns, keeping ``rows`` (a mask) if given.

    Columns are selected and converted one at a time and the full-length array is dropped right
    away, so the peak is the panel arrays plus one column, not two whole frames.
    """
    data = {}
    with Progress("make_churn", len(columns), logger=log, unit="columns") as progress:
        for name in list(columns):
            values = columns.pop(name)
            if rows is not None:
                values = values[rows]
            if name == "snapshot_month":
                values = _month_starts(start, n_months)[values]
            elif name in _LABELS:  # codes -> strings; -1 -> missing
                labels = np.asarray([*_LABELS[name], None], dtype=object)
                values = labels[values]
            elif name == "zip_code":
                values = values.astype(str)
            data[name] = values
            progress.update(1)
    return pd.DataFrame(data, copy=False)


def make_churn(
    n_customers: int = 100_000,
    n_months: int = 12,
    seed: int = 0,
    horizon: int = 3,
    start: str = "2024-01-01",
    monthly_churn: float = 0.10,
    *,
    feature_drift: float = 0.0,
    label_drift: float = 0.0,
    concept_drift: float = 0.0,
) -> pd.DataFrame:
    """Labelled churn table: the panel plus ``churn`` = cancels within the next ``horizon`` months.

    A snapshot (customer, month t) is positive when the customer cancels at the end of a month in
    ``(t, t + horizon]``. Snapshots whose horizon runs past the last month of data are dropped (their
    label is unknown), so no censored customer is wrongly labelled as staying.

    Example:
        >>> df = make_churn(n_customers=2_000, n_months=8, seed=0)
        >>> bool(0.1 < df["churn"].mean() < 0.45)
        True
    """
    if horizon < 1:
        raise ValueError(f"horizon must be >= 1, got {horizon}")
    if n_months <= horizon:
        raise ValueError(
            f"n_months ({n_months}) must exceed horizon ({horizon}) to leave labelled snapshots"
        )
    columns, ahead = _simulate(
        n_customers, n_months, seed, start, monthly_churn, feature_drift, concept_drift
    )
    # A kept row's horizon ends inside the data, so "cancels within it" is always observed.
    month = columns["snapshot_month"]
    churn = ((ahead >= 1) & (ahead <= horizon)).astype(np.int64)
    del ahead
    keep = month + horizon <= n_months - 1
    if label_drift:  # prior shift: thin out one class at random, P(X | Y) is untouched
        thinned = churn == (0 if label_drift > 0 else 1)
        draw = np.random.default_rng([seed, 2]).random(len(month))
        keep &= ~thinned | (draw < np.exp(-abs(label_drift)))
    columns["churn"] = churn
    return _frame(columns, keep, start, n_months)


def make_churn_batches(
    n_customers: int = 100_000,
    n_months: int = 12,
    seed: int = 0,
    horizon: int = 3,
    start: str = "2024-01-01",
    monthly_churn: float = 0.10,
    *,
    feature_drift: float = 0.0,
    label_drift: float = 0.0,
    concept_drift: float = 0.0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A reference table and a later batch: same generator, independent draws, drift on request.

    The batch covers the ``n_months`` that follow the reference period and only it gets the
    ``*_drift`` knobs; with all three at 0 it is a same-distribution batch (no drift to find).

    Example:
        >>> ref, cur = make_churn_batches(1_000, 6, seed=0, label_drift=0.7)
        >>> bool(cur["churn"].mean() > ref["churn"].mean() + 0.05)
        True
    """
    reference = make_churn(n_customers, n_months, seed, horizon, start, monthly_churn)
    later = _month_starts(start, n_months + 1)[-1].strftime("%Y-%m-%d")
    batch_seed = int(np.random.SeedSequence([seed, 2]).generate_state(1)[0])
    current = make_churn(
        n_customers,
        n_months,
        batch_seed,
        horizon,
        later,
        monthly_churn,
        feature_drift=feature_drift,
        label_drift=label_drift,
        concept_drift=concept_drift,
    )
    return reference, current


def _month_starts(start: str, n_months: int) -> pd.DatetimeIndex:
    return pd.date_range(
        pd.Timestamp(start).to_period("M").to_timestamp(), periods=n_months, freq="MS"
    )


SEGMENTS = ("persuadable", "sure_thing", "lost_cause", "sleeping_dog")


def _expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _segments(
    p_alone: np.ndarray, persuadable: np.ndarray, sleeping: np.ndarray, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """Segment draws and truths: ``persuadable`` is P(persuadable | would churn if left alone),
    ``sleeping`` is P(sleeping dog | would stay if left alone)."""
    shares = np.column_stack(
        [
            p_alone * persuadable,
            (1 - p_alone) * (1 - sleeping),
            p_alone * (1 - persuadable),
            (1 - p_alone) * sleeping,
        ]
    )
    codes = (rng.random(len(p_alone))[:, None] > np.cumsum(shares, axis=1)[:, :3]).sum(axis=1)
    p_contacted = shares[:, 2] + shares[:, 3]
    return {
        "segment": np.asarray(SEGMENTS, dtype=object)[codes],
        "p_churn_left_alone": p_alone,
        "p_churn_contacted": p_contacted,
        "true_effect": p_contacted - p_alone,
        "churned_if_left_alone": np.isin(codes, [0, 2]).astype(np.int64),
        "churned_if_contacted": np.isin(codes, [2, 3]).astype(np.int64),
    }


def make_campaign(
    n: int = 2_000,
    seed: int = 0,
    *,
    confounded: bool = False,
    n_campaigns: int = 1,
    target_fraction: float = 0.3,
    treatment_fraction: float = 0.5,
    random_fraction: float = 0.05,
    targeting_strength: float = 1.0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``n_campaigns`` simulated retention campaigns of ``n`` customers each, and their truth.

    Observed pre-campaign features: ``tenure_years``, ``usage_drop`` (drives churn risk) and
    ``engagement`` (persuadable when high, a sleeping dog when very low); ``score`` is a churn
    model's noisy estimate of P(churn | left alone). A randomized campaign (the default) targets
    the top ``target_fraction`` by score and draws the groups of :mod:`mlcore.experiment`: a
    ``random_fraction`` of everyone is ``random``, the other targeted customers are ``treatment``
    (share ``treatment_fraction``) or ``control``, the rest ``others``. A ``confounded`` campaign
    has no control or random group: marketing contacted customers with a probability that grows
    with ``usage_drop`` and ``engagement`` and falls with tenure (logistic in the features, times
    ``targeting_strength``), so a naive comparison is biased and propensity methods can recover
    the effect from the observed features.

    Returns one row per customer (``campaign``, ``customer_id`` unique across campaigns, the
    features, ``score``, ``targeted``, ``group``, ``contacted``, ``churned``, the ``segment``, both
    churn probabilities, ``true_effect`` and both potential outcomes), and per campaign the
    ``true_effect`` averaged over the ``targeted`` rows of the treatment and control groups
    (``effect_randomized``), over the contacted (``effect_on_contacted``) and over all (``ate``).

    Example:
        >>> rows, truth = make_campaign(1_000, seed=0)
        >>> sorted(set(rows["group"])), bool(truth["effect_randomized"].iloc[0] < 0)
        (['control', 'others', 'random', 'treatment'], True)
    """
    if n < 10 or n_campaigns < 1:
        raise ValueError(
            f"make_campaign needs n >= 10 and n_campaigns >= 1, got {n}, {n_campaigns}"
        )
    if not (0 < target_fraction <= 1 and 0 <= treatment_fraction <= 1 and 0 <= random_fraction < 1):
        raise ValueError(
            "make_campaign needs 0 < target_fraction <= 1, 0 <= treatment_fraction <= 1 and "
            f"0 <= random_fraction < 1, got {target_fraction}, {treatment_fraction}, {random_fraction}"
        )
    rng = np.random.default_rng([seed, 17])
    size = n * n_campaigns
    tenure = rng.gamma(2.0, 1.5, size)
    usage_drop, engagement = rng.normal(size=size), rng.normal(size=size)
    tenure_z = (tenure - 3.0) / 2.1
    risk = 0.9 * usage_drop - 0.5 * tenure_z
    p_alone = _expit(-1.1 + risk)
    truth = _segments(
        p_alone,
        0.7 * _expit(1.5 * engagement - 1.2 * (risk - 0.3)),
        0.2 * _expit(-1.5 * engagement - 1.5),
        rng,
    )
    score = _expit(np.log(p_alone / (1 - p_alone)) + rng.normal(0.0, 0.4, size))
    groups = np.full(size, "others", dtype=object)
    if confounded:
        lean = 0.9 * usage_drop + 0.6 * engagement - 0.4 * tenure_z
        logit = np.log(target_fraction / (1 - target_fraction)) if target_fraction < 1 else 30.0
        targeted = rng.random(size) < _expit(logit + targeting_strength * lean)
        groups[targeted] = "treatment"
    else:
        order = np.argsort(-score.reshape(n_campaigns, n), axis=1, kind="stable")
        top = np.zeros((n_campaigns, n), dtype=bool)
        np.put_along_axis(top, order[:, : max(1, round(target_fraction * n))], True, axis=1)
        targeted = top.ravel()
        arm = rng.random(size) < treatment_fraction
        groups[targeted] = np.where(arm[targeted], "treatment", "control")
        groups[rng.random(size) < random_fraction] = "random"
    contacted = np.isin(groups, ["treatment", "random"]).astype(np.int64)
    rows = pd.DataFrame(
        {
            "campaign": np.repeat(np.arange(n_campaigns), n),
            "customer_id": np.arange(size, dtype=np.int64),
            "tenure_years": tenure.round(2),
            "usage_drop": usage_drop,
            "engagement": engagement,
            "score": score,
            "targeted": targeted,
            "group": groups,
            "contacted": contacted,
            "churned": np.where(
                contacted == 1, truth["churned_if_contacted"], truth["churned_if_left_alone"]
            ),
            **truth,
        }
    )
    arms = rows["targeted"] & rows["group"].isin(["treatment", "control"])
    effect = rows["true_effect"]
    summary = pd.DataFrame(
        {
            "effect_randomized": effect.where(arms).groupby(rows["campaign"]).mean(),
            "effect_on_contacted": effect.where(contacted == 1).groupby(rows["campaign"]).mean(),
            "ate": effect.groupby(rows["campaign"]).mean(),
        }
    )
    return rows, summary.rename_axis("campaign").reset_index()


def campaign_outcomes(
    assignment: pd.DataFrame,
    seed: int = 0,
    *,
    entity_col: str = "customer_id",
    score_col: str = "score",
    group_col: str = "group",
    persuadable: float = 0.6,
    sleeping: float = 0.1,
) -> pd.DataFrame:
    """Simulated outcomes of an assigned campaign: its churn scores taken as P(churn | left alone).

    A would-be churner is persuadable with probability ``persuadable * (1 - score)`` (the riskiest
    are lost causes), a would-be stayer a sleeping dog with probability ``sleeping * (1 - score)``;
    ``treatment`` and ``random`` customers are contacted. Returns ``entity_col``, ``group_col``,
    ``churned``, ``segment`` and ``true_effect``: a demo table for ``make campaign-evaluate``.

    Example:
        >>> a = pd.DataFrame({"customer_id": [1, 2], "score": [0.9, 0.1],
        ...                   "group": ["treatment", "others"]})
        >>> campaign_outcomes(a)[["customer_id", "group", "churned"]].shape
        (2, 3)
    """
    missing = [c for c in (entity_col, score_col, group_col) if c not in assignment.columns]
    if missing:
        raise ValueError(f"campaign_outcomes: the assignment has no column(s) {missing}")
    p_alone = assignment[score_col].to_numpy(dtype=np.float64).clip(0.01, 0.99)
    rng = np.random.default_rng([seed, 18])
    truth = _segments(p_alone, persuadable * (1 - p_alone), sleeping * (1 - p_alone), rng)
    contacted = assignment[group_col].isin(["treatment", "random"]).to_numpy()
    churned = np.where(contacted, truth["churned_if_contacted"], truth["churned_if_left_alone"])
    return pd.DataFrame(
        {
            entity_col: assignment[entity_col].to_numpy(),
            group_col: assignment[group_col].to_numpy(),
            "churned": churned,
            "segment": truth["segment"],
            "true_effect": truth["true_effect"],
        }
    )
