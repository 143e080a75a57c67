"""Schemas and dataset sources declared by mlcore: MLflow's integer-column hint and its
duplicate-source warning do not fire, on a real SQLite store with a real model."""

import warnings

import mlflow
import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from mlcore import track
from mlcore._model_io import log_sklearn_model
from mlcore._signature import dataset_source, declared_schema

MLFLOW_GUESSES = ("Inferred schema contains integer column", "can be interpreted in multiple ways")


@pytest.fixture
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "tenure": rng.integers(0, 60, 200),
            "calls": rng.integers(0, 5, 200).astype("int32"),
            "spend": rng.normal(size=200),
            "plan": rng.choice(["a", "b"], 200),
        }
    )


def _guesses(caught: list) -> list[str]:
    return [str(w.message) for w in caught if any(g in str(w.message) for g in MLFLOW_GUESSES)]


def test_integer_columns_are_declared_long_or_integer_without_mlflows_hint(frame):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        schema = declared_schema(frame)
    assert _guesses(caught) == []
    assert [t.name for t in schema.input_types()] == ["long", "integer", "double", "string"]


def test_a_local_path_resolves_to_one_dataset_source_without_a_warning(tmp_path):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        source = dataset_source(str(tmp_path / "table.parquet"))
    assert _guesses(caught) == []
    assert source.to_dict()["uri"] == str(tmp_path / "table.parquet")


def test_logging_a_dataset_and_a_model_raises_neither_mlflow_warning(frame, tmp_path):
    track.configure(f"sqlite:///{tmp_path}/mlflow.db", "signature", str(tmp_path / "artifacts"))
    x, y = frame.drop(columns="plan"), (frame["spend"] > 0).astype(int)
    model = make_pipeline(StandardScaler(), LogisticRegression()).fit(x, y)
    with warnings.catch_warnings(record=True) as caught, track.start_run(run_name="r") as run:
        warnings.simplefilter("always")
        track.log_dataset(frame, "raw", str(tmp_path / "table.parquet"))
        info = log_sklearn_model(model, x, "signature-model")
    assert _guesses(caught) == []
    (logged,) = mlflow.MlflowClient().get_run(run.info.run_id).inputs.dataset_inputs
    assert logged.dataset.source_type == "local"
    inputs = mlflow.models.get_model_info(info.model_uri).signature.inputs
    assert [t.name for t in inputs.input_types()] == ["long", "integer", "double"]
