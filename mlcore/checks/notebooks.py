"""Notebook policy: notebooks are for exploration, live in ``notebooks/`` and never run the pipeline.

Rules:
    MLC101  a notebook outside ``notebooks/``
    MLC102  a notebook name that is not ``<number>-<initials>-<topic>.ipynb`` (``01-ds-churn-eda.ipynb``)
    MLC103  a notebook cell stored with outputs or an execution count
    MLC104  a notebook that is not valid JSON
    MLC105  a module under ``src/`` that imports or executes a notebook

Example:
    >>> print(*check_notebook("analysis/EDA.ipynb", '{"cells": []}'), sep="\\n")
    analysis/EDA.ipynb: MLC101 notebook outside notebooks/; notebooks are for exploration only, move it to notebooks/
    analysis/EDA.ipynb: MLC102 notebook name 'EDA.ipynb' is not <number>-<initials>-<topic>.ipynb (e.g. 01-ds-churn-eda.ipynb)
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from mlcore.checks import Finding

__all__ = ["check_files", "check_notebook", "check_source"]

NAME = re.compile(r"\d+(\.\d+)?-[a-z]{2,4}-[a-z0-9]+([-_][a-z0-9]+)*\.ipynb")
# Libraries whose only use in pipeline code would be to read, convert or execute notebooks.
NOTEBOOK_RUNNERS = frozenset(
    {
        "import_ipynb",
        "importnb",
        "ipynb",
        "jupytext",
        "nbclient",
        "nbconvert",
        "nbformat",
        "papermill",
        "scrapbook",
        "testbook",
    }
)
_NOTEBOOK_STRING = re.compile(r"\.ipynb\b|%run\b")
# "cell_type" is a key of cells only (outputs have "output_type"): its n-th match starts cell n.
_CELL_START = re.compile(r'(?<!\\)"cell_type"\s*:')


def check_notebook(path: str, text: str) -> list[Finding]:
    """Location, name and stored outputs of the notebook at ``path`` whose content is ``text``.

    Example:
        >>> check_notebook("notebooks/01-ds-churn-eda.ipynb", '{"cells": []}')
        []
    """
    where = PurePosixPath(path)
    findings = []
    if where.parts[0] != "notebooks":
        findings.append(
            Finding(
                path,
                None,
                "MLC101",
                "notebook outside notebooks/; notebooks are for exploration only, move it to notebooks/",
            )
        )
    if not NAME.fullmatch(where.name):
        findings.append(
            Finding(
                path,
                None,
                "MLC102",
                f"notebook name '{where.name}' is not <number>-<initials>-<topic>.ipynb "
                "(e.g. 01-ds-churn-eda.ipynb)",
            )
        )
    try:
        cells = json.loads(text).get("cells", [])
    except (json.JSONDecodeError, AttributeError) as exc:
        line = getattr(exc, "lineno", None)
        return [*findings, Finding(path, line, "MLC104", f"notebook is not valid JSON: {exc}")]
    return findings + _stored_outputs(path, text, cells)


def _stored_outputs(path: str, text: str, cells: list[dict]) -> list[Finding]:
    """MLC103 for every code cell holding outputs or an execution count, at the cell's first line."""
    starts = [text.count("\n", 0, match.start()) + 1 for match in _CELL_START.finditer(text)]
    findings = []
    for number, cell in enumerate(cells, start=1):
        stored = [f"{len(cell['outputs'])} output(s)"] if cell.get("outputs") else []
        if cell.get("execution_count") is not None:
            stored.append(f"execution count {cell['execution_count']}")
        if stored:
            line = starts[number - 1] if len(starts) == len(cells) else None
            findings.append(
                Finding(
                    path,
                    line,
                    "MLC103",
                    f"notebook cell {number} is stored with {' and '.join(stored)}; "
                    "strip them (nbstripout) so notebooks are committed without outputs",
                )
            )
    return findings


def check_source(path: str, text: str) -> list[Finding]:
    """MLC105 for a Python module under ``src/`` that imports or executes a notebook.

    Flags imports of notebook runners (nbformat, nbconvert, papermill, …) and strings naming an
    ``.ipynb`` file or the ``%run`` magic (docstrings excepted). A file that does not parse is left
    to the linter.

    Example:
        >>> print(*check_source("src/m/run.py", "import papermill"))
        src/m/run.py:1: MLC105 imports papermill, which runs notebooks; pipeline code must not import or execute notebooks (move the code from the notebook to src/)
    """
    if PurePosixPath(path).parts[0] != "src":
        return []
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return []
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    findings = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            modules = [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module and not node.level:
                modules = [node.module]
            for module in modules:
                if module.split(".")[0] in NOTEBOOK_RUNNERS:
                    findings.append(
                        _executes(path, node.lineno, f"imports {module}, which runs notebooks")
                    )
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
            and _NOTEBOOK_STRING.search(node.value)
        ):
            findings.append(_executes(path, node.lineno, f"refers to a notebook ({node.value!r})"))
    return sorted(findings)


def _executes(path: str, line: int, what: str) -> Finding:
    return Finding(
        path,
        line,
        "MLC105",
        f"{what}; pipeline code must not import or execute notebooks "
        "(move the code from the notebook to src/)",
    )


def check_files(paths: Iterable[str], root: Path) -> list[Finding]:
    """Every notebook in ``paths`` and every ``src/`` module, read from ``root``.

    Example:
        >>> check_files(["README.md"], Path("."))
        []
    """
    findings = []
    for path in paths:
        if path.endswith(".ipynb"):
            findings += check_notebook(path, (root / path).read_text(encoding="utf-8"))
        elif path.endswith(".py"):
            findings += check_source(path, (root / path).read_text(encoding="utf-8"))
    return findings
