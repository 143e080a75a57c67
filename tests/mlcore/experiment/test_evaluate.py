"""mlcore.experiment.evaluate_campaign and its report parts, on simulated campaigns."""

import pandas as pd
import pytest

from mlcore.datasets import make_campaign
from mlcore.errors import DataError
from mlcore.experiment import campaign_effect, evaluate_campaign, report_parts
from mlcore.report import Report, Section, write_report

FEATURES = ["tenure_years", "usage_drop", "engagement"]
COSTS = {"cost_per_contact": 5.0, "value_per_success": 300.0}


@pytest.fixture(scope="module")
def randomized():
    rows, truth = make_campaign(6_000, seed=11, treatment_fraction=0.8, random_fraction=0.1)
    return rows, truth, evaluate_campaign(rows, features=FEATURES, **COSTS)


def test_a_randomized_campaign_is_read_end_to_end(randomized):
    rows, truth, ev = randomized
    assert ev.groups["group"].tolist() == [
        "treatment",
        "control",
        "random (selected: yes)",
        "random (selected: no)",
        "others",
    ]
    direct = campaign_effect(rows)
    assert (ev.effect.effect, ev.effect.ci_low) == (direct.effect, direct.ci_low)
    assert ev.effect.ci_low < truth["effect_randomized"].iloc[0] < ev.effect.ci_high
    assert (
        ev.exploration is not None
        and ev.exploration.n_treatment == ((rows["group"] == "random") & ~rows["targeted"]).sum()
    )
    assert ev.profit.contacts == ev.effect.n_treatment
    assert ev.profit.per_contact == pytest.approx(-300.0 * ev.effect.effect - 5.0)
    assert len(ev.uplift.deciles) == 10 and ev.uplift.rows == len(rows)
    assert ev.uplift.reaches is False and "the next model to build" in ev.uplift.verdict
    # The targeting is a hard score cutoff: without the control group, nothing to compare.
    assert ev.propensity is None and "overlap too poor" in ev.propensity_refusal
    metrics = ev.metrics()
    assert metrics["campaign_effect"] == ev.effect.effect
    assert {"incremental_profit", "qini_churn_score", "exploration_effect"} <= set(metrics)


def test_the_report_parts_write_a_report(randomized, tmp_path):
    _, _, ev = randomized
    parts = report_parts(ev, {"model": "churn v3"}, features=FEATURES)
    titles = [part[0] for part in parts]
    assert titles[:3] == [
        "Verdict",
        "Churn rate per group",
        "The campaign's effect (randomized: treatment vs control)",
    ]
    assert "Without the control group: propensity estimate (weaker evidence)" in titles
    html, md = write_report(Report("Campaign", [Section(*p) for p in parts]), tmp_path)
    text = md.read_text()
    assert "Refused: propensity: overlap too poor" in text
    assert (tmp_path / "figures" / "qini.png").is_file()
    assert "Uplift by churn-score decile (T-learner)" in html.read_text()


def test_without_a_control_group_the_propensity_estimate_is_all_there_is(tmp_path):
    rows, truth = make_campaign(4_000, seed=12, confounded=True)
    ev = evaluate_campaign(rows, features=FEATURES, **COSTS)
    assert ev.effect is None and ev.profit is None and ev.uplift is None
    assert ev.notes[0].startswith("No randomized estimate")
    kept = ev.propensity.kept & (rows["contacted"].to_numpy() == 1)
    assert ev.propensity.ci_low < rows["true_effect"][kept].mean() < ev.propensity.ci_high
    parts = report_parts(ev, {}, features=FEATURES)
    table = next(p[2] for p in parts if p[0].startswith("Without the control group"))
    assert table["estimate"].tolist() == [
        "propensity-weighted: contacted vs others",
        "naive: contacted vs others",
    ]
    write_report(Report("Campaign", [Section(*p) for p in parts]), tmp_path)
    assert (tmp_path / "figures" / "propensity.png").is_file()


def test_bad_input_is_named():
    rows, _ = make_campaign(500, seed=13)
    with pytest.raises(DataError, match=r"unknown group\(s\) \['vip'\]"):
        evaluate_campaign(rows.assign(group="vip"), **COSTS)
    with pytest.raises(DataError, match=r"feature column\(s\) \['segment'\] are not numeric"):
        evaluate_campaign(rows, features=["segment"], **COSTS)
    with pytest.raises(DataError, match=r"feature column\(s\) \['nope'\] are not in"):
        evaluate_campaign(rows, features=["nope"], **COSTS)
    small = evaluate_campaign(rows.groupby("group").head(3), **COSTS)  # too few to cross-fit
    assert small.uplift is None and any(n.startswith("No uplift estimate") for n in small.notes)
    assert isinstance(small.groups, pd.DataFrame)
