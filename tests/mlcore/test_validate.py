"""Data validation: a profiled suite passes on clean data and names what each corruption broke,
runs fully offline, and writes its results as JSON and HTML."""

from __future__ import annotations

import gc
import json
import socket
import subprocess
import sys
import weakref
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from omegaconf import OmegaConf

from mlcore.datasets import make_churn
from mlcore.errors import ConfigError, DataError
from mlcore.validate import (
    TABLE_COLUMNS,
    ValidationFailed,
    check_expectations,
    dump_expectations_yaml,
    profile_expectations,
    validate_frame,
)


@pytest.fixture(scope="module")
def churn() -> pd.DataFrame:
    return make_churn(n_customers=2000, n_months=6, seed=0)


@pytest.fixture(scope="module")
def suite(churn: pd.DataFrame) -> list[dict[str, Any]]:
    return profile_expectations(churn, entity_col="customer_id", date_col="snapshot_month")


def _failed(result: Any) -> set[tuple[str, str | None]]:
    rows = result.table[~result.table["success"]]
    return {(r.type, None if pd.isna(r.column) else r.column) for r in rows.itertuples()}


# --------------------------------------------------------------------------------------------
# Offline and side-effect free (first GX test in the file: it also covers the lazy import)
# --------------------------------------------------------------------------------------------


def test_validation_attempts_no_network_and_writes_nothing(
    churn: pd.DataFrame,
    suite: list[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    attempts: list[str] = []

    def refuse(name: str) -> Any:
        def blocked(*args: Any, **kwargs: Any) -> Any:
            attempts.append(f"{name}{args[1:] if name.startswith('socket.') else args}")
            raise OSError(f"network blocked by test: {name}")

        return blocked

    monkeypatch.setattr(socket.socket, "connect", refuse("socket.connect"))
    monkeypatch.setattr(socket.socket, "connect_ex", refuse("socket.connect_ex"))
    monkeypatch.setattr(socket, "create_connection", refuse("create_connection"))
    monkeypatch.setattr(socket, "getaddrinfo", refuse("getaddrinfo"))
    work, home = tmp_path / "cwd", tmp_path / "home"
    work.mkdir()
    home.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))

    result = validate_frame(churn, suite, name="raw")

    assert result.success
    assert attempts == []
    assert list(work.iterdir()) == [] and list(home.iterdir()) == []


def test_importing_validate_does_not_import_great_expectations() -> None:
    code = "import sys, mlcore.validate; print('great_expectations' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --------------------------------------------------------------------------------------------
# Clean data passes; each corruption fails with the expectation named
# --------------------------------------------------------------------------------------------


def test_clean_frame_passes_every_profiled_expectation(
    churn: pd.DataFrame, suite: list[dict[str, Any]]
) -> None:
    result = validate_frame(churn, suite, name="raw")
    assert result.success
    assert result.table["success"].all()
    assert list(result.table.columns) == TABLE_COLUMNS
    assert len(result.table) == len(suite)


def _missing_column(df: pd.DataFrame) -> pd.DataFrame:
    return df.drop(columns="age")


def _wrong_dtype(df: pd.DataFrame) -> pd.DataFrame:
    return df.assign(logins=df["logins"].astype("float64"))


def _null_ids(df: pd.DataFrame) -> pd.DataFrame:
    ids = df["customer_id"].astype("float64")
    ids.iloc[:5] = np.nan
    return df.assign(customer_id=ids)


