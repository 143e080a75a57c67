"""Shape the generated folder from the answers, then make it a git-flow repository.

Before the first commit: keep only the chosen CI provider's file, the chosen LICENSE, the example
pipeline or the empty skeleton, the chosen tracking default, record the template and answers in
``.cruft.json`` (for ``make template-update``) and lock every package in ``uv.lock``. Then: git
init, one commit on main, develop checked out. Any failure prints one ERROR line and cookiecutter
removes the half-made folder.
"""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import NoReturn

CONTEXT = json.loads(r"""{{ cookiecutter | jsonify }}""")

CI_FILES = {
    "github": ".github",
    "gitlab": ".gitlab-ci.yml",
    "bitbucket": "bitbucket-pipelines.yml",
}
SKELETON = Path("_skeleton")
LICENSES = Path("_licenses")
CONFIG = Path("conf/config.yaml")
# Files of the churn example that the empty skeleton drops (its own versions come from _skeleton/).
EXAMPLE_ONLY = (
    "conf/data/synthetic.yaml",
    "conf/target/churn.yaml",
    "conf/validation/churn.yaml",
    "notebooks/01-ds-churn-eda.ipynb",
)
# Tests of the project's own code, kept by the skeleton too.
SHARED_TESTS = {"test_features.py"}
# cookiecutter's run-time keys: machine-specific, not answers.
RUNTIME_KEYS = {"_output_dir", "_repo_dir", "_checkout", "__prompts__"}
ABBREVIATIONS = {
    "gh:": "https://github.com/{}.git",
    "gl:": "https://gitlab.com/{}.git",
    "bb:": "https://bitbucket.org/{}",
}


def fail(message: str) -> NoReturn:
    print(f"ERROR: {message}", file=sys.stderr)
    sys.exit(1)


