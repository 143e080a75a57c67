"""The config checked against the data and the disk before the first step.

A run whose config names a column the table does not have, or a folder it may not write to, stops
here, with the config key to change, before anything is trained, written or registered.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mlcore.errors import ConfigError, DataError
from mlcore.features import ROLES
from mlcore.targets import target_settings

__all__ = ["check_against_data", "check_writable"]

# The folders a run writes to, by the config key that names them.
_WRITTEN = ("paths.interim", "paths.processed", "paths.models", "paths.reports")

_HINTS = {
    "features.activity": "set features.activity: null for a table that is not a panel of activity",
    "evaluate.heuristic": "set evaluate.heuristic: null to leave the business rule out",
    "evaluate.fairness": "set evaluate.fairness: null to leave group metrics out",
    "target.": "use target=given for a table that carries its label (data.target)",
}
# Report sections defined for binary scores only.
_BINARY_ONLY = ("heuristic", "profit", "fairness")


def _named_columns(cfg: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(config key, column) for every column the config names."""
    features = cfg["features"]
    for role in (r for r in ROLES if r != "drop"):  # a dropped column need not exist
        for column in features.get(role) or []:
            yield f"features.{role}", column
    activity = features.get("activity")
    if activity:
        for key in ("entity", "time"):
            yield f"features.activity.{key}", activity.get(key)
        for column in activity.get("values") or []:
            yield "features.activity.values", column
    for part in ("heuristic", "fairness"):
        if cfg["evaluate"].get(part):
            yield f"evaluate.{part}.column", cfg["evaluate"][part]["column"]
    if target_settings(cfg.get("target")) is not None:
        for key in ("cancel_col", "activity_col"):
            if cfg["target"].get(key):
                yield f"target.{key}", cfg["target"][key]


def check_against_data(
    cfg: Mapping[str, Any], raw: pd.DataFrame, task: Any, table: Callable[[], pd.DataFrame]
) -> None:
    """Raise :class:`~mlcore.errors.ConfigError` naming the key of the first column the data
    lacks (``table()`` gives the raw table with derived features, computed only if needed), or
    a :class:`~mlcore.errors.DataError` when the target does not fit the task, a column holds no
    value at all or a number is infinite.

    Example:
        >>> from mlcore.task import get_task
        >>> cfg = {"data": {"target": "y", "entity_col": "id", "date_col": None},
        ...        "features": {"numeric": ["x"]}, "evaluate": {}, "split": {}}
        >>> frame = pd.DataFrame({"id": [1, 2], "y": [0, 1]})
        >>> check_against_data(cfg, frame, get_task("binary"), lambda: frame)
        Traceback (most recent call last):
        ...
        mlcore.errors.ConfigError: features.numeric: column 'x' is not in the data; its columns: ['id', 'y']
    """
    if task.name != "binary":
        for part in _BINARY_ONLY:
            if cfg["evaluate"].get(part):
                raise ConfigError(
                    f"evaluate.{part} applies to task 'binary' only (this is task "
                    f"{task.name!r}); set evaluate.{part}: null"
                )
    split_kind = (cfg.get("split") or {}).get("kind", "hash")
    if split_kind != "hash" and not cfg["data"].get("date_col"):
        raise ConfigError(
            f"split.kind {split_kind!r} needs dates: set data.date_col to the table's date "
            "column, or use split=hash"
        )
    columns = set(raw.columns)
    derived: set[str] | None = None
    for key, column in _named_columns(cfg):
        if column in columns:
            continue
        if derived is None:
            derived = set(table().columns)
        if column in derived:
            continue
        hint = next((h for prefix, h in _HINTS.items() if key.startswith(prefix)), "")
        shown = sorted(map(str, raw.columns))
        listing = shown if len(shown) <= 30 else [*shown[:30], "…"]
        raise ConfigError(
            f"{key}: column {column!r} is not in the data; its columns: {listing}"
            + (f"; {hint}" if hint else "")
        )
    target = cfg["data"]["target"]
    if target_settings(cfg.get("target")) is None:  # else built by the split step, checked there
        task.check_target(raw[target], f"data.target {target!r}")
    _check_values(raw, cfg)


def _check_values(raw: pd.DataFrame, cfg: Mapping[str, Any]) -> None:
    """No feature column may be entirely missing or hold infinite numbers."""
    dropped = set(cfg["features"].get("drop") or [])
    empty = [c for c in raw.columns if c not in dropped and raw[c].isna().all()]
    if empty:
        raise DataError(
            f"column(s) {empty} hold no value at all: fix the data, or list them under "
            "features.drop"
        )
    numeric = raw.select_dtypes("number")
    infinite = np.isinf(numeric.to_numpy(dtype=np.float64, na_value=np.nan))
    if infinite.any():
        counts = dict(zip(numeric.columns, infinite.sum(axis=0).tolist(), strict=True))
        named = {c: n for c, n in counts.items() if n}
        rows = numeric.index[infinite.any(axis=1)][:5].tolist()
        raise DataError(
            f"infinite values in column(s) {named} (e.g. rows {rows}): replace them (with NaN "
            "for missing) in the data"
        )


def check_writable(cfg: Mapping[str, Any]) -> None:
    """Every folder the run will write to may be written by this user (or created in its parent).

    Example:
        >>> check_writable({"paths": {"models": "/tmp/models"}, "tracking": {}})
    """
    folders = {key: cfg["paths"].get(key.split(".")[1]) for key in _WRITTEN}
    location = str(cfg["tracking"].get("artifact_location") or "")
    if location and ("://" not in location or location.startswith("file://")):
        folders["tracking.artifact_location"] = location.removeprefix("file://")
    for key, folder in folders.items():
        if not folder:
            continue
        existing = Path(folder).absolute()
        while not existing.exists():
            existing = existing.parent
        if not os.access(existing, os.W_OK | os.X_OK):
            raise ConfigError(
                f"{key}: {folder} cannot be written ({existing} is read-only for this user: its "
                f"permissions, an immutable flag or a read-only file system); give this user "
                f"write access there or set {key} to a folder it may write to"
            )
