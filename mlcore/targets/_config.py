"""The ``target`` config of a pipeline: checked settings, the labelled table and its definition."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from mlcore._schema import choice, section
from mlcore.errors import ConfigError, DataError
from mlcore.targets._labels import DEFINITIONS, MODES, SNAPSHOTS, TargetResult, churn_labels

__all__ = ["describe", "label_table", "target_settings"]

_DEFAULTS = {
    "definition": None,  # null: the table carries its label (data.target)
    "mode": "within",
    "horizon": 3,
    "tolerance": "0D",
    "cancel_col": None,
    "activity_col": None,
    "default_gap": None,
    "freq": "M",
    "snapshots": "rows",
}
_UNITS = {"M": "month", "W": "week", "D": "day", "Q": "quarter", "Y": "year"}


def target_settings(config: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The checked ``target`` section, or ``None`` when the table carries its label.

    Example:
        >>> target_settings({"definition": "cancellation", "cancel_col": "cancelled"})["mode"]
        'within'
        >>> target_settings({"definition": None}) is None
        True
    """
    settings = section(config, "target", _DEFAULTS)
    if settings["definition"] is None:
        return None
    choice(settings["definition"], "target.definition", DEFINITIONS)
    choice(settings["mode"], "target.mode", MODES)
    choice(settings["snapshots"], "target.snapshots", SNAPSHOTS)
    horizon = settings["horizon"]
    if isinstance(horizon, bool) or not isinstance(horizon, int) or horizon < 1:
        raise ConfigError(f"target.horizon must be an integer >= 1, got {horizon!r}")
    if settings["definition"] == "cancellation" and not settings["cancel_col"]:
        raise ConfigError("target.definition 'cancellation' needs target.cancel_col")
    return settings


def label_table(
    frame: pd.DataFrame,
    settings: Mapping[str, Any],
    *,
    entity_col: str,
    date_col: str | None,
    label_col: str,
) -> TargetResult:
    """``frame`` labelled as ``settings`` say (:func:`churn_labels`), its event column dropped.

    The cancellation column (``cancel_col``) is what a label is made of, not a feature: it leaves
    the table.

    Example:
        >>> panel = pd.DataFrame({"id": [1, 1, 2, 2], "month": pd.to_datetime(
        ...     ["2024-01-01", "2024-02-01"] * 2), "cancelled": [0, 1, 0, 0]})
        >>> cfg = target_settings({"definition": "cancellation", "cancel_col": "cancelled",
        ...                        "horizon": 1})
        >>> label_table(panel, cfg, entity_col="id", date_col="month", label_col="churn").frame
           id      month  churn
        0   1 2024-01-01      1
        1   2 2024-01-01      0
    """
    if not date_col:
        raise ConfigError("target: building the label needs dates; set data.date_col")
    for key in ("cancel_col", "activity_col"):
        column = settings[key]
        if column and column not in frame.columns:
            raise ConfigError(
                f"target.{key}: column {column!r} is not in the data; for a table that has its "
                "label already, use target=given"
            )
    options = {k: settings[k] for k in _DEFAULTS}
    try:
        result = churn_labels(
            frame, entity_col=entity_col, date_col=date_col, label_col=label_col, **options
        )
    except (ConfigError, DataError) as exc:
        raise type(exc)(f"target: {exc}") from None
    event = settings["cancel_col"]
    labelled = result.frame.drop(columns=[event]) if event else result.frame
    return TargetResult(labelled, result.dropped, result.by_period)


def describe(settings: Mapping[str, Any], label_col: str) -> str:
    """One sentence for the report and the model card: what a 1 means.

    Example:
        >>> describe(target_settings({"definition": "cancellation", "cancel_col": "cancelled",
        ...                           "mode": "in"}), "churn")
        'churn = 1 when the customer cancels (cancelled) in month t + 3, t the snapshot month (mlcore.targets, definition cancellation, mode in)'
    """
    unit = _UNITS.get(str(settings["freq"]).rstrip("S"), f"period ({settings['freq']})")
    horizon = settings["horizon"]
    if settings["definition"] == "cancellation":
        event = f"cancels ({settings['cancel_col']})"
    else:
        activity = settings["activity_col"] or "any row"
        event = (
            f"becomes inactive (no {activity} past its usual gap + {settings['tolerance']} "
            "tolerance)"
        )
    when = (
        f"within the {horizon} {unit}s after the snapshot {unit}"
        if settings["mode"] == "within"
        else f"in {unit} t + {horizon}, t the snapshot {unit}"
    )
    return (
        f"{label_col} = 1 when the customer {event} {when} (mlcore.targets, definition "
        f"{settings['definition']}, mode {settings['mode']})"
    )