def git(*args: str) -> str:
    done = subprocess.run(
        ["git", *args], capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL
    )
    if done.returncode != 0:
        fail(f"git {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout.strip()


def configured(key: str) -> bool:
    done = subprocess.run(["git", "config", "--get", key], capture_output=True, check=False)
    return done.returncode == 0 and bool(done.stdout.strip())


def keep_ci_provider() -> None:
    for provider, path in CI_FILES.items():
        if provider != CONTEXT["ci_provider"]:
            if Path(path).is_dir():
                shutil.rmtree(path)
            else:
                Path(path).unlink()


def keep_license() -> None:
    chosen = LICENSES / CONTEXT["open_source_license"]
    if chosen.is_file():
        chosen.replace("LICENSE")
    shutil.rmtree(LICENSES)


def set_config(pattern: str, replacement: str) -> None:
    """Rewrite the one line of conf/config.yaml matching ``pattern``; fail if it is not there."""
    text = CONFIG.read_text()
    new, count = re.subn(pattern, replacement, text, flags=re.MULTILINE)
    if count != 1:
        fail(f"{CONFIG}: expected one line matching {pattern!r}, found {count}")
    CONFIG.write_text(new)


def keep_example_or_skeleton() -> None:
    if CONTEXT["include_example_pipeline"] == "no":
        for path in EXAMPLE_ONLY:
            if not Path(path).is_file():
                fail(f"skeleton: the example file {path} is missing; update EXAMPLE_ONLY")
            Path(path).unlink()
        # The example's tests go too, whoever added them: the skeleton brings its own.
        for test in Path("tests").glob("test_*.py"):
            if test.name not in SHARED_TESTS:
                test.unlink()
        for source in sorted(p for p in SKELETON.rglob("*") if p.is_file()):
            target = source.relative_to(SKELETON)
            target.parent.mkdir(parents=True, exist_ok=True)
            source.replace(target)
        set_config(r"^  - data: synthetic$", "  - data: file")
        set_config(r"^  - validation: churn$", "  - validation: default")
        set_config(r"^  - target: churn$", "  - target: given")
        set_config(r"^limitations:\n(  - .*\n)+", "limitations: []\n")
    shutil.rmtree(SKELETON)


def keep_tracking() -> None:
    if CONTEXT["tracking"] == "local":
        Path("conf/tracking/remote.yaml").unlink()
    else:
        set_config(r"^  - tracking: local$", "  - tracking: remote")


def template_source() -> tuple[str, str | None]:
    """The template as cruft can clone it (URL or absolute path) and its commit (None if unknown)."""
    if "_commit" in CONTEXT:  # rendered by cruft itself (cruft create / update)
        return CONTEXT["_template"], CONTEXT["_commit"]
    template = CONTEXT["_template"].removeprefix("git+")  # cookiecutter's syntax, not git's
    for prefix, url in ABBREVIATIONS.items():
        if template.startswith(prefix):
            template = url.format(template.removeprefix(prefix))
    # The hook runs inside the new project: resolve a relative template from the caller's folder.
    repo_dir = Path(os.environ.get("PWD", "."), CONTEXT["_repo_dir"]).resolve()
    if "://" not in template and not template.startswith("git@"):
        template = str(repo_dir)
    done = subprocess.run(
        ["git", "-C", str(repo_dir), "rev-parse", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    )
    return template, done.stdout.strip() if done.returncode == 0 else None


def write_cruft_record() -> None:
    template, commit = template_source()
    if commit is None:
        print(
            f"WARNING: the template {template} is not a git repository: .cruft.json has no commit, "
            "so `make template-update` cannot work until you set it",
            file=sys.stderr,
        )
    answers = {k: v for k, v in CONTEXT.items() if k not in RUNTIME_KEYS}
    answers.update(_template=template, _commit=commit)
    record = {
        "template": template,
        "commit": commit,
        "checkout": CONTEXT.get("_checkout"),
        "context": {"cookiecutter": answers},
        "directory": None,
        # cruft compares two fresh renders of the template; their git folders, records and locks
        # differ by construction and are not template changes (the lock changes by `make lock`).
        "skip": [".git", ".cruft.json", "uv.lock"],
    }
    Path(".cruft.json").write_text(json.dumps(record, indent=2) + "\n")


def lock_environment() -> None:
    """Write ``uv.lock`` for the first commit: from uv's cache alone when it holds every package
    (no network, under a second), else from the package index. Without uv, or when neither works,
    one WARNING line: the first ``make install`` then creates the lock (commit it).
    """
    uv = os.environ.get("UV") or shutil.which("uv")
    later = "the first `make install` creates it (uv lock): commit it"
    if uv is None:
        print(f"WARNING: uv is not installed (PATH, $UV): no uv.lock yet; {later}", file=sys.stderr)
        return
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    env["UV_PYTHON_DOWNLOADS"] = "never"
    for mode in (["--offline"], []):
        done = subprocess.run(
            [uv, "lock", "--quiet", *mode],
            capture_output=True,
            text=True,
            env=env,
            check=False,
            stdin=subprocess.DEVNULL,
        )
        if done.returncode == 0:
            return
    reason = (done.stderr.strip().splitlines() or ["no message"])[-1].strip()
    print(f"WARNING: uv lock failed ({reason}): no uv.lock yet; {later}", file=sys.stderr)


def make_git_flow_repo() -> None:
    git("init", "--quiet", "--initial-branch=main")
    # A machine without a git identity still gets a valid first commit, attributed to the author.
    if not configured("user.name"):
        git("config", "user.name", CONTEXT["author_name"])
    if not configured("user.email"):
        git("config", "user.email", CONTEXT["author_email"])
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


def main() -> None:
    if shutil.which("git") is None:
        fail(
            "git is not installed or not on PATH; the project needs git for its git-flow "
            "branches (main, develop) and its template record. Install git and generate again."
        )
    keep_ci_provider()
    keep_license()
    keep_example_or_skeleton()
    keep_tracking()
    write_cruft_record()
    lock_environment()
    make_git_flow_repo()
    print_next_steps()


def print_next_steps() -> None:
    """What to do now, in the order a newcomer needs it."""
    slug = CONTEXT["project_slug"]
    steps = ["make install       # the environment (uv), the git hooks"]
    if CONTEXT["include_example_pipeline"] == "yes":
        steps.append("make run           # the example pipeline, tracked in MLflow (offline)")
    else:
        steps += [
            "# put your table in data/raw/ and name its columns in conf/data/file.yaml",
            "make profile       # draft the data checks, review them",
            "make run           # validate, split, train, evaluate, register",
        ]
    steps.append("make ui            # the runs and the registered model")
    lines = [f"Created {slug}/ on branch develop (git-flow: main, develop).", f"  cd {slug}"]
    lines += [f"  {step}" for step in steps]
    lines.append("README.md says where your code goes and what each make target does.")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
