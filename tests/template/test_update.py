"""A project generated from an older template commit updates to the newer one with cruft, cleanly.

The template's git history is made in a temporary clone of this repository: the current template
is committed as revision 1, then a small template change as revision 2. The project is generated
from revision 1 with the real cookiecutter CLI (as a user would) and updated with the documented
`make template-update` (the real cruft).
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.template.conftest import REPO, UV, git, outer_env, run

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("template_update")]

COOKIECUTTER = Path(sys.executable).with_name("cookiecutter")
CRUFT = Path(sys.executable).with_name("cruft")
TEMPLATE_PATHS = ("cookiecutter.json", "hooks", "{{cookiecutter.project_slug}}")
NEW_SECTION = "\n## Support\n\nAsk in the team channel.\n"


def commit_all(repo: Path, message: str) -> str:
    git(repo, "add", "--all")
    git(
        repo,
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@example.com",
        "commit",
        "--allow-empty",
        "-qm",
        message,
    )
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture
def template_history(tmp_path) -> tuple[Path, str, str]:
    """A clone of this repository holding the working tree's template (rev 1) and a change (rev 2)."""
    clone = tmp_path / "ml-template"
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


def test_an_untouched_project_updates_to_the_new_template_commit_without_conflicts(
    template_history, tmp_path
):
    assert UV, "uv is needed for make template-update (make test provides it)"
    clone, rev1, rev2 = template_history
    home = tmp_path / "home"
    home.mkdir()
    # cookiecutter clones URL templates into ~/.cookiecutters: keep that inside the test.
    env = outer_env(HOME=str(home), UV=UV, GIT_CONFIG_NOSYSTEM="1")
    env.update(GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com")
    env.update(GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com")
    out = tmp_path / "out"
    done = run(
        str(COOKIECUTTER),
        "--no-input",
        "--checkout",
        rev1,
        "--output-dir",
        str(out),
        f"git+{clone.as_uri()}",
        f"mlcore_source={REPO}",
        "ci_provider=gitlab",
        "tracking=http://mlflow.internal:5000",
        cwd=tmp_path,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    project = out / "churn-model"

    record = json.loads((project / ".cruft.json").read_text())
    assert record["template"] == clone.as_uri()
    assert record["commit"] == rev1
    answers = record["context"]["cookiecutter"]
    assert answers["ci_provider"] == "gitlab"
    assert answers["tracking"] == "http://mlflow.internal:5000"
    assert not {"_output_dir", "_repo_dir"} & answers.keys()
    assert git(project, "status", "--porcelain") == ""

    outdated = run(str(CRUFT), "check", cwd=project, env=env)
    assert outdated.returncode == 1, outdated.stdout

    update = run("make", "--no-print-directory", "template-update", cwd=project, env=env)
    assert update.returncode == 0, update.stdout + update.stderr
    assert "Good work!" in update.stdout, update.stdout + update.stderr

    assert (project / "README.md").read_text().endswith(NEW_SECTION)
    assert (project / "CONTRIBUTING.md").read_text() == "# Contributing to Churn Model\n"
    assert json.loads((project / ".cruft.json").read_text())["commit"] == rev2
    # Only the template's change (staged by cruft) and the record: zero conflicts, nothing else.
    assert git(project, "diff", "--cached", "--name-only").split() == [
        "CONTRIBUTING.md",
        "README.md",
    ]
    assert git(project, "diff", "--name-only").split() == [".cruft.json"]
    assert git(project, "ls-files", "--others", "--exclude-standard") == ""
    assert not list(project.rglob("*.rej"))
    assert run(str(CRUFT), "check", cwd=project, env=env).returncode == 0
