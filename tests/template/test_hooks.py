"""Template answers are validated before generation; the result is a git-flow repository."""

import json
import os
import platform
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from tests.template.conftest import COOKIECUTTER, REPO, UV, bake, git


@pytest.mark.parametrize(
    ("answers", "named"),
    [
        (["project_slug=My Project!"], "project_slug 'My Project!' is invalid"),
        (["project_slug=2fast"], "project_slug '2fast' is invalid"),
        (["module_name=class"], "module_name 'class' is invalid"),
        (["module_name=json"], "module_name 'json' would shadow"),
        (["mlcore_source=git+https://example.org/ml-template"], "must pin a ref"),
        (["mlcore_source=mlcore"], "mlcore_source 'mlcore' must be 'template', a pinned git URL"),
        (["tracking=mlflow.internal"], "tracking 'mlflow.internal' is invalid: use 'local'"),
        (["tracking=ftp://mlflow:21"], "tracking 'ftp://mlflow:21' is invalid"),
        (["tracking=http://mlflow:99999"], "has port 99999: a port is 1 to 65535"),
        (["ci_provider=jenkins"], "ci_provider 'jenkins' is not one of github, gitlab, bitbucket"),
        (["open_source_license=GPL-3.0"], "open_source_license 'GPL-3.0' is not one of MIT,"),
        (["python_version=3.9"], "python_version '3.9' is not one of 3.11, 3.12, 3.13"),
        (["include_example_pipeline=maybe"], "include_example_pipeline 'maybe' is not one of yes"),
        (["project_name="], "project_name is empty: give the project a human-readable name"),
        (["project_slug="], "project_slug '' is invalid"),
        (["mlcore_source=/nowhere"], "mlcore_source '/nowhere' must be 'template', a pinned git"),
    ],
)
def test_invalid_answers_fail_naming_the_value_and_leave_nothing(tmp_path, answers, named):
    done = bake(tmp_path, *answers)
    assert done.returncode != 0
    assert any(line.startswith("ERROR: ") and named in line for line in done.stderr.splitlines())
    assert "Traceback" not in done.stderr + done.stdout
    assert list(tmp_path.iterdir()) == []


def test_a_new_project_is_a_clean_git_flow_repo_even_without_a_git_identity(
    tmp_path, no_git_identity
):
    done = bake(
        tmp_path, "author_name=Ada Lovelace", "author_email=ada@example.com", env=no_git_identity
    )
    assert done.returncode == 0, done.stderr
    project = tmp_path / "churn-model"
    assert git(project, "branch", "--show-current") == "develop"
    assert set(git(project, "branch", "--format=%(refname:short)").split()) == {"main", "develop"}
    assert git(project, "status", "--porcelain") == ""
    assert (
        git(project, "log", "-1", "--format=%an <%ae>", "main") == "Ada Lovelace <ada@example.com>"
    )
    assert git(project, "rev-parse", "main") == git(project, "rev-parse", "develop")


def test_generation_fails_clearly_when_git_is_missing(tmp_path):
    # No git here; the hooks run with sys.executable, and uv finds the project's Python.
    env = {**only_these_commands(tmp_path / "bin", "python3"), "UV": UV}
    out = tmp_path / "out"
    out.mkdir()
    done = bake(out, env=env)
    assert done.returncode != 0
    assert "git is not installed or not on PATH" in done.stderr
    assert list(out.iterdir()) == []


def test_the_first_commit_holds_a_lock_that_matches_the_project(tmp_path):
    done = bake(tmp_path)
    assert done.returncode == 0, done.stderr
    project = tmp_path / "churn-model"
    assert "uv.lock" in git(project, "show", "--name-only", "--format=", "main").split()
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    checked = subprocess.run(
        [UV, "lock", "--locked", "--offline"], cwd=project, capture_output=True, text=True, env=env
    )
    assert checked.returncode == 0, checked.stderr
    assert f'source = {{ directory = "{REPO}" }}' in (project / "uv.lock").read_text()


