"""Acceptance: three projects on a real ``mlflow server`` on loopback, then ``mlcore portfolio``.

* churn-retention: binary (a synthetic churn table as CSV), trained twice: v1 champion, v2 refused;
* diabetes-progression: regression (sklearn's diabetes as CSV, Ridge), an older template commit
  and an older mlcore version;
* plan-propensity: multiclass (the plan, on the same customers table as churn-retention: the
  duplication view must find the shared data and features), a drift alert on its champion
  (a later batch of that table with feature drift).

The three projects are generated with the real cookiecutter CLI (their ``project.yaml`` and
``.cruft.json``, given this test's profiles and template commits); their pipelines run in-process
(``mlcore.pipeline.run``) against the server, so nothing is installed.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import mlflow
import pytest
from sklearn.datasets import load_diabetes

from mlcore import _profile_tags
from mlcore.cli import main
from mlcore.monitor import run_drift
from mlcore.pipeline import run
from mlcore.track import run_metrics
from tests.conftest import REPO, bundled, small_config, table_config
from tests.mlcore.portfolio._support import chromium, mlflow_server
from tests.template.conftest import bake

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("portfolio_server")]

OLD, NEW = "1" * 40, "2" * 40
SCREENSHOT_DIR = REPO / "build" / "portfolio"

PROFILES = {
    "churn-retention": {
        "topic": "Churn retention",
        "business_target": "Call the customers likely to leave next quarter",
        "id": "CHURN-RETENTION",
        "status": "pilot",
        "team_lead": "Anna Petrova",
        "customer": "Retail banking",
        "departments": {"initiator": "Marketing", "recipient": "Call centre"},
        "data_scientists": ["Anna Petrova", "Ivan Sokolov"],
    },
    "diabetes-progression": {
        "topic": "Disease progression",
        "business_target": "Rank patients by expected progression for follow-up",
        "id": "DIABETES-PROGRESSION",
        "status": "r_and_d",
        "team_lead": "Boris Ivanov",
        "domain": "health",
    },
    "plan-propensity": {
        "topic": "Plan propensity",
        "business_target": "Offer each customer the plan they would choose",
        "id": "PLAN-PROPENSITY",
        "status": "testing_validation",
        "team_lead": "Chen Li",
    },
}


def _root(base: Path, name: str, commit: str) -> Path:
    """A project generated with the real cookiecutter CLI (not installed: its pipeline runs in
    this process), with this test's profile and template commit."""
    import yaml

    done = bake(base, f"project_name={name}", f"project_slug={name}", "include_example_pipeline=no")
    assert done.returncode == 0, done.stderr
    root = base / name
    profile = yaml.safe_load((root / "project.yaml").read_text())
    (root / "project.yaml").write_text(
        yaml.safe_dump({**profile, **PROFILES[name]}, sort_keys=False)
    )
    record = json.loads((root / ".cruft.json").read_text())
    (root / ".cruft.json").write_text(json.dumps({**record, "commit": commit}))
    return root


def _tracking(uri: str, name: str) -> dict:
    return {"uri": uri, "artifact_location": None, "experiment": name, "model_name": name}


def _diabetes(root: Path, uri: str) -> dict:
    return table_config(
        root,
        bundled(load_diabetes),
        task="regression",
        model={"_target_": "sklearn.linear_model.Ridge", "alpha": 1.0},
        data__target_definition="Disease progression one year after baseline",
        tracking=_tracking(uri, "diabetes-progression"),
    )


PLANS = {"basic": 0, "standard": 1, "premium": 2, "family": 3}


def _shared_table(base: Path) -> tuple[Path, Path]:
    """The customers table both churn teams read, and a later batch with feature drift.

    The plan is coded as an integer: a string target breaks the split report (pandas' mean).
    """
    from mlcore.datasets import make_churn_batches

    table, batch = make_churn_batches(1500, 6, seed=7, feature_drift=1.0)
    paths = base / "customers.csv", base / "customers-later.csv"
    for frame, path in zip((table, batch), paths, strict=True):
        frame.assign(plan=frame["plan"].map(PLANS)).to_csv(path, index=False)
    return paths


