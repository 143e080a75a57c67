"""What the built-in steps persist, with the provenance that says whether it may be reused.

Every persisted output (the validation verdict, the split, the models, the evaluation's metrics)
is written atomically with a provenance record: the run that made it, the sha256 of the raw data
it came from, the runs that made its own inputs and the config settings it depends on. A resumed
selection (``steps=[train, evaluate]``) reuses an output only when its record matches this run;
otherwise it stops with a :class:`StaleArtifact` error naming the file and what differs.

Example:
    >>> p = Provenance("run1", "ab" * 32, {}, {"kind": "hash"})
    >>> p.mismatch(Provenance("run2", "cd" * 32, {}, {"kind": "hash"}))
    'it was made from other data (sha256 abababababab…, this run reads cdcdcdcdcdcd…)'
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from mlcore._files import write_atomic
from mlcore.errors import DataError

__all__ = ["PERSISTED", "Provenance", "StaleArtifact", "Store"]

# name -> (folder key in cfg["paths"], sub-folder, the step that writes it)
PERSISTED = {
    "validation": ("reports", "validation", "validate"),
    "splits": ("interim", "split", "split"),
    "models": ("models", "", "train"),
    "evaluation": ("reports", "", "evaluate"),
}


class StaleArtifact(DataError):
    """A persisted output does not belong to this run's data or config."""


@dataclass(frozen=True)
class Provenance:
    """Who made an output: run id, raw data sha256, its inputs' producers, the settings used."""

    run_id: str
    data_sha256: str
    inputs: Mapping[str, str] = field(default_factory=dict)
    settings: Mapping[str, Any] = field(default_factory=dict)

    def mismatch(self, expected: Provenance) -> str | None:
        """Why this record cannot stand for ``expected`` (None when it can)."""
        if self.data_sha256 != expected.data_sha256:
            return (
                f"it was made from other data (sha256 {self.data_sha256[:12]}…, "
                f"this run reads {expected.data_sha256[:12]}…)"
            )
        for name, producer in expected.inputs.items():
            if self.inputs.get(name) != producer:
                return (
                    f"it was made from the {name} of run {self.inputs.get(name)}, "
                    f"this run uses the {name} of run {producer}"
                )
        changed = sorted(
            key
            for key in set(self.settings) | set(expected.settings)
            if self.settings.get(key) != expected.settings.get(key)
        )
        if changed:
            return f"it was made with other settings of {changed}"
        return None


class Store:
    """The persisted outputs of a project (``data/interim/split``, ``models/``, ``reports/``).

    Example:
        >>> import tempfile
        >>> root = Path(tempfile.mkdtemp())
        >>> store = Store({"reports": root, "interim": root, "models": root})
        >>> store.folder("splits") == root / "split"
        True
    """

    def __init__(self, paths: Mapping[str, Any]) -> None:
        self.paths = paths

    def folder(self, name: str) -> Path:
        base, sub, _ = PERSISTED[name]
        return Path(self.paths[base]) / sub

    def _record(self, name: str) -> Path:
        return self.folder(name) / f"{name}.provenance.json"

    def _step_record(self, name: str) -> Path:
        return self.folder(name) / f"{name}.step.json"

    def save(
        self,
        name: str,
        write: Callable[[Path], Any],
        provenance: Provenance,
        step: Mapping[str, Any] | None = None,
    ) -> Any:
        """Write ``name`` with ``write(folder)``, then its provenance (so a crash leaves none).

        ``step`` (the step's logged result and mlcore version, see
        :mod:`mlcore.pipeline._cache`) is kept with the files ``write`` returned, for a later run
        to reuse; without it the output can be resumed from but not reused as a cache.
        """
        record, step_record = self._record(name), self._step_record(name)
        record.unlink(missing_ok=True)  # the old record must not vouch for half-new files
        step_record.unlink(missing_ok=True)
        folder = self.folder(name)
        folder.mkdir(parents=True, exist_ok=True)
        written = write(folder)
        if step is not None:
            files = {k: [str(p) for p in v] for k, v in (written or {}).items()}
            write_atomic(step_record, json.dumps({**step, "files": files}, default=str))
        write_atomic(record, json.dumps(asdict(provenance), indent=2, sort_keys=True, default=str))
        return written

    def reusable(
        self, name: str, read: Callable[[Path], Any], expected: Provenance, version: str
    ) -> tuple[Any, Provenance, dict[str, Any]] | None:
        """``read(folder)``, the record and the step record of ``name`` when a step may reuse it:
        its provenance matches ``expected``, mlcore ``version`` made it and its files are there.
        None otherwise (nothing raised: the step then runs).
        """
        record, step_record = self._record(name), self._step_record(name)
        if not (record.is_file() and step_record.is_file()):
            return None
        saved = Provenance(**json.loads(record.read_text()))
        step = json.loads(step_record.read_text())
        paths = [Path(p) for paths in step["files"].values() for p in paths]
        if (
            saved.mismatch(expected)
            or step.get("mlcore_version") != version
            or not all(p.is_file() for p in paths)
        ):
            return None
        return read(self.folder(name)), saved, step

    def load(
        self, name: str, read: Callable[[Path], Any], expected: Provenance
    ) -> tuple[Any, Provenance]:
        """``read(folder)`` of a persisted output whose record matches ``expected``.

        ``expected.run_id`` is ignored; the record's run id is returned as the producer.
        """
        record = self._record(name)
        step = PERSISTED[name][2]
        if not record.is_file():
            raise DataError(
                f"no {name} on disk ({self.folder(name)}); run the {step!r} step first "
                f"(e.g. steps=[{step},...])"
            )
        saved = Provenance(**json.loads(record.read_text()))
        why = saved.mismatch(expected)
        if why:
            raise StaleArtifact(
                f"stale {name} in {self.folder(name)} (run {saved.run_id}): {why}; run the "
                f"{step!r} step again (add it to steps=) instead of reusing it"
            )
        return read(self.folder(name)), saved
