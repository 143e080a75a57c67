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


@pytest.fixture
def conf(tmp_path):
    folder = tmp_path / "conf"
    (folder / "tracking").mkdir(parents=True)
    (folder / "config.yaml").write_text(
        "defaults:\n  - _self_\n  - tracking: local\nproject:\n  slug: demo\ntask: regression\n"
        "model:\n  _target_: ${estimator:lightgbm}\n"
    )
    (folder / "tracking" / "local.yaml").write_text(
        "uri: sqlite:///${project_root:}/mlflow.db\nmodel_name: ${project.slug}\n"
    )
    (folder / "tracking" / "remote.yaml").write_text(
        "uri: http://mlflow.internal:5000\nmodel_name: ${project.slug}\n"
    )
    return folder


def test_config_get_prints_the_composed_values_one_a_line(conf, tmp_path, capsys):
    keys = ["tracking.uri", "tracking.model_name", "model._target_"]
    assert main(["config", "get", *keys, "--config-dir", str(conf)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"sqlite:///{tmp_path}/mlflow.db",
        "demo",
        "lightgbm.LGBMRegressor",
    ]
    assert main(["config", "get", "tracking.uri", "--config-dir", str(conf),
                 "--override", "tracking=remote"]) == 0  # fmt: skip
    assert capsys.readouterr().out.strip() == "http://mlflow.internal:5000"


def test_config_get_of_a_missing_key_is_one_error_line(conf, capsys):
    assert main(["config", "get", "tracking.url", "--config-dir", str(conf)]) == 2
    assert capsys.readouterr().err.strip().startswith("ERROR: no key 'tracking.url'")