def _out_of_range(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    out.loc[[3, 7], "age"] = 250.0
    return out


def _negative_counts(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    out.loc[10, "logins"] = -1
    return out


def _unknown_category(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    out.loc[1, "plan"] = "platinum"
    return out


def _duplicated_ids(df: pd.DataFrame) -> pd.DataFrame:
    return pd.concat([df, df.head(5)], ignore_index=True)


def _empty(df: pd.DataFrame) -> pd.DataFrame:
    return df.iloc[:0]


def _too_few_rows(df: pd.DataFrame) -> pd.DataFrame:
    return df.head(50)


def _null_share_spike(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    out.loc[::3, "age"] = np.nan
    return out


def _label_not_binary(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    out.loc[0, "churn"] = 2
    return out


@pytest.mark.parametrize(
    ("corrupt", "expected"),
    [
        (_missing_column, ("column_exists", "age")),
        (_wrong_dtype, ("dtype", "logins")),
        (_null_ids, ("not_null", "customer_id")),
        (_out_of_range, ("between", "age")),
        (_negative_counts, ("between", "logins")),
        (_unknown_category, ("in_set", "plan")),
        (_duplicated_ids, ("unique", "customer_id,snapshot_month")),
        (_empty, ("row_count_between", None)),
        (_too_few_rows, ("row_count_between", None)),
        (_null_share_spike, ("null_share_at_most", "age")),
        (_label_not_binary, ("in_set", "churn")),
    ],
    ids=lambda v: v.__name__.strip("_") if callable(v) else None,
)
def test_each_corruption_fails_and_names_the_expectation(
    churn: pd.DataFrame,
    suite: list[dict[str, Any]],
    corrupt: Any,
    expected: tuple[str, str | None],
) -> None:
    result = validate_frame(corrupt(churn), suite, name="raw")
    assert not result.success
    assert expected in _failed(result)
    with pytest.raises(ValidationFailed, match=expected[0]):
        raise ValidationFailed(result, "raw data")


def test_failed_rows_carry_the_observed_values_and_a_sample_of_bad_rows(
    churn: pd.DataFrame,
) -> None:
    result = validate_frame(
        _out_of_range(churn), [{"type": "between", "column": "age", "min": 18, "max": 90}]
    )
    row = result.table.iloc[0]
    assert row["unexpected_count"] == 2
    assert "250.0" in row["observed"]
    assert [r["_row"] for r in row["bad_rows"]] == [3, 7]
    assert row["bad_rows"][0]["customer_id"] == int(churn.loc[3, "customer_id"])


def test_warning_severity_reports_without_failing(churn: pd.DataFrame) -> None:
    expectations = [
        {"type": "between", "column": "age", "min": 18, "max": 60, "severity": "warning"},
        {"type": "not_null", "column": "customer_id"},
    ]
    result = validate_frame(churn, expectations)
    assert result.success
    assert result.failed_descriptions() == []
    assert result.failed_descriptions("warning")[0].startswith("between(column=age")
    assert result.statistics() == {"evaluated": 2, "failed_errors": 0, "failed_warnings": 1}


# --------------------------------------------------------------------------------------------
# JSON and HTML outputs
# --------------------------------------------------------------------------------------------


def test_results_are_written_as_json_and_html(churn: pd.DataFrame, tmp_path: Path) -> None:
    frame = _unknown_category(churn)
    frame.loc[2, "plan"] = "<b>bold</b>"
    result = validate_frame(
        frame, [{"type": "in_set", "column": "plan", "values": ["basic", "standard"]}], "raw"
    )
    text = result.to_json(tmp_path / "out" / "raw.json")
    page = result.to_html(tmp_path / "out" / "raw.html")

    data = json.loads((tmp_path / "out" / "raw.json").read_text())
    assert data == json.loads(text)
    assert data["success"] is False and data["name"] == "raw"
    assert data["results"][0]["bad_rows"][0]["_row"] == 0
    assert (tmp_path / "out" / "raw.html").read_text() == page
    assert "FAILED" in page and "in_set(column=plan" in page
    assert "<b>bold</b>" not in page and "&lt;b&gt;bold&lt;/b&gt;" in page
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["raw.html", "raw.json"]


def test_a_passing_check_shows_no_bad_rows_in_the_html(churn: pd.DataFrame) -> None:
    frame = churn.assign(age=churn["age"].where(churn.index % 10 != 0))
    spec = {"type": "null_share_at_most", "column": "age", "max_share": 0.5}
    result = validate_frame(frame, [spec], "raw")
    assert result.success and result.to_dict()["results"][0]["bad_rows"]  # rows are in the JSON
    assert "&quot;_row&quot;" not in result.to_html()  # not in the page of a passing check


# --------------------------------------------------------------------------------------------
# Profiling and the YAML file (no Great Expectations needed)
# --------------------------------------------------------------------------------------------


def test_profile_rules_on_a_small_snapshot() -> None:
    frame = pd.DataFrame(
        {
            "id": [1, 2, 3, 4],
            "amount": [0.0, 10.0, 20.0, np.nan],
            "count": [0, 5, 10, 10],
            "flag": [0, 1, 1, 0],
            "plan": ["a", "b", "a", "b"],
        }
    )
    got = profile_expectations(frame, entity_col="id", margin=0.1, row_count_range=(0.5, None))
    assert got[0] == {"type": "row_count_between", "min": 2, "max": None}
    assert {"type": "unique", "column": "id"} in got
    assert {"type": "null_share_at_most", "column": "amount", "max_share": 0.5} in got
    assert {"type": "between", "column": "amount", "min": 0, "max": 22.0} in got
    assert {"type": "between", "column": "count", "min": 0, "max": 11} in got
    assert {"type": "in_set", "column": "flag", "values": [0, 1]} in got
    assert {"type": "in_set", "column": "plan", "values": ["a", "b"]} in got
    assert {"type": "dtype", "column": "count", "dtype": "int64"} in got
    assert not any(e["type"] == "between" and e.get("column") == "id" for e in got)


def test_profile_uses_the_entity_and_date_as_a_compound_key(
    suite: list[dict[str, Any]],
) -> None:
    assert {"type": "unique", "columns": ["customer_id", "snapshot_month"]} in suite


def test_profile_rejects_an_unknown_entity_or_an_empty_snapshot(churn: pd.DataFrame) -> None:
    with pytest.raises(DataError, match="'client_id'"):
        profile_expectations(churn, entity_col="client_id")
    with pytest.raises(DataError, match="no rows"):
        profile_expectations(churn.iloc[:0])


def test_profiled_suite_round_trips_through_yaml(
    suite: list[dict[str, Any]], tmp_path: Path
) -> None:
    path = dump_expectations_yaml(suite, tmp_path / "conf" / "validation" / "profiled.yaml")
    text = path.read_text()
    assert text.startswith("# Profiled from")
    loaded = OmegaConf.to_container(OmegaConf.load(path))
    assert loaded == {"expectations": suite}
    assert [p.name for p in path.parent.iterdir()] == ["profiled.yaml"]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"type": "between_values", "column": "a"}, r"\[0\]: unknown expectation type"),
        ({"type": "between", "column": "a", "mx": 1}, r"unknown key\(s\) \['mx'\]"),
        ({"type": "in_set", "column": "a"}, r"missing key\(s\) \['values'\]"),
        ({"type": "between", "column": "a"}, "give 'min', 'max' or both"),
        ({"type": "unique"}, "exactly one of 'column' or 'columns'"),
        ({"type": "not_null", "column": "a", "severity": "fatal"}, "severity must be one of"),
    ],
)
def test_bad_expectations_are_config_errors_naming_the_position(
    spec: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        check_expectations([spec])


def test_severity_error_reads_as_before_the_shared_checker() -> None:
    with pytest.raises(ConfigError) as caught:
        check_expectations(
            [
                {"type": "not_null", "column": "a"},
                {"type": "unique", "column": "a", "severity": "fatal"},
            ]
        )
    assert str(caught.value) == (
        "validation.expectations[1] (unique): severity must be one of ['error', 'warning'], "
        "got 'fatal'"
    )


def test_bad_arguments_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="sample_size must be >= 1"):
        validate_frame(pd.DataFrame({"a": [1]}), [], sample_size=0)
    with pytest.raises(ConfigError, match="margin must be >= 0"):
        profile_expectations(pd.DataFrame({"a": [1]}), margin=-0.1)


def test_validating_a_frame_does_not_keep_it_alive():
    frame = pd.DataFrame({"a": np.arange(100.0)})
    alive = weakref.ref(frame)
    assert validate_frame(frame, [{"type": "not_null", "column": "a"}], name="raw").success
    del frame
    gc.collect()
    assert alive() is None  # GX's context, which outlives the call, holds no batch of it
