"""mlcore._mlflow_store: a new SQLite store is a copy of an empty one MLflow migrated once, and
works as the store MLflow makes itself (real MLflow, real SQLite)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import mlflow

from mlcore import track
from mlcore._mlflow_store import create_store


def _tables(path: Path) -> tuple[set[str], list[tuple[str, ...]]]:
    with sqlite3.connect(path) as db:
        names = {r[0] for r in db.execute("select name from sqlite_master where type='table'")}
        return names, db.execute("select version_num from alembic_version").fetchall()


def test_a_new_store_is_copied_from_the_cached_empty_store_and_works_as_mlflows_own(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    native = tmp_path / "native.db"  # made by MLflow itself, in a fresh interpreter
    code = "import mlflow, sys; mlflow.set_tracking_uri(sys.argv[1]); mlflow.search_experiments()"
    subprocess.run([sys.executable, "-c", code, f"sqlite:///{native}"], check=True)
    first, second = tmp_path / "a" / "mlflow.db", tmp_path / "b" / "mlflow.db"
    for path in (first, second):
        path.parent.mkdir()
        monkeypatch.chdir(path.parent)
        experiment = track.configure(f"sqlite:///{path}", "churn", str(path.parent / "art"))
        with mlflow.start_run(experiment_id=experiment) as run:
            mlflow.log_metric("auc", 0.8)
        assert mlflow.get_run(run.info.run_id).data.metrics == {"auc": 0.8}
        default = mlflow.get_experiment("0")  # MLflow's own, added when it opened the copy
        assert default.artifact_location == str(path.parent / "mlruns" / "0")
    assert [p.name for p in (tmp_path / "cache" / "mlcore").iterdir()] == [
        f"mlflow-{mlflow.__version__}.db"
    ]
    assert _tables(first) == _tables(second) == _tables(native)


def test_an_existing_store_is_never_replaced(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    store = tmp_path / "mlflow.db"
    assert create_store(store)
    store.write_bytes(b"SQLite format 3\x00 and the runs of a team")
    assert not create_store(store)
    assert store.read_bytes().endswith(b"the runs of a team")


def test_without_a_cache_folder_mlflow_makes_the_store_itself(tmp_path, monkeypatch):
    (tmp_path / "not-a-folder").write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "not-a-folder"))
    monkeypatch.chdir(tmp_path)
    store = tmp_path / "mlflow.db"
    assert not create_store(store) and not store.exists()
    track.configure(f"sqlite:///{store}", "churn", str(tmp_path / "art"))
    assert mlflow.get_experiment_by_name("churn") is not None
