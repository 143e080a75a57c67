"""Helpers to bake the template with the real cookiecutter CLI."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
COOKIECUTTER = Path(sys.executable).with_name("cookiecutter")
UV = os.environ.get("UV") or shutil.which("uv")
# pre-commit's hook environments: installed from the package index once, shared by every test.
PRE_COMMIT_HOME = Path(os.environ.get("PRE_COMMIT_HOME") or REPO / "build" / "pre-commit-home")


def bake(output_dir: Path, *answers: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run ``cookiecutter --no-input`` on this repository with ``key=value`` answers."""
    return subprocess.run(
        [
            str(COOKIECUTTER),
            "--no-input",
            "--output-dir",
            str(output_dir),
            str(REPO),
            f"mlcore_source={REPO}",
            *answers,
        ],
        capture_output=True,
        text=True,
        env=env or os.environ.copy(),
        check=False,
        stdin=subprocess.DEVNULL,
    )


def outer_env(*drop: str, **extra: str) -> dict:
    """This process's environment for a generated project's own tools: without the repository's
    ``VIRTUAL_ENV`` (and any ``drop`` names), plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", *drop}}
    return {**env, **extra}


def run(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run a command in ``cwd`` without stdin, capturing its output; never raises on failure."""
    return subprocess.run(
        args,
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def make(project: Path, target: str, env: dict) -> subprocess.CompletedProcess:
    """``make <target>`` in a baked project; fails the test with the output's tail if it fails."""
    done = run("make", "--no-print-directory", target, cwd=project, env=env)
    assert done.returncode == 0, f"make {target}:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    return done


def bake_and_install(output_dir: Path, env: dict) -> Path:
    """Bake the default project into ``output_dir`` and ``uv sync --extra dev`` it with ``env``."""
    assert UV, "uv is needed to install the generated project (make test provides it)"
    done = bake(output_dir)
    assert done.returncode == 0, done.stderr
    project = output_dir / "churn-model"
    synced = run(UV, "sync", "--extra", "dev", "--quiet", cwd=project, env=env)
    assert synced.returncode == 0, synced.stderr
    return project


def git(project: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=project, capture_output=True, text=True, check=True
    ).stdout.strip()


@pytest.fixture
def no_git_identity(tmp_path) -> dict:
    """An environment where git has no user.name/user.email (empty HOME, no system config)."""
    home = tmp_path / "home"
    home.mkdir()
    env = os.environ.copy()
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), GIT_CONFIG_NOSYSTEM="1")
    for key in (
        "GIT_AUTHOR_NAME",
        "GIT_AUTHOR_EMAIL",
        "GIT_COMMITTER_NAME",
        "GIT_COMMITTER_EMAIL",
        "EMAIL",
    ):
        env.pop(key, None)
    return env
