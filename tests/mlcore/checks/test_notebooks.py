"""The notebook policy: location, name, stored outputs, and src/ never running a notebook."""

import json

import pytest

from mlcore.checks.notebooks import check_files, check_notebook, check_source


def _notebook(*cells: dict) -> str:
    """A notebook serialized the way Jupyter and nbformat write it (sorted keys, indent 1)."""
    return json.dumps(
        {"cells": list(cells), "metadata": {}, "nbformat": 4}, indent=1, sort_keys=True
    )


def _code(outputs: list | None = None, execution_count: int | None = None) -> dict:
    return {
        "cell_type": "code",
        "execution_count": execution_count,
        "metadata": {},
        "outputs": outputs or [],
        "source": ["x = 1"],
    }


def _rules(findings) -> list[str]:
    return [finding.rule for finding in findings]


def test_the_generated_project_follows_the_policy(baked):
    paths = [
        p.relative_to(baked).as_posix() for p in baked.rglob("*") if p.suffix in (".ipynb", ".py")
    ]
    assert "notebooks/01-ds-churn-eda.ipynb" in paths
    assert check_files(paths, baked) == []


def test_a_notebook_outside_notebooks_is_flagged_mlc101():
    (finding,) = check_notebook("src/pkg/01-ds-eda.ipynb", _notebook())
    assert str(finding).startswith("src/pkg/01-ds-eda.ipynb: MLC101 notebook outside notebooks/")


@pytest.mark.parametrize(
    "name",
    ["01-ds-churn-eda.ipynb", "1.0-jqp-initial-data-exploration.ipynb", "12-abc-topic_2.ipynb"],
)
def test_numbered_notebooks_with_initials_and_topic_pass(name):
    assert check_notebook(f"notebooks/{name}", _notebook()) == []


@pytest.mark.parametrize(
    "name",
    ["EDA.ipynb", "01-churn.ipynb", "ds-churn-eda.ipynb", "01-DS-churn.ipynb", "Untitled1.ipynb"],
)
def test_notebooks_not_named_number_initials_topic_are_flagged_mlc102(name):
    (finding,) = check_notebook(f"notebooks/{name}", _notebook())
    assert finding.rule == "MLC102"
    assert f"'{name}'" in finding.message
    assert "01-ds-churn-eda.ipynb" in finding.message


def test_stored_outputs_and_execution_counts_are_flagged_at_the_cell_line():
    stream = {"name": "stdout", "output_type": "stream", "text": ["1\n"]}
    text = _notebook(_code(), _code([stream], execution_count=3), _code(execution_count=4))
    findings = check_notebook("notebooks/01-ds-eda.ipynb", text)
    assert _rules(findings) == ["MLC103", "MLC103"]
    lines = text.splitlines()
    for finding, cell in zip(findings, (2, 3), strict=True):
        assert f"cell {cell} " in finding.message
        assert '"cell_type": "code"' in lines[finding.line - 1]
    assert findings[0].line < findings[1].line
    assert "1 output(s) and execution count 3" in findings[0].message
    assert "nbstripout" in findings[0].message


def test_a_notebook_that_is_not_json_is_flagged_mlc104_with_its_line():
    (finding,) = check_notebook("notebooks/01-ds-eda.ipynb", '{\n "cells": [\n')
    assert finding.rule == "MLC104"
    assert finding.line == 3


@pytest.mark.parametrize(
    "source",
    [
        "import papermill as pm",
        "from nbconvert.preprocessors import ExecutePreprocessor",
        "import nbformat",
        "from nbclient import NotebookClient",
        'run_notebook("notebooks/01-ds-churn-eda.ipynb")',
        'get_ipython().run_cell("%run helpers")',
    ],
)
def test_src_modules_that_import_or_execute_notebooks_are_flagged_mlc105(source):
    text = f'"""Scoring."""\n\n{source}\n'
    (finding,) = check_source("src/pkg/score.py", text)
    assert str(finding).startswith("src/pkg/score.py:3: MLC105 ")
    assert "must not import or execute notebooks" in finding.message


def test_docstrings_about_notebooks_and_modules_outside_src_pass():
    documented = (
        '"""See notebooks/01-ds-eda.ipynb."""\n\n\ndef f():\n    """Like 02-ds-x.ipynb."""\n'
    )
    assert check_source("src/pkg/a.py", documented) == []
    assert check_source("tests/test_nb.py", "import nbformat") == []
    assert check_source("src/pkg/broken.py", "import (") == []


def test_check_files_reads_notebooks_and_src_modules_from_the_root(tmp_path):
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "Untitled.ipynb").write_text(_notebook(_code(execution_count=1)))
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "run.py").write_text("import papermill\n")
    (tmp_path / "README.md").write_text("01-ds-x.ipynb")
    paths = ["notebooks/Untitled.ipynb", "src/run.py", "README.md"]
    assert sorted(_rules(check_files(paths, tmp_path))) == ["MLC102", "MLC103", "MLC105"]
