"""Shared fixtures: compose the project's Hydra config the way the pipeline does."""

import os
import shutil

import pytest
from hydra import compose, initialize_config_dir

from {{ cookiecutter.module_name }} import CONFIG_DIR

os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
os.environ.setdefault("DO_NOT_TRACK", "true")


@pytest.fixture
def compose_config():
    """Return a function composing conf/config.yaml with Hydra overrides."""

    def _compose(*overrides: str):
        with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
            # Tests never write to a team tracking server: the project's own SQLite store.
            return compose(config_name="config", overrides=["tracking=local", *overrides])

    return _compose


@pytest.fixture(scope="session")
def _empty_store(tmp_path_factory):
    """An MLflow store with its tables created: creating them takes seconds, copying it none."""
    import mlflow

    path = tmp_path_factory.mktemp("store") / "mlflow.db"
    mlflow.MlflowClient(tracking_uri=f"sqlite:///{path}").search_experiments()
    return path


@pytest.fixture
def run_root(tmp_path, _empty_store):
    """A fresh project root for one pipeline run (``paths.root``), with its own empty store."""
    shutil.copyfile(_empty_store, tmp_path / "mlflow.db")
    return tmp_path
