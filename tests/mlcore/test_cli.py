"""The ``mlcore`` command in-process: make-churn, and validate with and without --profile."""

import pytest

from mlcore.cli import main


@pytest.fixture
def table(tmp_path):
    path = tmp_path / "churn.parquet"
    assert main(["make-churn", str(path), "--customers", "300", "--months", "5"]) == 0
    return path


def test_a_profiled_suite_passes_on_its_own_snapshot(table, tmp_path, capsys):
    suite = tmp_path / "suite.yaml"
    args = ["--entity-col", "customer_id", "--date-col", "snapshot_month"]
    assert main(["validate", str(table), "--profile", str(suite), *args]) == 0
    assert "expectations:" in suite.read_text()
    report = tmp_path / "report.html"
    code = main(["validate", str(table), "--expectations", str(suite), "--report", str(report)])
    assert code == 0
    assert "validation passed" in capsys.readouterr().out
    assert "PASSED" in report.read_text()


def test_a_corrupted_table_fails_naming_the_expectation(table, tmp_path, capsys):
    import pandas as pd

    suite = tmp_path / "suite.yaml"
    assert main(["validate", str(table), "--profile", str(suite)]) == 0
    bad = tmp_path / "bad.parquet"
    pd.read_parquet(table).drop(columns="plan").to_parquet(bad)
    assert main(["validate", str(bad), "--expectations", str(suite)]) == 1
    out = capsys.readouterr().out
    assert "failed: column_exists(column=plan)" in out
    assert "validation FAILED" in out


def test_a_missing_suite_is_one_error_line(table, tmp_path, capsys):
    assert main(["validate", str(table), "--expectations", str(tmp_path / "no.yaml")]) == 1
    assert capsys.readouterr().err.strip().startswith("ERROR: --expectations")