def only_these_commands(bin_dir: Path, *names: str) -> dict:
    """An environment whose PATH holds only ``names`` (linked from this machine; ``python3`` is
    this interpreter) and no Python uv could find outside it (no virtualenv, no uv-managed one)."""
    bin_dir.mkdir()
    for name in names:
        real = sys.executable if name == "python3" else shutil.which(name)
        (bin_dir / name).symlink_to(Path(real).resolve())
    env = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "UV"}}
    env.update(PATH=str(bin_dir), UV_PYTHON_INSTALL_DIR=str(bin_dir / "managed"))
    return env


def test_a_python_version_not_on_the_machine_fails_generation_naming_the_versions_present(
    tmp_path,
):
    env = {**only_these_commands(tmp_path / "bin", "git", "python3"), "UV": UV}
    out = tmp_path / "out"
    out.mkdir()
    done = bake(out, "python_version=3.13", env=env)
    assert done.returncode != 0
    present = platform.python_version()  # the only Python on PATH is this one
    errors = [line for line in done.stderr.splitlines() if line.startswith("ERROR: python_version")]
    assert errors == [
        f"ERROR: python_version '3.13': no Python 3.13 or newer on this machine (found: {present}) "
        "and uv may not download one; install it (e.g. uv python install 3.13) or answer a "
        "version present"
    ]
    assert list(out.iterdir()) == []


def test_without_uv_the_project_is_generated_unlocked_and_make_install_locks_first(tmp_path):
    env = only_these_commands(tmp_path / "bin", "git", "make")
    out = tmp_path / "out"
    out.mkdir()
    done = bake(out, env=env)
    assert done.returncode == 0, done.stderr
    project = out / "churn-model"
    assert (
        "WARNING: uv is not installed (PATH, $UV): no uv.lock yet; the first `make install` "
        "creates it (uv lock): commit it"
    ) in done.stderr
    assert not (project / "uv.lock").exists()
    assert git(project, "status", "--porcelain") == ""
    plan = subprocess.run(
        ["make", "--no-print-directory", "-n", "install"],
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
        env=env,
    ).stdout.splitlines()
    uv = [line for line in plan if line.startswith("uv ")]
    assert uv[:2] == ["uv lock -q", "uv sync -q --locked --extra dev"]  # the lock first
    assert 'echo "created uv.lock: commit it (git add uv.lock && git commit)"' in plan


def _mlcore_requirement(project: Path) -> Requirement:
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    reqs = [Requirement(r) for r in pyproject["project"]["dependencies"]]
    (mlcore,) = [r for r in reqs if r.name == "mlcore"]
    return mlcore


def test_a_local_source_becomes_a_direct_file_url_never_an_index_name(tmp_path):
    assert bake(tmp_path).returncode == 0
    assert _mlcore_requirement(tmp_path / "churn-model").url == f"file://{REPO}"


def test_a_pinned_git_answer_is_the_dependency_as_given(tmp_path):
    # Offline, the tag cannot be fetched: the project is generated all the same, unlocked.
    env = {**os.environ, "UV_OFFLINE": "1"}
    done = bake(tmp_path, "mlcore_source=git+https://github.com/org/ml-template@v0.1.0", env=env)
    assert done.returncode == 0, done.stderr
    assert "WARNING: uv lock failed (" in done.stderr
    assert "the first `make install` creates it" in done.stderr
    requirement = _mlcore_requirement(tmp_path / "churn-model")
    assert requirement.url == "git+https://github.com/org/ml-template@v0.1.0"


def test_the_default_answer_is_the_template_itself(tmp_path):
    done = bake(tmp_path / "local", "mlcore_source=template")
    assert done.returncode == 0, done.stderr
    assert _mlcore_requirement(tmp_path / "local" / "churn-model").url == f"file://{REPO}"


