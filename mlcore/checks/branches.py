"""Branch names follow git-flow; run as a pre-push hook so a wrongly named branch never reaches the remote.

Rules:
    MLC501  a branch name other than main, master, develop or feature/, bugfix/, release/,
            hotfix/, support/ followed by a name

Example:
    >>> check_branch("feature/churn-window")
    []
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Mapping
from pathlib import Path

from mlcore.checks import Finding

__all__ = ["GIT_FLOW", "branch_to_check", "check_branch"]

GIT_FLOW = re.compile(
    r"(main|master|develop)|(feature|bugfix|release|hotfix|support)/[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*"
)


def check_branch(name: str) -> list[Finding]:
    """MLC501 unless ``name`` is a git-flow branch name.

    Example:
        >>> print(*check_branch("my-fix"))
        MLC501 branch 'my-fix' does not follow git-flow: use main, develop, feature/<name>, bugfix/<name>, release/<version>, hotfix/<name> or support/<name>
    """
    if GIT_FLOW.fullmatch(name):
        return []
    return [
        Finding(
            "",
            None,
            "MLC501",
            f"branch '{name}' does not follow git-flow: use main, develop, feature/<name>, "
            "bugfix/<name>, release/<version>, hotfix/<name> or support/<name>",
        )
    ]


def branch_to_check(root: Path, environ: Mapping[str, str] = os.environ) -> str | None:
    """The branch being pushed (pre-commit's ``PRE_COMMIT_REMOTE_BRANCH``), else the checked-out one.

    ``None`` for a tag push, a detached HEAD or outside a git repository: nothing to check.

    Example:
        >>> branch_to_check(Path("."), {"PRE_COMMIT_REMOTE_BRANCH": "refs/heads/feature/x"})
        'feature/x'
    """
    pushed = environ.get("PRE_COMMIT_REMOTE_BRANCH")
    if pushed:
        return pushed.removeprefix("refs/heads/") if pushed.startswith("refs/heads/") else None
    current = subprocess.run(
        ["git", "symbolic-ref", "--quiet", "--short", "HEAD"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    return current.stdout.strip() or None
