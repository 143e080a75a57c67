"""The content of a campaign report: titled parts of text, one table and figures each.

Plain tuples ``(title, text, table, figures)``, the fields of :class:`mlcore.report.Section`, so
this primitive layer needs nothing of the report writer; :mod:`mlcore.campaign` writes them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from mlcore.experiment._evaluate import CampaignEvaluation
from mlcore.experiment._figures import campaign_figures

__all__ = ["report_parts"]

Part = tuple[str, str, pd.DataFrame | None, dict[str, Any]]


def _row(**values: Any) -> pd.DataFrame:
    return pd.DataFrame([values])


def _effect_parts(ev: CampaignEvaluation, conf: str) -> list[Part]:
    parts: list[Part] = []
    e, x, p = ev.effect, ev.exploration, ev.profit
    if e is not None:
        table = _row(treatment_rate=e.treatment_rate, control_rate=e.control_rate, effect=e.effect)
        table = table.assign(ci_low=e.ci_low, ci_high=e.ci_high, p_value=e.p_value)
        table = table.assign(n_treatment=e.n_treatment, n_control=e.n_control)
        text = (
            "Churn rate of treatment minus control (negative: fewer churners), randomized by "
            f"hash among the customers the model selected. Wald {conf} interval, z-test."
        )
        parts.append(("The campaign's effect (randomized: treatment vs control)", text, table, {}))
    if x is not None:
        table = _row(random_rate=x.treatment_rate, others_rate=x.control_rate, effect=x.effect)
        table = table.assign(ci_low=x.ci_low, ci_high=x.ci_high, n_random=x.n_treatment)
        text = (
            "Contacted (random) minus left alone (others) among the customers the model did not "
            "select: does the campaign help beyond the model's cutoff? Also randomized by hash."
        )
        parts.append(("Customers the model did not select (random vs others)", text, table, {}))
    if p is not None:
        worth = f"their {p.value_col}" if p.value_col else f"{p.value_per_success:g}"
        table = _row(retained_value_per_contact=p.retained_value, profit_per_contact=p.per_contact)
        table = table.assign(ci_low=p.ci_low, ci_high=p.ci_high, contacts=p.contacts)
        totals = {"total": p.total, "total_low": p.total_low, "total_high": p.total_high}
        table = table.assign(**{k: round(v) for k, v in totals.items()})
        text = (
            f"Value kept per contact (treatment minus control; a customer who stays is worth "
            f"{worth}) minus the cost per contact ({p.cost_per_contact:g}), times the contacts. "
            f"{conf} interval."
        )
        parts.append(("Incremental profit", text, table, {}))
    return parts


def _propensity_parts(
    ev: CampaignEvaluation, features: Sequence[str], figures: Mapping[str, Any]
) -> list[Part]:
    title = "Without the control group: propensity estimate (weaker evidence)"
    if ev.propensity is None:
        text = (
            f"Refused: {ev.propensity_refusal}. Without its control group this campaign could "
            "not have been measured: keep one."
        )
        return [(title, text, None, {})]
    r, e = ev.propensity, ev.effect
    rows = []
    if e is not None:
        rows.append(("randomized: treatment vs control", e.effect, e.ci_low, e.ci_high))
    rows += [
        ("propensity-weighted: contacted vs others", r.effect, r.ci_low, r.ci_high),
        ("naive: contacted vs others", r.naive_effect, r.naive_ci_low, r.naive_ci_high),
    ]
    table = pd.DataFrame(rows, columns=["estimate", "effect", "ci_low", "ci_high"])
    text = (
        "What an analysis without the control group says: a logistic propensity of contact on "
        f"the churn score and {list(features) or 'no other feature'}, trimmed to "
        f"[{r.trim:g}, {1 - r.trim:g}] ({r.trimmed_treated} contacted and {r.trimmed_control} "
        f"left-alone customers dropped), the left alone weighted to resemble the contacted "
        f"(effective size {r.ess_control:.0f}); effect on the contacted kept. Weaker evidence "
        "than a randomized interval: it assumes no confounder outside these features."
    )
    figures = {k: v for k, v in figures.items() if k == "propensity"}
    balance = "Standardized mean differences before and after weighting (|SMD| < 0.1: balanced)."
    overlap_text = "Propensity of contact by arm; outside = share beyond the trimming bounds."
    return [
        (title, text, table, figures),
        ("Propensity overlap", overlap_text, r.overlap, {}),
        ("Propensity balance", balance, r.balance, {}),
    ]


def report_parts(
    ev: CampaignEvaluation,
    overview: Mapping[str, Any],
    *,
    confidence: float = 0.95,
    features: Sequence[str] = (),
) -> list[Part]:
    """The report of :func:`~mlcore.experiment.evaluate_campaign`'s result, as section tuples.

    ``overview`` (item -> value: model, scored batch, selection…) heads the verdict section.

    Example:
        >>> from mlcore.experiment import CampaignEvaluation
        >>> ev = CampaignEvaluation(pd.DataFrame({"group": [], "churn_rate": []}), None, None,
        ...                         None, None, None, "no data")
        >>> [part[0] for part in report_parts(ev, {"model": "m v1"})][:2]
        ['Verdict', 'Churn rate per group']
    """
    conf = f"{confidence:.0%}"
    figures = campaign_figures(ev)
    lines = []
    e, p, rates = ev.effect, ev.profit, ev.groups.set_index("group")["churn_rate"]
    if e is not None:
        lines.append(
            f"Contact changed the churn rate of the treatment group by {100 * e.effect:+.2f} "
            f"points ({conf} interval {100 * e.ci_low:+.2f} to {100 * e.ci_high:+.2f}, p = "
            f"{e.p_value:.3g}) against the control group left alone."
        )
    if {"control", "others"} <= set(rates.index):
        lines.append(
            f"Left alone, the model's selection churned at {rates['control']:.1%} and the "
            f"customers it did not select at {rates['others']:.1%}."
        )
    if p is not None:
        lines.append(
            f"Incremental profit {p.total:,.0f} ({conf} interval {p.total_low:,.0f} to "
            f"{p.total_high:,.0f}) for {p.contacts} contacts."
        )
    if ev.uplift is not None:
        lines.append(ev.uplift.verdict)
    lines += ev.notes
    overview_table = pd.DataFrame(
        {"item": list(overview), "value": [str(v) for v in overview.values()]}
    )
    parts: list[Part] = [
        ("Verdict", " ".join(lines), overview_table, {}),
        (
            "Churn rate per group",
            "Treatment and control: customers the model selected, contacted or left alone. "
            "Random: drawn from everyone and contacted, split by whether the model selected "
            "them. Others: not selected, not contacted.",
            ev.groups,
            {},
        ),
        *_effect_parts(ev, conf),
    ]
    u = ev.uplift
    if u is not None:
        text = (
            f"{u.verdict} Uplift = churn prevented by contact (left-alone churn minus contacted "
            f"churn), by decile of the churn score (1 = highest). Predicted: a two-model "
            f"T-learner, cross-fitted, on {u.rows} customers; observed: the rates in the decile, "
            "weighted by the inverse probability of each customer's arm. Point estimates: "
            "noisy on a small campaign."
        )
        drawn = {k: v for k, v in figures.items() if k != "propensity"}
        parts.append(("Uplift by churn-score decile (T-learner)", text, u.deciles, drawn))
    return parts + _propensity_parts(ev, features, figures)
