"""Churn labels from a monthly panel or an event log, with censored snapshots dropped, not guessed.

A snapshot is an entity at period ``t`` (a month by default), described by what is known at the
end of ``t``. The entity's churn period ``c`` comes from one of two definitions:

``cancellation``
    the period of its first cancellation row (``cancel_col`` is true).
``inactivity``
    the period in which it becomes overdue: its last active day plus the median gap between its
    distinct active days (``default_gap``, or the population's median, for an entity active on a
    single day) plus ``tolerance``, when that moment is inside the data. Otherwise it has not
    churned by the end of the data, so it churns after it, if ever: every snapshot whose horizon
    ends inside the data is a known 0, like a customer who has not cancelled.

For a horizon ``N`` the two options of the target trade-off are:

``within``
    1 when ``t < c <= t + N``: churns within the next N periods (more positives, vaguer).
``in``
    1 when ``c == t + N``: churns in period ``t + N`` (clear-cut, more margin to act).

Every snapshot is kept or dropped for one reason, counted in :attr:`TargetResult.dropped`
(kept + dropped = the snapshots made):

- ``churned``: ``t >= c``; the entity is no longer a customer at risk.
- ``censored``: the horizon runs past the end of the data (``t + N`` after the last period), the
  same cut for every entity, so the positive rate of the last labelled periods is not biased.
- ``churned_before_target`` (``in`` only): ``t < c < t + N``; the entity leaves before the target
  period, so "churns in period t + N" does not apply to it.
- ``never_active`` (inactivity only): the entity has rows but no active one, so it has no
  activity pattern to be overdue from.

With ``snapshots="periods"`` an entity's snapshots are its periods from its first row to its churn
period or the end of the data, inactive periods included: a customer active in a single month
gets that month.

Example:
    >>> import pandas as pd
    >>> panel = pd.DataFrame({
    ...     "id": [1, 1, 1, 2, 2, 2],
    ...     "month": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"] * 2),
    ...     "cancel": [0, 0, 1, 0, 0, 0],
    ... })
    >>> res = churn_labels(panel, entity_col="id", date_col="month", horizon=1, cancel_col="cancel")
    >>> res.frame["churn"].tolist(), res.dropped["churned"], res.dropped["censored"]
    ([0, 1, 0, 0], 1, 1)

In a pipeline the ``target`` config builds the label (:func:`target_settings`, :func:`label_table`,
:func:`describe`): ``definition`` (``cancellation`` | ``inactivity``; null: the table carries its
label), ``mode``, ``horizon``, ``tolerance``, ``cancel_col``, ``activity_col``, ``default_gap``,
``freq`` and ``snapshots``.
"""

from mlcore.targets._config import describe, label_table, target_settings
from mlcore.targets._labels import (
    DEFINITIONS,
    MODES,
    REASONS,
    SNAPSHOTS,
    TargetResult,
    churn_labels,
    churn_periods,
    edge_warning,
)

__all__ = [
    "DEFINITIONS",
    "MODES",
    "REASONS",
    "SNAPSHOTS",
    "TargetResult",
    "churn_labels",
    "churn_periods",
    "describe",
    "edge_warning",
    "label_table",
    "target_settings",
]
