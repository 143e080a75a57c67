"""Turn the generated folder into a git-flow repository: main with one commit, develop checked out."""

import shutil
import subprocess
import sys

AUTHOR = "{{ cookiecutter.author_name }}"
EMAIL = "{{ cookiecutter.author_email }}"


def git(*args: str) -> str:
    done = subprocess.run(
        ["git", *args], capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL
    )
    if done.returncode != 0:
        print(f"ERROR: git {' '.join(args)} failed: {done.stderr.strip()}", file=sys.stderr)
        sys.exit(1)
    return done.stdout.strip()


def configured(key: str) -> bool:
    done = subprocess.run(["git", "config", "--get", key], capture_output=True, check=False)
    return done.returncode == 0 and bool(done.stdout.strip())


def main() -> None:
    if shutil.which("git") is None:
        print(
            "ERROR: git is not installed or not on PATH; the project needs git for its git-flow "
            "branches (main, develop). Install git and generate the project again.",
            file=sys.stderr,
        )
        sys.exit(1)
    git("init", "--quiet", "--initial-branch=main")
    # A machine without a git identity still gets a valid first commit, attributed to the author.
    if not configured("user.name"):
        git("config", "user.name", AUTHOR)
    if not configured("user.email"):
        git("config", "user.email", EMAIL)
    git("add", "--all")
    git(
        "-c",
        "commit.gpgsign=false",
        "-c",
        "core.hooksPath=/dev/null",
        "commit",
        "--quiet",
        "--no-verify",
        "-m",
        "Initial commit from ml-template",
    )
    git("checkout", "--quiet", "-b", "develop")


if __name__ == "__main__":
    main()
