"""Profit-optimal targeting: the expected campaign profit curve and its best cutoff."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlcore.errors import ConfigError
from mlcore.evaluate._lift import gains_curve

__all__ = ["best_cutoff", "profit_curve"]


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
