"""A finished campaign, read end to end: group rates, effect, profit, uplift, and the weaker evidence.

:func:`evaluate_campaign` takes one row per customer: the campaign group, the outcome, the churn
score the targeting used, whether the model selected the customer, and any pre-campaign features.
It returns the numbers of a campaign report (:class:`CampaignEvaluation`); drawing and writing the
report is the caller's (:mod:`mlcore.campaign`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from mlcore._frame import require_columns
from mlcore.errors import DataError
from mlcore.experiment._assign import GROUPS, contacted
from mlcore.experiment._effect import (
    CampaignEffect,
    IncrementalProfit,
    campaign_effect,
    incremental_profit,
    outcome_values,
)
from mlcore.experiment._propensity import PropensityEffect, propensity_effect
from mlcore.experiment._uplift import (
    TLearner,
    cross_fit_uplift,
    qini_coefficient,
    qini_curve,
    uplift_by_decile,
)

__all__ = ["CampaignEvaluation", "UpliftSummary", "evaluate_campaign"]

_UPLIFT = {
    "model": "logistic_regression",
    "folds": 5,
    "n_bins": 10,
    "seed": 0,
    "persuadable_share": 0.8,
}


@dataclass(frozen=True)
class UpliftSummary:
    """T-learner uplift by churn-score decile, Qini curves of both rankings, and the verdict.

    ``reaches`` is True when ranking by churn risk finds the persuadable customers about as well
    as the uplift model does, False when the uplift model finds them and the score does not (an
    uplift model is the next model to build), None when neither ranking beats random.
    """

    deciles: pd.DataFrame
    qini: pd.DataFrame
    qini_score: float
    qini_uplift: float
    reaches: bool | None
    verdict: str
    rows: int


@dataclass(frozen=True)
class CampaignEvaluation:
    """The numbers of a campaign report; ``None`` parts could not be measured (see ``notes``)."""

    groups: pd.DataFrame
    effect: CampaignEffect | None
    exploration: CampaignEffect | None
    profit: IncrementalProfit | None
    uplift: UpliftSummary | None
    propensity: PropensityEffect | None
    propensity_refusal: str | None
    notes: list[str] = field(default_factory=list)

    def metrics(self) -> dict[str, float]:
        """Flat numbers for a tracking run (``campaign_effect``, ``incremental_profit``, …)."""
        out: dict[str, float] = {}
        if self.effect is not None:
            e = self.effect
            out |= {"campaign_effect": e.effect, "campaign_effect_ci_low": e.ci_low}
            out |= {"campaign_effect_ci_high": e.ci_high, "campaign_p_value": e.p_value}
            out |= {"treatment_churn_rate": e.treatment_rate, "control_churn_rate": e.control_rate}
        if self.exploration is not None:
            out["exploration_effect"] = self.exploration.effect
        if self.profit is not None:
            p = self.profit
            out |= {"incremental_profit": p.total, "incremental_profit_ci_low": p.total_low}
            out |= {"incremental_profit_ci_high": p.total_high, "profit_per_contact": p.per_contact}
        if self.uplift is not None:
            out |= {
                "qini_churn_score": self.uplift.qini_score,
                "qini_uplift_model": self.uplift.qini_uplift,
            }
        if self.propensity is not None:
            out |= {"propensity_effect": self.propensity.effect}
            out |= {
                "propensity_ci_low": self.propensity.ci_low,
                "propensity_ci_high": self.propensity.ci_high,
            }
        return {k: float(v) for k, v in out.items() if np.isfinite(v)}


def _group_table(frame: pd.DataFrame, group_col: str, outcome_col: str) -> pd.DataFrame:
    selected = frame["_targeted"].map({True: "yes", False: "no"}).fillna("?")
    label = (
        frame[group_col]
        .astype(str)
        .where(frame[group_col] != "random", "random (selected: " + selected + ")")
    )
    table = (
        frame.assign(_label=label, _contacted=contacted(frame[group_col]))
        .groupby("_label", sort=False)
        .agg(
            rows=(outcome_col, "size"),
            churners=(outcome_col, "sum"),
            churn_rate=(outcome_col, "mean"),
            contacted=("_contacted", "max"),
        )
        .rename_axis("group")
        .reset_index()
    )
    order = [
        "treatment",
        "control",
        "random (selected: yes)",
        "random (selected: no)",
        "random (selected: ?)",
        "others",
    ]
    table["contacted"] = table["contacted"].map({1: "yes", 0: "no"})
    return (
        table.set_index("group").loc[[g for g in order if g in set(table["group"])]].reset_index()
    )


def _design_weights(t: np.ndarray, stratum: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Inverse probability of each row's arm within its stratum; rows of one-arm strata dropped."""
    weights, usable = np.zeros(len(t)), np.zeros(len(t), dtype=bool)
    for value in np.unique(stratum):
        rows = stratum == value
        share = t[rows].mean()
        if 0 < share < 1:
            usable |= rows
            weights[rows] = np.where(t[rows] == 1, 1 / share, 1 / (1 - share))
    return weights, usable


