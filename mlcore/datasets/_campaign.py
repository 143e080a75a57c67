"""Simulated retention campaigns with a known, heterogeneous effect (see :mod:`mlcore.datasets`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["SEGMENTS", "campaign_outcomes", "make_campaign"]

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
