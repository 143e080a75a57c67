"""A project generated from an older template commit updates to the newer one with cruft, cleanly.

The template's git history is made in a temporary clone of this repository: the current template
is committed as revision 1, then a small template change as revision 2. The project is generated
from revision 1 with the real cookiecutter CLI (as a user would) and updated with the documented
`make template-update` (the real cruft).
"""

import json
import sys
from pathlib import Path

import pytest

from tests.template.conftest import (
    NEW_SECTION,
    UV,
    bake_from,
    git,
    run,
    template_history,
    update_env,
)

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("template_update")]

CRUFT = Path(sys.executable).with_name("cruft")


def test_an_untouched_project_updates_to_the_new_template_commit_without_conflicts(tmp_path):
    assert UV, "uv is needed for make template-update (make test provides it)"
    clone, rev1, rev2 = template_history(tmp_path)
    home = tmp_path / "home"
    home.mkdir()
    env = update_env(home)
    out = tmp_path / "out"
    out.mkdir()
    project = bake_from(
        clone, rev1, out, env, "ci_provider=gitlab", "tracking=http://mlflow.internal:5000"
    )

    record = json.loads((project / ".cruft.json").read_text())
    assert record["template"] == clone.as_uri()
    assert record["commit"] == rev1
    answers = record["context"]["cookiecutter"]
    assert answers["ci_provider"] == "gitlab"
    assert answers["tracking"] == "http://mlflow.internal:5000"
    assert not {"_output_dir", "_repo_dir"} & answers.keys()
    assert git(project, "status", "--porcelain") == ""
    assert "uv.lock" in git(project, "ls-files").split()  # locked at generation, committed

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
