"""The randomized comparison: churn rate of treatment minus control, and the incremental profit."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mlcore._frame import require_columns
from mlcore.errors import ConfigError, DataError
from mlcore.experiment._assign import ARMS

__all__ = [
    "CampaignEffect",
    "IncrementalProfit",
    "campaign_effect",
    "check_confidence",
    "incremental_profit",
    "outcome_values",
    "rate_difference",
]


def check_confidence(confidence: float, where: str) -> float:
    """``confidence`` if it is in (0, 1), else a :class:`ConfigError` naming ``where``."""
    if isinstance(confidence, bool) or not 0.0 < confidence < 1.0:
        raise ConfigError(f"{where}: confidence must be in (0, 1), got {confidence!r}")
    return float(confidence)


def outcome_values(outcomes: pd.DataFrame, column: str, where: str) -> np.ndarray:
    """The 0/1 outcome column as int64; a :class:`DataError` for anything else."""
    values = outcomes[column]
    if values.hasnans or not values.isin([0, 1]).all():
        raise DataError(f"{where}: outcome {column!r} must hold only 0 and 1")
    return values.to_numpy(dtype=np.int64)


def rate_difference(
    n_t: np.ndarray | float,
    p_t: np.ndarray | float,
    n_c: np.ndarray | float,
    p_c: np.ndarray | float,
    confidence: float = 0.95,
) -> dict[str, np.ndarray]:
    """``p_t - p_c`` with its Wald interval and pooled two-sided p-value; array-valued (vectorised).

    One call measures many campaigns at once (one entry per campaign), e.g. a simulation study.

    Example:
        >>> out = rate_difference(100, 0.1, 100, 0.2)
        >>> [round(float(out[k]), 4) for k in ("effect", "ci_low", "ci_high", "p_value")]
        [-0.1, -0.198, -0.002, 0.0477]
    """
    from scipy.stats import norm

    n_t, p_t, n_c, p_c = (np.asarray(v, dtype=np.float64) for v in (n_t, p_t, n_c, p_c))
    effect = p_t - p_c
    se = np.sqrt(p_t * (1 - p_t) / n_t + p_c * (1 - p_c) / n_c)
    half_width = norm.ppf(0.5 + confidence / 2) * se
    pooled = (p_t * n_t + p_c * n_c) / (n_t + n_c)
    pooled_se = np.sqrt(pooled * (1 - pooled) * (1 / n_t + 1 / n_c))
    with np.errstate(divide="ignore", invalid="ignore"):
        p_value = np.where(pooled_se > 0, 2 * norm.sf(np.abs(effect) / pooled_se), 1.0)
    return {
        "effect": effect,
        "se": se,
        "ci_low": effect - half_width,
        "ci_high": effect + half_width,
        "p_value": p_value,
    }


@dataclass(frozen=True)
class CampaignEffect:
    """Churn rate of treatment minus control, with a confidence interval and a p-value."""

    treatment_rate: float
    control_rate: float
    effect: float
    ci_low: float
    ci_high: float
    p_value: float
    n_treatment: int
    n_control: int
    confidence: float
    table: pd.DataFrame


def campaign_effect(
    outcomes: pd.DataFrame,
    *,
    group_col: str = "group",
    outcome_col: str = "churned",
    confidence: float = 0.95,
    arms: tuple[str, str] = ARMS,
) -> CampaignEffect:
    """The campaign's effect on churn: treatment rate minus control rate (negative = fewer churn).

    The interval is the normal (Wald) interval of a difference of two proportions; the p-value is
    the two-sided pooled two-proportion z-test. ``table`` gives rows, churners and churn rate for
    every group present. ``arms`` names the contacted and the left-alone group (e.g.
    ``("random", "others")`` for the effect on the customers the model did not select).

    Example:
        >>> df = pd.DataFrame({"group": ["treatment"] * 100 + ["control"] * 100,
        ...                    "churned": [1] * 10 + [0] * 90 + [1] * 20 + [0] * 80})
        >>> round(campaign_effect(df).effect, 2)
        -0.1
    """
    require_columns(outcomes, what="campaign_effect", group_col=group_col, outcome_col=outcome_col)
    check_confidence(confidence, "campaign_effect")
    churned = pd.Series(outcome_values(outcomes, outcome_col, "campaign_effect"), outcomes.index)
    table = (
        churned.groupby(outcomes[group_col])
        .agg(rows="size", churners="sum", churn_rate="mean")
        .rename_axis("group")
        .reset_index()
    )
    stats = []
    for arm in arms:
        row = table.loc[table["group"] == arm]
        if row.empty:
            raise DataError(f"campaign_effect: no {arm!r} rows in column {group_col!r}")
        stats.append((int(row["rows"].iloc[0]), float(row["churn_rate"].iloc[0])))
    (n_t, p_t), (n_c, p_c) = stats
    out = rate_difference(n_t, p_t, n_c, p_c, confidence)
    return CampaignEffect(
        treatment_rate=p_t,
        control_rate=p_c,
        effect=float(out["effect"]),
        ci_low=float(out["ci_low"]),
        ci_high=float(out["ci_high"]),
        p_value=float(out["p_value"]),
        n_treatment=n_t,
        n_control=n_c,
        confidence=confidence,
        table=table,
    )


@dataclass(frozen=True)
class IncrementalProfit:
    """What the campaign earned beyond leaving the customers alone, with a confidence interval.

    ``retained_value`` is the value kept per contacted customer (treatment minus control);
    ``per_contact`` subtracts the contact cost; ``total`` is ``per_contact * contacts``.
    """

    retained_value: float
    per_contact: float
    ci_low: float
    ci_high: float
    contacts: int
    total: float
    total_low: float
    total_high: float
    cost_per_contact: float
    value_per_success: float
    value_col: str | None
    confidence: float


def incremental_profit(
    outcomes: pd.DataFrame,
    cost_per_contact: float,
    value_per_success: float,
    *,
    group_col: str = "group",
    outcome_col: str = "churned",
    value_col: str | None = None,
    contacts: int | None = None,
    confidence: float = 0.95,
) -> IncrementalProfit:
    """Incremental profit of contacting the treatment group instead of leaving it alone.

    A customer who stays is worth ``value_per_success`` (or their own ``value_col``). The value
    kept per contact is the mean retained value of treatment minus control (a randomized
    difference of means, Wald interval); each contact costs ``cost_per_contact``. ``contacts``
    (default: the treatment group's size) scales it to a total. Without ``value_col`` the interval
    is ``value_per_success`` times :func:`campaign_effect`'s, sign flipped, minus the cost.

    Example:
        >>> df = pd.DataFrame({"group": ["treatment"] * 100 + ["control"] * 100,
        ...                    "churned": [1] * 10 + [0] * 90 + [1] * 20 + [0] * 80})
        >>> p = incremental_profit(df, cost_per_contact=5.0, value_per_success=100.0)
        >>> round(p.per_contact, 2), p.contacts, round(p.total, 2)
        (5.0, 100, 500.0)
    """
    from scipy.stats import norm

    require_columns(
        outcomes, what="incremental_profit", group_col=group_col, outcome_col=outcome_col
    )
    check_confidence(confidence, "incremental_profit")
    if cost_per_contact < 0 or value_per_success < 0:
        raise ConfigError(
            "incremental_profit: cost_per_contact and value_per_success must be >= 0, got "
            f"{cost_per_contact} and {value_per_success}"
        )
    kept = 1 - outcome_values(outcomes, outcome_col, "incremental_profit")
    if value_col is None:
        value = np.full(len(outcomes), float(value_per_success))
    else:
        require_columns(outcomes, what="incremental_profit", value_col=value_col)
        column = outcomes[value_col]
        if not pd.api.types.is_numeric_dtype(column) or column.hasnans:
            raise DataError(f"incremental_profit: value {value_col!r} must be numbers, no gaps")
        value = column.to_numpy(dtype=np.float64)
    retained = kept * value
    groups = outcomes[group_col].to_numpy()
    arms = []
    for arm in ARMS:
        chosen = retained[groups == arm]
        if not len(chosen):
            raise DataError(f"incremental_profit: no {arm!r} rows in column {group_col!r}")
        arms.append(chosen)
    treated, control = arms
    gained = float(treated.mean() - control.mean())
    se = float(np.sqrt(treated.var() / len(treated) + control.var() / len(control)))
    half = float(norm.ppf(0.5 + confidence / 2)) * se
    per_contact = gained - cost_per_contact
    n = len(treated) if contacts is None else int(contacts)
    return IncrementalProfit(
        retained_value=gained,
        per_contact=per_contact,
        ci_low=per_contact - half,
        ci_high=per_contact + half,
        contacts=n,
        total=n * per_contact,
        total_low=n * (per_contact - half),
        total_high=n * (per_contact + half),
        cost_per_contact=float(cost_per_contact),
        value_per_success=float(value_per_success),
        value_col=value_col,
        confidence=confidence,
    )
