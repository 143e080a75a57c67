"""Branch names follow git-flow: the pushed branch when pre-commit says so, else the current one."""

import subprocess

import pytest

from mlcore.checks.branches import branch_to_check, check_branch


@pytest.mark.parametrize(
    "name",
    [
        "main",
        "master",
        "develop",
        "feature/churn-window",
        "feature/JIRA-12/lift_table",
        "bugfix/nan-age",
        "release/1.2.0",
        "hotfix/1.2.1",
        "support/1.x",
    ],
)
def test_git_flow_names_pass(name):
    assert check_branch(name) == []


@pytest.mark.parametrize(
    "name",
    ["wip", "my-feature", "feature", "feature/", "features/x", "Feature/x", "develop2", "fix/x"],
)
def test_other_names_are_flagged_mlc501(name):
    (finding,) = check_branch(name)
    assert str(finding).startswith(f"MLC501 branch '{name}' does not follow git-flow")
    assert "feature/<name>" in finding.message


def _git(cwd, *args) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def test_the_pushed_branch_is_checked_and_tags_are_not(tmp_path):
    assert branch_to_check(tmp_path, {"PRE_COMMIT_REMOTE_BRANCH": "refs/heads/wip"}) == "wip"
    assert branch_to_check(tmp_path, {"PRE_COMMIT_REMOTE_BRANCH": "refs/tags/v1.0"}) is None


def test_without_a_push_the_checked_out_branch_is_checked(tmp_path):
    tmp_path = tmp_path / "repo"
    tmp_path.mkdir()
    _git(tmp_path, "init", "--quiet", "--initial-branch=feature/x")
    assert branch_to_check(tmp_path, {}) == "feature/x"
    identity = ["-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"]
    _git(tmp_path, *identity, "commit", "--quiet", "--allow-empty", "-m", "first")
    _git(tmp_path, "checkout", "--quiet", "--detach")
    assert branch_to_check(tmp_path, {}) is None


def test_outside_a_git_repository_there_is_nothing_to_check(tmp_path):
    assert branch_to_check(tmp_path, {}) is None
