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

Example:
    >>> from mlcore.datasets import make_churn
    >>> df = make_churn(n_customers=1_000, n_months=6, seed=0)
    >>> sorted(df.columns)[:3]
    ['age', 'churn', 'contract']
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["PLANS", "make_churn", "make_churn_batches", "make_churn_panel"]

PLANS = ("basic", "standard", "premium", "family")
_PLAN_FEE = np.array([9.99, 14.99, 24.99, 29.99])
_CONTRACTS = ("monthly", "annual")
_PAYMENTS = ("card", "direct_debit", "paypal", "invoice")
_N_ZIPS = 3_000


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
    first_row = np.repeat(np.cumsum(n_rows) - n_rows, n_rows)
    month = np.arange(len(cust)) - first_row
    months_to_cancel = last_month[cust] - month  # 0 in the cancellation month

    # Activity declines in the three months before cancelling.
    decline = np.where(months_to_cancel < 3, 0.35 + 0.2 * months_to_cancel, 1.0)
    noise = rng.lognormal(0.0, regularity[cust])
    logins = rng.poisson(base_logins[cust] * decline * noise)
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

    frame = pd.DataFrame(
        {
            "customer_id": (1_000_000 + cust).astype(np.int64),
            "snapshot_month": _month_starts(start, n_months)[month],
            "tenure_months": (tenure0[cust] + month).astype(np.int64),
            "age": age[cust],
            "plan": pd.Categorical.from_codes(plan[cust], PLANS).astype(str),
            "contract": np.asarray(_CONTRACTS, dtype=object)[contract[cust]],
            "payment_method": np.asarray(_PAYMENTS, dtype=object)[payment[cust]],
            "zip_code": zip_code[cust].astype(str),
            "monthly_fee": _PLAN_FEE[plan[cust]],
            "logins": logins.astype(np.int64),
            "minutes_used": minutes,
            "support_tickets": tickets.astype(np.int64),
            "days_since_last_login": days_since_login.astype(np.int64),
            "cancelled": (months_to_cancel == 0).astype(np.int64),
        }
    )

    # Realistic holes: unknown age, missing payment method, unlogged minutes.
    frame.loc[rng.random(len(frame)) < 0.04, "age"] = np.nan
    frame.loc[rng.random(len(frame)) < 0.02, "payment_method"] = None
    frame.loc[rng.random(len(frame)) < 0.01, "minutes_used"] = np.nan
    return frame


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
    panel = make_churn_panel(
        n_customers,
        n_months,
        seed,
        start,
        monthly_churn,
        feature_drift=feature_drift,
        concept_drift=concept_drift,
    )
    month = _month_index(panel["snapshot_month"], start)
    cancel_month = (
        panel["snapshot_month"]
        .where(panel["cancelled"] == 1)
        .groupby(panel["customer_id"])
        .transform("max")
    )
    cancel_idx = _month_index(cancel_month, start)
    ahead = cancel_idx - month
    churn = ((ahead >= 1) & (ahead <= horizon)).astype(np.int64)
    keep = month + horizon <= n_months - 1
    if label_drift:  # prior shift: thin out one class at random, P(X | Y) is untouched
        thinned = churn == (0 if label_drift > 0 else 1)
        draw = np.random.default_rng([seed, 2]).random(len(panel))
        keep &= ~thinned | (draw < np.exp(-abs(label_drift)))
    out = panel.loc[keep].drop(columns="cancelled").assign(churn=churn[keep])
    return out.reset_index(drop=True)


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


def _month_index(dates: pd.Series, start: str) -> np.ndarray:
    origin = pd.Timestamp(start).to_period("M").to_timestamp()
    years = dates.dt.year.to_numpy(dtype=float) - origin.year
    return years * 12 + dates.dt.month.to_numpy(dtype=float) - origin.month
