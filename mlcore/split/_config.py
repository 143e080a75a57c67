"""Running a split from its config section (the keys are listed in the :mod:`mlcore.split` docstring)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from mlcore._schema import choice, section
from mlcore.split._split import SPLIT_KINDS, SplitResult, set_codes, split_frame

__all__ = ["codes_from_config", "split_from_config"]

# The keys of each kind, with their defaults (those of split_frame).
_CONFIG_KEYS: Mapping[str, Mapping[str, Any]] = {
    "hash": {"kind": "hash", "fractions": None, "salt": ""},
    "oot": {"kind": "oot", "cutoffs": None, "gap_days": 0, "gap_months": 0},
    "combined": {
        "kind": "combined",
        "fractions": None,
        "salt": "",
        "cutoffs": None,
        "gap_days": 0,
        "gap_months": 0,
    },
}


def split_from_config(
    frame: pd.DataFrame,
    cfg: Mapping[str, Any] | None,
    *,
    entity_col: str,
    date_col: str | None = None,
    target_col: str | None = None,
) -> SplitResult:
    """Run :func:`split_frame` as the split config says (keys in the :mod:`mlcore.split` docstring).

    ``None`` is an empty section: the default hash split.

    Example:
        >>> df = pd.DataFrame({"id": range(10), "y": [0, 1] * 5})
        >>> split_from_config(df, {"kind": "hash", "salt": "v1"}, entity_col="id").dropped
        0
    """
    return split_frame(
        frame, entity_col=entity_col, target_col=target_col, date_col=date_col, **_options(cfg)
    )


def _options(cfg: Mapping[str, Any] | None) -> dict[str, Any]:
    kind = choice(
        cfg.get("kind", "hash") if isinstance(cfg, Mapping) else "hash", "split.kind", SPLIT_KINDS
    )
    return section(cfg, "split", _CONFIG_KEYS[kind], applies_to=f"kind {kind!r}")


def codes_from_config(
    frame: pd.DataFrame,
    cfg: Mapping[str, Any] | None,
    *,
    entity_col: str,
    date_col: str | None = None,
) -> Any:
    """:func:`~mlcore.split.set_codes` of each row under the split config ``cfg``.

    Example:
        >>> df = pd.DataFrame({"id": range(4)})
        >>> codes_from_config(df, {"kind": "hash"}, entity_col="id").tolist()
        [2, 0, 0, 0]
    """
    return set_codes(frame, entity_col=entity_col, date_col=date_col, **_options(cfg))
