"""The figures of the multiclass and regression reports, as ``matplotlib.figure.Figure`` (no
pyplot, no global state), drawn from the tables of :mod:`mlcore.task`.

Imported only when a report is built, so ``import mlcore.task`` does not load matplotlib.

Example:
    >>> t = pd.DataFrame({"decile": [1, 2], "mean_predicted": [5.0, 1.0], "mean_actual": [6.0, 1.5]})
    >>> predicted_vs_actual_figure(t).axes[0].get_xlabel()
    'decile of the prediction (1 = highest)'
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

__all__ = [
    "class_reliability_figure",
    "confusion_figure",
    "predicted_vs_actual_figure",
    "residuals_figure",
    "value_share_figure",
]

_SIZE = (6.4, 4.2)  # as mlcore.plots


def predicted_vs_actual_figure(
    table: pd.DataFrame, title: str = "Predicted vs actual by decile"
) -> Figure:
    """Mean predicted and mean actual value per decile of the prediction.

    Example:
        >>> t = pd.DataFrame({"decile": [1, 2], "mean_predicted": [5.0, 1.0], "mean_actual": [6.0, 1.5]})
        >>> [line.get_label() for line in predicted_vs_actual_figure(t).axes[0].lines]
        ['mean predicted', 'mean actual']
    """
    fig = Figure(figsize=_SIZE, layout="constrained")
    ax = fig.subplots()
    ax.plot(table["decile"], table["mean_predicted"], "o-", label="mean predicted")
    ax.plot(table["decile"], table["mean_actual"], "s--", label="mean actual")
    ax.set(xlabel="decile of the prediction (1 = highest)", ylabel="mean value", title=title)
    ax.set_xticks(table["decile"])
    ax.legend()
    return fig


def residuals_figure(
    actual: np.ndarray,
    predicted: np.ndarray,
    *,
    max_points: int = 5_000,
    seed: int = 0,
    title: str = "Residuals",
) -> Figure:
    """Residual (actual - predicted) vs predicted, on a seeded random sample of at most
    ``max_points`` rows, with the zero line.

    Example:
        >>> fig = residuals_figure(np.arange(10.0), np.arange(10.0) + 1, max_points=4)
        >>> len(fig.axes[0].collections[0].get_offsets())
        4
    """
    actual, predicted = np.asarray(actual, dtype=float), np.asarray(predicted, dtype=float)
    rows = np.arange(len(actual))
    if len(rows) > max_points:
        rows = np.sort(np.random.default_rng(seed).choice(len(rows), max_points, replace=False))
    fig = Figure(figsize=_SIZE, layout="constrained")
    ax = fig.subplots()
    ax.scatter(predicted[rows], actual[rows] - predicted[rows], s=6, alpha=0.4, color="tab:blue")
    ax.axhline(0.0, color="grey", linestyle="--", linewidth=1)
    ax.set(xlabel="predicted", ylabel="residual (actual - predicted)", title=title)
    return fig


def value_share_figure(
    curves: Mapping[str, pd.DataFrame], title: str = "Value captured by the top predictions"
) -> Figure:
    """Share of the total value captured vs share of rows, one curve per scorer (``perfect``
    dotted), with the random diagonal.

    Example:
        >>> c = pd.DataFrame({"fraction": [0, 0.5, 1], "value_share": [0, 0.8, 1]})
        >>> len(value_share_figure({"model": c, "perfect": c}).axes[0].lines)
        3
    """
    fig = Figure(figsize=_SIZE, layout="constrained")
    ax = fig.subplots()
    for name, curve in curves.items():
        style = {"color": "green", "linestyle": ":"} if name == "perfect" else {}
        ax.plot(curve["fraction"], curve["value_share"], label=name, **style)
    ax.plot([0, 1], [0, 1], color="grey", linestyle="--", label="random")
    ax.set(
        xlabel="share of rows (highest predictions first)",
        ylabel="share of total actual value",
        title=title,
        xlim=(0, 1),
    )
    ax.legend()
    return fig


def confusion_figure(table: pd.DataFrame, title: str = "Confusion matrix") -> Figure:
    """Heat map of a confusion table (rows: actual, columns: predicted), coloured by the share
    of each actual class and annotated with the counts.

    Example:
        >>> t = pd.DataFrame({"actual": ["a", "b"], "a": [3, 1], "b": [0, 2]})
        >>> len(confusion_figure(t).axes[0].texts)
        4
    """
    labels = [str(v) for v in table["actual"]]
    counts = table.drop(columns="actual").to_numpy(dtype=np.float64)
    totals = counts.sum(axis=1, keepdims=True)
    shares = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)
    k = len(labels)
    fig = Figure(figsize=(max(4.5, 0.6 * k + 2.5), max(3.8, 0.5 * k + 2.0)), layout="constrained")
    ax = fig.subplots()
    image = ax.imshow(shares, cmap="Blues", vmin=0.0, vmax=1.0)
    for i in range(k):
        for j in range(k):
            color = "white" if shares[i, j] > 0.6 else "black"
            ax.text(j, i, f"{int(counts[i, j]):,}", ha="center", va="center", color=color)
    ax.set_xticks(np.arange(k), labels, rotation=45, ha="right")
    ax.set_yticks(np.arange(k), labels)
    ax.set(xlabel="predicted class", ylabel="actual class", title=title)
    fig.colorbar(image, ax=ax, label="share of the actual class")
    return fig


def class_reliability_figure(table: pd.DataFrame, title: str = "Reliability by class") -> Figure:
    """Observed share vs mean predicted probability per bin, one curve per class, with the
    diagonal of perfect calibration.

    Example:
        >>> t = pd.DataFrame({"class": ["a", "a", "b"], "bin": [1, 2, 1], "mean_predicted": [0.2, 0.7, 0.3],
        ...                   "observed_rate": [0.1, 0.8, 0.3], "rows": [5, 5, 10]})
        >>> len(class_reliability_figure(t).axes[0].lines)
        3
    """
    fig = Figure(figsize=_SIZE, layout="constrained")
    ax = fig.subplots()
    ax.plot([0, 1], [0, 1], color="grey", linestyle="--", label="perfectly calibrated")
    for label, part in table.groupby("class", sort=False):
        filled = part[part["rows"] > 0]
        ax.plot(filled["mean_predicted"], filled["observed_rate"], "o-", label=str(label))
    ax.set(
        xlabel="mean predicted probability of the class",
        ylabel="observed share of the class",
        title=title,
        xlim=(0, 1),
        ylim=(0, 1),
    )
    ax.legend(title="class")
    return fig
