"""The synthetic churn panel (see :mod:`mlcore.datasets`)."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from mlcore._progress import Progress

__all__ = ["PLANS", "make_churn", "make_churn_batches", "make_churn_panel", "prior_shift"]

PLANS = ("basic", "standard", "premium", "family")
_PLAN_FEE = np.array([9.99, 14.99, 24.99, 29.99])
_CONTRACTS = ("monthly", "annual")
_PAYMENTS = ("card", "direct_debit", "paypal", "invoice")
_N_ZIPS = 3_000

log = logging.getLogger("mlcore.datasets")  # the package's name in the log lines


def make_churn_panel(
    n_customers: int = 100_000,
    n_months: int = 12,
    seed: int = 0,
    start: str = "2024-01-01",
    monthly_churn: float = 0.10,
    *,
    signal: float = 1.0,
    feature_drift: float = 0.0,
    concept_drift: float = 0.0,
) -> pd.DataFrame:
    """Monthly activity panel: one row per customer and month while the customer is active.

    ``cancelled`` is 1 on the last row of a customer who cancels at the end of that month; a
    customer still active in the last month is censored (never ``cancelled``). ``signal`` (> 0,
    1 by default) sets how far churners stand out: the spread of the latent risk is scaled by its
    square root and the pre-cancellation decline of activity and surge of tickets are raised to
    its power (the template's demo uses 3). The ``*_drift`` knobs are described in the module docstring; they draw from their own random stream, so the
    other columns keep their values.

    Example:
        >>> panel = make_churn_panel(n_customers=100, n_months=3, seed=1)
        >>> int(panel.groupby("customer_id")["cancelled"].sum().max())
        1
    """
    columns, months_to_cancel = _simulate(
        n_customers, n_months, seed, start, monthly_churn, signal, feature_drift, concept_drift
    )
    columns["cancelled"] = (months_to_cancel == 0).astype(np.int64)
    return _frame(columns, None, start, n_months)


def _simulate(
    n_customers: int,
    n_months: int,
    seed: int,
    start: str,
    monthly_churn: float,
    signal: float,
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
    if signal <= 0.0:
        raise ValueError(f"signal must be > 0, got {signal}")
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
    spread = np.sqrt(signal) * (risk - np.mean(risk))  # signal > 1: risk profiles further apart
    hazard = 1.0 / (1.0 + np.exp(-(logit + spread)))
    hazard = hazard.clip(0.005, 0.8)
    # Month index (0-based) after which the customer cancels; >= n_months means censored.
    u = rng.random(n)
    last_month = np.floor(np.log1p(-u) / np.log1p(-hazard)).astype(np.int64)

    n_rows = np.minimum(last_month, n_months - 1) + 1
    cust = np.repeat(np.arange(n), n_rows)
    month = np.arange(len(cust)) - np.repeat(np.cumsum(n_rows) - n_rows, n_rows)
    months_to_cancel = last_month[cust] - month  # 0 in the cancellation month

    # Activity declines in the three months before cancelling (deeper for signal > 1).
    decline = np.where(months_to_cancel < 3, 0.35 + 0.2 * months_to_cancel, 1.0) ** signal
    logins = rng.poisson(base_logins[cust] * decline * rng.lognormal(0.0, regularity[cust]))
    del decline
    minutes = np.round(logins * rng.gamma(4.0, 9.0, len(cust)), 1)
    tickets = rng.poisson(tickets_rate[cust] * np.where(months_to_cancel < 2, 2.5, 1.0) ** signal)
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


def _strings(codes: np.ndarray, levels: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """``levels[codes]`` as pandas' string dtype (-1: missing), taken by pyarrow from the codes
    (a dictionary array decoded in C) instead of one Python string per row."""
    import pyarrow as pa

    missing = codes < 0
    indices = pa.array(np.where(missing, 0, codes).astype(np.int32), mask=missing)
    decoded = pa.DictionaryArray.from_arrays(indices, pa.array(levels, type=pa.large_string()))
    return pd.Series(decoded.cast(pa.large_string()), dtype=pd.StringDtype(na_value=np.nan)).array


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
                values = _strings(values, np.asarray(_LABELS[name]))
            elif name == "zip_code":
                levels, codes = np.unique(values, return_inverse=True)
                values = _strings(codes, levels.astype(str))
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
    signal: float = 1.0,
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
        n_customers, n_months, seed, start, monthly_churn, signal, feature_drift, concept_drift
    )
    # A kept row's horizon ends inside the data, so "cancels within it" is always observed.
    month = columns["snapshot_month"]
    churn = ((ahead >= 1) & (ahead <= horizon)).astype(np.int64)
    del ahead
    keep = month + horizon <= n_months - 1
    if label_drift:
        keep &= prior_shift(churn, label_drift, seed)
    columns["churn"] = churn
    return _frame(columns, keep, start, n_months)


def prior_shift(churn: np.ndarray, label_drift: float, seed: int) -> np.ndarray:
    """The rows kept by a prior shift: one class thinned out at random, P(X | Y) untouched.

    The odds of ``churn == 1`` are multiplied by ``exp(label_drift)`` (negatives dropped when
    positive, positives when negative).

    Example:
        >>> y = np.array([0, 1] * 500)
        >>> round(float(y[prior_shift(y, 0.7, seed=0)].mean()), 2)
        0.64
    """
    thinned = np.asarray(churn) == (0 if label_drift > 0 else 1)
    draw = np.random.default_rng([seed, 2]).random(len(thinned))
    return ~thinned | (draw < np.exp(-abs(label_drift)))


def make_churn_batches(
    n_customers: int = 100_000,
    n_months: int = 12,
    seed: int = 0,
    horizon: int = 3,
    start: str = "2024-01-01",
    monthly_churn: float = 0.10,
    *,
    signal: float = 1.0,
    feature_drift: float = 0.0,
    label_drift: float = 0.0,
    concept_drift: float = 0.0,
    table: str = "churn",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A reference table and a later batch: same generator, independent draws, drift on request.

    The batch covers the ``n_months`` that follow the reference period and only it gets the
    ``*_drift`` knobs; with all three at 0 it is a same-distribution batch (no drift to find).
    ``table="churn_panel"``: raw panels (:func:`make_churn_panel`; ``horizon`` and
    ``label_drift`` do not apply: label them, then thin them with :func:`prior_shift`).

    Example:
        >>> ref, cur = make_churn_batches(1_000, 6, seed=0, label_drift=0.7)
        >>> bool(cur["churn"].mean() > ref["churn"].mean() + 0.05)
        True
    """
    later = _month_starts(start, n_months + 1)[-1].strftime("%Y-%m-%d")
    batch_seed = int(np.random.SeedSequence([seed, 2]).generate_state(1)[0])
    if table == "churn_panel":
        if label_drift:
            raise ValueError("label_drift needs labels: label the panel, then use prior_shift")
        drifts = {"feature_drift": feature_drift, "concept_drift": concept_drift}
        return (
            make_churn_panel(n_customers, n_months, seed, start, monthly_churn, signal=signal),
            make_churn_panel(
                n_customers, n_months, batch_seed, later, monthly_churn, signal=signal, **drifts
            ),
        )
    reference = make_churn(
        n_customers, n_months, seed, horizon, start, monthly_churn, signal=signal
    )
    current = make_churn(
        n_customers,
        n_months,
        batch_seed,
        horizon,
        later,
        monthly_churn,
        signal=signal,
        feature_drift=feature_drift,
        label_drift=label_drift,
        concept_drift=concept_drift,
    )
    return reference, current


def _month_starts(start: str, n_months: int) -> pd.DatetimeIndex:
    return pd.date_range(
        pd.Timestamp(start).to_period("M").to_timestamp(), periods=n_months, freq="MS"
    )