def _customers(path: Path, target: str) -> dict:
    return {
        "source": "file",
        "path": str(path),
        "entity_col": "customer_id",
        "date_col": "snapshot_month",
        "target": target,
    }


def _churn(root: Path, uri: str, table: Path) -> dict:
    return small_config(
        root, data=_customers(table, "churn"), tracking=_tracking(uri, "churn-retention")
    )


def _multiclass(root: Path, uri: str, table: Path) -> dict:
    return small_config(
        root,
        task="multiclass",
        data=_customers(table, "plan"),
        evaluate={"n_bins": 10, "importance": {"n_repeats": 1, "max_rows": 1000}},
        tracking=_tracking(uri, "plan-propensity"),
    )


@pytest.fixture(scope="module")
def team(tmp_path_factory) -> dict:
    """The server with the three projects trained (and one drift check); the portfolio written."""
    base = tmp_path_factory.mktemp("team")
    with mlflow_server(base / "server") as uri, pytest.MonkeyPatch.context() as patch:
        work = base / "work"
        work.mkdir()
        patch.chdir(work)
        # The oldest project first: a template commit is ordered by when a run first used it.
        diabetes = _root(base, "diabetes-progression", OLD)
        with pytest.MonkeyPatch.context() as older:
            older.setattr(_profile_tags, "_mlcore_version", lambda: "0.0.9")
            regression = run(_diabetes(diabetes, uri))
        table, batch = _shared_table(base)
        churn = _churn(_root(base, "churn-retention", NEW), uri, table)
        first, second = run(churn), run(churn)
        plan = _multiclass(_root(base, "plan-propensity", NEW), uri, table)
        multiclass = run(plan)
        drift = run_drift(
            {**plan, "drift": {"output_dir": str(base / "drift"), "batch": str(batch)}}
        )
        out = base / "portfolio"
        code = main(["portfolio", "--tracking-uri", uri, "--output", str(out)])
        client = mlflow.MlflowClient(tracking_uri=uri)
        experiments = {
            name: client.get_experiment_by_name(name).tags for name in PROFILES
        }  # while the server is up
        metrics = {
            "churn-retention": run_metrics(client.get_run(first.run_id)),
            "diabetes-progression": run_metrics(client.get_run(regression.run_id)),
            "plan-propensity": run_metrics(client.get_run(multiclass.run_id)),
        }
        assert list(work.iterdir()) == [], "the runs or the portfolio wrote into the cwd"
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    for name in ("portfolio.html", "portfolio.md", "portfolio.json"):
        shutil.copy(out / name, SCREENSHOT_DIR / name)
    return {
        "uri": uri,
        "code": code,
        "out": out,
        "html": (out / "portfolio.html").read_text(),
        "json": json.loads((out / "portfolio.json").read_text()),
        "markdown": (out / "portfolio.md").read_text(),
        "results": {"first": first, "second": second, "drift": drift},
        "experiments": experiments,
        "metrics": metrics,
        "base": base,
    }


def _row(html: str, key: str) -> str:
    match = re.search(rf'<tr id="{re.escape(key)}"[^>]*>(.*?)</tr>', html, re.S)
    assert match, f"no row for {key}"
    return match.group(1)


def _cells(html: str, key: str) -> list[str]:
    """The text of each cell of a project's row, tags stripped, entities kept."""
    return [
        re.sub(r"<[^>]+>", " ", c)
        for c in re.findall(r"<td[^>]*>(.*?)</td>", _row(html, key), re.S)
    ]


def test_the_scenario_did_what_the_page_must_show(team):
    results = team["results"]
    assert results["first"].promoted and not results["second"].promoted
    assert results["drift"].alerts, results["drift"].summary()
    assert team["code"] == 0


