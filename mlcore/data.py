"""Loading the modelling table named by the ``data`` config: embedded synthetic data or a file.

Example:
    >>> from mlcore.data import load_table
    >>> df = load_table({"source": "synthetic", "synthetic": {"n_customers": 200, "n_months": 5},
    ...                  "entity_col": "customer_id", "target": "churn"})
    >>> "churn" in df.columns
    True
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from mlcore.datasets import make_churn
from mlcore.errors import DataError

__all__ = ["READERS", "load_table"]

READERS = {".csv": pd.read_csv, ".parquet": pd.read_parquet, ".pq": pd.read_parquet}


def load_table(config: Mapping[str, Any]) -> pd.DataFrame:
    """Return the table for ``config``; the entity and target columns must be present.

    ``source: synthetic`` calls :func:`mlcore.datasets.make_churn` with ``synthetic`` as keyword
    arguments; ``source: file`` reads ``path`` (CSV or Parquet, by suffix).
    """
    if config["source"] == "synthetic":
        frame = make_churn(**dict(config.get("synthetic") or {}))
        where = "synthetic data"
    else:
        if not config.get("path"):
            raise DataError("data.path is required when data.source is 'file'")
        path = Path(config["path"])
        reader = READERS.get(path.suffix.lower())
        if reader is None:
            raise DataError(
                f"data.path {path}: unsupported file type; use one of {sorted(READERS)}"
            )
        if not path.is_file():
            raise DataError(f"data.path {path}: no such file")
        frame = reader(path)
        where = str(path)
    date_col = config.get("date_col")
    needed = [config["entity_col"], config["target"], *([date_col] if date_col else [])]
    missing = [col for col in needed if col not in frame.columns]
    if missing:
        raise DataError(f"{where}: missing column(s) {missing} named in the data config")
    if date_col and not pd.api.types.is_datetime64_any_dtype(frame[date_col]):
        frame[date_col] = pd.to_datetime(frame[date_col], errors="raise")
    return frame
