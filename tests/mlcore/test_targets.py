"""mlcore.targets: churn "in" / "within" N months, by cancellation or by inactivity."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlcore.errors import ConfigError, DataError
from mlcore.targets import churn_labels, churn_periods

MONTHS = pd.date_range("2024-01-01", periods=6, freq="MS")  # Jan..Jun, periods t = 0..5


def three_customers() -> pd.DataFrame:
    """A hand-made panel; the data end with June (t = 5).

    - A (id 1): Jan..Apr, active every month, cancels in April (t = 3).
    - B (id 2): Jan..Jun, active every month, never cancels.
    - C (id 3): Jan..Jun, subscribed throughout (never cancels) but no logins from April on:
      last active March 1st (t = 2).
    """
    rows = [(1, m, 5, int(m.month == 4)) for m in MONTHS[:4]]
    rows += [(2, m, 9, 0) for m in MONTHS]
    rows += [(3, m, 4 if m.month <= 3 else 0, 0) for m in MONTHS]
    return pd.DataFrame(rows, columns=["id", "month", "logins", "cancelled"])


def labels(result) -> dict[int, list[int]]:
    frame = result.frame
    return {k: g.sort_values("month")["churn"].tolist() for k, g in frame.groupby("id")}


def months_kept(result, customer: int) -> list[int]:
    frame = result.frame
    return frame.loc[frame["id"] == customer, "month"].dt.month.tolist()


def run(**kwargs):
    options = {"entity_col": "id", "date_col": "month", "horizon": 2}
    return churn_labels(three_customers(), **options, **kwargs)


def test_cancel_within_two_months():
    # A churns at t=3: Jan (window Feb-Mar) 0; Feb (Mar-Apr) 1; Mar (Apr-May) 1; Apr is churned.
    # B and C never cancel: Jan..Apr are 0 (Apr's window May-Jun is in the data); May and Jun's
    # windows run past June, so they are censored (2 rows each).
    res = run(mode="within", cancel_col="cancelled")
    assert labels(res) == {1: [0, 1, 1], 2: [0, 0, 0, 0], 3: [0, 0, 0, 0]}
    assert res.dropped == {"churned": 1, "censored": 4, "churned_before_target": 0}


def test_cancel_in_month_t_plus_two():
    # A: Jan targets Mar (no churn) 0; Feb targets Apr == churn month 1; Mar would target May but
    # A leaves in April first: churned_before_target; Apr is churned.
    res = run(mode="in", cancel_col="cancelled")
    assert labels(res) == {1: [0, 1], 2: [0, 0, 0, 0], 3: [0, 0, 0, 0]}
    assert months_kept(res, 1) == [1, 2]
    assert res.dropped == {"churned": 1, "censored": 4, "churned_before_target": 1}


def test_inactivity_within_two_months():
    # A: monthly gaps (median 31 days); last login Apr 1 + 31 d + 7 d tolerance = May 9 < end of
    #    June -> churned in April (t=3), as with the cancellation: [0, 1, 1], Apr churned.
    # B: last login Jun 1 + 31 d + 7 d = Jul 9, after the data: not known to churn, and it could
    #    still churn in June, so any window reaching June is censored (Apr, May, Jun): [0, 0, 0].
    # C: gaps 31 and 29 days (median 30); last login Mar 1 + 30 d + 7 d = Apr 7 < end: churned in
    #    March (t=2). Jan (Feb-Mar) 1, Feb (Mar-Apr) 1; Mar..Jun churned (4 rows).
    res = run(mode="within", definition="inactivity", activity_col="logins", tolerance="7D")
    assert labels(res) == {1: [0, 1, 1], 2: [0, 0, 0], 3: [1, 1]}
    assert res.dropped == {"churned": 5, "censored": 3, "churned_before_target": 0}


def test_inactivity_in_month_t_plus_two():
    # A: [0, 1] and Mar churned_before_target (as with the cancellation).
    # B: [0, 0, 0], Apr..Jun censored.
    # C: Jan targets Mar == churn month: 1; Feb targets Apr but C leaves in March first:
    #    churned_before_target; Mar..Jun churned.
    res = run(mode="in", definition="inactivity", activity_col="logins", tolerance="7D")
    assert labels(res) == {1: [0, 1], 2: [0, 0, 0], 3: [1]}
    assert months_kept(res, 3) == [1]
    assert res.dropped == {"churned": 5, "censored": 3, "churned_before_target": 2}


def test_labels_keep_the_panel_columns_and_add_the_label():
    res = run(cancel_col="cancelled")
    assert list(res.frame.columns) == ["id", "month", "logins", "cancelled", "churn"]
    assert res.frame["churn"].dtype == np.int64


def test_a_tolerance_longer_than_the_data_left_means_not_churned_yet():
    # C's last login Mar 1 + 30 d + 120 d tolerance runs past June: C is not known to churn, so
    # every window reaching March is censored: Jan (Feb-Mar) and later.
    res = run(definition="inactivity", activity_col="logins", tolerance="120D")
    assert months_kept(res, 3) == []
    per = churn_periods(
        three_customers(),
        entity_col="id",
        date_col="month",
        definition="inactivity",
        activity_col="logins",
        tolerance="120D",
    )
    assert not per.loc[3, "churned"]
    assert per.loc[3, "churn"] == pd.Period("2024-03", freq="M").ordinal  # could still churn


def event_log() -> pd.DataFrame:
    """X: events in Jan and Feb, cancels mid-March. Y: events Jan 10 and Mar 20, no cancel."""
    rows = [
        ("X", "2024-01-03", False),
        ("X", "2024-01-20", False),
        ("X", "2024-02-05", False),
        ("X", "2024-03-15", True),
        ("Y", "2024-01-10", False),
        ("Y", "2024-03-20", False),
    ]
    log = pd.DataFrame(rows, columns=["who", "at", "cancel"])
    return log.assign(at=pd.to_datetime(log["at"]))


def test_event_log_snapshots_one_row_per_entity_and_period():
    # Data end with March. X churns in March: snapshots Jan, Feb; within 1 month: Jan 0, Feb 1.
    # Y: Jan 0, Feb 0 (window March is in the data), Mar censored.
    res = churn_labels(
        event_log(),
        entity_col="who",
        date_col="at",
        horizon=1,
        cancel_col="cancel",
        snapshots="periods",
    )
    expected = pd.DataFrame(
        {
            "who": ["X", "X", "Y", "Y"],
            "at": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-01-01", "2024-02-01"]),
            "churn": [0, 1, 0, 0],
        }
    )
    pd.testing.assert_frame_equal(res.frame, expected, check_dtype=False)
    assert res.dropped == {"churned": 0, "censored": 1, "churned_before_target": 0}


def test_inactivity_gaps_count_distinct_active_days_not_bursts():
    # Five events a day, every 7 days from Jan 1 to Feb 5, then silence until the end of March:
    # the typical gap is 7 days (not 0), so Feb 5 + 7 d < Mar 31: churned in February.
    days = pd.date_range("2024-01-01", "2024-02-05", freq="7D")
    stamps = days.repeat(5) + pd.to_timedelta(np.tile(np.arange(5), len(days)), unit="h")
    log = pd.DataFrame({"id": 1, "at": stamps})
    other = pd.DataFrame({"id": [2], "at": pd.to_datetime(["2024-03-31"])})
    per = churn_periods(
        pd.concat([log, other]),
        entity_col="id",
        date_col="at",
        definition="inactivity",
        default_gap="30D",
    )
    assert per.loc[1, "churned"] and per.loc[1, "churn"] == pd.Period("2024-02", freq="M").ordinal
    assert not per.loc[2, "churned"]  # one active day: the 30-day default gap runs past March


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"horizon": 0}, ConfigError, "horizon must be an integer >= 1"),
        ({"mode": "by"}, ConfigError, "mode must be one of"),
        ({"definition": "silence"}, ConfigError, "definition must be one of"),
        ({"cancel_col": None}, ConfigError, "definition 'cancel' needs cancel_col"),
        ({"cancel_col": "cancel"}, DataError, r"missing column\(s\) 'cancel' \(cancel_col\)"),
        ({"label_col": "logins"}, DataError, "already has a column 'logins'"),
        ({"end": "2024-03-31"}, DataError, "the data run past end"),
        ({"freq": "bogus"}, ConfigError, "not a period frequency"),
        (
            {"definition": "inactivity", "tolerance": "-1D"},
            ConfigError,
            "tolerance must be a duration >= 0",
        ),
    ],
)
def test_bad_arguments_say_what_is_wrong(kwargs, error, message):
    options = {"entity_col": "id", "date_col": "month", "horizon": 2, "cancel_col": "cancelled"}
    with pytest.raises(error, match=message):
        churn_labels(three_customers(), **{**options, **kwargs})


def test_an_empty_panel_is_an_error():
    with pytest.raises(DataError, match="has no rows"):
        churn_labels(
            three_customers().iloc[:0],
            entity_col="id",
            date_col="month",
            horizon=1,
            cancel_col="cancelled",
        )


# --- property: every kept label matches its definition; nothing past the data is labelled ----


@st.composite
def panels(draw):
    n_months = draw(st.integers(2, 8))
    rows = []
    for customer in range(draw(st.integers(1, 6))):
        start = draw(st.integers(0, n_months - 1))
        stop = draw(st.integers(start, n_months - 1))
        cancels = draw(st.booleans())
        for t in range(start, stop + 1):
            rows.append((customer, t, int(cancels and t == stop)))
    frame = pd.DataFrame(rows, columns=["id", "t", "cancelled"])
    frame["month"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(frame["t"] * 31, unit="D")
    frame["month"] = frame["month"].dt.to_period("M").dt.to_timestamp()
    return frame


@settings(max_examples=40, deadline=None)
@given(panels(), st.integers(1, 3), st.sampled_from(["in", "within"]))
def test_cancel_labels_match_the_definition_row_by_row(panel, horizon, mode):
    res = churn_labels(
        panel, entity_col="id", date_col="month", horizon=horizon, mode=mode, cancel_col="cancelled"
    )
    end = panel["t"].max()
    churn_at = panel[panel["cancelled"] == 1].groupby("id")["t"].min().to_dict()
    kept = res.frame
    assert len(kept) + sum(res.dropped.values()) == len(panel)
    for row in kept.itertuples():
        c = churn_at.get(row.id)
        assert row.t + horizon <= end  # never a label whose window runs past the data
        assert c is None or row.t < c  # never a snapshot of a churned customer
        if mode == "within":
            assert row.churn == int(c is not None and c <= row.t + horizon)
        else:
            assert c is None or c >= row.t + horizon
            assert row.churn == int(c == row.t + horizon)
