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

Example:
    >>> import numpy as np
    >>> groups = assign_groups(np.arange(6), targeted=np.array([True] * 3 + [False] * 3))
    >>> set(groups[:3]) <= {"treatment", "control"}, set(groups[3:])
    (True, {'others'})
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mlcore._frame import require_columns
from mlcore.errors import ConfigError, DataError
from mlcore.split import Ids, check_fractions, hash_codes

__all__ = ["ARMS", "DEFAULT_SALT", "GROUPS", "CampaignEffect", "assign_groups", "campaign_effect"]

ARMS = ("treatment", "control")
GROUPS = ("treatment", "control", "random", "others")
DEFAULT_SALT = "campaign"
_DEFAULT_ARMS: Mapping[str, float] = {"treatment": 0.8, "control": 0.2}
# Hash codes: 0 = random, 1 = treatment, 2 = control; 3 = others (untargeted, not random).
_CODE_LABELS = np.asarray(["random", "treatment", "control", "others"], dtype=object)


def assign_groups(
    ids: Ids,
    fractions: Mapping[str, float] = _DEFAULT_ARMS,
    *,
    targeted: np.ndarray | pd.Series | None = None,
    random_fraction: float = 0.0,
    salt: str = DEFAULT_SALT,
) -> np.ndarray:
    """Stable campaign group of each id: ``treatment``, ``control``, ``random`` or ``others``.

    ``targeted`` (a boolean mask; default: everyone) marks the population the campaign selects;
    ``fractions`` split it into treatment and control, after ``random_fraction`` of the whole
    population is set aside as the random group.

    Example:
        >>> assign_groups(["a", "b"], {"treatment": 1.0}).tolist()
        ['treatment', 'treatment']
    """
    arms = check_fractions(fractions, ARMS, what="campaign fractions")
    if isinstance(random_fraction, bool) or not 0.0 <= random_fraction < 1.0:
        raise ConfigError(f"campaign random_fraction must be in [0, 1), got {random_fraction!r}")
    rest = 1.0 - random_fraction
    codes = hash_codes(ids, [random_fraction, rest * arms[0], rest * arms[1]], salt)
    if targeted is not None:
        mask = np.asarray(targeted)
        if mask.dtype != bool or mask.shape != codes.shape:
            raise DataError(
                f"assign_groups: targeted must be a boolean mask of {len(codes)} values, "
                f"got dtype {mask.dtype} and shape {mask.shape}"
            )
        codes[~mask & (codes != 0)] = 3
    return _CODE_LABELS.take(codes)


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
) -> CampaignEffect:
    """The campaign's effect on churn: treatment rate minus control rate (negative = fewer churn).

    The interval is the normal (Wald) interval of a difference of two proportions; the p-value is
    the two-sided pooled two-proportion z-test. ``table`` gives rows, churners and churn rate for
    every group present.

    Example:
        >>> df = pd.DataFrame({"group": ["treatment"] * 100 + ["control"] * 100,
        ...                    "churned": [1] * 10 + [0] * 90 + [1] * 20 + [0] * 80})
        >>> round(campaign_effect(df).effect, 2)
        -0.1
    """
    from scipy.stats import norm

    require_columns(outcomes, what="campaign_effect", group_col=group_col, outcome_col=outcome_col)
    if not 0.0 < confidence < 1.0:
        raise ConfigError(f"campaign_effect: confidence must be in (0, 1), got {confidence!r}")
    churned = outcomes[outcome_col]
    if churned.hasnans or not churned.isin([0, 1]).all():
        raise DataError(f"campaign_effect: outcome {outcome_col!r} must hold only 0 and 1")
    table = (
        churned.astype(np.int64)
        .groupby(outcomes[group_col])
        .agg(rows="size", churners="sum", churn_rate="mean")
        .rename_axis("group")
        .reset_index()
    )
    stats: dict[str, Any] = {}
    for arm in ARMS:
        row = table.loc[table["group"] == arm]
        if row.empty:
            raise DataError(f"campaign_effect: no {arm!r} rows in column {group_col!r}")
        stats[arm] = (int(row["rows"].iloc[0]), float(row["churn_rate"].iloc[0]))
    (n_t, p_t), (n_c, p_c) = stats["treatment"], stats["control"]
    effect = p_t - p_c
    half_width = norm.ppf(0.5 + confidence / 2) * np.sqrt(
        p_t * (1 - p_t) / n_t + p_c * (1 - p_c) / n_c
    )
    pooled = (p_t * n_t + p_c * n_c) / (n_t + n_c)
    pooled_se = np.sqrt(pooled * (1 - pooled) * (1 / n_t + 1 / n_c))
    p_value = float(2 * norm.sf(abs(effect) / pooled_se)) if pooled_se > 0 else 1.0
    return CampaignEffect(
        treatment_rate=p_t,
        control_rate=p_c,
        effect=effect,
        ci_low=float(effect - half_width),
        ci_high=float(effect + half_width),
        p_value=p_value,
        n_treatment=n_t,
        n_control=n_c,
        confidence=confidence,
        table=table,
    )
