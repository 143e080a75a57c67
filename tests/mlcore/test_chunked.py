"""mlcore._chunked: the preprocessing fitted on all rows, transformed in chunks into float32."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from lightgbm import LGBMClassifier
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline

from mlcore._chunked import ChunkedColumnTransformer
from mlcore.errors import ConfigError
from mlcore.features import build_preprocessor


def _frame(n: int = 3000, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "x": rng.normal(size=n),
            "fee": rng.gamma(2.0, 10.0, size=n),
            "plan": rng.choice(["basic", "plus", "pro"], size=n),
            "zip": rng.choice([f"{z:05d}" for z in range(60)], size=n),
        }
    )
    frame.loc[frame.index[n // 2 :: 5], "fee"] = np.nan  # missing only after the first chunks
    frame.loc[frame.index[-1], "plan"] = "enterprise"  # a category only in the last chunk
    y = ((frame["x"] + rng.normal(size=n)) > 0.5).to_numpy().astype(int)
    return frame, y


def _preprocessor(frame: pd.DataFrame, chunk_rows: int | None, **features) -> Any:
    return build_preprocessor(
        frame, {"max_onehot_cardinality": 5, "chunk_rows": chunk_rows, **features}
    )


def test_fit_in_chunks_learns_the_statistics_of_every_row():
    frame, y = _frame()
    chunked = _preprocessor(frame, 500).fit(frame, y)
    in_memory = _preprocessor(frame, None).fit(frame, y)
    assert type(in_memory) is ColumnTransformer  # chunk_rows null: the in-memory path
    names = chunked.get_feature_names_out().tolist()
    assert names == in_memory.get_feature_names_out().tolist()
    assert {"num__missingindicator_fee", "cat__plan_enterprise"} <= set(names)
    expected = in_memory.transform(frame).astype(np.float32)
    np.testing.assert_array_equal(chunked.transform(frame), expected)


@pytest.mark.parametrize("encoding", ["frequency", "target"])
def test_training_output_in_chunks_equals_the_output_at_once(encoding):
    frame, y = _frame()
    at_once = _preprocessor(frame, len(frame), high_cardinality_encoding=encoding)
    at_once = at_once.fit_transform(frame, y)
    chunked = _preprocessor(frame, 700, high_cardinality_encoding=encoding).fit_transform(frame, y)
    assert chunked.dtype == at_once.dtype == np.float32
    np.testing.assert_array_equal(chunked, at_once)  # target encoding: out-of-fold in both


def test_a_model_trained_and_scored_in_chunks_predicts_as_in_one_chunk():
    frame, y = _frame()

    def model(chunk_rows):
        estimator = LGBMClassifier(n_estimators=20, n_jobs=1, deterministic=True, verbose=-1)
        return Pipeline([("preprocess", _preprocessor(frame, chunk_rows)), ("model", estimator)])

    chunked, whole = model(400).fit(frame, y), model(len(frame)).fit(frame, y)
    proba = chunked.predict_proba(frame)
    np.testing.assert_array_equal(proba, whole.predict_proba(frame))
    chunked.set_params(preprocess__chunk_rows=None)  # the same fitted model, scored at once
    np.testing.assert_array_equal(chunked.predict_proba(frame), proba)


def test_chunk_rows_must_be_a_positive_integer_or_null():
    frame, _ = _frame(50)
    with pytest.raises(ConfigError, match="features.chunk_rows must be a positive integer"):
        _preprocessor(frame, 0)
    assert isinstance(_preprocessor(frame, 10), ChunkedColumnTransformer)
