"""mlcore.experiment: stable campaign groups and the measured effect of a campaign."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlcore.errors import ConfigError, DataError
from mlcore.experiment import DEFAULT_SALT, assign_groups, campaign_effect
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


def test_campaign_effect_matches_the_hand_computed_interval():
    # Treatment 10/100 churn, control 20/100: effect -0.10.
    # Wald SE = sqrt(.1*.9/100 + .2*.8/100) = 0.05; 95% CI = -0.10 +- 1.959964 * 0.05.
    # Pooled p = 0.15, SE0 = sqrt(.15*.85*(2/100)) = 0.0504975; z = 1.980295; p = 0.047670.
    outcomes = pd.DataFrame(
        {
            "group": ["treatment"] * 100 + ["control"] * 100 + ["others"] * 50,
            "churned": [1] * 10 + [0] * 90 + [1] * 20 + [0] * 80 + [1] * 5 + [0] * 45,
        }
    )
    result = campaign_effect(outcomes)
    assert result.effect == pytest.approx(-0.10)
    assert (result.ci_low, result.ci_high) == pytest.approx((-0.197998, -0.002002), abs=1e-6)
    assert result.p_value == pytest.approx(0.047670, abs=1e-6)
    assert (result.n_treatment, result.n_control) == (100, 100)
    assert result.table.set_index("group").loc["others", "churn_rate"] == pytest.approx(0.1)


def test_campaign_effect_errors_name_the_problem():
    outcomes = pd.DataFrame({"group": ["treatment", "treatment"], "churned": [0, 1]})
    with pytest.raises(DataError, match="no 'control' rows in column 'group'"):
        campaign_effect(outcomes)
    with pytest.raises(DataError, match="must hold only 0 and 1"):
        campaign_effect(outcomes.assign(churned=[0, 2]))
    with pytest.raises(ConfigError, match="campaign fractions must sum to 1"):
        assign_groups(IDS, {"treatment": 0.5, "control": 0.6})
    with pytest.raises(ConfigError, match=r"random_fraction must be in \[0, 1\)"):
        assign_groups(IDS, random_fraction=1.0)
    with pytest.raises(DataError, match="targeted must be a boolean mask of 3 values"):
        assign_groups([1, 2, 3], targeted=np.array([1, 0, 1]))
