"""What a person sees of a freshly generated project: in the terminal, through its real make
targets (a quiet install, no MLflow warnings, progress of the long commands, a drift alert as one
line with a documented exit status, a narrow runs table, one line when uv is missing), and its
reports and MLflow UI in headless Chromium at 1280 px (screenshots under build/pages/).

One project is baked, installed and run once by ``make smoke`` (the demo's flow on the smoke
preset); the other tests use its store.
"""

import re
import shutil
from pathlib import Path

import mlflow
import pytest

from tests._processes import mlflow_server
from tests.mlcore.portfolio._support import chromium
from tests.template.conftest import REPO, UV, bake, outer_env, run

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("terminal")]

# What MLflow prints when it has to guess, and what uv prints per installed package.
NOISE = ("UserWarning", "Inferred schema contains integer", "multiple ways", " + ")


def _make(project: Path, *args: str):
    return run("make", "--no-print-directory", *args, f"UV={UV}", cwd=project, env=outer_env())


@pytest.fixture(scope="module")
def smoked(tmp_path_factory) -> tuple[Path, str]:
    """A baked project after ``make smoke`` (installs it first), with that command's output."""
    assert UV, "uv is needed to install the generated project (make test provides it)"
    out = tmp_path_factory.mktemp("terminal")
    baked = bake(out)
    assert baked.returncode == 0, baked.stderr
    project = out / "churn-model"
    done = _make(project, "smoke")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return project, done.stdout + done.stderr


def test_install_and_a_pipeline_run_print_under_80_lines_without_mlflow_warnings(smoked):
    _, log = smoked
    lines = log.splitlines()
    assert len(lines) < 80, log
    assert [line for line in lines if any(n in line for n in NOISE)] == []
    assert "MLflow UI:         make ui" in log


def test_make_predict_says_what_it_is_doing(smoked):
    project, _ = smoked
    done = _make(project, "predict", "ARGS=experiment=smoke")
    assert done.returncode == 0, done.stderr[-3000:]
    log = done.stdout + done.stderr
    for stage in ("predict: loading models:/churn-model@champion", "predict: scoring "):
        assert stage in log
    assert "predict: done in " in log
    assert not [line for line in log.splitlines() if any(n in line for n in NOISE)]


def test_a_drift_alert_is_one_line_and_exit_0_unless_drift_fail_is_set(smoked):
    project, _ = smoked
    args = "ARGS=experiment=smoke drift.synthetic.kind=feature"
    done = _make(project, "drift", args)
    log = done.stdout + done.stderr
    assert done.returncode == 0, log[-3000:]
    (alert,) = [line for line in log.splitlines() if line.startswith("DRIFT ALERT:")]
    assert alert.endswith("exit 0 (DRIFT_FAIL=1 fails make)")
    assert "make: ***" not in log
    assert "drift: drift statistics of " in log and "drift: done in " in log
    failing = _make(project, "drift", args, "DRIFT_FAIL=1")
    assert failing.returncode != 0
    assert "DRIFT ALERT: a threshold was crossed (summary above); failing" in failing.stdout
    assert "Downloading artifacts" not in log  # MLflow's progress bars are off


def test_make_compare_is_narrow_unless_wide(smoked):
    project, _ = smoked
    narrow = _make(project, "compare")
    assert narrow.returncode == 0, narrow.stderr[-3000:]
    header = _header(narrow.stdout)
    assert header[:2] == ["run", "status"] and "validation_roc_auc" in header
    assert "test_brier" not in header and "start" not in header
    wide = _make(project, "compare", "WIDE=1")
    assert {"start", "test_brier"} <= set(_header(wide.stdout))


def _header(out: str) -> list[str]:
    """The runs table's header (after make's echo of the install command)."""
    return next(line.split() for line in out.splitlines() if line.split()[:1] == ["run"])


def test_without_uv_make_says_in_one_line_what_to_do(smoked):
    project, _ = smoked
    done = run("make", "install", "UV=/nonexistent/uv", cwd=project, env=outer_env())
    assert done.returncode != 0
    (first, *_) = done.stderr.splitlines()
    assert first.startswith("ERROR: uv not found") and "pip install uv" in first


# --------------------------------------------------------------------------------------------
# The pages, as headless Chromium renders them at 1280 px (screenshots under build/pages/)
# --------------------------------------------------------------------------------------------

SCREENSHOTS = REPO / "build" / "pages"
PROBE = """<script>window.addEventListener('load', function () {
var d = document.documentElement, broken = Array.prototype.filter.call(document.images,
  function (i) { return !i.complete || i.naturalWidth === 0; }).length;
document.body.insertAdjacentHTML('beforeend', '<pre id="measure">' + [d.scrollWidth,
  d.clientWidth, d.scrollHeight, document.images.length, broken].join(' ') + '</pre>');
});</script></body>"""


def _measure(page: Path, profile: Path) -> tuple[int, ...]:
    """scrollWidth, clientWidth, scrollHeight, images and broken images of ``page`` at 1280 px."""
    probe = page.with_name(f".probe-{page.name}")
    probe.write_text(page.read_text().replace("</body>", PROBE))
    try:
        args = ("--window-size=1280,900", "--virtual-time-budget=10000", "--dump-dom")
        dom = chromium(probe, profile, *args).stdout
    finally:
        probe.unlink()
    found = re.search(r'<pre id="measure">([\d ]+)</pre>', dom)
    assert found, dom[-2000:]
    return tuple(int(v) for v in found.group(1).split())


def test_the_reports_render_at_1280_px_without_overflow_or_missing_images(smoked, tmp_path):
    project, _ = smoked
    reports = project / "reports"
    if not list(reports.glob("drift/*/report.html")):
        _make(project, "drift", "ARGS=experiment=smoke drift.synthetic.kind=feature")
    pages = {
        "index": reports / "index.html",
        "evaluation": reports / "report.html",
        "validation": reports / "validation" / "raw.html",
        "drift": sorted(reports.glob("drift/*/report.html"))[-1],
    }
    index = pages["index"].read_text()
    for name, page in pages.items():
        if name != "index":
            assert f"<a href='{page.relative_to(reports).as_posix()}'>" in index
        scroll_width, client_width, height, images, broken = _measure(page, tmp_path / name)
        assert client_width >= 1200 and scroll_width <= client_width, (name, scroll_width)
        assert broken == 0, name
        assert images > 0 or name in {"index", "validation"}
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shot = SCREENSHOTS / f"{name}-1280.png"
        size = f"--window-size=1280,{min(height + 40, 6000)}"
        chromium(page, tmp_path / name, size, f"--screenshot={shot}")
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_mlflow_ui_of_the_project_store_opens_on_the_runs_table(smoked, tmp_path):
    project, _ = smoked
    client = mlflow.MlflowClient(tracking_uri=f"sqlite:///{project}/mlflow.db")
    experiment = client.get_experiment_by_name("churn-model")
    (run, *_) = client.search_runs([experiment.experiment_id], order_by=["start_time ASC"])
    shutil.copy(project / "mlflow.db", tmp_path / "mlflow.db")  # the server's own copy
    with mlflow_server(tmp_path) as uri:
        page = f"{uri}/#/experiments/{experiment.experiment_id}/runs"
        args = ("--window-size=1280,900", "--virtual-time-budget=30000")
        dom = chromium(page, tmp_path / "profile", *args, "--dump-dom").stdout
        assert run.info.run_name in dom, dom[-2000:]  # the runs table lists the smoke run
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shot = SCREENSHOTS / "mlflow-ui-runs-1280.png"
        chromium(page, tmp_path / "profile", *args, f"--screenshot={shot}")
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
