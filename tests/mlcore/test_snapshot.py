"""Data snapshots in a real MLflow artifact store (a local folder): stored once per content."""

import pandas as pd
import pytest

from mlcore.datasets import make_churn
from mlcore.errors import DataError
from mlcore.snapshot import _parquet_sha256, fetch_snapshot, store_snapshot
from mlcore.track import fingerprint


def test_an_unchanged_table_is_stored_once_and_restores_the_same_fingerprint(tmp_path):
    frame = make_churn(n_customers=300, n_months=4, seed=3)
    sha = fingerprint(frame)["sha256"]
    store = str(tmp_path / "snapshots")
    first, new = store_snapshot(frame, sha, store)
    again, new_again = store_snapshot(frame.copy(), sha, store)
    assert (first, new) == (f"{store}/{sha}.parquet", True)
    assert (again, new_again) == (first, False)
    assert [p.name for p in (tmp_path / "snapshots").iterdir()] == [f"{sha}.parquet"]
    restored = pd.read_parquet(fetch_snapshot(first, tmp_path / "restore"))
    assert fingerprint(restored)["sha256"] == sha


def test_the_snapshot_is_checked_column_by_column_with_the_fingerprint_of_the_whole_table(
    tmp_path,
):
    frame = pd.DataFrame(
        {
            "id": [3, 1, 2, 4],
            "fee": [1.5, None, 2.0, 0.25],
            "plan": ["a", None, "b", "a"],
            "when": pd.to_datetime(["2024-01-01", "2024-02-01", None, "2024-03-01"]),
            "flag": [True, False, True, True],
            "tier": pd.Categorical(["x", "y", "x", None]),
        }
    )
    path = tmp_path / "t.parquet"
    frame.to_parquet(path, index=False)
    whole = fingerprint(pd.read_parquet(path))["sha256"]
    assert _parquet_sha256(path, list(frame.columns)) == whole == fingerprint(frame)["sha256"]


def test_a_gone_snapshot_is_a_data_error_naming_it(tmp_path):
    uri = f"{tmp_path}/snapshots/{'ab' * 32}.parquet"
    with pytest.raises(DataError, match=r"snapshot .*abab.* is gone"):
        fetch_snapshot(uri, tmp_path / "restore")


def test_a_table_parquet_cannot_hold_is_refused_naming_the_config_key(tmp_path):
    frame = pd.DataFrame({"id": [1, 2], "mixed": [1, "a"]})
    with pytest.raises(DataError, match=r"data\.snapshot: false"):
        store_snapshot(frame, fingerprint(frame)["sha256"], str(tmp_path / "snapshots"))
    assert not (tmp_path / "snapshots").exists()


def test_a_relative_snapshot_store_is_a_config_error_naming_the_key():
    from mlcore.config import check_config
    from mlcore.errors import ConfigError

    with pytest.raises(ConfigError, match=r"data\.snapshot_store must be an absolute path"):
        check_config({"data": {"snapshot_store": "snapshots"}})
    assert check_config({"data": {"snapshot_store": "s3://bucket/snapshots"}})["data"]["snapshot"]
