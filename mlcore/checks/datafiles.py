"""No data or model files in git: data lives in ``data/`` (ignored), models in the MLflow registry.

Rules:
    MLC201  a data or model file (by extension) outside the allowed small fixtures
    MLC202  a file larger than the size limit (1 MB by default), wherever it is

Example:
    >>> print(*check_file("src/m/customers.csv", 2_000))
    src/m/customers.csv: MLC201 data/model file (.csv) must not be committed: keep data in data/ (git-ignored) and models in the MLflow registry; small test fixtures belong in tests/fixtures/
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath

from mlcore.checks import Finding

__all__ = ["ALLOWED", "DATA_SUFFIXES", "MAX_BYTES", "check_file", "check_files"]

MAX_BYTES = 1_000_000
# Globs (``*`` also matches ``/``) of small fixtures that may be committed whatever their extension.
ALLOWED = ("tests/fixtures/*",)
DATA_SUFFIXES = frozenset(
    {
        # tables
        ".arrow", ".avro", ".csv", ".dta", ".feather", ".jsonl", ".ndjson", ".orc", ".parquet",
        ".sas7bdat", ".tsv", ".xls", ".xlsx",
        # arrays and stores
        ".db", ".h5", ".hdf", ".hdf5", ".mat", ".npy", ".npz", ".sqlite", ".sqlite3", ".zarr",
        # models
        ".cbm", ".ckpt", ".joblib", ".keras", ".onnx", ".pb", ".pickle", ".pkl", ".pt", ".pth",
        ".safetensors", ".sav", ".skops", ".tflite", ".ubj",
    }
)  # fmt: skip


def check_file(
    path: str, size: int, *, max_bytes: int = MAX_BYTES, allowed: Sequence[str] = ALLOWED
) -> list[Finding]:
    """Findings for the file at ``path`` of ``size`` bytes (a compressed ``x.csv.gz`` counts as csv).

    Example:
        >>> check_file("tests/fixtures/tiny.csv", 2_000)
        []
    """
    findings = []
    suffixes = [s.lower() for s in PurePosixPath(path).suffixes]
    data_suffix = next((s for s in reversed(suffixes) if s in DATA_SUFFIXES), None)
    if data_suffix and not any(fnmatchcase(path, pattern) for pattern in allowed):
        findings.append(
            Finding(
                path,
                None,
                "MLC201",
                f"data/model file ({data_suffix}) must not be committed: keep data in data/ "
                "(git-ignored) and models in the MLflow registry; small test fixtures belong in "
                "tests/fixtures/",
            )
        )
    if size > max_bytes:
        findings.append(
            Finding(
                path,
                None,
                "MLC202",
                f"file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:g} MB limit for committed "
                "files; keep large files out of git (data/ is ignored, models go to the registry)",
            )
        )
    return findings


def check_files(
    paths: Iterable[str],
    root: Path,
    *,
    max_bytes: int = MAX_BYTES,
    allowed: Sequence[str] = ALLOWED,
) -> list[Finding]:
    """:func:`check_file` for each of ``paths`` (relative to ``root``) that exists.

    Example:
        >>> check_files(["pyproject.toml"], Path("."))
        []
    """
    findings = []
    for path in paths:
        file = root / path
        if file.is_file():
            findings += check_file(path, file.stat().st_size, max_bytes=max_bytes, allowed=allowed)
    return findings
