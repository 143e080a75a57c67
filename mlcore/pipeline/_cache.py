"""Step caching: a step whose inputs are unchanged reuses its persisted output and its record.

A cacheable step's output is persisted with its provenance (:mod:`mlcore.pipeline._artifacts`:
the raw data's sha256, the producers of its inputs, the config keys it reads) and, next to it, the
record of what its run logged (metrics, tags, texts, notes, tables, files) and the mlcore version
that made it. A later run with the same data, settings, inputs and mlcore version reads the output
back and replays the record into its own MLflow run instead of recomputing; ``cache: false``
(``make run NO_CACHE=1``) recomputes every step.

Only ``validate`` and ``split`` are cached: their outputs depend on nothing but the data and their
config keys. ``train`` and ``evaluate`` also depend on code no key sees (the project's
transformers in ``features.extra``, library versions), and ``register`` writes to the registry.
A failed validation is never reused: it must stop every run until the data is fixed.

Example:
    >>> record = result_record(StepResult(metrics={"rows_train": 7.0}, notes=("n",)))
    >>> replay(record, {}).metrics
    {'rows_train': 7.0}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from mlcore.pipeline._step import StepResult

__all__ = ["CACHED_STEPS", "cacheable", "replay", "result_record"]

# step -> the persisted output it writes (its only value)
CACHED_STEPS = {"validate": "validation", "split": "splits"}


def cacheable(name: str, result: StepResult) -> bool:
    """Whether the run may reuse this result of step ``name`` later (not a stopping one)."""
    return name in CACHED_STEPS and result.stop is None and not result.datasets


def result_record(result: StepResult) -> dict[str, Any]:
    """What the run logged of a step's result, as JSON-ready data (tables by their columns)."""
    return {
        "metrics": {k: float(v) for k, v in result.metrics.items()},
        "tags": dict(result.tags),
        "texts": dict(result.texts),
        "notes": list(result.notes),
        "tables": {name: t.to_dict(orient="split") for name, t in result.tables.items()},
        "files": {folder: [str(p) for p in paths] for folder, paths in result.files.items()},
    }


def replay(record: Mapping[str, Any], files: Mapping[str, Sequence[str]]) -> StepResult:
    """The :class:`StepResult` a record stands for; ``files`` are those its output's save wrote."""
    tables = {
        name: pd.DataFrame(t["data"], index=t["index"], columns=t["columns"])
        for name, t in record["tables"].items()
    }
    paths = {
        folder: [Path(p) for p in names] for folder, names in {**files, **record["files"]}.items()
    }
    return StepResult(
        metrics=record["metrics"],
        tags=record["tags"],
        texts=record["texts"],
        notes=tuple(record["notes"]),
        tables=tables,
        files=paths,
    )