def test_the_default_answer_pins_a_cloned_template_to_its_commit(tmp_path):
    """``cookiecutter <git url>``: mlcore comes from the same repository, at the cloned commit."""
    origin = tmp_path / "origin"
    files = git(REPO, "ls-files", "--cached", "--others", "--exclude-standard").splitlines()
    for name in files:
        if (REPO / name).is_file():
            (origin / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, origin / name)
    identity = ("-c", "user.name=t", "-c", "user.email=t@example.com")
    for args in (("init", "-q"), ("add", "-A"), (*identity, "commit", "-qm", "template")):
        git(origin, *args)
    commit = git(origin, "rev-parse", "HEAD")
    env = {
        **os.environ,
        "HOME": str(tmp_path / "home"),
    }  # cookiecutter clones into ~/.cookiecutters
    done = subprocess.run(
        [str(COOKIECUTTER), "--no-input", "-o", str(tmp_path / "out"), f"git+file://{origin}"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stderr
    requirement = _mlcore_requirement(tmp_path / "out" / "churn-model")
    assert requirement.url == f"git+file://{origin}@{commit}"


def test_no_template_markup_is_left_in_any_generated_file(tmp_path):
    assert bake(tmp_path).returncode == 0
    project = tmp_path / "churn-model"
    for path in project.rglob("*"):
        if path.is_file() and ".git" not in path.parts:
            text = path.read_text(errors="ignore")
            assert "{{" not in text and "{%" not in text, path


def test_the_project_records_its_template_commit_and_answers_for_updates(tmp_path):
    done = bake(tmp_path, "ci_provider=bitbucket", "open_source_license=Apache-2.0")
    assert done.returncode == 0, done.stderr
    project = tmp_path / "churn-model"
    record = json.loads((project / ".cruft.json").read_text())
    assert record["template"] == str(REPO)
    assert record["commit"] == git(REPO, "rev-parse", "HEAD")
    assert record["skip"] == [".git", ".cruft.json", "uv.lock"]  # the lock is the project's
    answers = record["context"]["cookiecutter"]
    assert answers["ci_provider"] == "bitbucket"
    assert answers["open_source_license"] == "Apache-2.0"
    assert answers["_template"] == str(REPO) and answers["_commit"] == record["commit"]
    assert not {"_output_dir", "_repo_dir", "_checkout"} & answers.keys()
    assert ".cruft.json" in git(project, "ls-files").split()  # part of the first commit


def test_names_and_descriptions_with_yaml_or_toml_syntax_generate_valid_files(tmp_path):
    import yaml

    name, description = "Churn: Model", 'Predict the "quiet" leavers: \\ # not a comment'
    done = bake(
        tmp_path, f"project_name={name}", "project_slug=churn-model", f"description={description}"
    )
    assert done.returncode == 0, done.stderr
    project = tmp_path / "churn-model"
    config = yaml.safe_load((project / "conf" / "config.yaml").read_text())
    assert config["project"]["name"] == name
    meta = tomllib.loads((project / "pyproject.toml").read_text())["project"]
    assert meta["description"] == description


def test_prompts_say_what_each_answer_is_and_generation_ends_with_the_next_steps(tmp_path):
    done = subprocess.run(
        [str(COOKIECUTTER), "--output-dir", str(tmp_path), str(REPO)],
        input="\n" * 20,  # every default, as a newcomer pressing Enter
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "UV_OFFLINE": "1"},  # the default mlcore tag is not fetched
    )
    assert done.returncode == 0, done.stderr
    out = " ".join(done.stdout.split())  # the prompts wrap at the terminal's width
    assert "[1/12] Project name, human-readable (e.g. Churn Model)" in out
    assert "the neutral skeleton for your own table (no): yes or no" in out
    assert "none (no CI file)" in out and "3.11, 3.12 or 3.13" in out and "project_slug" not in out
    assert "template (the ml-template you generate from, pinned to its commit)" in out
    assert out.endswith(
        "cd churn-model make install # the environment (uv), the git hooks make run # the "
        "example pipeline, tracked in MLflow (offline) make ui # the runs and the registered "
        "model README.md says where your code goes and what each make target does."
    )
