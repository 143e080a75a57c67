"""Evaluation and drift plots as matplotlib Figures, drawn from the tables of
:mod:`mlcore.evaluate`, :mod:`mlcore.explain` and :mod:`mlcore.drift`.

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

import math
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from mlcore.errors import DataError

__all__ = [
    "calibration_figure",
    "drift_figures",
    "gains_figure",
    "importance_figure",
    "lift_figure",
    "plot_distributions",
    "plot_performance",
    "plot_psi",
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


# --------------------------------------------------------------------------------------------
# Drift (tables of mlcore.drift.drift_report; this module does not import mlcore.drift)
# --------------------------------------------------------------------------------------------

_COLORS = {"ok": "#4c78a8", "skipped": "#bab0ac", "warning": "#f58518", "error": "#e45756"}
# mlcore.drift.DEFAULT_THRESHOLDS["psi"], the levels drawn without thresholds (a test checks it)
_PSI_LEVELS: dict[str, float | None] = {"warning": 0.1, "error": 0.25}


class _DriftReportLike(Protocol):
    """What :func:`drift_figures` reads of a :class:`mlcore.drift.DriftReport`."""

    @property
    def features(self) -> pd.DataFrame: ...
    @property
    def prediction(self) -> pd.DataFrame: ...
    @property
    def performance(self) -> pd.DataFrame: ...
    @property
    def distributions(self) -> Mapping[str, pd.DataFrame]: ...
    @property
    def thresholds(self) -> Mapping[str, Any]: ...


def drift_figures(report: _DriftReportLike, top: int = 6) -> dict[str, Figure]:
    """Figures of a drift report: the ``psi`` bar chart, the ``distributions`` of the ``top``
    features by PSI (and the score), and ``performance`` over periods when labels were available.

    Example:
        >>> from mlcore.drift import DriftProfile, drift_report
        >>> frame = pd.DataFrame({"x": np.arange(200.0)})
        >>> sorted(drift_figures(drift_report(DriftProfile.from_frame(frame), frame)))
        ['distributions', 'psi']
    """
    ranked = report.features.dropna(subset=["psi"]).sort_values("psi", ascending=False)
    names = ranked["feature"].head(top).tolist()
    names += report.prediction["feature"].tolist()
    out = {
        "psi": plot_psi(report.features, report.thresholds),
        "distributions": plot_distributions(report.distributions, names),
    }
    if len(report.performance):
        out["performance"] = plot_performance(report.performance)
    return out


def _psi_levels(thresholds: Mapping[str, Any] | None) -> dict[str, float | None]:
    """The ``psi`` levels of drift thresholds (a number is the error level), over the defaults."""
    given = (thresholds or {}).get("psi", {})
    levels = dict(given) if isinstance(given, Mapping) else {"warning": None, "error": given}
    return {**_PSI_LEVELS, **levels}


def plot_psi(features: pd.DataFrame, thresholds: Mapping[str, Any] | None = None) -> Figure:
    """Horizontal PSI bar per feature, coloured by severity, with the PSI levels as lines.

    ``features`` is the features table of a drift report; ``thresholds`` its thresholds (as
    checked by :func:`mlcore.drift.check_thresholds`; None: the default PSI levels).

    Example:
        >>> table = pd.DataFrame({"feature": ["x", "c"], "psi": [0.02, 0.3],
        ...                       "severity": ["ok", "error"]})
        >>> fig = plot_psi(table)
        >>> fig.axes[0].get_xlabel()
        'PSI'
    """
    levels = _psi_levels(thresholds)
    table = features.sort_values("psi", ascending=True, na_position="first")
    fig = Figure(figsize=(7, max(2.0, 0.3 * len(table) + 1)), layout="constrained")
    ax = fig.subplots()
    ax.barh(
        table["feature"],
        table["psi"].fillna(0.0),
        color=[_COLORS[s] for s in table["severity"]],
    )
    for level, style in (("warning", ":"), ("error", "--")):
        if levels[level] is not None:
            ax.axvline(levels[level], color=_COLORS[level], linestyle=style, label=level)
    ax.set_xlabel("PSI")
    ax.set_title("Feature drift (PSI vs reference)")
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="lower right")
    return fig


def _top_bins(table: pd.DataFrame, k: int = 15) -> pd.DataFrame:
    """At most ``k`` bins whose labels fit under one chart: the ``k - 1`` with the largest share
    in either period, in their order, and the rest summed as ``other (n)``.

    Example:
        >>> t = pd.DataFrame({"bin": list("abcd"), "reference": [.4, .3, .2, .1], "current": [.4, .3, .2, .1]})
        >>> _top_bins(t, k=3)["bin"].tolist()
        ['a', 'b', 'other (2)']
    """
    if len(table) <= k:
        return table
    largest = table[["reference", "current"]].max(axis=1).nlargest(k - 1).index
    kept, rest = table.loc[table.index.isin(largest)], table.loc[~table.index.isin(largest)]
    other = {"bin": f"other ({len(rest)})", "reference": rest["reference"].sum()}
    other["current"] = rest["current"].sum()
    return pd.concat([kept, pd.DataFrame([other])], ignore_index=True)


def plot_distributions(
    distributions: Mapping[str, pd.DataFrame], names: Sequence[str], *, columns: int = 2
) -> Figure:
    """Reference vs current share per bin for each of ``names`` (small multiples).

    ``distributions`` maps a column to its table of ``bin``, ``reference`` and ``current``
    shares (:attr:`mlcore.drift.DriftReport.distributions`).

    Example:
        >>> table = pd.DataFrame({"bin": ["a", "b"], "reference": [0.5, 0.5], "current": [0.6, 0.4]})
        >>> len(plot_distributions({"c": table}, ["c"]).axes)
        1
    """
    missing = [n for n in names if n not in distributions]
    if missing:
        raise DataError(f"plot_distributions: no binned distribution for {missing}")
    rows = max(1, math.ceil(len(names) / columns))
    fig = Figure(figsize=(6 * min(columns, max(len(names), 1)), 3.2 * rows), layout="constrained")
    for i, name in enumerate(names):
        table = _top_bins(distributions[name])
        ax = fig.add_subplot(rows, columns, i + 1)
        x = np.arange(len(table))
        ax.bar(x - 0.2, table["reference"], width=0.4, label="reference", color="#4c78a8")
        ax.bar(x + 0.2, table["current"], width=0.4, label="current", color="#f58518")
        ax.set_xticks(x, table["bin"], rotation=45, ha="right", fontsize=7)
        ax.set_ylabel("share of rows")
        ax.set_title(name)
        if i == 0:
            ax.legend()
    return fig


def plot_performance(performance: pd.DataFrame) -> Figure:
    """AUC and lift per period against their training-time reference lines.

    Example:
        >>> table = pd.DataFrame({"period": ["a", "b"], "auc": [0.8, 0.7], "auc_reference": 0.8,
        ...                       "lift": [3.0, 2.5], "lift_reference": 3.0})
        >>> [ax.get_ylabel() for ax in plot_performance(table).axes]
        ['ROC AUC', 'lift']
    """
    fig = Figure(figsize=(8, 3.2), layout="constrained")
    labels = [str(p)[:10] for p in performance["period"]]
    for ax, metric, title in zip(
        fig.subplots(1, 2), ("auc", "lift"), ("ROC AUC", "lift"), strict=True
    ):
        ax.plot(labels, performance[metric], marker="o", label="current")
        ax.axhline(performance[f"{metric}_reference"].iloc[0], linestyle="--", label="reference")
        ax.set_ylabel(title)
        ax.tick_params(axis="x", rotation=45)
        ax.legend()
    fig.suptitle("Model performance by period (concept drift)")
    return fig
