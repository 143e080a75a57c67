"""The ``model`` config to an estimator: any scikit-learn estimator named by ``_target_``.

Hydra's ``instantiate`` builds the class named by ``_target_`` with the other keys as its
hyperparameters (nested ``_target_`` s build the estimators it holds)::

    model:
      _target_: sklearn.ensemble.ExtraTreesClassifier   # or ${estimator:lightgbm}
      n_estimators: 50

Every mistake is a :class:`~mlcore.errors.ConfigError` naming the key, raised before any work:
a class that cannot be imported, a keyword the class does not take, a value out of range
(the estimator's adapter checks them, see :func:`mlcore.model.adapter_for`).

Example:
    >>> model = build_estimator({"_target_": "sklearn.linear_model.LogisticRegression", "C": 0.5}, seed=1)
    >>> model.C, model.random_state
    (0.5, 1)
    >>> build_estimator({"_target_": "sklearn.linear_model.LogisticRegression", "max_iter": -5}, seed=1)
    Traceback (most recent call last):
    ...
    mlcore.errors.ConfigError: model.max_iter: The 'max_iter' parameter of LogisticRegression must be an int in the range [0, inf). Got -5 instead.
"""

from __future__ import annotations

import difflib
import importlib
import re
from collections.abc import Mapping, Sequence
from typing import Any

from mlcore.errors import ConfigError
from mlcore.model import adapter_for
from mlcore.model._checks import unexpected_keyword

__all__ = ["build_estimator", "build_transformers"]

_EXAMPLE = "e.g. `_target_: lightgbm.LGBMClassifier` (or `${estimator:lightgbm}`)"


def build_estimator(config: Mapping[str, Any], seed: int, *, where: str = "model") -> Any:
    """The estimator of ``config`` (the ``model`` section), checked and seeded.

    ``config["_target_"]`` names the class (or a function returning an estimator); the other keys
    are its keyword arguments. The estimator's adapter checks the hyperparameters and sets the
    seed (``random_state`` left at None) and, for LightGBM, the determinism settings. ``where``
    is the config key named in errors.
    """
    if not isinstance(config, Mapping):
        raise ConfigError(f"{where} must be a mapping with a `_target_`, got {config!r}")
    if "_target_" not in config:
        if "kind" in config:
            raise ConfigError(
                f"{where}.kind is replaced by {where}._target_: name the estimator class, "
                f"{_EXAMPLE}, with its hyperparameters beside it "
                f"({where}.n_estimators, no more {where}.params.n_estimators)"
            )
        raise ConfigError(
            f"{where}._target_ is missing: name a scikit-learn estimator class, {_EXAMPLE}"
        )
    estimator = _instantiate(config, where)
    if not (hasattr(estimator, "fit") and hasattr(estimator, "get_params")):
        raise ConfigError(
            f"{where}._target_: {config['_target_']!r} gave a {type(estimator).__name__}, "
            "not a scikit-learn estimator (no fit and get_params)"
        )
    adapter = adapter_for(estimator)
    adapter.check(estimator, where)
    return adapter.prepare(estimator, seed)


def build_transformers(
    configs: Sequence[Mapping[str, Any]], *, where: str = "features.extra"
) -> list[tuple[str, Any]]:
    """The project's transformers of ``features.extra`` as named Pipeline steps, in order.

    Each entry names a class with ``_target_`` (e.g. ``my_project.features.RatioFeatures``) and
    its parameters; it must have ``fit`` and ``transform``. Steps are named ``extra_<i>_<class>``.

    Example:
        >>> build_transformers([{"_target_": "sklearn.preprocessing.FunctionTransformer"}])
        [('extra_0_functiontransformer', FunctionTransformer())]
    """
    if not isinstance(configs, Sequence) or isinstance(configs, str):
        raise ConfigError(
            f"{where} must be a list of {{_target_: ..., ...}} entries, got {configs!r}"
        )
    steps = []
    for i, config in enumerate(configs):
        key = f"{where}[{i}]"
        if not isinstance(config, Mapping) or "_target_" not in config:
            raise ConfigError(
                f"{key} needs a `_target_` naming a transformer class, got {config!r}"
            )
        transformer = _instantiate(config, key)
        if not (hasattr(transformer, "fit") and hasattr(transformer, "transform")):
            raise ConfigError(
                f"{key}._target_: {config['_target_']!r} gave a {type(transformer).__name__}, "
                "not a transformer (no fit and transform)"
            )
        steps.append((f"extra_{i}_{type(transformer).__name__.lower()}", transformer))
    return steps


def _instantiate(config: Mapping[str, Any], where: str) -> Any:
    from hydra.errors import InstantiationException
    from hydra.utils import instantiate
    from omegaconf.errors import OmegaConfBaseException

    # Plain lists and dicts (class_weight, hidden_layer_sizes), not OmegaConf containers.
    options = {} if "_convert_" in config else {"_convert_": "all"}
    try:
        return instantiate(config, **options)
    except InstantiationException as exc:
        raise _instantiation_error(exc, where) from None
    except OmegaConfBaseException as exc:  # an interpolation such as ${estimator:...} failed
        message = str(exc).splitlines()[0]
        message = re.sub(r"^\w+ raised while resolving interpolation: ", "", message)
        raise ConfigError(f"{where}: {message}") from None


def _instantiation_error(exc: Exception, where: str) -> ConfigError:
    """Hydra's message made to name the config key and the class."""
    text = str(exc)
    nested = re.search(r"\nfull_key: (\S+)\s*$", text)
    key = f"{where}.{nested[1]}" if nested else where
    target = re.search(r"target '([^']+)'", text)
    cause = exc.__cause__
    if text.startswith("Error locating target") and target:
        return ConfigError(
            f"{key}._target_: cannot import {target[1]!r} ({_import_problem(target[1])})"
        )
    if text.startswith("Expected a callable target"):
        kind = re.search(r"of type '([^']+)'", text)
        got = f" (got a {kind[1]})" if kind else ""
        return ConfigError(f"{key}._target_: not a class or function{got}")
    unexpected = re.search(
        r"(\w+)\.__init__\(\) got an unexpected keyword argument '(\w+)'", str(cause)
    )
    if isinstance(cause, TypeError) and unexpected and target:
        owner, name = unexpected[1], unexpected[2]
        return unexpected_keyword(key, owner, name, _param_names(target[1]))
    owner = target[1].rsplit(".", 1)[-1] if target else "the estimator"
    detail = str(cause) if cause is not None else text.splitlines()[0]
    return ConfigError(f"{key}: {owner}: {detail}")


def _import_problem(target: str) -> str:
    """Why ``module.Name`` does not import: the missing module, or the missing name."""
    module_name, _, name = target.rpartition(".")
    if not module_name:
        return "not a dotted path such as sklearn.ensemble.ExtraTreesClassifier"
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        return str(exc)
    except Exception as exc:  # the module itself is broken
        return f"importing {module_name!r} failed: {type(exc).__name__}: {exc}"
    close = difflib.get_close_matches(name, [n for n in dir(module) if not n.startswith("_")], 1)
    hint = f"; did you mean {module_name}.{close[0]}?" if close else ""
    return f"module {module_name!r} has no {name!r}{hint}"


def _param_names(target: str) -> list[str]:
    """The constructor parameters of the class ``target`` names ([] if it cannot tell)."""
    from hydra.utils import get_class

    try:
        return list(get_class(target)._get_param_names())
    except Exception:  # not a scikit-learn class: no suggestion
        return []
