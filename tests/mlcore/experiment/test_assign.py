"""mlcore.experiment: the targeted population and its stable campaign groups."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlcore.errors import ConfigError, DataError
from mlcore.experiment import (
    DEFAULT_SALT,
    assign_groups,
    contacted,
    plan_campaign,
    select_targets,
)
from mlcore.split import hash_bucket, hash_split

IDS = np.arange(100_000, 200_000)


def test_groups_follow_the_configured_fractions():
    targeted = hash_bucket(IDS, "model score") < 0.3  # stands in for "high churn probability"
    groups = assign_groups(
        IDS, {"treatment": 0.75, "control": 0.25}, targeted=targeted, random_fraction=0.04
    )
    assert abs((groups == "random").mean() - 0.04) < 0.005
    arms = groups[targeted & (groups != "random")]
    assert abs((arms == "treatment").mean() - 0.75) < 0.01
    assert set(groups[~targeted]) == {"random", "others"}


def test_the_random_group_is_drawn_from_the_whole_population_with_the_shared_hash():
    targeted = hash_bucket(IDS, "model score") < 0.3
    groups = assign_groups(IDS, targeted=targeted, random_fraction=0.05)
    is_random = groups == "random"
    assert (is_random == (hash_bucket(IDS, DEFAULT_SALT) < 0.05)).all()
    assert abs(is_random[targeted].mean() - is_random[~targeted].mean()) < 0.01


@settings(max_examples=20, deadline=None)
@given(st.lists(st.integers(0, 10**12), min_size=1, max_size=50, unique=True), st.data())
def test_a_customer_targeted_in_two_months_stays_in_the_same_group(january, data):
    february = data.draw(st.lists(st.integers(0, 10**12), max_size=50)) + january
    cfg = {"fractions": {"treatment": 0.6, "control": 0.4}, "random_fraction": 0.1}
    jan = assign_groups(np.array(january), **cfg)
    feb = assign_groups(np.array(february), **cfg)
    assert (feb[-len(january) :] == jan).all()


def test_campaign_groups_are_independent_of_the_train_test_split():
    groups = assign_groups(IDS, {"treatment": 0.5, "control": 0.5})
    sets = hash_split(IDS)
    for name in ("train", "test"):
        assert abs((groups[sets == name] == "treatment").mean() - 0.5) < 0.02


def test_assignment_errors_name_the_problem():
    with pytest.raises(ConfigError, match="campaign fractions must sum to 1"):
        assign_groups(IDS, {"treatment": 0.5, "control": 0.6})
    with pytest.raises(ConfigError, match=r"random_fraction must be in \[0, 1\)"):
        assign_groups(IDS, random_fraction=1.0)
    with pytest.raises(DataError, match="targeted must be a boolean mask of 3 values"):
        assign_groups([1, 2, 3], targeted=np.array([1, 0, 1]))


def test_selections_top_k_threshold_and_fraction():
    scores = np.array([0.1, 0.8, 0.4, 0.8, 0.95])
    assert select_targets(scores, "top_k", 3).tolist() == [False, True, False, True, True]
    assert select_targets(scores, "top_k", 99).all()  # fewer customers than k: all of them
    assert select_targets(scores, "threshold", 0.4).tolist() == [False, True, True, True, True]
    assert select_targets(scores, "fraction", 0.2).sum() == 1
    assert select_targets(scores, "fraction", 0.01).sum() == 1  # at least one
    # Ties at the cutoff go by row order: the first 0.8 before the second.
    assert select_targets(scores, "top_k", 2).tolist() == [False, True, False, False, True]


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("top_k", 0, "integer >= 1"),
        ("top_k", 2.5, "integer >= 1"),
        ("fraction", 1.5, r"in \(0, 1\]"),
        ("fraction", "x", "must be a number"),
        ("best", 1, "kind must be one of"),
    ],
)
def test_selection_errors_name_the_setting(kind, value, message):
    with pytest.raises(ConfigError, match=message):
        select_targets(np.array([0.5, 0.6]), kind, value)


def test_scores_must_be_finite():
    with pytest.raises(DataError, match="finite numbers"):
        select_targets(np.array([0.5, np.nan]), "top_k", 1)


def test_a_plan_with_an_empty_control_group_is_refused():
    targeted, groups = plan_campaign(IDS[:1000], np.linspace(0, 1, 1000), "top_k", 300)
    assert targeted.sum() == 300 and set(groups[~targeted]) == {"others"}
    with pytest.raises(DataError, match="the control group is empty"):
        plan_campaign(
            IDS[:3], np.array([0.9, 0.8, 0.1]), "top_k", 1, {"treatment": 0.99, "control": 0.01}
        )
    with pytest.raises(DataError, match="targets nobody"):
        plan_campaign(IDS[:3], np.array([0.2, 0.3, 0.1]), "threshold", 0.5)


def test_contacted_groups():
    assert contacted(["random", "others", "treatment", "control"]).tolist() == [1, 0, 1, 0]
