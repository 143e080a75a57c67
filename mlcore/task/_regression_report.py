"""The regression test-set report: model vs baseline, predicted vs actual by decile, residuals
and the share of the total value captured by the top predictions (a gains curve for value).

Ties: rows with equal predictions are never split by row order. Deciles keep a tie block in one
bin; the value captured by the top ``x%`` counts a tie block that straddles the cut pro rata (the
expectation over random tie-breaking), and a fractional row (1% of 50 rows) pro rata too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from mlcore.report import Section
from mlcore.task._base import Task, TaskReport, _check_n_bins, _comparison
from mlcore.task._regression import check_predictions

__all__ = [
    "TOP_PERCENTS",
    "predicted_vs_actual_table",
    "regression_report",
    "value_curve",
    "value_share_table",
]

TOP_PERCENTS = (1, 5, 10, 20, 50)


def predicted_vs_actual_table(y: Any, predicted: Any, n_bins: int = 10) -> pd.DataFrame:
    """Mean prediction and mean actual value per decile of the prediction (``n_bins`` bins of
    equal row counts; decile 1 = the highest predictions). A row's bin is
    ``ceil(rank * n_bins / n)`` with tied predictions sharing their average rank, so a tie block
    stays in one bin. Columns ``decile``, ``rows``, ``mean_predicted``, ``mean_actual``; a bin
    left empty by ties has 0 rows and NaN means.

    Example:
        >>> predicted_vs_actual_table([1.0, 2.0, 3.0, 10.0], [1.0, 1.0, 2.0, 8.0], n_bins=2)
           decile  rows  mean_predicted  mean_actual
        0       1     2             5.0          6.5
        1       2     2             1.0          1.5
    """
    target, pred = check_predictions(y, predicted, "predicted_vs_actual_table")
    _check_n_bins(n_bins, "predicted_vs_actual_table")
    rank = pd.Series(pred).rank(method="average", ascending=False).to_numpy()
    decile = np.clip(np.ceil(rank * n_bins / len(pred)).astype(np.int64), 1, n_bins)
    table = (
        pd.DataFrame({"decile": decile, "p": pred, "y": target})
        .groupby("decile")
        .agg(rows=("y", "size"), mean_predicted=("p", "mean"), mean_actual=("y", "mean"))
        .reindex(pd.RangeIndex(1, n_bins + 1, name="decile"))
        .reset_index()
    )
    table["rows"] = table["rows"].fillna(0).astype(np.int64)
    return table


def _captured(target: np.ndarray, order_by: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Value of the ``rows`` (may be fractional) highest rows by ``order_by``, ties pro rata."""
    order = np.argsort(-order_by, kind="stable")
    keys, values = order_by[order], target[order]
    ends = np.flatnonzero(np.r_[keys[1:] != keys[:-1], True])  # last row of each tie block
    cum_rows = np.r_[0, ends + 1].astype(np.float64)
    cum_value = np.r_[0.0, np.cumsum(values)[ends]]
    return np.interp(rows, cum_rows, cum_value)


def value_share_table(
    y: Any, predicted: Any, top_percents: Sequence[float] = TOP_PERCENTS
) -> pd.DataFrame:
    """Share of the total actual value held by the top ``x%`` of rows by prediction.

    Columns ``top_pct``, ``rows`` (``x% * n``, may be fractional), ``value_share`` (by the
    prediction), ``perfect_share`` (by the actual value: the best possible) and
    ``random_share`` (``x%``: a constant prediction). Shares are NaN when the total is not
    positive; negative values lower a share.

    Example:
        >>> value_share_table([5.0, 1.0, 3.0, 1.0], [0.9, 0.1, 0.2, 0.3], [25, 50])
           top_pct  rows  value_share  perfect_share  random_share
        0       25   1.0          0.5            0.5          0.25
        1       50   2.0          0.6            0.8          0.50
    """
    target, pred = check_predictions(y, predicted, "value_share_table")
    percents = np.asarray(top_percents, dtype=np.float64)
    rows = percents / 100.0 * len(target)
    total = target.sum()
    scale = 1.0 / total if total > 0 else np.nan
    return pd.DataFrame(
        {
            "top_pct": list(top_percents),
            "rows": rows,
            "value_share": _captured(target, pred, rows) * scale,
            "perfect_share": _captured(target, target, rows) * scale,
            "random_share": percents / 100.0,
        }
    )


