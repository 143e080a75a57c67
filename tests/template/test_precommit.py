"""The generated project's pre-commit hooks, run for real: green on a fresh project, and each of
mlcore's rules rejects the commit (or push) that breaks it, naming the rule.

Hook environments are installed from the package index once into ``PRE_COMMIT_HOME`` (default
``build/pre-commit-home``, kept between runs); after that the hooks run with the network blocked.
"""

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import NETGUARD
from tests.template.conftest import PRE_COMMIT_HOME, bake_and_install, outer_env, run

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("precommit")]

NO_SIGNING = ("-c", "commit.gpgsign=false", "-c", "push.gpgSign=false")


def _env(**extra: str) -> dict:
    return outer_env("PYTHONPATH", PRE_COMMIT_HOME=str(PRE_COMMIT_HOME), **extra)


def _run(project: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return run(*args, cwd=project, env=env or _env())


def _git(project: Path, *args: str) -> subprocess.CompletedProcess:
    return _run(project, "git", *NO_SIGNING, *args)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """The default project, installed with uv and with its git hooks (commit and push) installed."""
    # The hooks import only hydra/omegaconf: compiling the ~12k files of the environment to
    # bytecode would cost more (about a minute on 2 cores) than it saves here.
    project = bake_and_install(tmp_path_factory.mktemp("precommit"), _env(UV_COMPILE_BYTECODE="0"))
    installed = _run(project, ".venv/bin/pre-commit", "install")
    assert installed.returncode == 0, installed.stderr
    assert (project / ".git" / "hooks" / "pre-push").is_file()
    # Hook environments come from the package index (once per PRE_COMMIT_HOME), never a code host.
    hooks = _run(project, ".venv/bin/pre-commit", "install-hooks")
    assert hooks.returncode == 0, hooks.stdout + hooks.stderr
    return project


@pytest.fixture
def clean(project):
    """The project as generated: every test starts from (and leaves) the committed tree."""
    head = _git(project, "rev-parse", "HEAD").stdout.strip()
    yield project
    _git(project, "reset", "--quiet", "--hard", head)
    _git(project, "clean", "--quiet", "-fd", "--exclude=uv.lock")


def test_every_hook_passes_on_the_generated_project_offline(clean, tmp_path):
    netlog = tmp_path / "network.log"
    env = _env(PYTHONPATH=str(NETGUARD), NETGUARD_LOG=str(netlog))
    done = _run(clean, ".venv/bin/pre-commit", "run", "--all-files", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    for hook in ("ruff format", "nbstripout", "mlcore Hydra configs compose", "no large files"):
        assert hook in done.stdout
    assert "Failed" not in done.stdout
    changed = _git(clean, "status", "--porcelain", "--untracked-files=no").stdout
    assert changed == "", f"a hook modified generated files:\n{changed}"
    assert not netlog.exists(), f"network attempted:\n{netlog.read_text()}"


def _notebook_with_outputs(project: Path) -> str:
    cell = {
        "cell_type": "code",
        "execution_count": 1,
        "id": "0",
        "metadata": {},
        "outputs": [{"name": "stdout", "output_type": "stream", "text": ["0.1\n"]}],
        "source": ["print(0.1)"],
    }
    notebook = {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (project / "notebooks" / "02-ds-churn-rate.ipynb").write_text(json.dumps(notebook, indent=1))
    return "notebooks/02-ds-churn-rate.ipynb"


def _large_csv(project: Path) -> str:
    (project / "exports").mkdir()
    row = "customer_id,month,churn\n" + "123456,2024-01,0\n" * 300_000
    (project / "exports" / "customers.csv").write_text(row)
    assert (project / "exports" / "customers.csv").stat().st_size > 5_000_000
    return "exports/customers.csv"


def _literal_hyperparameter(project: Path) -> str:
    (project / "src" / "churn_model" / "baseline.py").write_text(
        '"""A quick baseline model."""\n\n'
        "from lightgbm import LGBMClassifier\n\n\n"
        "def baseline() -> LGBMClassifier:\n"
        '    """An untuned LightGBM."""\n'
        "    return LGBMClassifier(n_estimators=500)\n"
    )
    return "src/churn_model/baseline.py"


def _broken_config(project: Path) -> str:
    config = project / "conf" / "config.yaml"
    text = config.read_text()
    assert "  - model: lightgbm\n" in text
    config.write_text(text.replace("  - model: lightgbm\n", "  - model: xgboost\n"))
    return "conf/config.yaml"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            _notebook_with_outputs,
            ["notebooks/02-ds-churn-rate.ipynb:4: MLC103 notebook cell 1", "hook id: nbstripout"],
        ),
        (
            _large_csv,
            [
                "exports/customers.csv: MLC201",
                "exports/customers.csv: MLC202",
                "hook id: check-added-large-files",
            ],
        ),
        (
            _literal_hyperparameter,
            ["src/churn_model/baseline.py:8: MLC301 hard-coded hyperparameter n_estimators=500"],
        ),
        (_broken_config, ["conf/config.yaml: MLC402", "Could not find 'model/xgboost'"]),
    ],
    ids=["notebook-with-outputs", "5MB-csv", "literal-n_estimators", "broken-config"],
)
def test_a_commit_breaking_a_rule_is_rejected_naming_the_rule(clean, change, expected):
    head = _git(clean, "rev-parse", "HEAD").stdout
    path = change(clean)
    assert _git(clean, "add", path).returncode == 0
    done = _git(clean, "commit", "-m", f"add {path}")
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    for text in expected:
        assert text in output
    assert _git(clean, "rev-parse", "HEAD").stdout == head, "the commit went through"


def test_a_push_of_a_branch_outside_git_flow_is_rejected(clean, tmp_path):
    remote = tmp_path / "remote.git"
    assert _run(tmp_path, "git", "init", "--quiet", "--bare", str(remote)).returncode == 0
    _git(clean, "remote", "add", "origin", str(remote))
    try:
        _git(clean, "checkout", "--quiet", "-b", "wip")
        rejected = _git(clean, "push", "--quiet", "origin", "wip")
        assert rejected.returncode != 0
        assert "MLC501 branch 'wip' does not follow git-flow" in rejected.stdout + rejected.stderr

        _git(clean, "checkout", "--quiet", "-b", "feature/churn-rate")
        (clean / "notebooks" / "README.md").write_text("EDA notebooks: 01-ds-churn-eda.ipynb\n")
        _git(clean, "add", "notebooks/README.md")
        committed = _git(clean, "commit", "-m", "Describe the notebooks")
        assert committed.returncode == 0, committed.stdout + committed.stderr
        pushed = _git(clean, "push", "--quiet", "origin", "feature/churn-rate")
        assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    finally:
        _git(clean, "checkout", "--quiet", "develop")
        _git(clean, "remote", "remove", "origin")
