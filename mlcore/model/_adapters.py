"""Per-estimator concerns in one place: seed and determinism, fit options, the model to save and
the pip requirements, for any scikit-learn estimator.

:func:`adapter_for` picks the adapter by the estimator's class: LightGBM (any
``lightgbm.LGBMModel``) and :class:`~mlcore.model.DaskLightGBMClassifier` have their own; every
other estimator gets the generic :class:`EstimatorAdapter`. Nothing else in mlcore asks which
estimator it holds.

Example:
    >>> from sklearn.ensemble import ExtraTreesClassifier
    >>> model = ExtraTreesClassifier(n_estimators=5)
    >>> adapter = adapter_for(model)
    >>> adapter.prepare(model, seed=7).random_state, adapter.fit_params(model, "fit"), adapter.finalize(model) is model
    (7, {}, True)
    >>> adapter.requirements(model)[0].startswith("scikit-learn==")
    True
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Mapping
from typing import Any

from mlcore.model._boosting import boosting_progress
from mlcore.model._checks import check_lightgbm_params, check_sklearn_params
from mlcore.model._dask import DaskLightGBMClassifier
from mlcore.model._origin import origin_of

__all__ = ["DaskLightGBMAdapter", "EstimatorAdapter", "LightGBMAdapter", "adapter_for"]

# Set unless the config sets them: the same data, seed and thread count give the same model.
_LIGHTGBM_DETERMINISM = {"deterministic": True, "force_row_wise": True, "verbose": -1}


def _library_requirements(obj: Any) -> list[str]:
    """The pip requirement(s) of the installed library defining ``obj`` ([] for local code)."""
    origin = origin_of(obj)
    return list(origin.requirements) if origin else []


class EstimatorAdapter:
    """What mlcore does with a scikit-learn estimator, whatever its class; subclassed per library.

    Stateless: every method takes the estimator.
    """

    def check(self, estimator: Any, where: str = "model") -> None:
        """Raise :class:`~mlcore.errors.ConfigError` naming ``where.<param>`` for a bad value.

        The estimator's own validation (``_validate_params`` of scikit-learn estimators), now
        rather than at fit.
        """
        check_sklearn_params(estimator, where)

    def prepare(self, estimator: Any, seed: int) -> Any:
        """Set ``random_state=seed`` wherever the estimator (or one it holds) left it at None."""
        unseeded = {
            key: seed
            for key, value in estimator.get_params(deep=True).items()
            if (key == "random_state" or key.endswith("__random_state")) and value is None
        }
        if unseeded:
            estimator.set_params(**unseeded)
        return estimator

    def fit_params(
        self, estimator: Any, label: str, logger: logging.Logger | None = None
    ) -> dict[str, Any]:
        """Keyword arguments for fitting ``build_pipeline(..., estimator)``: none by default."""
        return {}

    def finalize(self, estimator: Any) -> Any:
        """The fitted estimator to save and score with: the estimator itself by default."""
        return estimator

    def requirements(self, estimator: Any) -> list[str]:
        """Pip requirement(s) of the estimator's library, e.g. ``["scikit-learn==1.6.1"]``."""
        return _library_requirements(type(estimator))


def _lightgbm_defaults(params: Mapping[str, Any], seed: int) -> dict[str, Any]:
    """The seed and the determinism settings the params leave unset."""
    missing = {k: v for k, v in _LIGHTGBM_DETERMINISM.items() if k not in params}
    if params.get("random_state") is None:
        missing["random_state"] = seed
    return missing


class LightGBMAdapter(EstimatorAdapter):
    """Any ``lightgbm.LGBMModel``: determinism settings, checked params, a progress callback.

    Example:
        >>> from lightgbm import LGBMClassifier
        >>> model = LightGBMAdapter().prepare(LGBMClassifier(verbose=1), seed=3)
        >>> params = model.get_params()
        >>> params["random_state"], params["deterministic"], params["force_row_wise"], params["verbose"]
        (3, True, True, 1)
        >>> list(LightGBMAdapter().fit_params(model, "train"))
        ['model__callbacks']
    """

    def check(self, estimator: Any, where: str = "model") -> None:
        """Unknown keywords and the common numeric params out of range (LightGBM checks at fit)."""
        super().check(estimator, where)
        check_lightgbm_params(estimator.get_params(deep=False), where, type(estimator).__name__)

    def prepare(self, estimator: Any, seed: int) -> Any:
        """``random_state=seed``, ``deterministic``, ``force_row_wise``, ``verbose=-1``, unless set."""
        missing = _lightgbm_defaults(estimator.get_params(deep=False), seed)
        return estimator.set_params(**missing) if missing else estimator

    def fit_params(
        self, estimator: Any, label: str, logger: logging.Logger | None = None
    ) -> dict[str, Any]:
        """The :func:`boosting_progress` callback, under the key of ``build_pipeline``'s step."""
        options = {} if logger is None else {"logger": logger}
        return {"model__callbacks": [boosting_progress(label, **options)]}


class DaskLightGBMAdapter(EstimatorAdapter):
    """:class:`~mlcore.model.DaskLightGBMClassifier`: LightGBM's settings in ``params``, and the
    plain local ``LGBMClassifier`` saved.

    Example:
        >>> model = DaskLightGBMAdapter().prepare(DaskLightGBMClassifier({"n_jobs": 4}), seed=5)
        >>> sorted(model.params.items())
        [('deterministic', True), ('force_row_wise', True), ('random_state', 5), ('verbose', -1)]
    """

    def check(self, estimator: Any, where: str = "model") -> None:
        """The LightGBM checks of ``params`` (keys named ``where.params.<param>``)."""
        check_lightgbm_params(dict(estimator.params or {}), f"{where}.params", "LGBMClassifier")

    def prepare(self, estimator: Any, seed: int) -> Any:
        """LightGBM's seed and determinism settings in ``params``; ``n_jobs`` dropped (each Dask
        worker trains with its own thread count). The caller's mapping is not changed."""
        params = dict(estimator.params or {})
        params.update(_lightgbm_defaults(params, seed))
        params.pop("n_jobs", None)
        return estimator.set_params(params=params)

    def finalize(self, estimator: Any) -> Any:
        """The fitted local ``lightgbm.LGBMClassifier``: no Dask needed to score or load it."""
        return estimator.to_local()

    def requirements(self, estimator: Any) -> list[str]:
        """LightGBM's requirement: the saved model is the local ``LGBMClassifier``."""
        from lightgbm import LGBMClassifier

        return _library_requirements(LGBMClassifier)


def _is_lightgbm(estimator: Any) -> bool:
    # Only a loaded LightGBM can have built the estimator: never import it just to ask.
    module = sys.modules.get("lightgbm.sklearn")
    return module is not None and isinstance(estimator, module.LGBMModel)


_GENERIC = EstimatorAdapter()
# First match wins: the most specific class first.
_ADAPTERS: tuple[tuple[Callable[[Any], bool], EstimatorAdapter], ...] = (
    (lambda estimator: isinstance(estimator, DaskLightGBMClassifier), DaskLightGBMAdapter()),
    (_is_lightgbm, LightGBMAdapter()),
)


def adapter_for(estimator: Any) -> EstimatorAdapter:
    """The adapter of ``estimator``'s class: LightGBM's, Dask LightGBM's, else the generic one.

    Example:
        >>> from sklearn.dummy import DummyClassifier
        >>> type(adapter_for(DummyClassifier())).__name__
        'EstimatorAdapter'
    """
    for matches, adapter in _ADAPTERS:
        if matches(estimator):
            return adapter
    return _GENERIC
