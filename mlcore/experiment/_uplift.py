"""Uplift on campaign outcomes: a two-model (T-learner) estimate, by score decile, and Qini curves.

Uplift here is *churn prevented by contact*: P(churn | left alone) - P(churn | contacted), so a
persuadable customer has a positive uplift, a sleeping dog a negative one and sure things and
lost causes none. (Note the sign: :func:`~mlcore.experiment.campaign_effect` reports treatment
minus control, negative when the campaign works.)
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone

from mlcore.errors import ConfigError, DataError

__all__ = [
    "UPLIFT_MODELS",
    "TLearner",
    "cross_fit_uplift",
    "qini_coefficient",
    "qini_curve",
    "uplift_by_decile",
]

UPLIFT_MODELS = ("logistic_regression", "hist_gradient_boosting")


def _classifier(estimator: Any, seed: int | None) -> Any:
    if not isinstance(estimator, str):
        return clone(estimator)
    if estimator == "logistic_regression":
        from sklearn.impute import SimpleImputer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        return make_pipeline(
            SimpleImputer(strategy="median"), StandardScaler(), LogisticRegression(max_iter=1000)
        )
    if estimator == "hist_gradient_boosting":
        from sklearn.ensemble import HistGradientBoostingClassifier

        return HistGradientBoostingClassifier(
            learning_rate=0.05,
            max_iter=100,
            max_leaf_nodes=15,
            min_samples_leaf=40,
            l2_regularization=1.0,
            early_stopping=False,
            random_state=seed,
        )
    raise ConfigError(f"uplift model must be one of {list(UPLIFT_MODELS)}, got {estimator!r}")


def _arrays(X: Any, y: Any, treatment: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    X = np.asarray(X, dtype=np.float64)
    X = X.reshape(-1, 1) if X.ndim == 1 else X
    y, t = np.asarray(y), np.asarray(treatment)
    if X.ndim != 2 or not len(y) == len(t) == len(X):
        raise DataError(
            f"uplift: X, y and treatment need one row each, got {X.shape}, {y.shape}, {t.shape}"
        )
    for name, values in (("outcome", y), ("treatment", t)):
        if not np.isin(values, [0, 1]).all():
            raise DataError(f"uplift: the {name} must hold only 0 and 1")
    return X, y.astype(np.int64), t.astype(np.int64)


def _check_arms(y: np.ndarray, t: np.ndarray, minimum: int = 1) -> None:
    for arm, name in ((1, "contacted"), (0, "left-alone")):
        for label, outcome in ((1, "churners"), (0, "stayers")):
            count = int(((t == arm) & (y == label)).sum())
            if count < minimum:
                raise DataError(
                    f"uplift: the {name} arm has {count} {outcome}; a T-learner needs at least "
                    f"{minimum} in each arm"
                )


class TLearner(BaseEstimator):
    """Two-model uplift: one classifier of churn on the contacted, one on the left-alone.

    ``estimator`` is ``"logistic_regression"`` (median-imputed, scaled), ``"hist_gradient_boosting"``
    (seeded by ``random_state``) or any scikit-learn classifier (cloned for each arm). The uplift
    of a customer is the left-alone model's churn probability minus the contacted model's.

    Example:
        >>> rng = np.random.default_rng(0)
        >>> X = rng.normal(size=(2000, 1)); t = rng.integers(0, 2, 2000)
        >>> y = (rng.random(2000) < 0.3 + 0.2 * (X[:, 0] > 0) * (1 - t)).astype(int)
        >>> u = TLearner(random_state=0).fit(X, y, t).predict_uplift(np.array([[-1.0], [1.0]]))
        >>> bool(u[1] > u[0])
        True
    """

    def __init__(self, estimator: Any = "logistic_regression", *, random_state: int | None = None):
        self.estimator = estimator
        self.random_state = random_state

    def fit(self, X: Any, y: Any, treatment: Any, sample_weight: Any = None) -> TLearner:
        """Fit the contacted arm's model on ``treatment == 1`` rows and the other's on the rest."""
        X, y, t = _arrays(X, y, treatment)
        _check_arms(y, t)
        weights = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        self.models_ = {}
        for arm in (1, 0):
            rows = t == arm
            model = _classifier(self.estimator, self.random_state)
            if weights is None:
                model.fit(X[rows], y[rows])
            else:
                fit_weight = {"sample_weight": weights[rows]}
                if hasattr(model, "steps"):  # a Pipeline routes it to its last step
                    fit_weight = {f"{model.steps[-1][0]}__sample_weight": weights[rows]}
                model.fit(X[rows], y[rows], **fit_weight)
            self.models_[arm] = model
        return self

    def predict_arms(self, X: Any) -> tuple[np.ndarray, np.ndarray]:
        """P(churn | contacted) and P(churn | left alone) for each row of ``X``."""
        X = np.asarray(X, dtype=np.float64)
        X = X.reshape(-1, 1) if X.ndim == 1 else X
        return self.models_[1].predict_proba(X)[:, 1], self.models_[0].predict_proba(X)[:, 1]

    def predict_uplift(self, X: Any) -> np.ndarray:
        """Churn prevented by contact: P(churn | left alone) - P(churn | contacted)."""
        contacted, alone = self.predict_arms(X)
        return alone - contacted


def cross_fit_uplift(
    learner: TLearner,
    X: Any,
    y: Any,
    treatment: Any,
    *,
    folds: int = 5,
    seed: int = 0,
    sample_weight: Any = None,
) -> np.ndarray:
    """Out-of-fold uplift of every row: each fold is scored by a learner fitted on the others.

    Folds are stratified on (treatment, outcome), so each holds both arms and both outcomes; an
    honest estimate to rank customers by, or to compare with another ranking on the same data.

    Example:
        >>> rng = np.random.default_rng(1)
        >>> X = rng.normal(size=(600, 2)); t = rng.integers(0, 2, 600); y = rng.integers(0, 2, 600)
        >>> cross_fit_uplift(TLearner(), X, y, t, folds=3).shape
        (600,)
    """
    from sklearn.model_selection import StratifiedKFold

    X, y, t = _arrays(X, y, treatment)
    if isinstance(folds, bool) or not isinstance(folds, int) or folds < 2:
        raise ConfigError(f"uplift folds must be an integer >= 2, got {folds!r}")
    _check_arms(y, t, minimum=folds)
    weights = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    out = np.empty(len(y))
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train, test in splitter.split(X, 2 * t + y):
        fold = clone(learner).fit(
            X[train], y[train], t[train], None if weights is None else weights[train]
        )
        out[test] = fold.predict_uplift(X[test])
    return out


def _weighted(y: np.ndarray, t: np.ndarray, w: np.ndarray | None) -> tuple[np.ndarray, ...]:
    w = np.ones(len(y)) if w is None else np.asarray(w, dtype=np.float64)
    return w * t, w * t * y, w * (1 - t), w * (1 - t) * y


def uplift_by_decile(
    score: Any,
    y: Any,
    treatment: Any,
    uplift: Any = None,
    *,
    weights: Any = None,
    n_bins: int = 10,
) -> pd.DataFrame:
    """Observed (and, given ``uplift``, predicted) uplift in each bin of ``score`` (1 = highest).

    Observed uplift = churn rate of the left-alone minus churn rate of the contacted in the bin;
    ``weights`` (inverse probabilities of each row's arm, when contact was more likely for some
    customers, e.g. the targeted) make the arms comparable within a bin.

    Example:
        >>> t = np.tile([0, 1], 50); y = np.r_[np.tile([1, 0], 25), np.zeros(50, int)]
        >>> uplift_by_decile(np.linspace(1, 0, 100), y, t, n_bins=2)["observed_uplift"].tolist()
        [1.0, 0.0]
    """
    score = np.asarray(score, dtype=np.float64)
    _, y, t = _arrays(score, y, treatment)
    n = len(score)
    if n < n_bins:
        raise DataError(f"uplift_by_decile: {n} rows cannot fill {n_bins} bins")
    rank = np.empty(n, dtype=np.int64)
    rank[np.argsort(-score, kind="stable")] = np.arange(n)
    frame = pd.DataFrame(dict(zip(("wt", "yt", "wc", "yc"), _weighted(y, t, weights), strict=True)))
    frame["bin"] = rank * n_bins // n + 1
    frame["score"], frame["contacted"] = score, t
    if uplift is not None:
        frame["predicted_uplift"] = np.asarray(uplift, dtype=np.float64)
    agg = {"score_min": ("score", "min"), "score_max": ("score", "max"), "rows": ("score", "size")}
    agg |= {"contacted": ("contacted", "sum"), **{c: (c, "sum") for c in ("wt", "yt", "wc", "yc")}}
    if uplift is not None:
        agg["predicted_uplift"] = ("predicted_uplift", "mean")
    table = frame.groupby("bin").agg(**agg).reset_index()
    with np.errstate(divide="ignore", invalid="ignore"):
        table["churn_contacted"] = table["yt"] / table["wt"]
        table["churn_left_alone"] = table["yc"] / table["wc"]
    table["observed_uplift"] = table["churn_left_alone"] - table["churn_contacted"]
    table["left_alone"] = table["rows"] - table["contacted"]
    columns = ["bin", "rows", "contacted", "left_alone", "score_min", "score_max"]
    columns += ["churn_contacted", "churn_left_alone", "observed_uplift"]
    return table[columns + (["predicted_uplift"] if uplift is not None else [])]


def qini_curve(
    ranking: Any, y: Any, treatment: Any, *, weights: Any = None, n_points: int = 101
) -> pd.DataFrame:
    """Churn prevented when contacting the top ``fraction`` by ``ranking`` (highest first).

    ``prevented = fraction * (churn rate left alone - churn rate contacted, among the top)``:
    churns avoided per customer of the whole population. At fraction 1 it is the average
    uplift; a ranking that finds the persuadable customers first bows above the straight line
    to that point (``random``). See :func:`qini_coefficient`.

    Example:
        >>> t = np.tile([0, 1], 50); y = np.r_[np.tile([1, 0], 25), np.zeros(50, int)]
        >>> c = qini_curve(np.linspace(1, 0, 100), y, t, n_points=3)
        >>> c["prevented"].round(2).tolist(), c["random"].round(2).tolist()
        ([0.0, 0.5, 0.5], [0.0, 0.25, 0.5])
    """
    ranking = np.asarray(ranking, dtype=np.float64)
    _, y, t = _arrays(ranking, y, treatment)
    order = np.argsort(-ranking, kind="stable")
    wt, yt, wc, yc = (np.cumsum(v[order]) for v in _weighted(y, t, weights))
    n = len(ranking)
    fractions = np.linspace(0.0, 1.0, n_points)
    at = np.clip(np.ceil(fractions * n).astype(np.int64) - 1, 0, n - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        gap = np.where((wt[at] > 0) & (wc[at] > 0), yc[at] / wc[at] - yt[at] / wt[at], 0.0)
    prevented = np.where(fractions > 0, fractions * gap, 0.0)
    return pd.DataFrame(
        {"fraction": fractions, "prevented": prevented, "random": fractions * prevented[-1]}
    )


def qini_coefficient(curve: pd.DataFrame) -> float:
    """Area between a :func:`qini_curve` and its random line (> 0: better than random).

    Example:
        >>> qini_coefficient(pd.DataFrame({"fraction": [0, .5, 1], "prevented": [0, .5, .5],
        ...                                "random": [0, .25, .5]}))
        0.125
    """
    gain = (curve["prevented"] - curve["random"]).to_numpy()
    x = curve["fraction"].to_numpy()
    return float(np.sum((gain[1:] + gain[:-1]) / 2 * np.diff(x)))
