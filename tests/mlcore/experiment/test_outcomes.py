"""mlcore.experiment.join_outcomes: a campaign's outcomes against its assignment, bad input named."""

import pandas as pd
import pytest

from mlcore.errors import ConfigError, DataError
from mlcore.experiment import join_outcomes, scored_population

ASSIGNMENT = pd.DataFrame(
    {
        "id": [1, 2, 3, 4, 5],
        "score": [0.9, 0.8, 0.7, 0.2, 0.1],
        "targeted": [True, True, True, False, False],
        "group": ["treatment", "control", "treatment", "random", "others"],
    }
)
OUTCOMES = pd.DataFrame(
    {"id": [1, 2, 3, 4], "group": ["treatment", "control", "treatment", "random"]}
).assign(churned=[0, 1, 1, 0])


def _join(outcomes, **kwargs):
    return join_outcomes(outcomes, ASSIGNMENT, entity_col="id", where="outcomes.csv", **kwargs)


def test_the_join_brings_score_and_targeting():
    joined = _join(OUTCOMES.assign(score=0.0))  # the outcomes' own score is not the model's
    assert joined["score"].tolist() == [0.9, 0.8, 0.7, 0.2]
    assert joined["targeted"].tolist() == [True, True, True, False]
    flipped = _join(
        OUTCOMES.rename(columns={"churned": "kept"}), outcome_col="kept", outcome_kind="retained"
    )
    assert flipped["churned"].tolist() == [1, 0, 0, 1]


@pytest.mark.parametrize(
    ("outcomes", "message"),
    [
        (OUTCOMES.drop(columns="group"), r"outcomes.csv: missing column\(s\) \['group'\]"),
        (OUTCOMES.iloc[:0], "outcomes.csv: no rows"),
        (pd.concat([OUTCOMES, OUTCOMES.iloc[:1]]), r"1 repeated 'id' value\(s\) \(first: 1\)"),
        (
            OUTCOMES.assign(id=[1, 2, 3, 99]),
            r"1 'id' value\(s\) are not in the assignment \(first: \[99\]",
        ),
        (
            OUTCOMES.assign(group=["treatment", "contrl", "treatment", "random"]),
            r"unknown group\(s\) \['contrl'\]",
        ),
        (
            OUTCOMES.assign(group=["treatment", "control", "control", "random"]),
            "1 customer.s. are in another group than in the assignment .first: 3 is 'control' here, assigned 'treatment'",
        ),
        (
            OUTCOMES.query("group != 'control'"),
            r"no outcomes of the control group \(the assignment has 1",
        ),
        (OUTCOMES.assign(churned=[0, 1, 2, 0]), "column 'churned' must hold only 0 and 1"),
        (OUTCOMES.assign(churned=[0, 1, None, 0]), "column 'churned' must hold only 0 and 1"),
    ],
    ids=[
        "no group",
        "empty",
        "repeated",
        "unknown entity",
        "unknown group",
        "other group",
        "no control",
        "not 0/1",
        "missing",
    ],
)
def test_bad_outcomes_are_named(outcomes, message):
    with pytest.raises(DataError, match=message):
        _join(outcomes)


def test_bad_settings_are_named():
    with pytest.raises(ConfigError, match="outcome_kind must be 'churned' or 'retained'"):
        _join(OUTCOMES, outcome_kind="stayed")
    with pytest.raises(DataError, match=r"missing column\(s\) \['tenure'\]"):
        _join(OUTCOMES, features=["tenure"])
    with pytest.raises(DataError, match=r"the assignment: missing column\(s\) \['targeted'\]"):
        join_outcomes(OUTCOMES, ASSIGNMENT.drop(columns="targeted"), entity_col="id")


PREDICTIONS = pd.DataFrame(
    {
        "id": [2, 1, 2, 1],
        "month": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-02-01", "2024-02-01"]),
        "score": [0.1, 0.2, 0.3, 0.4],
        "model_name": "churn",
        "model_version": "3",
        "run_id": "abc",
    }
)


def test_the_scored_population_is_each_customers_latest_score():
    population = scored_population(PREDICTIONS, "id", "month")
    assert population[["id", "score"]].to_dict("list") == {"id": [1, 2], "score": [0.4, 0.3]}


@pytest.mark.parametrize(
    ("predictions", "date_col", "message"),
    [
        (PREDICTIONS, None, "'id' repeats and there is no date column None"),
        (PREDICTIONS.drop(columns="score"), "month", r"missing column\(s\) \['score'\]"),
        (PREDICTIONS.iloc[:0], "month", "no rows"),
        (
            PREDICTIONS.assign(model_version=["3", "3", "4", "4"]),
            "month",
            "rows of several model versions",
        ),
        (PREDICTIONS.assign(score=[0.1, None, 0.2, None]), "month", r"1 missing score\(s\)"),
    ],
    ids=["repeats", "no score", "empty", "two models", "missing score"],
)
def test_bad_scored_batches_are_named(predictions, date_col, message):
    with pytest.raises(DataError, match=f"batch.parquet: {message}"):
        scored_population(predictions, "id", date_col, "batch.parquet")
