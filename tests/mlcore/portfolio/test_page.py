"""The page, the markdown and the JSON on hand-made records: escaping, no external URL."""

from __future__ import annotations

import json
import re

from mlcore.portfolio import Portfolio, Project, render_html, render_json, render_markdown


def _portfolio() -> Portfolio:
    hostile = Project(
        "evil",
        "evil",
        "1",
        "test",
        profile={"id": "EVIL", "topic": "<script>alert(1)</script>", "team_lead": "a | b"},
        test_metric={
            "metric": "rmse",
            "value": 3.0,
            "baseline": float("nan"),
            "higher_is_better": False,
        },
        alerts=['"><img src=x onerror=alert(1)>'],
    )
    return Portfolio("http://mlflow.team:5000", "2026-12-01T12:00:00+00:00", 30, [hostile])


def test_profile_text_is_escaped_and_the_page_loads_nothing():
    html = render_html(_portfolio())
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)" in html
    assert "<img" not in html
    assert not re.search(r"<[^>]*\b(src|href)\s*=", html)  # no tag loads or links anything
    assert html.count("http") == 1  # the source, as text


def test_markdown_escapes_table_pipes_and_json_turns_nan_into_null():
    md = render_markdown(_portfolio())
    assert "a \\| b" in md
    data = json.loads(render_json(_portfolio()))
    assert data["projects"][0]["test_metric"]["baseline"] is None
    assert data["projects"][0]["id"] == "EVIL"


def test_an_empty_portfolio_still_renders():
    empty = Portfolio("sqlite:///x.db", "2026-12-01T12:00:00+00:00", 30, [])
    assert "0 project(s)" in render_html(empty)
    assert "No two projects share" in render_markdown(empty)
