"""Profit-optimal targeting: the expected campaign profit curve, its best cutoff, the comparison
of targeting rules (the model, contact everyone, the heuristic) and money as a reader reads it."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from mlcore.errors import ConfigError
from mlcore.evaluate._lift import gains_curve

__all__ = ["best_cutoff", "format_money", "profit_curve", "profit_rules"]


def profit_curve(
    y_true: np.ndarray,
    scores: np.ndarray,
    cost_per_contact: float,
    value_per_success: float,
    success_rate: float,
) -> pd.DataFrame:
    """Expected campaign profit for every targeted fraction (the :func:`gains_curve` points).

    Contacting the top ``count`` rows costs ``count * cost_per_contact``; each contacted positive
    (a future churner) is saved with probability ``success_rate`` and is then worth
    ``value_per_success``. ``profit = positives * success_rate * value_per_success - cost``.
    Profit is linear between points, so its maximum is at a point (see :func:`best_cutoff`).

    Example:
        >>> c = profit_curve(np.array([0, 1, 1, 0]), np.array([0.1, 0.9, 0.6, 0.5]), 1.0, 10.0, 0.5)
        >>> c["profit"].tolist()
        [0.0, 4.0, 8.0, 7.0, 6.0]
    """
    if cost_per_contact < 0 or value_per_success < 0 or not 0.0 <= success_rate <= 1.0:
        raise ConfigError(
            "profit_curve: need cost_per_contact >= 0, value_per_success >= 0 and "
            f"0 <= success_rate <= 1 (got {cost_per_contact}, {value_per_success}, {success_rate})"
        )
    curve = gains_curve(y_true, scores).drop(columns=["gain", "lift"])
    curve["expected_successes"] = curve["positives"] * success_rate
    curve["cost"] = curve["count"] * cost_per_contact
    curve["profit"] = curve["expected_successes"] * value_per_success - curve["cost"]
    return curve


def best_cutoff(curve: pd.DataFrame) -> pd.Series:
    """The most profitable point of a :func:`profit_curve` (fewest contacts among equal profits).

    Contact every row scoring at least ``threshold`` (``inf``: contact nobody).

    Example:
        >>> c = profit_curve(np.array([0, 1, 1, 0]), np.array([0.1, 0.9, 0.6, 0.5]), 1.0, 10.0, 0.5)
        >>> float(best_cutoff(c)["threshold"])
        0.6
    """
    return curve.loc[curve["profit"].idxmax()]


def format_money(value: float, currency: str | None = None) -> str:
    """An amount with thousands separators and no decimals, after the currency when one is set.

    Example:
        >>> format_money(1007465.4, "EUR"), format_money(-5610.0)
        ('EUR 1,007,465', '-5,610')
    """
    amount = f"{value:,.0f}"
    return f"{currency} {amount}" if currency else amount


def profit_rules(
    y_true: np.ndarray,
    scores: Mapping[str, np.ndarray],
    cost_per_contact: float,
    value_per_success: float,
    success_rate: float,
) -> pd.DataFrame:
    """The best expected profit of each scorer (its most profitable cutoff) and of contacting
    everyone, best first: ``rule``, ``fraction`` and ``contacts`` (who is contacted), ``threshold``
    (NaN for everyone) and ``profit``.

    Example:
        >>> y = np.array([0, 1, 1, 0])
        >>> t = profit_rules(y, {"model": np.array([0.1, 0.9, 0.6, 0.5])}, 1.0, 10.0, 0.5)
        >>> t[["rule", "profit"]].values.tolist()
        [['model', 8.0], ['contact everyone', 6.0]]
    """
    rows = []
    for name, values in scores.items():
        curve = profit_curve(y_true, values, cost_per_contact, value_per_success, success_rate)
        best = best_cutoff(curve)
        rows.append((name, best["fraction"], best["count"], best["threshold"], best["profit"]))
    everyone = curve.iloc[-1]
    rows.append(("contact everyone", 1.0, everyone["count"], np.nan, everyone["profit"]))
    table = pd.DataFrame(rows, columns=["rule", "fraction", "contacts", "threshold", "profit"])
    table["contacts"] = table["contacts"].astype(np.int64)
    return table.sort_values("profit", ascending=False, kind="stable").reset_index(drop=True)
