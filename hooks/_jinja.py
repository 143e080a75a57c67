"""The template's Jinja extension (cookiecutter's ``_extensions``), loaded from this checkout.

What cookiecutter cannot do on its own:

- ``mlcore_source: template`` (the default answer) means "the ml-template this project is generated
  from": the ``mlcore_url`` filter turns it into the dependency URL, pinned to the cloned commit
  when the template came from a git host (so ``make template-update`` moves mlcore with the
  template), or the template's folder when it is a local checkout.
- cookiecutter names the project folder from ``project_slug`` and creates it before any hook runs,
  so an empty slug names the output folder itself (``Error: "." directory already exists``). The
  folder name falls back to a placeholder, and the pre-generation hook then rejects the empty
  answer with its own message (cookiecutter removes the folder).
- cookiecutter logs a failed hook with its own traceback, under the ``ERROR:`` lines the hook
  printed: the traceback is dropped, the two lines that say generation stopped are kept.
"""

import logging
import subprocess
from pathlib import Path

from cookiecutter.config import BUILTIN_ABBREVIATIONS
from cookiecutter.exceptions import FailedHookException
from cookiecutter.repository import expand_abbreviations, is_repo_url, is_zip_file
from jinja2.ext import Extension

CHECKOUT = Path(__file__).resolve().parents[1]
FOLDER = "{{cookiecutter.project_slug}}"


def mlcore_url(source: str, template: str, repo_dir: str) -> str:
    """The ``mlcore @ <url>`` of the project's dependencies for the ``mlcore_source`` answer.

    Example:
        >>> mlcore_url("git+https://host/org/ml-template@v1.0", ".", ".")
        'git+https://host/org/ml-template@v1.0'
    """
    if source.startswith("git+"):
        return source
    if source != "template":
        return f"file://{source}"
    remote = is_repo_url(expand_abbreviations(template, BUILTIN_ABBREVIATIONS)) or is_zip_file(
        template
    )
    commit = _git(repo_dir, "rev-parse", "HEAD")
    origin = _git(repo_dir, "remote", "get-url", "origin")
    if remote and commit and origin:
        return f"git+{origin}@{commit}"
    local = Path(template)  # relative to where cookiecutter ran, not to here: use this checkout
    return f"file://{local if local.is_absolute() and local.is_dir() else CHECKOUT}"


def _git(repo_dir: str, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", repo_dir, *args], capture_output=True, text=True, check=False
    )
    return done.stdout.strip() if done.returncode == 0 else ""


class _HookFailureWithoutTraceback(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], FailedHookException):
            record.exc_info = record.exc_text = None
        return True


class TemplateExtension(Extension):
    """Adds the ``mlcore_url`` filter and the project folder's fallback name."""

    def __init__(self, environment) -> None:
        super().__init__(environment)
        environment.filters["mlcore_url"] = mlcore_url
        hooks_log = logging.getLogger("cookiecutter.hooks")
        if not any(isinstance(f, _HookFailureWithoutTraceback) for f in hooks_log.filters):
            hooks_log.addFilter(_HookFailureWithoutTraceback())

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        if source == FOLDER:
            return "{{ cookiecutter.project_slug or '_empty-project-slug' }}"
        return source