def _uplift(
    frame: pd.DataFrame, y: np.ndarray, features: list[str], settings: dict[str, Any]
) -> UpliftSummary:
    t = contacted(frame["_group"])
    weights, usable = _design_weights(t, frame["_targeted"].to_numpy())
    if not usable.any():
        raise DataError(
            "uplift: no stratum (selected / not selected) has both contacted and left-alone customers"
        )
    X = frame.loc[usable, features].to_numpy(dtype=np.float64)
    y, t, weights = y[usable], t[usable], weights[usable]
    score = frame.loc[usable, "_score"].to_numpy(dtype=np.float64)
    learner = TLearner(settings["model"], random_state=settings["seed"])
    oof = cross_fit_uplift(learner, X, y, t, folds=settings["folds"], seed=settings["seed"])
    deciles = uplift_by_decile(score, y, t, oof, weights=weights, n_bins=settings["n_bins"])
    curves = {
        "churn score": qini_curve(score, y, t, weights=weights),
        "uplift model": qini_curve(oof, y, t, weights=weights),
    }
    q_score, q_uplift = (qini_coefficient(c) for c in curves.values())
    qini = pd.concat([c.assign(ranking=name) for name, c in curves.items()], ignore_index=True)
    share = settings["persuadable_share"]
    if max(q_score, q_uplift) <= 0:
        reaches, verdict = (
            None,
            (
                "Neither the churn score nor the uplift model ranks the customers the campaign "
                "persuades above random: revisit the campaign (message, moment) before the model."
            ),
        )
    elif q_score > 0 and q_score >= share * q_uplift:
        reaches, verdict = (
            True,
            (
                f"Targeting by churn risk reaches the persuadable customers: ranking by the churn "
                f"score gains {q_score:.4f} over random (Qini), the uplift model {q_uplift:.4f}."
            ),
        )
    else:
        reaches, verdict = (
            False,
            (
                f"Targeting by churn risk misses persuadable customers: the uplift model's ranking "
                f"gains {q_uplift:.4f} over random (Qini), the churn score {q_score:.4f}. An uplift "
                "model (who reacts to the campaign, not who churns) is the next model to build."
            ),
        )
    return UpliftSummary(deciles, qini, q_score, q_uplift, reaches, verdict, int(usable.sum()))


