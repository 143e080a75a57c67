"""Hyperparameter checks that run before any work, each error naming the config key to change.

scikit-learn estimators validate their own parameters (``_validate_params``), but only at fit;
LightGBM validates only inside its C++ library, at fit, and accepts any unknown keyword. These
checks run at build time instead.

Example:
    >>> check_lightgbm_params({"n_estimators": 0}, "model")
    Traceback (most recent call last):
    ...
    mlcore.errors.ConfigError: model.n_estimators must be an integer >= 1, got 0
"""

from __future__ import annotations

import difflib
import inspect
import math
import re
from collections.abc import Callable, Collection, Mapping
from numbers import Integral, Real
from typing import Any

from mlcore.errors import ConfigError

__all__ = ["check_lightgbm_params", "check_sklearn_params", "unexpected_keyword"]


def unexpected_keyword(where: str, owner: str, key: str, known: Collection[str]) -> ConfigError:
    """The one wording of a hyperparameter the estimator does not take (with a close match)."""
    close = difflib.get_close_matches(key, sorted(known), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return ConfigError(f"{where}: {owner} got an unexpected keyword {key!r}{hint}")


def check_sklearn_params(estimator: Any, where: str) -> None:
    """Run the estimator's own parameter validation now rather than at fit (when it has one)."""
    if getattr(type(estimator), "_parameter_constraints", None) is None:
        return
    validate = getattr(estimator, "_validate_params", None)
    if validate is None:
        return
    try:
        validate()
    except (ValueError, TypeError) as exc:  # sklearn's InvalidParameterError is both
        message = str(exc)
        named = re.match(r"The '(\w+)' parameter of ", message)
        key = f"{where}.{named[1]}" if named else where
        raise ConfigError(f"{key}: {message}") from None


def _integer(low: int) -> tuple[Callable[[Any], bool], str]:
    return (lambda v: isinstance(v, Integral) and v >= low), f"an integer >= {low}"


def _number(test: Callable[[float], bool], words: str) -> tuple[Callable[[Any], bool], str]:
    def ok(value: Any) -> bool:
        return isinstance(value, Real) and math.isfinite(value) and test(float(value))

    return ok, f"a number {words}"


# The common LightGBM hyperparameters: (test, what the value must be).
_LIGHTGBM_NUMBERS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "n_estimators": _integer(1),
    "learning_rate": _number(lambda v: v > 0, "> 0"),
    "num_leaves": _integer(2),
    "min_child_samples": _integer(0),
    "subsample": _number(lambda v: 0 < v <= 1, "in (0, 1]"),
    "colsample_bytree": _number(lambda v: 0 < v <= 1, "in (0, 1]"),
}


def _lightgbm_known_params() -> set[str] | None:
    """Every LightGBM parameter name and alias (None if this LightGBM cannot list them)."""
    from lightgbm import LGBMModel

    try:
        from lightgbm.basic import _ConfigAliases

        aliases = _ConfigAliases._get_all_param_aliases()
    except (ImportError, AttributeError):  # a LightGBM without the alias table: no check
        return None
    known = set(inspect.signature(LGBMModel.__init__).parameters) - {"self", "kwargs"}
    for name, names in aliases.items():
        known.add(name)
        known.update(names)
    return known


def check_lightgbm_params(params: Mapping[str, Any], where: str, owner: str = "LightGBM") -> None:
    """Unknown keywords and the common numeric hyperparameters out of range, by config key.

    ``owner`` names the estimator in an unknown-keyword error (``LGBMClassifier``).

    Example:
        >>> check_lightgbm_params({"learning_rate": 0.05, "num_leaves": 31}, "model")
        >>> check_lightgbm_params({"learning_rte": 0.1}, "model", "LGBMClassifier")
        Traceback (most recent call last):
        ...
        mlcore.errors.ConfigError: model: LGBMClassifier got an unexpected keyword 'learning_rte' (did you mean 'learning_rate'?)
    """
    known = _lightgbm_known_params()
    if known is not None:
        for key in params:
            if key not in known:
                raise unexpected_keyword(where, owner, key, known)
    for key, (ok, words) in _LIGHTGBM_NUMBERS.items():
        if key not in params:  # LightGBM's default
            continue
        value = params[key]
        if isinstance(value, bool) or not ok(value):
            raise ConfigError(f"{where}.{key} must be {words}, got {value!r}")
