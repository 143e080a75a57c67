"""mlcore.datasets.make_campaign and campaign_outcomes: the simulated truth is self-consistent."""

import numpy as np
import pandas as pd
import pytest

from mlcore.datasets import SEGMENTS, campaign_outcomes, make_campaign


def test_segments_decide_the_potential_outcomes_and_the_truth_averages_them():
    rows, truth = make_campaign(3_000, seed=1, n_campaigns=3)
    outcomes = rows.groupby("segment")[["churned_if_left_alone", "churned_if_contacted"]].mean()
    assert outcomes.loc["persuadable"].tolist() == [1, 0]
    assert outcomes.loc["sleeping_dog"].tolist() == [0, 1]
    assert outcomes.loc["lost_cause"].tolist() == [1, 1]
    assert outcomes.loc["sure_thing"].tolist() == [0, 0]
    assert set(rows["segment"]) == set(SEGMENTS)
    # The expected effect matches the realised unit effects on average.
    realised = rows["churned_if_contacted"] - rows["churned_if_left_alone"]
    assert rows["true_effect"].mean() == pytest.approx(realised.mean(), abs=0.01)
    arms = rows.loc[rows["group"].isin(["treatment", "control"])]
    expected = arms.groupby("campaign")["true_effect"].mean()
    assert truth["effect_randomized"].to_numpy() == pytest.approx(expected.to_numpy())
    assert rows.groupby("campaign")["targeted"].mean().tolist() == [0.3] * 3
    assert rows["customer_id"].is_unique


def test_a_confounded_campaign_has_no_control_and_contacts_the_risky():
    rows, _ = make_campaign(5_000, seed=2, confounded=True)
    assert set(rows["group"]) == {"treatment", "others"}
    by_contact = rows.groupby("contacted")["usage_drop"].mean()
    assert by_contact[1] > by_contact[0] + 0.3
    stronger, _ = make_campaign(5_000, seed=2, confounded=True, targeting_strength=3.0)
    assert stronger.groupby("contacted")["usage_drop"].mean().diff().iloc[-1] > 1.0


def test_bad_simulation_settings():
    with pytest.raises(ValueError, match="n >= 10"):
        make_campaign(5)
    with pytest.raises(ValueError, match="target_fraction"):
        make_campaign(100, target_fraction=0.0)


def test_campaign_outcomes_follow_an_assignment():
    assignment = pd.DataFrame(
        {
            "customer_id": np.arange(4_000),
            "score": np.linspace(0.02, 0.95, 4_000),
            "group": np.tile(["treatment", "control", "random", "others"], 1_000),
        }
    )
    outcomes = campaign_outcomes(assignment, seed=3)
    assert outcomes["customer_id"].tolist() == assignment["customer_id"].tolist()
    assert abs(outcomes["churned"].mean() - 0.45) < 0.05  # about the mean score, a little less
    mid = outcomes["true_effect"][(assignment["score"] > 0.4) & (assignment["score"] < 0.6)]
    low = outcomes["true_effect"][assignment["score"] < 0.1]
    assert mid.mean() < -0.1 < 0 < low.mean()  # persuadables mid-risk, sleeping dogs low-risk
    with pytest.raises(ValueError, match=r"no column\(s\) \['score'\]"):
        campaign_outcomes(assignment.drop(columns="score"))
