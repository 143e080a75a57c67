"""Loading the modelling table named by the ``data`` config: embedded synthetic data or a file.

Example:
    >>> from mlcore.data import load_table
    >>> df = load_table({"source": "synthetic", "synthetic": {"n_customers": 200, "n_months": 5},
    ...                  "entity_col": "customer_id", "target": "churn"})
    >>> "churn" in df.columns
    True
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

import pandas as pd

from mlcore._schema import choice
from mlcore.datasets import make_churn, make_churn_panel
from mlcore.errors import DataError

__all__ = ["READERS", "SYNTHETIC_TABLES", "load_table"]

READERS = {".csv": pd.read_csv, ".parquet": pd.read_parquet, ".pq": pd.read_parquet}
# data.table of source synthetic: the labelled snapshots, or the raw panel with its events.
SYNTHETIC_TABLES = {"churn": make_churn, "churn_panel": make_churn_panel}


def load_table(config: Mapping[str, Any], *, labelled: bool = True) -> pd.DataFrame:
    """Return the table for ``config``; the entity (and, if ``labelled``, target) columns must be
    present.

    ``source: synthetic`` calls the generator ``table`` names in :data:`SYNTHETIC_TABLES`
    (``churn``: :func:`mlcore.datasets.make_churn`, ``churn_panel``: the raw activity panel of
    :func:`mlcore.datasets.make_churn_panel`, labelled by the pipeline's ``target`` config) with
    ``synthetic`` as keyword arguments; ``source: file`` reads ``path`` (CSV or Parquet, by
    suffix): a local path or an object store URI such as ``s3://bucket/churn.parquet`` (pyarrow's
    file systems; S3 takes the usual ``AWS_*`` variables, ``AWS_ENDPOINT_URL`` for an
    S3-compatible server).
    """
    if config["source"] == "synthetic":
        table = choice(config.get("table") or "churn", "data.table", tuple(SYNTHETIC_TABLES))
        frame = SYNTHETIC_TABLES[table](**dict(config.get("synthetic") or {}))
        where = "synthetic data"
    else:
        if not config.get("path"):
            raise DataError("data.path is required when data.source is 'file'")
        path = str(config["path"])
        reader = READERS.get(PurePosixPath(path).suffix.lower())
        if reader is None:
            raise DataError(
                f"data.path {path}: unsupported file type; use one of {sorted(READERS)}"
            )
        if not _is_file(path):
            raise DataError(
                f"data.path {path}: no such file; put the table there or set data.path in "
                "conf/data/"
            )
        frame = _read(reader, path)
        where = f"data.path {path}"
    date_col = config.get("date_col")
    named = {"data.entity_col": config["entity_col"]}
    if labelled:
        named["data.target"] = config["target"]
    if date_col:
        named["data.date_col"] = date_col
    missing = [col for col in named.values() if col not in frame.columns]
    if missing:
        keys = [key for key, col in named.items() if col in missing]
        hint = "; set data.date_col: null when it has none" if "data.date_col" in keys else ""
        raise DataError(
            f"{where}: missing column(s) {missing} named in the data config ({', '.join(keys)})"
            f"{hint}"
        )
    if date_col and not pd.api.types.is_datetime64_any_dtype(frame[date_col]):
        try:
            frame[date_col] = pd.to_datetime(frame[date_col], errors="raise")
        except (ValueError, TypeError) as exc:
            bad = pd.to_datetime(frame[date_col], errors="coerce").isna() & frame[date_col].notna()
            rows = frame.index[bad][:5].tolist()
            raise DataError(
                f"{where}: column {date_col!r} (data.date_col) holds values that are not dates, "
                f"e.g. rows {rows} ({str(exc).splitlines()[0]}); fix them, or set data.date_col: "
                "null"
            ) from None
    return frame


_MAX_COLUMNS = 10_000  # a wider header is a CSV whose line endings were lost, not a table


def _is_uri(path: str) -> bool:
    return "://" in path


def _is_file(path: str) -> bool:
    """Whether ``path`` (local, or an object store URI) is a file; an unreachable store is an
    error naming it."""
    if not _is_uri(path):
        return Path(path).is_file()
    from pyarrow import fs

    try:
        filesystem, inner = fs.FileSystem.from_uri(path)
        return filesystem.get_file_info(inner).type == fs.FileType.File
    except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
        message = str(exc).splitlines()[0]
        raise DataError(f"data.path {path}: the store cannot be read: {message}") from None


def _open(path: str) -> BinaryIO:
    """A binary file of ``path`` (local, or an object store URI through pyarrow)."""
    if not _is_uri(path):
        return open(path, "rb")  # the caller closes it
    from pyarrow import fs

    filesystem, inner = fs.FileSystem.from_uri(path)
    return filesystem.open_input_file(inner)


def _read(reader: Any, path: str) -> pd.DataFrame:
    """Read ``path``; a file that is empty, not text, absurdly wide, or has repeated column names
    is an error."""
    csv_file = PurePosixPath(path).suffix.lower() == ".csv"
    if csv_file:
        with _open(path) as file:
            first = file.readline(64 * 1024 * 1024)
        fields = first.count(b",") + 1
        if fields > _MAX_COLUMNS:
            raise DataError(
                f"data.path {path}: its first line holds {fields:,} fields; were the line "
                "endings lost (one line for the whole file)? Re-export it with one row a line"
            )
    try:
        with _open(path) as file:
            frame = reader(file)
    except pd.errors.EmptyDataError:
        raise DataError(f"data.path {path}: the file is empty (no header, no rows)") from None
    except UnicodeDecodeError:
        raise DataError(f"data.path {path}: not a UTF-8 text CSV (is it a binary file?)") from None
    except (pd.errors.ParserError, OSError, ValueError) as exc:
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DataError(f"data.path {path}: cannot be read as a table: {message}") from None
    if csv_file:
        with _open(path) as file:
            header = next(csv.reader(io.TextIOWrapper(file, encoding="utf-8", newline="")), [])
        repeated = sorted({c for c in header if header.count(c) > 1})
        if repeated:  # pandas would have renamed them (age, age.1): a silent second column
            raise DataError(
                f"data.path {path}: column name(s) {repeated} appear more than once in the "
                "header; rename or drop the copies"
            )
    return frame
