"""mlcore.model calibration: fitted on validation inside the model, chosen by cross-fitted log
loss, and served by the logged model (real SQLite MLflow store, real LightGBM)."""

from __future__ import annotations

import pickle
from unittest import mock

import mlflow
import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss

from mlcore._model_io import log_sklearn_model
from mlcore.errors import ConfigError
from mlcore.evaluate import expected_calibration_error
from mlcore.explain import local_contributions
from mlcore.features import build_preprocessor
from mlcore.model import (
    Calibration,
    build_pipeline,
    calibrate,
    calibration_settings,
    fit_calibrator,
    uncalibrated,
)


def _data(n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "customer_id": np.arange(n) // 3,  # three rows per customer
            "x": rng.normal(size=n),
            "z": rng.normal(size=n),
            "plan": rng.choice(["basic", "plus"], n),
        }
    )
    logit = 1.5 * frame["x"] - frame["z"] + (frame["plan"] == "plus") - 2.0
    labels = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return frame, labels


def _over_predicting(frame: pd.DataFrame, labels: np.ndarray):
    """A LightGBM pipeline trained with balanced class weights: it ranks well, over-predicts."""
    from lightgbm import LGBMClassifier

    preprocess = build_preprocessor(frame, {"drop": ["customer_id"]})
    estimator = LGBMClassifier(
        n_estimators=40, class_weight="balanced", n_jobs=1, verbose=-1, random_state=0
    )
    return build_pipeline(preprocess, estimator).fit(frame, labels)


def test_fit_calibrator_freezes_the_model_and_reduces_calibration_error():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(3000, 2))
    y = (rng.random(3000) < 1 / (1 + np.exp(-(X[:, 0] - 2)))).astype(int)
    model = LogisticRegression(class_weight="balanced").fit(X[:1000], y[:1000])  # over-predicts
    coef = model.coef_.copy()
    calibrated = fit_calibrator(model, X[1000:2000], y[1000:2000], method="isotonic")
    raw = model.predict_proba(X[2000:])[:, 1]
    fixed = calibrated.predict_proba(X[2000:])[:, 1]
    np.testing.assert_array_equal(model.coef_, coef)
    ece_raw = expected_calibration_error(y[2000:], raw)
    assert expected_calibration_error(y[2000:], fixed) < ece_raw / 3
    assert uncalibrated(calibrated) is model


def test_auto_calibrates_a_miscalibrated_model_and_lowers_its_log_loss():
    train, val, test = _data(6000, 1), _data(3000, 2), _data(3000, 3)
    model = _over_predicting(*train)
    served, decision, _ = calibrate(model, *val, {"method": "auto"}, groups=val[0]["customer_id"])
    assert decision.method in ("isotonic", "sigmoid")
    losses = decision.log_loss
    assert losses[decision.method] == min(losses.values()) < losses["none"]
    assert decision.reason.startswith("auto: cross-fitted validation log loss none ")
    assert uncalibrated(served) is model  # the fitted model is wrapped, never refitted
    x_test, y_test = test
    before = log_loss(y_test, model.predict_proba(x_test))
    after = log_loss(y_test, served.predict_proba(x_test))
    assert after < before * 0.9  # on rows neither the model nor its calibrator has seen
    assert decision.metrics() == {f"calibration_val_log_loss_{k}": v for k, v in losses.items()}


_SCORING = ("predict_proba", "decision_function")


@pytest.mark.parametrize("method", ["isotonic", "sigmoid"])
def test_calibrate_scores_the_validation_rows_once_and_equals_scikit_learns_own_fit(method):
    train, val, test = _data(6000, 1), _data(3000, 2), _data(2000, 3)
    model = _over_predicting(*train)
    preprocess, estimator = model[0], model[-1]
    spies = [
        mock.patch.object(preprocess, "transform", wraps=preprocess.transform),
        *(mock.patch.object(estimator, m, wraps=getattr(estimator, m)) for m in _SCORING),
    ]
    with spies[0] as transform, spies[1] as proba_spy, spies[2] as response_spy:
        served, decision, proba = calibrate(model, *val, {"method": method})
    # the preprocessing runs once, and the estimator gives its probabilities and its response
    assert (transform.call_count, proba_spy.call_count, response_spy.call_count) == (1, 1, 1)
    reference = fit_calibrator(model, *val, method)  # CalibratedClassifierCV scoring X_val itself
    np.testing.assert_array_equal(proba, served.predict_proba(val[0]))
    np.testing.assert_array_equal(served.predict_proba(test[0]), reference.predict_proba(test[0]))
    assert served.feature_names_in_.tolist() == reference.feature_names_in_.tolist()
    assert uncalibrated(pickle.loads(pickle.dumps(served))).n_features_in_ == model.n_features_in_


