"""``make reproduce`` in a generated project: a run again from its record after the project's
data is deleted, in the project's environment (same lock) and in a fresh locked one.

Real cookiecutter, uv (``uv sync --locked`` in the worktree), Hydra, MLflow (SQLite store).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.template.conftest import UV, git, make, outer_env, run

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("reproduce")]


def _env() -> dict:
    return outer_env("MLFLOW_TRACKING_URI", UV=UV, UV_COMPILE_BYTECODE="1", OMP_NUM_THREADS="1")


@pytest.fixture(scope="module")
def project(default_project) -> Path:
    """The default project, installed from its committed uv.lock, a raw panel in data/raw/."""
    project = default_project
    table = project / "data" / "raw" / "churn.parquet"
    table.parent.mkdir(parents=True, exist_ok=True)
    write = (
        "import sys; from mlcore.datasets import make_churn_panel; "
        "make_churn_panel(n_customers=2000, seed=3).to_parquet(sys.argv[1])"
    )
    python = str(project / ".venv" / "bin" / "python")
    done = run(python, "-c", write, str(table), cwd=project, env=_env())
    assert done.returncode == 0, done.stderr
    return project


def test_make_reproduce_reruns_a_run_after_its_data_is_deleted_in_this_env_and_a_fresh_one(project):
    done = make(project, "run", {**_env(), "ARGS": "experiment=smoke data=file"})
    run_id = re.search(r"MLflow run:\s+(\w+)", done.stdout).group(1)
    assert not git(project, "status", "--porcelain", "--untracked-files=no")  # a clean tree
    (project / "data" / "raw" / "churn.parquet").unlink()
    uri = f"sqlite:///{project}/mlflow.db"
    mlcore = str(project / ".venv" / "bin" / "mlcore")

    same_env = make(project, "reproduce", {**_env(), "RUN": run_id})  # the project's .venv
    fresh = run(
        mlcore, "reproduce", run_id, "--tracking-uri", uri, "--fresh-env", cwd=project, env=_env()
    )

    assert "environment: the current one" in same_env.stdout
    assert fresh.returncode == 0, fresh.stdout[-4000:] + fresh.stderr[-4000:]
    assert "uv sync --locked in" in fresh.stdout
    for again in (same_env, fresh):
        assert re.search(r"^test_roc_auc\s+(\S+)\s+\1\s+same$", again.stdout, re.M), again.stdout
        assert "reproduced: all" in again.stdout
    assert len(git(project, "worktree", "list").splitlines()) == 1


def test_make_reproduce_without_a_run_or_with_an_unknown_one_says_what_to_do(project):
    bare = run("make", "--no-print-directory", "reproduce", cwd=project, env=_env())
    assert bare.returncode == 2
    assert "ERROR: name the run: make reproduce RUN=<MLflow run id>" in bare.stderr
    unknown = run(
        "make", "--no-print-directory", "reproduce", "RUN=0123abcd", cwd=project, env=_env()
    )
    assert unknown.returncode != 0
    assert "ERROR: " in unknown.stderr and "0123abcd" in unknown.stderr
