"""Staleness, template and mlcore lag, and open alerts, on hand-made records."""

from __future__ import annotations

from datetime import UTC, datetime

from mlcore.portfolio import Project, apply_status, version_key

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def _project(key: str, **fields) -> Project:
    return Project(key=key, experiment=key, experiment_id=key, source="test", **fields)


def _run(start: str, status: str = "FINISHED") -> dict:
    return {"run_id": start, "status": status, "start": start, "end": start}


def test_a_project_is_stale_after_stale_days_without_a_run_or_when_it_never_ran():
    fresh = _project("fresh", last_run=_run("2026-11-20T12:00:00+00:00"))
    old = _project("old", last_run=_run("2026-10-01T12:00:00+00:00"))
    never = _project("never")
    apply_status([fresh, old, never], stale_days=30, now=NOW)
    assert (fresh.stale, old.stale, never.stale) == (False, True, True)
    assert fresh.days_since_run == 11 and fresh.alerts == []
    assert old.alerts == ["no run in 61 days"] and never.alerts == ["never trained"]
    apply_status([fresh], stale_days=10, now=NOW)
    assert fresh.stale


def test_template_commits_are_ordered_by_first_use_and_the_lag_counts_newer_ones():
    a = _project("a", template_commit="aaa", template_first_used="2026-01-01T00:00:00+00:00")
    b = _project("b", template_commit="bbb", template_first_used="2026-06-01T00:00:00+00:00")
    c = _project("c", template_commit="ccc", template_first_used="2026-09-01T00:00:00+00:00")
    d = _project("d", template_commit="ccc", template_first_used="2026-11-01T00:00:00+00:00")
    unknown = _project("u")
    newest = apply_status([a, b, c, d, unknown], stale_days=30, now=NOW)
    assert newest["template_commit"] == "ccc"
    assert [p.template_lag["behind"] for p in (a, b, c, d)] == [2, 1, 0, 0]
    assert a.template_lag["days"] == 243.0  # newest first used 243 days after a's commit
    assert unknown.template_lag["behind"] is None


def test_mlcore_versions_are_ordered_as_versions_not_as_text():
    projects = [_project(v, mlcore_version=v) for v in ("0.9.1", "0.10.0", "0.2.0", "0.10.0")]
    newest = apply_status(projects, stale_days=30, now=NOW)
    assert newest["mlcore_version"] == "0.10.0"
    assert [p.mlcore_lag["behind"] for p in projects] == [1, 0, 2, 0]
    assert sorted(["1.0", "1.0rc1", "local-build"], key=version_key) == [
        "1.0rc1",
        "1.0",
        "local-build",
    ]


def test_a_drift_alert_is_open_only_while_it_concerns_the_current_champion():
    drift = {"alert": True, "model_version": "1", "start": "2026-11-30T08:00:00+00:00"}
    drift["features_error"] = 3.0
    recent = _run("2026-11-30T07:00:00+00:00")
    on_champion = _project("x", drift=drift, champion={"version": "1"}, last_run=recent)
    replaced = _project("y", drift=drift, champion={"version": "2"}, last_run=recent)
    quiet = _project(
        "z", drift={**drift, "alert": False}, champion={"version": "1"}, last_run=recent
    )
    apply_status([on_champion, replaced, quiet], stale_days=30, now=NOW)
    assert on_champion.alerts == [
        "drift alert on champion v1: 3 feature(s) at error (2026-11-30 08:00 UTC)"
    ]
    assert replaced.alerts == [] and quiet.alerts == []


def test_a_failed_last_run_and_a_missing_champion_late_in_the_lifecycle_are_alerts():
    ok = _run("2026-11-20T12:00:00+00:00")
    failed = _project(
        "f",
        last_run=_run("2026-11-29T12:00:00+00:00", "FAILED"),
        last_success=ok,
        champion={"version": "1"},
    )
    pilot = _project("p", profile={"status": "pilot"}, last_run=ok, last_success=ok)
    early = _project("e", profile={"status": "r_and_d"}, last_run=ok, last_success=ok)
    apply_status([failed, pilot, early], stale_days=30, now=NOW)
    assert failed.alerts == ["last run FAILED (2026-11-29 12:00 UTC)"]
    assert pilot.alerts == ["no champion at stage pilot"]
    assert early.alerts == []