def test_every_training_run_records_the_profile_on_its_experiment(team):
    tags = team["experiments"]["churn-retention"]
    assert tags["mlcore.project.id"] == "CHURN-RETENTION"
    assert tags["mlcore.project.topic"] == "Churn retention"
    assert tags["mlcore.project.status"] == "pilot"
    assert tags["mlcore.project.team_lead"] == "Anna Petrova"
    assert tags["mlcore.project.template_commit"] == NEW
    assert tags["mlcore.project.mlcore_version"] == _profile_tags._mlcore_version()
    assert json.loads(tags["mlcore.project.profile"])["departments"]["recipient"] == "Call centre"
    older = team["experiments"]["diabetes-progression"]
    assert older["mlcore.project.template_commit"] == OLD
    assert older["mlcore.project.mlcore_version"] == "0.0.9"
    assert older["mlcore.project.task"] == "regression"


def test_the_page_lists_each_project_with_its_profile_stage_and_versions(team):
    html = team["html"]
    assert "3 project(s)" in html
    churn = _cells(html, "churn-retention")
    assert "CHURN-RETENTION" in churn[0] and "Churn retention" in churn[0]
    assert "Anna Petrova" in churn[0] and "binary" in churn[0]
    assert "Retail banking" in churn[0] and "Call centre" in churn[0]  # the profile details
    assert "pilot" in churn[1] and "7/8" in churn[1]
    diabetes = _cells(html, "diabetes-progression")
    assert "R&amp;D" in diabetes[1] and "5/8" in diabetes[1]
    assert "regression" in diabetes[0]
    assert "testing validation" in _cells(html, "plan-propensity")[1]
    # template commit and mlcore version lag the newest seen on the server
    assert "1 behind" in diabetes[7] and OLD[:10] in diabetes[7] and NEW[:10] in diabetes[7]
    assert "0.0.9" in diabetes[7]
    for key in ("churn-retention", "plan-propensity"):
        versions = _cells(html, key)[7]
        assert NEW[:10] in versions and versions.count("newest") == 2, versions


def test_the_page_shows_the_champion_the_refused_challenger_and_their_intervals(team):
    churn = _cells(team["html"], "churn-retention")
    champion, newest = churn[2].split("v2")
    assert "v1" in champion and "champion" in champion and "promoted" in champion
    assert re.search(r"vs baseline [+-]\d\.\d{4} \[[+-]\d\.\d{4}, [+-]\d\.\d{4}\]", champion)
    assert "refused" in newest and "does not beat champion" in newest
    assert re.search(r"vs champion \+0\.0000 \[\+0\.0000, \+0\.0000\]", newest)
    metrics = team["metrics"]["churn-retention"]
    assert "roc_auc" in churn[3] and f"{metrics['test_roc_auc']:.4g}" in churn[3]
    assert f"baseline {metrics['baseline_test_roc_auc']:.4g}" in churn[3]
    assert "better by" in churn[3]


def test_lower_is_better_metrics_are_compared_the_right_way(team):
    cell = _cells(team["html"], "diabetes-progression")[3]
    metrics = team["metrics"]["diabetes-progression"]
    assert metrics["test_rmse"] < metrics["baseline_test_rmse"]
    assert "rmse" in cell and f"{metrics['test_rmse']:.4g}" in cell
    assert "better by" in cell and "not better" not in cell


def test_runs_drift_and_open_alerts_per_project(team):
    html = team["html"]
    plan = _cells(html, "plan-propensity")
    assert "alert" in plan[5] and "on v1" in plan[5] and "feature(s) at error" in plan[5]
    assert "drift alert on champion v1" in plan[6]
    for key in ("churn-retention", "diabetes-progression"):
        cells = _cells(html, key)
        assert "never checked" in cells[5]
        assert "none" in cells[6]
        assert "finished" in cells[4] and "last success" in cells[4]
    assert "1 with open alerts" in html
    assert "0 stale (no run in 30 days)" in html


