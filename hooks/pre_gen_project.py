"""Reject invalid answers before anything is generated (cookiecutter then removes the folder).

The answers with a fixed set of values are free text checked here, not cookiecutter choice lists:
cookiecutter rejects a ``key=value`` outside a choice list with a traceback, before any hook runs.
"""

import json
import keyword
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ANSWERS = json.loads(r"""{{ cookiecutter | jsonify }}""")
NAME = ANSWERS["project_name"]
SLUG = "{{ cookiecutter.project_slug }}"
MODULE = "{{ cookiecutter.module_name }}"
MLCORE_SOURCE = "{{ cookiecutter.mlcore_source }}"
MLCORE_URL = (
    "{{ cookiecutter.mlcore_source | mlcore_url(cookiecutter._template, cookiecutter._repo_dir) }}"
)
TRACKING = "{{ cookiecutter.tracking }}"
PYTHON_VERSION = "{{ cookiecutter.python_version }}"

SLUG_RULE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
MODULE_RULE = re.compile(r"^[a-z][a-z0-9_]*$")
GIT_RULE = re.compile(r"^git\+(https|ssh|file)://\S+@[\w.\-/]+$")
TRACKING_RULE = re.compile(r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[^\s]*)?$")
# The answers with a fixed set of values, and those values (cookiecutter.json's ``_choices``).
CHOICES = ANSWERS["_choices"]
RESERVED = {"mlcore", "test", "tests", "src", "conf", "data", "notebooks"}


def errors() -> list[str]:
    found = []
    if not NAME.strip():
        found.append(
            "project_name is empty: give the project a human-readable name (e.g. 'Churn Model')"
        )
    for key, allowed in CHOICES.items():
        answer = ANSWERS[key]
        if answer not in allowed:
            found.append(
                f"{key} {answer!r} is not one of {', '.join(allowed)}: answer one of them "
                f"(e.g. {key}={allowed[0]})"
            )
    if not SLUG_RULE.match(SLUG):
        found.append(
            f"project_slug {SLUG!r} is invalid: use lowercase letters, digits and single hyphens, "
            "starting with a letter (e.g. 'churn-model')"
        )
    if not MODULE_RULE.match(MODULE) or keyword.iskeyword(MODULE):
        found.append(
            f"module_name {MODULE!r} is invalid: use a Python identifier of lowercase letters, "
            "digits and underscores, starting with a letter (e.g. 'churn_model')"
        )
    elif MODULE in RESERVED or MODULE in sys.stdlib_module_names:
        found.append(f"module_name {MODULE!r} would shadow the package {MODULE!r}; pick another")
    if MLCORE_URL.startswith("git+"):
        if not GIT_RULE.match(MLCORE_URL):
            found.append(
                f"mlcore_source {MLCORE_SOURCE!r} must pin a ref: git+https://host/org/repo@<tag or sha>"
            )
    else:
        path = Path(MLCORE_URL.removeprefix("file://"))
        if not path.is_absolute() or not (path / "mlcore" / "__init__.py").is_file():
            found.append(
                f"mlcore_source {MLCORE_SOURCE!r} must be 'template', a pinned git URL "
                "(git+https://...@tag) or the absolute path of an ml-template checkout (a folder "
                "holding mlcore/)"
            )
    port = TRACKING_RULE.match(TRACKING)
    if TRACKING != "local" and port and port[1] and not 0 < int(port[1][1:]) <= 65535:
        found.append(f"tracking {TRACKING!r} has port {port[1][1:]}: a port is 1 to 65535")
    elif TRACKING != "local" and not port:
        found.append(
            f"tracking {TRACKING!r} is invalid: use 'local' (the project's SQLite store) or the "
            "http(s) URL of an MLflow tracking server (e.g. 'http://mlflow.internal:5000')"
        )
    if PYTHON_VERSION not in CHOICES["python_version"]:
        return found
    return found + python_errors()


def uv_command() -> str | None:
    """uv as the project's Makefile finds it: ``$UV``, else ``uv`` on PATH (None: not installed)."""
    return os.environ.get("UV") or shutil.which("uv")


def uv(*args: str) -> subprocess.CompletedProcess:
    """Run uv with Python downloads off, as the project's Makefile does."""
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    return subprocess.run(
        [uv_command(), *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def python_errors() -> list[str]:
    """The python_version answer must name an interpreter uv finds here: it never downloads one.

    Without uv there is nothing to check (the post-generation hook says what happens then).
    """
    if uv_command() is None or uv("python", "find", f">={PYTHON_VERSION}").returncode == 0:
        return []
    listed = uv("python", "list", "--only-installed", "--output-format", "json")
    present = json.loads(listed.stdout) if listed.returncode == 0 else []
    versions = sorted(
        {p["version"] for p in present}, key=lambda v: [int(n) for n in re.findall(r"\d+", v)]
    )
    return [
        f"python_version {PYTHON_VERSION!r}: no Python {PYTHON_VERSION} or newer on this machine "
        f"(found: {', '.join(versions) or 'none'}) and uv may not download one; install it "
        f"(e.g. uv python install {PYTHON_VERSION}) or answer a version present"
    ]


if __name__ == "__main__":
    problems = errors()
    for problem in problems:
        print(f"ERROR: {problem}", file=sys.stderr)
    if problems:
        print(
            "Your answers are kept in cookiecutter's replay file (~/.cookiecutter_replay/ by "
            "default): fix the value there and rerun with --replay-file, or pass it as key=value.",
            file=sys.stderr,
        )
    sys.exit(1 if problems else 0)
