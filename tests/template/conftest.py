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


def uv_cache_dir() -> str:
    """This machine's uv cache: a test that moves HOME keeps it (no re-download of every package)."""
    return run(UV, "cache", "dir", cwd=REPO).stdout.strip()


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
    """Bake the default project into ``output_dir`` and sync it from its lock (``make install``'s
    ``uv sync --locked --extra dev``) with ``env``."""
    assert UV, "uv is needed to install the generated project (make test provides it)"
    done = bake(output_dir)
    assert done.returncode == 0, done.stderr
    project = output_dir / "churn-model"
    synced = run(UV, "sync", "--locked", "--extra", "dev", "--quiet", cwd=project, env=env)
    assert synced.returncode == 0, synced.stderr
    return project


def install_env() -> dict:
    """The environment of a generated project's install: bytecode compiled, as its make targets
    do (``UV_COMPILE_BYTECODE``), no outer virtualenv or tracking store."""
    return outer_env("MLFLOW_TRACKING_URI", UV=UV, UV_COMPILE_BYTECODE="1")


def copy_installed(source: Path, dest: Path, env: dict | None = None) -> Path:
    """An installed copy of the installed project ``source`` at ``dest``, in a few seconds.

    A copied .venv alone does not work: the project is installed editable (a .pth file naming
    ``source/src``, so the copy would import the original package and read the original conf/)
    and the scripts' shebangs name ``source/.venv/bin/python``. The copy's .venv is hard-linked
    (uv installs by hard links from its cache too: files are replaced, never written in place;
    the compiled bytecode comes along), its shebangs rewritten, and ``uv sync --locked``
    reinstalls the project from the copy, from its committed lock.
    """
    venv = source / ".venv"

    def copy(src: str, dst: str) -> None:
        if src.startswith(f"{venv}{os.sep}"):
            os.link(src, dst)
        else:
            shutil.copy2(src, dst)

    shutil.copytree(source, dest, symlinks=True, copy_function=copy)
    old, new = f"#!{venv}/bin/python".encode(), f"#!{dest}/.venv/bin/python".encode()
    for script in (dest / ".venv" / "bin").iterdir():
        if script.is_file() and not script.is_symlink():
            body = script.read_bytes()
            if body.startswith(old):
                fresh = script.with_name(f"{script.name}.relocated")
                fresh.write_bytes(new + body[len(old) :])
                fresh.chmod(script.stat().st_mode)
                fresh.replace(script)  # a new file: the original's stays as it is
    synced = run(
        UV, "sync", "--locked", "--extra", "dev", "--quiet", cwd=dest, env=env or install_env()
    )
    assert synced.returncode == 0, synced.stderr
    python = str(dest / ".venv" / "bin" / "python")
    where = run(python, "-c", "import churn_model; print(churn_model.CONFIG_DIR)", cwd=dest)
    assert where.stdout.strip() == str(dest / "conf"), where.stdout + where.stderr
    return dest


@pytest.fixture(scope="session")
def installed_default(tmp_path_factory) -> Path:
    """The default project, baked and installed (``uv sync --locked``, bytecode compiled) once
    per xdist worker; never used by a test itself: tests take a :func:`copy_installed` of it.

    Installing costs ~50 s on 2 cores (compiling the ~11k files of the environment); the tests
    of the default answers (generated project, campaign, reproduce, open pipeline, CI commands,
    the matrix's shared environment) share it instead of repeating it.
    """
    return bake_and_install(tmp_path_factory.mktemp("installed-default"), install_env())


@pytest.fixture(scope="module")
def default_project(installed_default, tmp_path_factory) -> Path:
    """This module's own installed default project: a copy of :func:`installed_default`."""
    return copy_installed(installed_default, tmp_path_factory.mktemp("default") / "churn-model")


def git(project: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=project, capture_output=True, text=True, check=True
    ).stdout.strip()


TEMPLATE_PATHS = ("cookiecutter.json", "hooks", "{{cookiecutter.project_slug}}")
NEW_SECTION = "\n## Support\n\nAsk in the team channel.\n"


def commit_all(repo: Path, message: str) -> str:
    git(repo, "add", "--all")
    identity = ("-c", "user.name=t", "-c", "user.email=t@example.com")
    git(repo, *identity, "commit", "--allow-empty", "-qm", message)
    return git(repo, "rev-parse", "HEAD")


def template_history(root: Path) -> tuple[Path, str, str]:
    """A clone of this repository under ``root`` holding the working tree's template (rev 1) and
    a small change of it (rev 2: a README section, a new file)."""
    clone = root / "ml-template"
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(clone)], check=True)
    for name in TEMPLATE_PATHS:
        target, source = clone / name, REPO / name
        if source.is_dir():
            shutil.rmtree(target)
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target)
    rev1 = commit_all(clone, "template revision 1")
    readme = clone / "{{cookiecutter.project_slug}}" / "README.md"
    readme.write_text(readme.read_text() + NEW_SECTION)
    (clone / "{{cookiecutter.project_slug}}" / "CONTRIBUTING.md").write_text(
        "# Contributing to {{ cookiecutter.project_name }}\n"
    )
    rev2 = commit_all(clone, "template revision 2")
    return clone, rev1, rev2


def update_env(home: Path, **extra: str) -> dict:
    """The environment of a project generated from a template clone: its own HOME (cookiecutter
    clones URL templates into ~/.cookiecutters) and a git identity."""
    env = outer_env(HOME=str(home), UV=UV, UV_CACHE_DIR=uv_cache_dir(), GIT_CONFIG_NOSYSTEM="1")
    env.update(extra)
    env.update(GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com")
    env.update(GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com")
    return env


def bake_from(clone: Path, rev: str, output_dir: Path, env: dict, *answers: str) -> Path:
    """Generate the default project from ``clone`` at ``rev`` as a user would (a git URL)."""
    done = run(
        str(COOKIECUTTER),
        *("--no-input", "--checkout", rev, "--output-dir", str(output_dir)),
        f"git+{clone.as_uri()}",
        f"mlcore_source={REPO}",
        *answers,
        cwd=output_dir.parent,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    return output_dir / "churn-model"


@pytest.fixture
def no_git_identity(tmp_path) -> dict:
    """An environment where git has no user.name/user.email (empty HOME, no system config)."""
    home = tmp_path / "home"
    home.mkdir()
    env = os.environ.copy()
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), GIT_CONFIG_NOSYSTEM="1")
    if UV:
        env["UV_CACHE_DIR"] = uv_cache_dir()
    for key in (
        "GIT_AUTHOR_NAME",
        "GIT_AUTHOR_EMAIL",
        "GIT_COMMITTER_NAME",
        "GIT_COMMITTER_EMAIL",
        "EMAIL",
    ):
        env.pop(key, None)
    return env
