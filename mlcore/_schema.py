"""One way to check a config section: a mapping, known keys only, required keys present, choices.

Every step's section (``split``, ``sampling``, ``evaluate``, ``features``, ``predict``, ``drift``, …)
is checked with these helpers, so every mistake reads the same and names the key to change.

Example:
    >>> section({"salt": "v1"}, "split", {"salt": "", "fractions": None})
    {'salt': 'v1', 'fractions': None}
    >>> section({"slat": "v1"}, "split", {"salt": ""})
    Traceback (most recent call last):
    ...
    mlcore.errors.ConfigError: split: unknown config key(s) ['slat']; known: ['salt']
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from mlcore.errors import ConfigError

__all__ = ["choice", "section"]


def _words(names: Collection[str]) -> str:
    names = list(names)
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def section(
    given: Mapping[str, Any] | None,
    where: str,
    defaults: Mapping[str, Any] | Collection[str],
    *,
    required: Collection[str] = (),
    applies_to: str | None = None,
) -> dict[str, Any]:
    """Check the config section ``where`` and return it merged into ``defaults``.

    ``defaults`` is a mapping of key to default, or just the allowed keys (nothing filled in);
    ``required`` keys must be given; ``applies_to`` words the error for keys that belong to
    another variant (``"kind 'hash'"``). ``None`` is an empty section.

    Example:
        >>> section(None, "predict", {"input": None})
        {'input': None}
    """
    if given is None:
        given = {}
    if not isinstance(given, Mapping):
        raise ConfigError(f"{where} config must be a mapping, got {given!r}")
    allowed = set(defaults) | set(required)
    missing = [key for key in required if key not in given]
    if missing:
        raise ConfigError(
            f"{where} needs {_words(list(required))}; missing {missing} (given: {sorted(given)})"
        )
    unknown = sorted(set(given) - allowed, key=str)
    if unknown and applies_to:
        raise ConfigError(
            f"{where}: key(s) {unknown} do not apply to {applies_to}; its keys are {sorted(allowed)}"
        )
    if unknown:
        raise ConfigError(f"{where}: unknown config key(s) {unknown}; known: {sorted(allowed)}")
    filled = dict(defaults) if isinstance(defaults, Mapping) else {}
    return {**filled, **given}


def choice(value: Any, where: str, choices: Collection[Any]) -> Any:
    """Return ``value`` if it is one of ``choices``; else a :class:`ConfigError` naming ``where``.

    Example:
        >>> choice("hash", "split.kind", ("hash", "oot"))
        'hash'
    """
    if value not in choices:
        raise ConfigError(f"{where} must be one of {list(choices)}, got {value!r}")
    return value