def value_curve(y: Any, predicted: Any, points: int = 201) -> pd.DataFrame:
    """The value gains curve: ``value_share`` captured by the top ``fraction`` of rows by
    prediction, at ``points`` evenly spaced fractions from 0 to 1.

    Example:
        >>> value_curve([5.0, 1.0, 3.0, 1.0], [0.9, 0.1, 0.2, 0.3], points=3)["value_share"].tolist()
        [0.0, 0.6, 1.0]
    """
    target, pred = check_predictions(y, predicted, "value_curve")
    fractions = np.linspace(0.0, 1.0, points)
    total = target.sum()
    share = _captured(target, pred, fractions * len(target)) / total if total > 0 else np.nan
    return pd.DataFrame({"fraction": fractions, "value_share": share})


def regression_report(
    task: Task,
    y: Any,
    scores: Mapping[str, np.ndarray],
    *,
    n_bins: int = 10,
    seed: int = 0,
    max_points: int = 5_000,
) -> TaskReport:
    """The content of :meth:`mlcore.task.RegressionTask.sections`.

    Example:
        >>> from mlcore.task import get_task
        >>> y = np.arange(50.0)
        >>> rep = regression_report(get_task("regression"), y, {"model": y + 1.0})
        >>> rep.tables["comparison"][["scorer", "rmse", "mae"]].to_numpy().tolist()
        [['model', 1.0, 1.0]]
    """
    from mlcore.task import _figures

    comparison = _comparison(task, y, scores, None, "dummy (mean)")[["scorer", "rmse", "mae", "r2"]]
    target, model = check_predictions(y, scores["model"], "sections")
    deciles = predicted_vs_actual_table(target, model, n_bins)
    shares = value_share_table(target, model)
    top10 = shares.loc[shares["top_pct"] == 10, "value_share"].iloc[0]
    metrics = {"test_value_share_top_10pct": float(top10)}
    curves = {
        ("dummy (mean)" if name == "baseline" else name): value_curve(target, s)
        for name, s in scores.items()
    }
    curves["perfect"] = value_curve(target, target)
    figures = {
        "predicted_vs_actual": _figures.predicted_vs_actual_figure(
            deciles, "Predicted vs actual by decile (test)"
        ),
        "residuals": _figures.residuals_figure(
            target, model, max_points=max_points, seed=seed, title="Residuals (test)"
        ),
        "value_share": _figures.value_share_figure(curves, "Value captured (test)"),
    }
    model_row = comparison.iloc[0]
    sampled = (
        f" (a random {max_points:,} of {len(target):,} rows)" if len(target) > max_points else ""
    )
    sections = [
        Section(
            "Model vs baseline",
            "Is ML even needed? The dummy predicts the training mean for every row. "
            f"Model RMSE {model_row['rmse']:.4g}, MAE {model_row['mae']:.4g}, "
            f"R² {model_row['r2']:.4f}.",
            comparison,
        ),
        Section(
            "Predicted vs actual by decile",
            "Rows ranked by prediction (decile 1 = highest); a calibrated model has mean "
            "predicted close to mean actual in every decile.",
            deciles,
            {"predicted_vs_actual": figures["predicted_vs_actual"]},
        ),
        Section(
            "Residuals",
            f"Residual (actual - predicted) vs predicted{sampled}: look for a trend or a funnel.",
            figures={"residuals": figures["residuals"]},
        ),
        Section(
            "Value captured by the top predictions",
            f"The top 10% of rows by prediction hold {top10:.1%} of the total actual value "
            "(perfect: ranked by the actual value; random: a constant prediction).",
            shares,
            {"value_share": figures["value_share"]},
        ),
    ]
    tables = {"comparison": comparison, "predicted_vs_actual": deciles, "value_share": shares}
    return TaskReport(metrics, sections, figures, tables)
