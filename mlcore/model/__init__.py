"""Estimator primitives: the adapter of per-estimator concerns, LightGBM on Dask, the pipeline.

Any scikit-learn estimator can be the model (``mlcore._estimator.build_estimator`` builds it from
config with Hydra); what differs between estimators is in one place, :func:`adapter_for`:

* ``prepare`` — the seed (``random_state``) and, for LightGBM, the determinism settings;
* ``check`` — hyperparameter values checked before any work, errors naming ``model.<param>``;
* ``fit_params`` — LightGBM's progress callback (:func:`boosting_progress`);
* ``finalize`` — the model to save (:class:`DaskLightGBMClassifier`'s local LightGBM);
* ``requirements`` — the pip requirement of the estimator's library.

The fitted model is then calibrated on the validation set (:func:`calibrate`, config
``calibration``) inside the model that is logged, behind the panel's activity features
(:func:`with_features`; :func:`split_features` takes them apart).

No Hydra, MLflow or Great Expectations here; LightGBM is imported only by LightGBM's adapter,
and Dask only when a :class:`DaskLightGBMClassifier` is fitted.

Example:
    >>> from sklearn.linear_model import LogisticRegression
    >>> from mlcore.model import adapter_for, build_pipeline
    >>> estimator = adapter_for(LogisticRegression()).prepare(LogisticRegression(), seed=0)
    >>> build_pipeline("passthrough", estimator)[-1].random_state
    0
"""

from mlcore.model._adapters import (
    DaskLightGBMAdapter,
    EstimatorAdapter,
    LightGBMAdapter,
    adapter_for,
)
from mlcore.model._boosting import boosting_progress
from mlcore.model._calibration import (
    CALIBRATION_METHODS,
    Calibrated,
    Calibration,
    calibrate,
    calibration_settings,
    fit_calibrator,
    uncalibrated,
)
from mlcore.model._dask import LOCAL_WORKERS, DaskLightGBMClassifier, dask_client
from mlcore.model._origin import Origin, origin_of
from mlcore.model._pipeline import build_pipeline, split_features, with_features

__all__ = [
    "CALIBRATION_METHODS",
    "LOCAL_WORKERS",
    "DaskLightGBMAdapter",
    "DaskLightGBMClassifier",
    "EstimatorAdapter",
    "LightGBMAdapter",
    "Origin",
    "adapter_for",
    "Calibrated",
    "Calibration",
    "boosting_progress",
    "build_pipeline",
    "calibrate",
    "calibration_settings",
    "dask_client",
    "fit_calibrator",
    "origin_of",
    "split_features",
    "uncalibrated",
    "with_features",
]
