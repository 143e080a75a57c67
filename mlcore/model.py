"""Estimators named by the ``model`` config, wrapped with the preprocessing into one pipeline.

LightGBM is imported only when a LightGBM model is built.

Example:
    >>> from mlcore.model import build_estimator
    >>> type(build_estimator({"kind": "dummy", "params": {}}, seed=0)).__name__
    'DummyClassifier'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sklearn.base import ClassifierMixin
from sklearn.dummy import DummyClassifier
from sklearn.pipeline import Pipeline

from mlcore.errors import ConfigError

__all__ = ["MODEL_KINDS", "build_estimator", "build_pipeline"]

MODEL_KINDS = ("lightgbm", "dummy")


def build_estimator(config: Mapping[str, Any], seed: int) -> ClassifierMixin:
    """A classifier of ``config["kind"]`` with ``config["params"]``; the seed comes from config.

    LightGBM gets ``random_state=seed`` unless the params set it, and ``deterministic`` with
    ``force_row_wise`` so the same data and thread count give the same model.
    """
    kind = config.get("kind")
    params = dict(config.get("params") or {})
    if kind == "dummy":
        return DummyClassifier(strategy=params.pop("strategy", "prior"), **params)
    if kind == "lightgbm":
        from lightgbm import LGBMClassifier

        params.setdefault("random_state", seed)
        params.setdefault("deterministic", True)
        params.setdefault("force_row_wise", True)
        params.setdefault("verbose", -1)
        try:
            return LGBMClassifier(**params)
        except TypeError as exc:
            raise ConfigError(f"model.params: {exc}") from None
    raise ConfigError(f"model.kind must be one of {MODEL_KINDS}, got {kind!r}")


def build_pipeline(preprocessor: Any, estimator: ClassifierMixin) -> Pipeline:
    """The model that is logged: preprocessing and estimator fitted and saved together."""
    return Pipeline([("preprocess", preprocessor), ("model", estimator)])
