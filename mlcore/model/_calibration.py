"""Calibration of a fitted classifier on the validation set, inside the model that is logged.

``calibration.method``: ``none``, ``isotonic``, ``sigmoid`` or ``auto`` (the default). The fitted
model is wrapped, not refitted: ``CalibratedClassifierCV(FrozenEstimator(model), method)`` learns
one mapping of its scores on all validation rows, so the logged model (``make predict``,
``make serve``) returns calibrated probabilities. ``auto`` decides by the validation log loss of
each method *cross-fitted* over ``folds`` entity-grouped folds (a calibrator is always better on
the rows it was fitted on): the lowest wins, ``none`` when no calibrator lowers it. Multiclass
models are calibrated one-vs-rest and renormalised (scikit-learn's way); regression has no
probabilities: ``auto`` is ``none`` there and an explicit method is a ``ConfigError``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from mlcore._schema import choice, section
from mlcore.errors import ConfigError

__all__ = [
    "CALIBRATION_METHODS",
    "Calibrated",
    "Calibration",
    "calibrate",
    "calibration_settings",
    "fit_calibrator",
    "uncalibrated",
]

CALIBRATION_METHODS = ("none", "isotonic", "sigmoid", "auto")
_FITTED = ("isotonic", "sigmoid")
_DEFAULTS = {"method": "auto", "folds": 5}


@dataclass(frozen=True)
class Calibration:
    """What the model got (``method``: none, isotonic or sigmoid), what was asked and why;
    ``log_loss``: the cross-fitted validation log loss by method (empty when not applicable)."""

    requested: str
    method: str
    reason: str
    log_loss: dict[str, float] = field(default_factory=dict)

    def metrics(self) -> dict[str, float]:
        """``calibration_val_log_loss_<method>`` for the run."""
        return {f"calibration_val_log_loss_{k}": v for k, v in self.log_loss.items()}

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, saved: Mapping[str, Any]) -> Calibration:
        return cls(**saved)


def calibration_settings(cfg: Mapping[str, Any] | None, task: str = "binary") -> dict[str, Any]:
    """The ``calibration`` section checked, with its defaults filled.

    Example:
        >>> calibration_settings({"method": "isotonic"})
        {'method': 'isotonic', 'folds': 5}
    """
    settings = section(cfg, "calibration", _DEFAULTS)
    choice(settings["method"], "calibration.method", CALIBRATION_METHODS)
    folds = settings["folds"]
    if isinstance(folds, bool) or not isinstance(folds, int) or folds < 2:
        raise ConfigError(f"calibration.folds must be an integer >= 2, got {folds!r}")
    if task == "regression" and settings["method"] in _FITTED:
        raise ConfigError(
            f"calibration.method {settings['method']!r} applies to classifiers; task "
            "'regression' has no probabilities to calibrate: use calibration=none (or auto)"
        )
    return settings


def fit_calibrator(model: Any, X_val: Any, y_val: np.ndarray, method: str = "isotonic") -> Any:
    """Calibrate an already fitted classifier on validation data; returns the calibrated model.

    The fitted ``model`` (e.g. the whole preprocessing + LightGBM pipeline) is wrapped in
    ``FrozenEstimator`` so it is not refitted, and ``CalibratedClassifierCV`` learns one
    ``isotonic`` or ``sigmoid`` mapping on all of ``X_val`` (the replacement for the removed
    ``cv="prefit"``). Fit it on data the model has not been trained on.

    Example:
        >>> from sklearn.linear_model import LogisticRegression
        >>> X, y = np.arange(20.0).reshape(-1, 1), np.arange(20) % 2
        >>> fit_calibrator(LogisticRegression().fit(X, y), X, y, "sigmoid").predict_proba(X).shape
        (20, 2)
    """
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.frozen import FrozenEstimator

    return CalibratedClassifierCV(FrozenEstimator(model), method=method).fit(X_val, y_val)


def uncalibrated(model: Any) -> Any:
    """The fitted model inside a :func:`fit_calibrator` wrapper (``model`` itself otherwise):
    what reason codes and permutation importance read.

    Example:
        >>> from sklearn.linear_model import LogisticRegression
        >>> X, y = np.arange(20.0).reshape(-1, 1), np.arange(20) % 2
        >>> inner = LogisticRegression().fit(X, y)
        >>> uncalibrated(fit_calibrator(inner, X, y, "sigmoid")) is inner
        True
    """
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.frozen import FrozenEstimator

    if isinstance(model, CalibratedClassifierCV) and isinstance(model.estimator, FrozenEstimator):
        return model.estimator.estimator
    return model


def _scored(model: Any, X: Any) -> tuple[np.ndarray, np.ndarray]:
    """``model``'s probabilities on ``X`` and what ``CalibratedClassifierCV`` calibrates:
    ``decision_function``, else the probabilities (the positive class's for a binary model), one
    column per calibrator. A Pipeline's steps before its estimator run once for both, as each of
    the Pipeline's own methods would run them."""
    from sklearn.pipeline import Pipeline

    if isinstance(model, Pipeline) and len(model) > 1:
        model, X = model[-1], model[:-1].transform(X)
    proba = np.asarray(model.predict_proba(X), dtype=np.float64)
    if hasattr(model, "decision_function"):
        values = np.asarray(model.decision_function(X), dtype=np.float64)
    else:
        values = proba[:, 1] if proba.shape[1] == 2 else proba
    return proba, values.reshape(len(values), -1)


def _given_scores(classes: np.ndarray) -> Any:
    """A fitted classifier whose response is its input: calibrators cross-fitted on scores
    computed once."""
    from sklearn.base import BaseEstimator, ClassifierMixin

    class Given(ClassifierMixin, BaseEstimator):
        def fit(self, X: Any, y: Any = None) -> Given:
            self.classes_ = classes
            return self

        def decision_function(self, X: Any) -> np.ndarray:
            X = np.asarray(X)
            return X[:, 0] if X.shape[1] == 1 else X

        def predict(self, X: Any) -> np.ndarray:  # the API cross_val_predict asks for
            X = np.asarray(X)
            return classes[(X[:, 0] > 0.5).astype(int) if X.shape[1] == 1 else X.argmax(axis=1)]

    return Given().fit(None)


def _folds(y_val: np.ndarray, groups: Any, folds: int, n_classes: int) -> np.ndarray | None:
    """Each row's fold, by a hash of ``groups`` (every row of an entity in one fold); None when
    a fold, or the rest, lacks a class."""
    keys = pd.Series(np.arange(len(y_val)) if groups is None else np.asarray(groups))
    fold = pd.util.hash_pandas_object(keys, index=False).to_numpy() % np.uint64(folds)
    for k in range(folds):
        for part in (y_val[fold == k], y_val[fold != k]):
            if len(np.unique(part)) < n_classes:
                return None
    return fold


def _cross_fitted_log_loss(
    given: Any, proba: np.ndarray, response: np.ndarray, y_val: np.ndarray, fold: np.ndarray
) -> dict[str, float]:
    """Validation log loss of the model (its ``proba``) and of each calibrator fitted on the
    other folds' ``response`` (``given`` scores it)."""
    from sklearn.metrics import log_loss

    classes = given.classes_
    losses = {"none": log_loss(y_val, proba, labels=classes)}
    for method in _FITTED:
        held_out = np.zeros((len(y_val), len(classes)))
        for k in np.unique(fold):
            held = fold == k
            calibrator = fit_calibrator(given, response[~held], y_val[~held], method)
            held_out[held] = calibrator.predict_proba(response[held])
        losses[method] = log_loss(y_val, held_out, labels=classes)
    return {k: float(v) for k, v in losses.items()}


def _calibrated(
    model: Any, given: Any, response: np.ndarray, y_val: np.ndarray, method: str
) -> tuple[Any, np.ndarray]:
    """``fit_calibrator(model, X_val, y_val, method)`` and its probabilities on ``X_val``, from
    the model's ``response`` on ``X_val``: the calibrator is fitted on the scores (``given``),
    then wraps the frozen model, as ``CalibratedClassifierCV.fit`` would have."""
    from sklearn.frozen import FrozenEstimator

    calibrated = fit_calibrator(given, response, y_val, method)
    proba = calibrated.predict_proba(response)
    frozen = FrozenEstimator(model)
    calibrated.estimator = frozen
    for pair in calibrated.calibrated_classifiers_:
        pair.estimator = frozen
    for name in ("n_features_in_", "feature_names_in_"):
        if hasattr(frozen, name):
            setattr(calibrated, name, getattr(frozen, name))
    return calibrated, proba


def _losses_text(losses: Mapping[str, float]) -> str:
    return ", ".join(f"{m} {losses[m]:.4f}" for m in ("none", *_FITTED))


@dataclass(frozen=True)
class Calibrated:
    """What :func:`calibrate` returns: the model to log, the decision and the model's
    probabilities on the validation rows (None when they were not computed); it unpacks as
    ``model, decision, validation_proba``."""

    model: Any
    decision: Calibration
    validation_proba: np.ndarray | None = None

    def __iter__(self) -> Iterator[Any]:
        return iter((self.model, self.decision, self.validation_proba))


def calibrate(
    model: Any,
    X_val: Any,
    y_val: np.ndarray,
    cfg: Mapping[str, Any] | None,
    *,
    task: str = "binary",
    groups: Any = None,
) -> Calibrated:
    """The model to log (calibrated on ``X_val``, ``y_val`` or as it was), the decision and its
    validation probabilities. The model's estimator scores the validation rows twice
    (probabilities, and the response its calibrator maps), after the steps before it ran once:
    every calibrator and the returned probabilities reuse them.

    ``groups`` (e.g. the entity column of ``X_val``) keeps each entity's rows in one fold of the
    cross-fitted comparison.

    Example:
        >>> from sklearn.linear_model import LogisticRegression
        >>> X, y = np.arange(200.0).reshape(-1, 1), (np.arange(200) % 3 == 0).astype(int)
        >>> _, decision, _ = calibrate(LogisticRegression().fit(X, y), X, y, {"method": "sigmoid"})
        >>> decision.method, sorted(decision.log_loss)
        ('sigmoid', ['isotonic', 'none', 'sigmoid'])
    """
    settings = calibration_settings(cfg, task)
    requested = settings["method"]
    if task == "regression":
        return Calibrated(
            model, Calibration(requested, "none", "not applicable: a regression model")
        )
    if requested == "none":
        return Calibrated(model, Calibration(requested, "none", "off (calibration.method none)"))
    given = _given_scores(np.asarray(model.classes_))
    proba, response = _scored(model, X_val)
    fold = _folds(y_val, groups, settings["folds"], len(given.classes_))
    losses = None if fold is None else _cross_fitted_log_loss(given, proba, response, y_val, fold)
    if losses is None:
        if requested == "auto":
            why = f"none: the validation set is too small for {settings['folds']} folds per class"
            return Calibrated(model, Calibration(requested, "none", why), proba)
        method, why = requested, "set by calibration.method (too few rows to cross-fit)"
    elif requested == "auto":
        method = min(("none", *_FITTED), key=lambda m: (losses[m], m != "none"))
        verdict = "lowest" if method != "none" else "no calibrator lowers it"
        why = f"auto: cross-fitted validation log loss {_losses_text(losses)} ({verdict})"
    else:
        method = requested
        why = f"set by calibration.method; cross-fitted validation log loss {_losses_text(losses)}"
    decision = Calibration(requested, method, why, losses or {})
    if method == "none":
        return Calibrated(model, decision, proba)
    calibrated, calibrated_proba = _calibrated(model, given, response, y_val, method)
    return Calibrated(calibrated, decision, calibrated_proba)
