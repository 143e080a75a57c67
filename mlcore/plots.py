"""Evaluation plots as matplotlib Figures, drawn from the tables of :mod:`mlcore.evaluate` and
:mod:`mlcore.explain`.

Figures are built with ``matplotlib.figure.Figure`` (no pyplot, no global state, safe in threads
and servers); save one with ``fig.savefig(path_or_buffer, format="png")``. Functions that accept
several curves take a ``{name: table}`` mapping (e.g. model and baselines) or a single table.

Example:
    >>> import numpy as np
    >>> from mlcore.evaluate import lift_table
    >>> from mlcore.plots import lift_figure
    >>> fig = lift_figure(lift_table(np.array([0, 0, 1, 1]), np.array([0.1, 0.2, 0.8, 0.9]), 2))
    >>> fig.axes[0].get_ylabel()
    'lift'
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

__all__ = [
    "calibration_figure",
    "gains_figure",
    "importance_figure",
    "lift_figure",
    "profit_figure",
]

_SIZE = (6.4, 4.2)


def _named(tables: Mapping[str, pd.DataFrame] | pd.DataFrame, default: str) -> dict:
    if isinstance(tables, pd.DataFrame):
        return {default: tables}
    if not tables:
        raise ValueError("plots: no table to draw")
    return dict(tables)


def _require(table: pd.DataFrame, columns: list[str], what: str) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise KeyError(f"{what}: table lacks column(s) {missing}")


def lift_figure(table: pd.DataFrame, title: str = "Lift by score bin") -> Figure:
    """Bars of the lift of each bin and a line of the cumulative lift, from a lift table.

    Example:
        >>> t = pd.DataFrame({"bin": [1, 2], "lift": [1.8, 0.2], "cum_lift": [1.8, 1.0]})
        >>> len(lift_figure(t).axes[0].patches)
        2
    """
    _require(table, ["bin", "lift", "cum_lift"], "lift_figure")
    fig = Figure(figsize=_SIZE, layout="constrained")
    ax = fig.subplots()
    ax.bar(table["bin"], table["lift"], color="tab:blue", label="lift of the bin")
    ax.plot(table["bin"], table["cum_lift"], "o-", color="tab:orange", label="cumulative lift")
    ax.axhline(1.0, color="grey", linestyle="--", linewidth=1, label="random")
    ax.set(xlabel="score bin (1 = highest scores)", ylabel="lift", title=title)
    ax.set_xticks(table["bin"])
    ax.legend()
    return fig


def gains_figure(
    curves: Mapping[str, pd.DataFrame] | pd.DataFrame, title: str = "Cumulative gains"
) -> Figure:
    """Share of positives captured vs share of rows targeted, for one or more gains curves,
    with the random diagonal and the perfect model of the first curve.

    Example:
        >>> c = pd.DataFrame({"fraction": [0, 0.5, 1], "gain": [0, 0.9, 1], "count": [0, 50, 100],
        ...                   "positives": [0, 9, 10]})
        >>> len(gains_figure({"model": c}).axes[0].lines)
        3
    """
    named = _named(curves, "model")
    fig = Figure(figsize=_SIZE, layout="constrained")
    ax = fig.subplots()
    for name, curve in named.items():
        _require(curve, ["fraction", "gain"], "gains_figure")
        ax.plot(curve["fraction"], curve["gain"], label=name)
    first = next(iter(named.values()))
    if "positives" in first.columns and "count" in first.columns:
        base_rate = first["positives"].iloc[-1] / first["count"].iloc[-1]
        ax.plot([0, base_rate, 1], [0, 1, 1], color="green", linestyle=":", label="perfect")
    ax.plot([0, 1], [0, 1], color="grey", linestyle="--", label="random")
    ax.set(xlabel="share of rows targeted", ylabel="share of positives captured", title=title)
    ax.set(xlim=(0, 1), ylim=(0, 1.02))
    ax.legend()
    return fig


def calibration_figure(
    tables: Mapping[str, pd.DataFrame] | pd.DataFrame, title: str = "Reliability"
) -> Figure:
    """Observed positive rate vs mean predicted probability per bin (reliability diagram), with
    the diagonal of perfect calibration and, below, the number of rows per bin.

    Example:
        >>> t = pd.DataFrame({"mean_score": [0.1, 0.7], "observed_rate": [0.2, 0.6], "count": [5, 5]})
        >>> [ax.get_ylabel() for ax in calibration_figure(t).axes]
        ['observed positive rate', 'rows']
    """
    named = _named(tables, "model")
    fig = Figure(figsize=(_SIZE[0], _SIZE[1] * 1.3), layout="constrained")
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[3, 1])
    top.plot([0, 1], [0, 1], color="grey", linestyle="--", label="perfectly calibrated")
    for name, table in named.items():
        _require(table, ["mean_score", "observed_rate", "count"], "calibration_figure")
        filled = table[table["count"] > 0]
        top.plot(filled["mean_score"], filled["observed_rate"], "o-", label=name)
        bottom.plot(filled["mean_score"], filled["count"], "o", label=name)
    top.set(ylabel="observed positive rate", title=title, xlim=(0, 1), ylim=(0, 1))
    top.legend()
    bottom.set(xlabel="mean predicted probability", ylabel="rows")
    return fig


def profit_figure(
    curve: pd.DataFrame, best: pd.Series | None = None, title: str = "Expected campaign profit"
) -> Figure:
    """Expected profit vs share of rows contacted, from a profit curve, marking the best cutoff.

    Example:
        >>> c = pd.DataFrame({"fraction": [0, 0.5, 1], "profit": [0.0, 4.0, -2.0]})
        >>> len(profit_figure(c, c.loc[1]).axes[0].lines)
        3
    """
    _require(curve, ["fraction", "profit"], "profit_figure")
    fig = Figure(figsize=_SIZE, layout="constrained")
    ax = fig.subplots()
    ax.plot(curve["fraction"], curve["profit"], label="expected profit")
    ax.axhline(0.0, color="grey", linestyle="--", linewidth=1)
    if best is not None:
        ax.axvline(
            best["fraction"],
            color="tab:red",
            linestyle=":",
            label=f"best: contact {best['fraction']:.1%}, profit {best['profit']:,.0f}",
        )
    ax.set(xlabel="share of rows contacted (highest scores first)", ylabel="profit", title=title)
    ax.legend()
    return fig


def importance_figure(
    table: pd.DataFrame, top: int = 20, title: str = "Permutation importance"
) -> Figure:
    """Horizontal bars of the ``top`` most important features, with their spread as error bars.

    Expects ``feature``, ``importance_mean`` and optionally ``importance_std`` columns (as from
    :func:`mlcore.explain.permutation_importance_table`).

    Example:
        >>> t = pd.DataFrame({"feature": ["a", "b"], "importance_mean": [0.2, 0.1]})
        >>> len(importance_figure(t).axes[0].patches)
        2
    """
    _require(table, ["feature", "importance_mean"], "importance_figure")
    shown = table.nlargest(top, "importance_mean").iloc[::-1]
    error = shown["importance_std"] if "importance_std" in shown.columns else None
    fig = Figure(figsize=(_SIZE[0], max(2.5, 0.3 * len(shown) + 1.2)), layout="constrained")
    ax = fig.subplots()
    ax.barh(np.arange(len(shown)), shown["importance_mean"], xerr=error, color="tab:blue")
    ax.set_yticks(np.arange(len(shown)), shown["feature"].astype(str))
    ax.axvline(0.0, color="grey", linewidth=1)
    ax.set(xlabel="drop in score when the feature is shuffled", title=title)
    return fig
