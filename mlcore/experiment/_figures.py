"""The campaign report's figures (``matplotlib.figure.Figure``, no pyplot: safe in threads)."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["campaign_figures"]

_SIZE = (6.4, 4.2)


def _figure() -> Any:
    from matplotlib.figure import Figure  # matplotlib only when a report is drawn

    fig = Figure(figsize=_SIZE, layout="constrained")
    return fig, fig.add_subplot()


def campaign_figures(evaluation: Any) -> dict[str, Any]:
    """Figures of a :class:`~mlcore.experiment.CampaignEvaluation`: ``uplift_by_decile`` and
    ``qini`` (when an uplift estimate exists) and ``propensity`` (when a propensity estimate does).

    Example:
        >>> from mlcore.experiment import CampaignEvaluation
        >>> campaign_figures(CampaignEvaluation(None, None, None, None, None, None, None))
        {}
    """
    figures: dict[str, Any] = {}
    uplift = evaluation.uplift
    if uplift is not None:
        fig, ax = _figure()
        deciles = uplift.deciles
        x = deciles["bin"].to_numpy()
        ax.bar(x - 0.2, deciles["observed_uplift"], width=0.4, label="observed")
        ax.bar(x + 0.2, deciles["predicted_uplift"], width=0.4, label="T-learner (out of fold)")
        ax.axhline(0.0, color="#444", linewidth=0.8)
        ax.set(xlabel="churn-score decile (1 = highest risk)", ylabel="churn prevented by contact")
        ax.set_xticks(x)
        ax.set_title("Uplift by churn-score decile")
        ax.legend()
        figures["uplift_by_decile"] = fig
        fig, ax = _figure()
        for name, curve in uplift.qini.groupby("ranking", sort=False):
            ax.plot(curve["fraction"], curve["prevented"], label=f"ranked by {name}")
        first = uplift.qini.loc[uplift.qini["ranking"] == uplift.qini["ranking"].iloc[0]]
        ax.plot(first["fraction"], first["random"], "--", color="#888", label="random")
        ax.set(xlabel="share of customers contacted", ylabel="churn prevented per customer")
        ax.set_title("Qini curves")
        ax.legend()
        figures["qini"] = fig
    result = evaluation.propensity
    if result is not None:
        fig, ax = _figure()
        bins = np.linspace(0.0, 1.0, 41)
        for arm, name in ((1, "contacted"), (0, "left alone")):
            values = result.propensity[result.treated == arm]
            ax.hist(values, bins=bins, alpha=0.6, density=True, label=name)
        for edge in (result.trim, 1 - result.trim):
            ax.axvline(edge, color="#b00020", linewidth=0.8)
        ax.set(xlabel="propensity of contact", ylabel="density")
        ax.set_title("Overlap of the propensity scores (trimmed outside the red lines)")
        ax.legend()
        figures["propensity"] = fig
    return figures
