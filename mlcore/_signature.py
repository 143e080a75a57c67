"""MLflow schemas and dataset sources declared by mlcore, so MLflow has nothing to guess.

MLflow warns (a 600-character hint) each time it *infers* an integer column, and warns again when a
local path resolves to two registered dataset-source classes. Here integer columns are declared
(``long``/``integer`` from their dtype: the data held no missing values, and scoring checks that a
batch's column is integer too), and a path names the source MLflow would pick, without the
ambiguity warning.

Example:
    >>> import pandas as pd
    >>> declared_schema(pd.DataFrame({"n": [1, 2], "x": [0.5, 1.0], "s": ["a", "b"]})).input_types()
    [long, double, string]
"""

from __future__ import annotations

from typing import Any

import pandas as pd

__all__ = ["dataset_source", "declared_schema", "model_signature"]


def _integer_columns(frame: pd.DataFrame) -> list[Any]:
    return [
        name
        for name, dtype in frame.dtypes.items()
        if pd.api.types.is_integer_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
    ]


def declared_schema(frame: pd.DataFrame) -> Any:
    """The MLflow column schema of ``frame``: integer columns declared from their dtype (int64 as
    ``long``, narrower as ``integer``), every other column inferred by MLflow.

    Example:
        >>> declared_schema(pd.DataFrame({"n": pd.Series([1], dtype="int32")})).input_types()
        [integer]
    """
    from mlflow.models import infer_signature
    from mlflow.types import ColSpec, Schema

    integers = _integer_columns(frame)
    inferred = infer_signature(frame.astype(dict.fromkeys(integers, "float64"))).inputs
    specs = []
    for spec in inferred.inputs:
        if spec.name in integers:
            wide = frame[spec.name].dtype.itemsize > 4
            spec = ColSpec("long" if wide else "integer", spec.name, required=spec.required)
        specs.append(spec)
    return Schema(specs)


def model_signature(sample: pd.DataFrame, output: Any) -> Any:
    """The model signature: :func:`declared_schema` of the input ``sample``, the schema of
    ``output`` (a model's predictions on it) as MLflow infers it.

    Example:
        >>> import numpy as np
        >>> model_signature(pd.DataFrame({"n": [1]}), np.array([[0.2, 0.8]])).inputs.input_names()
        ['n']
    """
    from mlflow.models import ModelSignature, infer_signature

    if isinstance(output, pd.DataFrame):
        outputs = declared_schema(output)
    else:  # an array: a tensor schema, which MLflow infers without the integer hint
        outputs = infer_signature(output).inputs
    return ModelSignature(inputs=declared_schema(sample), outputs=outputs)


def dataset_source(uri: str) -> Any:
    """The MLflow dataset source of ``uri``: the class MLflow itself would choose (the last
    registered one that can resolve it), so a local path no longer matches two of them with a
    warning; ``uri`` unchanged when none can (MLflow then says why).

    Example:
        >>> type(dataset_source("/tmp/table.parquet")).__name__
        'LocalArtifactDatasetSource'
    """
    from mlflow.data.dataset_source_registry import get_registered_sources

    matching = [source for source in get_registered_sources() if source._can_resolve(uri)]
    return matching[-1]._resolve(uri) if matching else uri