def evaluate_campaign(
    frame: pd.DataFrame,
    *,
    cost_per_contact: float,
    value_per_success: float,
    group_col: str = "group",
    outcome_col: str = "churned",
    score_col: str = "score",
    targeted_col: str | None = "targeted",
    value_col: str | None = None,
    features: Sequence[str] = (),
    confidence: float = 0.95,
    uplift: dict[str, Any] | None = None,
    propensity: dict[str, Any] | None = None,
) -> CampaignEvaluation:
    """Evaluate a finished campaign (one row per customer; see the module docstring).

    Parts: the churn rate of each group (the random group split by whether the model selected
    the customer); treatment vs control (the randomized effect, with ``confidence``); random vs
    others among the customers the model did not select (the exploration effect); the incremental
    profit; a cross-fitted T-learner (``uplift``: ``model``, ``folds``, ``n_bins``, ``seed``,
    ``persuadable_share``) by score decile with Qini curves; and, as weaker evidence, the
    propensity estimate the campaign would have had without its control group (contacted vs
    others on the score and ``features``; ``propensity``: ``trim``, ``min_kept``, ``min_ess``), or
    the reason it is refused. Without a control group the propensity estimate is all there is.

    ``targeted_col`` (None: selected = treatment or control) marks the customers the model chose.
    """
    require_columns(
        frame,
        what="evaluate_campaign",
        group_col=group_col,
        outcome_col=outcome_col,
        score_col=score_col,
    )
    unknown = sorted(set(frame[group_col].astype(str)) - set(GROUPS))
    if unknown:
        raise DataError(
            f"evaluate_campaign: unknown group(s) {unknown} in column {group_col!r}; "
            f"use {list(GROUPS)}"
        )
    columns = ["_score", *_check_features(frame, features)]
    settings = {**_UPLIFT, **(uplift or {})}
    data = frame.assign(
        **{outcome_col: outcome_values(frame, outcome_col, "evaluate_campaign")},
        _group=frame[group_col].astype(str),
        _score=frame[score_col].astype(np.float64),
    )
    if targeted_col is None:
        by_group = {"treatment": True, "control": True, "others": False}
        data["_targeted"] = data["_group"].map(by_group)
    else:
        data["_targeted"] = frame[targeted_col].astype(bool)
    present, notes = set(data["_group"]), []
    groups = _group_table(data, "_group", outcome_col)
    effect = profit = exploration = summary = None
    arms = {"group_col": "_group", "outcome_col": outcome_col, "confidence": confidence}
    if {"treatment", "control"} <= present:
        effect = campaign_effect(data, **arms)
        profit = incremental_profit(
            data, cost_per_contact, value_per_success, value_col=value_col, **arms
        )
    else:
        notes.append("No randomized estimate: it needs both a treatment and a control group.")
    not_selected = data["_targeted"].eq(False) & data["_group"].isin(["random", "others"])
    if {"random", "others"} <= set(data.loc[not_selected, "_group"]):
        exploration = campaign_effect(data.loc[not_selected], arms=("random", "others"), **arms)
    else:
        notes.append(
            "No exploration effect: it needs outcomes of random and others customers the model "
            "did not select."
        )
    if effect is not None:
        known = data.dropna(subset=["_targeted"])
        try:
            summary = _uplift(known, known[outcome_col].to_numpy(), columns, settings)
        except DataError as exc:
            notes.append(f"No uplift estimate: {exc}")
    # The weaker evidence: what an analysis without the control group would have concluded.
    observational = data.loc[data["_group"] != "control"]
    observational = observational.assign(_contacted=contacted(observational["_group"]))
    result, refusal = None, None
    try:
        result = propensity_effect(
            observational,
            columns,
            treated_col="_contacted",
            outcome_col=outcome_col,
            confidence=confidence,
            **(propensity or {}),
        )
    except DataError as exc:  # OverlapError, or no left-alone customers besides the control
        refusal = str(exc)
    return CampaignEvaluation(groups, effect, exploration, profit, summary, result, refusal, notes)


def _check_features(frame: pd.DataFrame, features: Sequence[str]) -> list[str]:
    missing = [name for name in features if name not in frame.columns]
    if missing:
        raise DataError(f"evaluate_campaign: feature column(s) {missing} are not in the outcomes")
    text = [name for name in features if not pd.api.types.is_numeric_dtype(frame[name])]
    if text:
        raise DataError(
            f"evaluate_campaign: feature column(s) {text} are not numeric; encode them first"
        )
    return list(features)
