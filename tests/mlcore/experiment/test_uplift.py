"""mlcore.experiment: T-learner uplift, uplift by decile and Qini curves on simulated campaigns."""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from mlcore.datasets import make_campaign
from mlcore.errors import ConfigError, DataError
from mlcore.experiment import (
    TLearner,
    cross_fit_uplift,
    qini_coefficient,
    qini_curve,
    uplift_by_decile,
)

FEATURES = ["tenure_years", "usage_drop", "engagement", "score"]


@pytest.fixture(autouse=True)
def one_thread():
    """Gradient boosting's OpenMP threads crawl on a loaded machine (the suite runs 2 workers)."""
    with threadpool_limits(limits=1):
        yield


@pytest.fixture(scope="module")
def everyone():
    """One campaign randomized 50/50 over all of its 10,000 customers."""
    rows, _ = make_campaign(10_000, seed=4, target_fraction=1.0, random_fraction=0.0)
    return rows


@pytest.mark.parametrize("model", ["logistic_regression", "hist_gradient_boosting"])
def test_uplift_deciles_rank_persuadables_above_lost_causes(everyone, model):
    """Acceptance: by decile of the out-of-fold uplift, persuadables sit higher than lost causes."""
    learner = TLearner(model, random_state=0)
    uplift = cross_fit_uplift(
        learner, everyone[FEATURES], everyone["churned"], everyone["contacted"], folds=3
    )
    decile = pd.qcut(-uplift, 10, labels=False) + 1  # 1 = the highest predicted uplift
    mean_decile = pd.Series(decile).groupby(everyone["segment"].to_numpy()).mean()
    assert mean_decile["persuadable"] + 1.0 < mean_decile["lost_cause"]  # 3.6-4.2 vs 5.5-5.6
    shares = pd.crosstab(decile, everyone["segment"].to_numpy(), normalize="index")
    assert shares.loc[1, "persuadable"] > 3 * shares.loc[10, "persuadable"]  # 5-13 times
    by_segment = pd.Series(uplift).groupby(everyone["segment"].to_numpy()).mean()
    assert by_segment["persuadable"] > 1.8 * by_segment["lost_cause"]  # 2.3-2.4 times
    assert by_segment["sleeping_dog"] < by_segment["sure_thing"]
    # The uplift model finds them better than the churn score does (the next model to build).
    args = (everyone["churned"], everyone["contacted"])
    by_score = qini_coefficient(qini_curve(everyone["score"], *args))
    assert qini_coefficient(qini_curve(uplift, *args)) > 1.5 * by_score > 0  # 0.022 vs 0.0095


def test_uplift_by_decile_weights_make_unequal_arms_comparable():
    # Bin 1 contacts 90 % of its customers, bin 2 10 %: weights 1 / share per arm.
    t = np.r_[np.ones(90), np.zeros(10), np.ones(10), np.zeros(90)].astype(int)
    y = np.r_[np.zeros(90), np.ones(10), np.zeros(10), np.r_[np.ones(45), np.zeros(45)]]
    share = np.r_[np.full(100, 0.9), np.full(100, 0.1)]
    weights = np.where(t == 1, 1 / share, 1 / (1 - share))
    table = uplift_by_decile(np.linspace(1, 0, 200), y.astype(int), t, weights=weights, n_bins=2)
    assert table["observed_uplift"].tolist() == pytest.approx([1.0, 0.5])
    assert table["contacted"].tolist() == [90, 10]


def test_a_tlearner_takes_any_classifier_and_sample_weights():
    rows, _ = make_campaign(3_000, seed=8, target_fraction=1.0, random_fraction=0.0)
    X, y, t = rows[FEATURES], rows["churned"], rows["contacted"]
    learner = TLearner(LogisticRegression(max_iter=500)).fit(X, y, t, sample_weight=np.ones(len(y)))
    contacted, alone = learner.predict_arms(X)
    assert np.allclose(learner.predict_uplift(X), alone - contacted)
    weighted = TLearner(random_state=0).fit(X, y, t, sample_weight=np.ones(len(y)))
    assert np.allclose(weighted.predict_uplift(X), TLearner().fit(X, y, t).predict_uplift(X))


def test_uplift_errors_name_the_arm():
    X = np.arange(20.0).reshape(-1, 1)
    t = np.r_[np.ones(10), np.zeros(10)].astype(int)
    y = np.r_[np.ones(10), np.tile([0, 1], 5)].astype(int)
    with pytest.raises(DataError, match="the contacted arm has 0 stayers"):
        TLearner().fit(X, y, t)
    with pytest.raises(DataError, match="treatment must hold only 0 and 1"):
        TLearner().fit(X, y, t * 2)
    with pytest.raises(ConfigError, match="uplift model must be one of"):
        TLearner("forest").fit(X, np.tile([0, 1], 10), t)
    with pytest.raises(ConfigError, match="folds must be an integer >= 2"):
        cross_fit_uplift(TLearner(), X, np.tile([0, 1], 10), t, folds=1)
    with pytest.raises(DataError, match="at least 6 in each arm"):
        cross_fit_uplift(TLearner(), X, np.tile([0, 1], 10), t, folds=6)
    with pytest.raises(DataError, match="cannot fill 10 bins"):
        uplift_by_decile(X[:5, 0], y[:5], t[:5])
