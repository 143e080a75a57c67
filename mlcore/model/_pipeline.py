"""The model that is logged: preprocessing and estimator in one scikit-learn pipeline, behind
the panel's activity features when the data has them."""

from __future__ import annotations

from typing import Any

from sklearn.pipeline import Pipeline

__all__ = ["build_pipeline", "split_features", "with_features"]

FEATURES_STEP = "activity"


def build_pipeline(preprocessor: Any, estimator: Any) -> Pipeline:
    """``Pipeline([("preprocess", preprocessor), ("model", estimator)])``: fitted and saved together.

    The step names are fixed: fit parameters reach the estimator as ``model__<name>`` (see
    :meth:`EstimatorAdapter.fit_params <mlcore.model.EstimatorAdapter.fit_params>`).

    Example:
        >>> from sklearn.dummy import DummyClassifier
        >>> [name for name, _ in build_pipeline("passthrough", DummyClassifier()).steps]
        ['preprocess', 'model']
    """
    return Pipeline([("preprocess", preprocessor), ("model", estimator)])


def with_features(features: Any, model: Any) -> Any:
    """The model to log: ``Pipeline([("activity", features), ("model", model)])``, the fitted
    :class:`mlcore.activity.PanelFeatures` first so the model scores raw panel rows; ``model``
    itself when ``features`` is None.

    Example:
        >>> from sklearn.dummy import DummyClassifier
        >>> with_features(None, DummyClassifier()).__class__.__name__
        'DummyClassifier'
    """
    if features is None:
        return model
    return Pipeline([(FEATURES_STEP, features), ("model", model)])


def split_features(model: Any) -> tuple[Any, Any]:
    """``(features, scorer)`` of a model :func:`with_features` made: the activity step (None
    without one) and the model that scores rows which already have the features.

    Example:
        >>> from sklearn.dummy import DummyClassifier
        >>> split_features(with_features("passthrough", DummyClassifier()))
        ('passthrough', DummyClassifier())
    """
    if isinstance(model, Pipeline) and model.steps[0][0] == FEATURES_STEP:
        return model.steps[0][1], model.steps[1][1]
    return None, model
