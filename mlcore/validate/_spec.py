"""The expectation spec: supported types, their keys and severities, and checking a list."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from mlcore._schema import choice
from mlcore.errors import ConfigError

__all__ = ["EXPECTATION_TYPES", "check_expectations"]

# type -> (required keys, optional keys); "severity" is allowed everywhere
_KEYS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "column_exists": (frozenset({"column"}), frozenset()),
    "columns_match": (frozenset({"columns"}), frozenset()),
    "dtype": (frozenset({"column", "dtype"}), frozenset()),
    "not_null": (frozenset({"column"}), frozenset({"mostly"})),
    "null_share_at_most": (frozenset({"column", "max_share"}), frozenset()),
    "unique": (frozenset(), frozenset({"column", "columns"})),
    "between": (frozenset({"column"}), frozenset({"min", "max", "mostly"})),
    "in_set": (frozenset({"column", "values"}), frozenset({"mostly"})),
    "row_count_between": (frozenset(), frozenset({"min", "max"})),
}
EXPECTATION_TYPES = tuple(_KEYS)
_SEVERITIES = ("error", "warning")


def check_expectations(expectations: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Check types, keys and severities; return plain dicts. Errors name the list position.

    Example:
        >>> check_expectations([{"type": "between", "column": "a", "mx": 1}])
        Traceback (most recent call last):
        ...
        mlcore.errors.ConfigError: validation.expectations[0] (between): unknown key(s) ['mx']; allowed: ['column', 'max', 'min', 'mostly', 'severity']
    """
    specs = []
    for i, raw in enumerate(expectations):
        spec = dict(raw)
        kind = spec.get("type")
        where = f"validation.expectations[{i}]"
        if kind not in _KEYS:
            raise ConfigError(
                f"{where}: unknown expectation type {kind!r}; use one of {list(EXPECTATION_TYPES)}"
            )
        where = f"{where} ({kind})"
        required, optional = _KEYS[kind]
        allowed = required | optional | {"severity"}
        unknown = sorted(set(spec) - allowed - {"type"})
        if unknown:
            raise ConfigError(f"{where}: unknown key(s) {unknown}; allowed: {sorted(allowed)}")
        absent = sorted(required - set(spec))
        if absent:
            raise ConfigError(f"{where}: missing key(s) {absent}")
        if kind == "unique" and ("column" in spec) == ("columns" in spec):
            raise ConfigError(f"{where}: give exactly one of 'column' or 'columns'")
        if kind in ("between", "row_count_between") and spec.get("min") is None is spec.get("max"):
            raise ConfigError(f"{where}: give 'min', 'max' or both")
        choice(spec.get("severity", "error"), f"{where}: severity", _SEVERITIES)
        specs.append(spec)
    return specs


def _describe(spec: Mapping[str, Any]) -> str:
    details = ", ".join(f"{k}={v}" for k, v in spec.items() if k not in ("type", "severity"))
    return f"{spec['type']}({details})"
