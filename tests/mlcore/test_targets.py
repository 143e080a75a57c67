"""mlcore.targets: churn "in" / "within" N months, by cancellation or by inactivity."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlcore.errors import ConfigError, DataError
from mlcore.targets import churn_labels, churn_periods, edge_warning

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


def dropped(churned=0, censored=0, churned_before_target=0, never_active=0) -> dict[str, int]:
    return {
        "churned": churned,
        "censored": censored,
        "churned_before_target": churned_before_target,
        "never_active": never_active,
    }


def test_cancel_within_two_months():
    # A churns at t=3: Jan (window Feb-Mar) 0; Feb (Mar-Apr) 1; Mar (Apr-May) 1; Apr is churned.
    # B and C never cancel: Jan..Apr are 0 (Apr's window May-Jun is in the data); May and Jun's
    # windows run past June, so they are censored (2 rows each).
    res = run(mode="within", cancel_col="cancelled", definition="cancellation")
    assert labels(res) == {1: [0, 1, 1], 2: [0, 0, 0, 0], 3: [0, 0, 0, 0]}
    assert res.dropped == dropped(churned=1, censored=4)


def test_cancel_in_month_t_plus_two():
    # A: Jan targets Mar (no churn) 0; Feb targets Apr == churn month 1; Mar would target May but
    # A leaves in April first: churned_before_target; Apr is churned.
    res = run(mode="in", cancel_col="cancelled")
    assert labels(res) == {1: [0, 1], 2: [0, 0, 0, 0], 3: [0, 0, 0, 0]}
    assert months_kept(res, 1) == [1, 2]
    assert res.dropped == dropped(churned=1, censored=4, churned_before_target=1)


def test_inactivity_within_two_months():
    # A: monthly gaps (median 31 days); last login Apr 1 + 31 d + 7 d tolerance = May 9, inside
    #    the data: overdue, so churned, in May (t=4). Jan (Feb-Mar) 0, Feb (Mar-Apr) 0, Mar
    #    (Apr-May) 1, Apr (May-Jun) 1: its last active month is a snapshot too.
    # B: last login Jun 1 + 31 d + 7 d = Jul 9, after the data: not churned by the end of June,
    #    so every window inside the data is a known 0 (Jan..Apr); May and Jun are censored.
    # C: gaps 31 and 29 days (median 30); last login Mar 1 + 30 d + 7 d = Apr 7: churned in
    #    April (t=3). Jan (Feb-Mar) 0, Feb (Mar-Apr) 1, Mar (Apr-May) 1; Apr..Jun churned.
    res = run(mode="within", definition="inactivity", activity_col="logins", tolerance="7D")
    assert labels(res) == {1: [0, 0, 1, 1], 2: [0, 0, 0, 0], 3: [0, 1, 1]}
    assert res.dropped == dropped(churned=3, censored=2)


def test_inactivity_in_month_t_plus_two():
    # A (churns in May): Jan targets Mar 0, Feb targets Apr 0, Mar targets May 1; Apr would target
    #    Jun but A leaves in May first: churned_before_target.
    # B: [0, 0, 0, 0], May and Jun censored.
    # C (churns in April): Jan targets Mar 0, Feb targets Apr 1; Mar leaves before May; Apr..Jun
    #    churned.
    res = run(mode="in", definition="inactivity", activity_col="logins", tolerance="7D")
    assert labels(res) == {1: [0, 0, 1], 2: [0, 0, 0, 0], 3: [0, 1]}
    assert months_kept(res, 3) == [1, 2]
    assert res.dropped == dropped(churned=3, censored=2, churned_before_target=2)


def test_labels_keep_the_panel_columns_and_add_the_label():
    res = run(cancel_col="cancelled")
    assert list(res.frame.columns) == ["id", "month", "logins", "cancelled", "churn"]
    assert res.frame["churn"].dtype == np.int64


def test_the_positive_rate_per_snapshot_period_counts_the_kept_rows():
    res = run(mode="within", cancel_col="cancelled")  # Jan: 0 0 0, Feb: 1 0 0, Mar: 1 0 0, ...
    assert res.by_period["rows"].tolist() == [3, 3, 3, 2]
    assert res.by_period["positives"].tolist() == [0, 1, 1, 0]
    assert res.by_period.index[0] == pd.Timestamp("2024-01-01")
    assert res.by_period["positive_rate"].iloc[1] == pytest.approx(1 / 3)


def test_a_tolerance_longer_than_the_data_left_means_not_churned_by_the_end():
    # C's last login Mar 1 + 30 d + 120 d tolerance is in July, after the data: C has not churned
    # by the end of June, so its windows inside the data are 0s (Jan..Apr) and May, Jun censored.
    res = run(definition="inactivity", activity_col="logins", tolerance="120D")
    assert months_kept(res, 3) == [1, 2, 3, 4]
    assert labels(res)[3] == [0, 0, 0, 0]
    per = churn_periods(
        three_customers(),
        entity_col="id",
        date_col="month",
        definition="inactivity",
        activity_col="logins",
        tolerance="120D",
    )
    assert not per.loc[3, "churned"]
    assert per.loc[3, "churn"] == pd.Period("2024-07", freq="M").ordinal  # after the data


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
    # Data end with March. X churns in March: snapshots Jan, Feb (and March, churned); within 1
    # month: Jan 0, Feb 1. Y: Jan 0, Feb 0 (window March is in the data), Mar censored.
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
    assert res.dropped == dropped(churned=1, censored=1)


def activity_log() -> pd.DataFrame:
    """Data through June (R's last event); ``n`` is the activity.

    - Q: active Jan 5, Feb 5, Mar 5 (gaps 31, 29: median 30 d), then silent: overdue Apr 4.
    - R: active on the 5th of every month Jan..Jun; overdue Jul 6, after the data.
    - S: active once, Jan 10: the population's median gap (31 d, R's) makes it overdue Feb 10.
    - Z: one row, Mar 20, with no activity: never active.
    """
    rows = [("Q", f"2024-0{m}-05", 1) for m in (1, 2, 3)]
    rows += [("R", f"2024-0{m}-05", 2) for m in range(1, 7)]
    rows += [("S", "2024-01-10", 3), ("Z", "2024-03-20", 0)]
    log = pd.DataFrame(rows, columns=["who", "at", "n"])
    return log.assign(at=pd.to_datetime(log["at"]))


def test_inactivity_snapshots_every_customer_month_and_count_every_exclusion():
    # Q churns in April: Jan (window Feb) 0, Feb (Mar) 0, Mar (Apr) 1 -- its last active month is
    #   a snapshot -- and April is churned.
    # R: Jan..May 0; Jun's window (July) runs past the data: censored.
    # S, active in a single month, keeps it: Jan (Feb) 1; Feb churned.
    # Z: Mar..Jun (4 periods) never active.
    res = churn_labels(
        activity_log(),
        entity_col="who",
        date_col="at",
        horizon=1,
        definition="inactivity",
        activity_col="n",
        snapshots="periods",
    )
    assert labels_by(res, "who", "at") == {"Q": [0, 0, 1], "R": [0] * 5, "S": [1]}
    assert res.dropped == dropped(churned=2, censored=1, never_active=4)
    made = 4 + 6 + 2 + 4  # Q Jan..Apr, R Jan..Jun, S Jan..Feb, Z Mar..Jun
    assert len(res.frame) + sum(res.dropped.values()) == made
    assert res.by_period["rows"].tolist() == [3, 2, 2, 1, 1]
    assert res.by_period["positives"].tolist() == [1, 0, 1, 0, 0]


def labels_by(result, entity: str, date: str) -> dict:
    frame = result.frame
    return {k: g.sort_values(date)["churn"].tolist() for k, g in frame.groupby(entity)}


def stationary_log(n: int = 3_000, months: int = 24, seed: int = 0) -> pd.DataFrame:
    """Customers join uniformly, log in once a month on a random day, stop with hazard 5 %."""
    rng = np.random.default_rng(seed)
    join = rng.integers(0, months // 2, n)
    life = rng.geometric(0.05, n)
    stop = np.minimum(join + life, months)
    counts = stop - join
    who = np.repeat(np.arange(n), counts)
    month = (
        np.repeat(join, counts)
        + np.arange(counts.sum())
        - np.repeat(np.cumsum(counts) - counts, counts)
    )
    day = pd.Timestamp("2022-01-01") + pd.to_timedelta(
        month * 30.44 + rng.uniform(0, 28, len(month)), unit="D"
    )
    return pd.DataFrame({"who": who, "at": day.normalize()})


def test_inactivity_positive_rate_does_not_climb_towards_the_end_of_the_data():
    # A stationary process: the true monthly churn rate is constant, so the label's rate per
    # snapshot month must stay flat up to the last labelled month (the log showed 0.45
    # and 1.00 there when snapshots stopped at a customer's last purchase).
    res = churn_labels(
        stationary_log(),
        entity_col="who",
        date_col="at",
        horizon=3,
        definition="inactivity",
        tolerance="14D",
        snapshots="periods",
    )
    rates = res.by_period["positive_rate"]
    steady = rates.iloc[6:-3]  # after the customers' first months
    assert edge_warning(res.by_period.iloc[6:]) is None
    assert rates.iloc[-3:].max() < steady.mean() * 1.25
    assert res.dropped["censored"] > 0 and res.dropped["churned"] > 0


def test_edge_warning_names_a_rate_that_climbs_in_the_last_periods():
    flat = pd.DataFrame({"rows": [1_000] * 8, "positives": [100, 104, 98, 101, 99, 103, 97, 100]})
    climbing = flat.assign(positives=[100, 104, 98, 101, 99, 200, 450, 1_000])
    assert edge_warning(flat) is None
    assert "last 3 periods (0.550)" in edge_warning(climbing)
    assert edge_warning(flat.iloc[:4]) is None  # too few periods to tell


def test_inactivity_gaps_count_distinct_active_days_not_bursts():
    # Five events a day, every 7 days from Jan 1 to Feb 5, then silence until the end of March:
    # the typical gap is 7 days (not 0), so Feb 5 + 7 d = Feb 12 < Mar 31: churned in February.
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
        ({"cancel_col": None}, ConfigError, "definition 'cancellation' needs cancel_col"),
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


@settings(max_examples=40, deadline=None)
@given(panels(), st.integers(1, 3), st.sampled_from(["in", "within"]))
def test_inactivity_drops_no_row_silently(panel, horizon, mode):
    panel = panel.assign(logins=1 - panel["cancelled"])  # the cancellation month is inactive
    res = churn_labels(
        panel,
        entity_col="id",
        date_col="month",
        horizon=horizon,
        mode=mode,
        definition="inactivity",
        activity_col="logins",
        default_gap="31D",
    )
    assert len(res.frame) + sum(res.dropped.values()) == len(panel)
    assert (res.frame["t"] + horizon <= panel["t"].max()).all()
    assert res.by_period["rows"].sum() == len(res.frame)