def test_the_duplication_view_finds_the_shared_table_and_features_not_the_other_project(team):
    data = team["json"]
    pairs = {(m["kind"], tuple(m["projects"])) for m in data["duplicates"]}
    shared = ("churn-retention", "plan-propensity")
    assert ("data", shared) in pairs and ("features", shared) in pairs
    assert not any("diabetes-progression" in p for _, p in pairs)
    table = re.search(r'<table id="duplicates">(.*?)</table>', team["html"], re.S).group(1)
    assert "CHURN-RETENTION, PLAN-PROPENSITY" in table and "raw data sha256" in table


def test_the_page_is_self_contained(team):
    html = team["html"]
    assert not re.search(r"<[^>]*\b(src|href)\s*=", html), "the page loads or links something"
    assert "url(" not in html and "@import" not in html
    assert html.count("http") == html.count(team["uri"])  # only the source named as text
    assert "<script>" in html and "aria-sort" in html  # sorting and filtering inline


def test_json_and_markdown_hold_the_same_records(team):
    projects = {p["key"]: p for p in team["json"]["projects"]}
    assert set(projects) == set(PROFILES)
    churn = projects["churn-retention"]
    assert churn["champion"]["version"] == "1" and churn["latest"]["decision"] == "refused"
    assert len(churn["champion"]["ci_vs_baseline"]) == 2
    assert projects["plan-propensity"]["drift"]["alert"] is True
    assert projects["diabetes-progression"]["template_lag"]["behind"] == 1
    assert projects["diabetes-progression"]["mlcore_lag"]["behind"] == 1
    assert projects["churn-retention"]["mlcore_lag"]["behind"] == 0
    md = team["markdown"]
    for profile in PROFILES.values():
        assert f"| {profile['id']} | {profile['topic']} |" in md
    assert "v2 refused" in md and "## Duplication" in md


def test_headless_chromium_renders_the_page_at_1280_px_without_overflow(team, tmp_path):
    page = tmp_path / "measured.html"
    probe = """<script>
var d=document.documentElement,out=[d.scrollWidth,d.clientWidth,d.scrollHeight];
var q=document.getElementById('q');q.value='PLAN-PROP';q.dispatchEvent(new Event('input'));
out.push(document.querySelectorAll('#projects tbody tr:not(.hidden)').length);
q.value='';q.dispatchEvent(new Event('input'));
var th=document.querySelectorAll('#projects th')[1];th.click();th.click();
out.push(Array.prototype.map.call(document.querySelectorAll('#projects tbody tr'),
  function(r){return r.id}).join(','));
document.body.insertAdjacentHTML('beforeend','<pre id="measure">'+out.join(' ')+'</pre>');
</script></body>"""
    page.write_text(team["html"].replace("</body>", probe))
    dom = chromium(page, tmp_path / "profile", "--window-size=1280,900", "--dump-dom").stdout
    found = re.search(r'<pre id="measure">(\d+) (\d+) (\d+) (\d+) ([\w,-]+)</pre>', dom)
    assert found, dom[-2000:]
    scroll_width, client_width, height = (int(found.group(i)) for i in (1, 2, 3))
    assert client_width >= 1200 and scroll_width <= client_width, (scroll_width, client_width)
    assert int(found.group(4)) == 1  # the filter left one row
    # sorted by stage, descending: pilot (7), testing_validation (6), r_and_d (5)
    assert found.group(5) == "churn-retention,plan-propensity,diabetes-progression"

    shot = SCREENSHOT_DIR / "portfolio-1280.png"
    chromium(
        SCREENSHOT_DIR / "portfolio.html",
        tmp_path / "profile",
        f"--window-size=1280,{min(height + 40, 4000)}",
        f"--screenshot={shot}",
    )
    header = shot.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(header[16:20], "big") == 1280
