"""The model that is logged: preprocessing and estimator in one scikit-learn pipeline."""

from __future__ import annotations

from typing import Any

from sklearn.pipeline import Pipeline

__all__ = ["build_pipeline"]


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