class _Oracle(ClassifierMixin, BaseEstimator):
    """Scores that are the true probabilities: no calibrator can improve on them."""

    def fit(self, X, y):
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, X):
        p = 1 / (1 + np.exp(-np.asarray(X)[:, 0]))
        return np.column_stack([1 - p, p])


def test_auto_keeps_a_calibrated_model_as_it_is():
    rng = np.random.default_rng(5)
    X = rng.normal(scale=2.0, size=(4000, 1))
    y = (rng.random(4000) < 1 / (1 + np.exp(-X[:, 0]))).astype(int)
    model = _Oracle().fit(X, y)
    served, decision, proba = calibrate(model, X, y, None)  # None: the defaults, auto
    assert (decision.requested, decision.method) == ("auto", "none")
    assert served is model
    np.testing.assert_array_equal(proba, model.predict_proba(X))  # its own, computed once
    assert "no calibrator lowers it" in decision.reason
    assert decision.log_loss["none"] < min(
        decision.log_loss["isotonic"], decision.log_loss["sigmoid"]
    )


def test_an_explicit_method_is_fitted_and_off_means_off():
    X, y = _data(1500, 6)
    model = _over_predicting(X, y)
    served, decision, _ = calibrate(model, X, y, {"method": "sigmoid"})
    assert decision.method == "sigmoid" and uncalibrated(served) is model
    assert decision.reason.startswith("set by calibration.method")
    same, off, _ = calibrate(model, X, y, {"method": "none"})
    assert same is model and off == Calibration("none", "none", "off (calibration.method none)")
    assert Calibration.from_dict(decision.to_dict()) == decision


def test_multiclass_models_are_calibrated_one_vs_rest_and_renormalised():
    rng = np.random.default_rng(8)
    X = rng.normal(size=(3000, 2))
    y = np.digitize(X[:, 0] + rng.normal(scale=0.8, size=3000), [-0.5, 0.5])
    model = LogisticRegression(C=0.01).fit(X[:1500], y[:1500])
    served, decision, _ = calibrate(
        model, X[1500:], y[1500:], {"method": "isotonic"}, task="multiclass"
    )
    assert set(decision.log_loss) == {"none", "isotonic", "sigmoid"}
    np.testing.assert_allclose(served.predict_proba(X[:10]).sum(axis=1), 1.0)


@pytest.mark.parametrize(
    ("cfg", "task", "match"),
    [
        ({"method": "platt"}, "binary", r"calibration.method must be one of \['none', 'isotonic'"),
        ({"method": "isotonic"}, "regression", "task 'regression' has no probabilities"),
        ({"folds": 1}, "binary", "calibration.folds must be an integer >= 2"),
        ({"methd": "none"}, "binary", "methd"),
    ],
)
def test_bad_calibration_settings_name_the_key(cfg, task, match):
    with pytest.raises(ConfigError, match=match):
        calibration_settings(cfg, task)


def test_auto_does_not_apply_to_regression():
    model = object()
    served, decision, _ = calibrate(model, None, None, {"method": "auto"}, task="regression")
    assert served is model and decision.method == "none"


def test_the_logged_model_serves_the_calibrated_scores_and_explains_the_inner_model(store):
    train, val = _data(6000, 1), _data(3000, 2)
    model = _over_predicting(*train)
    served, decision, _ = calibrate(model, *val, {"method": "isotonic"})
    x_new = _data(200, 9)[0]
    with mlflow.start_run():
        info = log_sklearn_model(served, x_new, "calibrated")
    loaded = mlflow.pyfunc.load_model(f"models:/calibrated/{info.registered_model_version}")
    scores = np.asarray(loaded.predict(x_new))
    np.testing.assert_allclose(scores, served.predict_proba(x_new))
    assert not np.allclose(scores, model.predict_proba(x_new))  # not the raw scores
    inner = uncalibrated(loaded.get_raw_model())  # reason codes read the LightGBM inside
    contributions = local_contributions(inner, x_new, by_input=True)
    raw_margin = inner.predict_proba(x_new)[:, 1]
    np.testing.assert_allclose(1 / (1 + np.exp(-contributions.sum(axis=1))), raw_margin, rtol=1e-6)
