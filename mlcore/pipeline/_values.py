"""The typed outputs the built-in steps exchange, and how each is saved and read back.

``save(folder)`` writes atomically and returns the files to record with the run, by artifact
folder; ``read(folder)`` is its inverse. The runner stamps each saved output with its provenance
(:mod:`mlcore.pipeline._artifacts`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mlcore._files import write_atomic

__all__ = ["Evaluated", "Labels", "Models", "Registration", "Scores", "Splits", "Verdict"]

SET_NAMES = ("train", "validation", "test")

Files = dict[str, list[Path]]


@dataclass
class Verdict:
    """The validate step's verdict: ``passed``, ``failed``, ``skipped`` (no expectations) or
    ``not run`` (no verdict on disk for this data), with the GX result when there is one."""

    status: str
    reason: str = ""
    result: Any = None  # mlcore.validate.ValidationResult

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def save(self, folder: Path) -> Files:
        files = []
        if self.result is not None:
            files = [folder / "raw.json", folder / "raw.html"]
            self.result.to_json(files[0])
            self.result.to_html(files[1])
        verdict = {"status": self.status, "reason": self.reason}
        files.append(write_atomic(folder / "verdict.json", json.dumps(verdict, indent=2)))
        return {"validation": files}

    @classmethod
    def read(cls, folder: Path) -> Verdict:
        saved = json.loads((folder / "verdict.json").read_text())
        return cls(saved["status"], saved.get("reason", ""))


@dataclass
class Labels:
    """How the label was built from the raw table (the ``target`` config, mlcore.targets).

    ``by_period`` holds ``rows``, ``positives`` and ``positive_rate`` per snapshot period;
    ``warning`` says when that rate departs from the earlier one towards the edge of the data.
    """

    definition: str
    dropped: dict[str, int]
    by_period: pd.DataFrame
    warning: str | None = None

    @property
    def rows(self) -> int:
        return int(self.by_period["rows"].sum())

    @property
    def positive_rate(self) -> float:
        return float(self.by_period["positives"].sum() / max(self.rows, 1))

    def summary(self) -> str:
        """One paragraph: the definition, the rows, the positive rate and the rows dropped."""
        dropped = ", ".join(f"{n:,} {reason}" for reason, n in self.dropped.items())
        return (
            f"{self.definition}. {self.rows:,} labelled snapshots, positive rate "
            f"{self.positive_rate:.3f}; dropped: {dropped} (total {sum(self.dropped.values()):,})."
        )

    def section(self) -> Any:
        """The report's "Target" section: the summary, the warning and the rate per period."""
        from mlcore.report import Section

        text = self.summary()
        if self.warning:
            text += f" WARNING: {self.warning}."
        table = self.by_period.rename_axis("snapshot period").reset_index()
        table["snapshot period"] = table["snapshot period"].dt.strftime("%Y-%m-%d")
        return Section("Target", text, table.round({"positive_rate": 4}))

    def save(self, folder: Path) -> None:
        saved = {"definition": self.definition, "dropped": self.dropped, "warning": self.warning}
        write_atomic(folder / "labels.json", json.dumps(saved, indent=2))
        tmp = folder / ".labels_by_period.parquet.tmp"
        self.by_period.to_parquet(tmp)
        tmp.replace(folder / "labels_by_period.parquet")

    @classmethod
    def read(cls, folder: Path) -> Labels | None:
        if not (folder / "labels.json").is_file():
            return None
        saved = json.loads((folder / "labels.json").read_text())
        by_period = pd.read_parquet(folder / "labels_by_period.parquet")
        return cls(saved["definition"], saved["dropped"], by_period, saved["warning"])


@dataclass
class Splits:
    """The train, validation and test sets, the split report, the rows dropped (leakage) and,
    when the pipeline built the label, how (:class:`Labels`)."""

    train: pd.DataFrame
    validation: pd.DataFrame
    test: pd.DataFrame
    report: pd.DataFrame | None = None
    dropped: int = 0
    labels: Labels | None = None

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in SET_NAMES:
            raise KeyError(f"no set {name!r}; sets: {list(SET_NAMES)}")
        return getattr(self, name)

    def xy(self, name: str, target: str) -> tuple[pd.DataFrame, np.ndarray]:
        """Features and labels of a set."""
        part = self[name]
        return part.drop(columns=[target]), part[target].to_numpy()

    def save(self, folder: Path) -> Files:
        for name in SET_NAMES:
            tmp = folder / f".{name}.parquet.tmp"
            self[name].to_parquet(tmp, index=False)
            tmp.replace(folder / f"{name}.parquet")
        (folder / "labels.json").unlink(missing_ok=True)
        if self.labels is not None:
            self.labels.save(folder)
        return {}

    @classmethod
    def read(cls, folder: Path) -> Splits:
        sets = (pd.read_parquet(folder / f"{name}.parquet") for name in SET_NAMES)
        return cls(*sets, labels=Labels.read(folder))


@dataclass
class Models:
    """The fitted model (preprocessing + estimator, one Pipeline, calibrated when ``calibration``
    says so) that scores rows with their activity features, the fitted
    :class:`mlcore.activity.PanelFeatures` that computes them (None without
    ``features.activity``), the dummy baseline, the calibration decision (a dict of
    :class:`mlcore.model.Calibration`) and the model's validation scores as training computed
    them (None when read from disk). :attr:`logged` is the two as one model of raw rows."""

    model: Any
    baseline: Any
    calibration: dict[str, Any] = field(default_factory=dict)
    features: Any = None
    validation_scores: np.ndarray | None = None

    def __getitem__(self, name: str) -> Any:
        return {"model": self.model, "baseline": self.baseline}[name]

    @property
    def logged(self) -> Any:
        """The model that is registered: the activity features, then :attr:`model`."""
        from mlcore.model import with_features

        return with_features(self.features, self.model)

    def inputs(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame`` as :attr:`logged` takes it: without the features it computes."""
        added = [] if self.features is None else self.features.added_
        return frame.drop(columns=[c for c in added if c in frame.columns])

    def save(self, folder: Path) -> Files:
        import joblib

        for name, value in (("model", self.logged), ("baseline", self.baseline)):
            tmp = folder / f".{name}.joblib.tmp"
            joblib.dump(value, tmp)
            tmp.replace(folder / f"{name}.joblib")
        write_atomic(folder / "calibration.json", json.dumps(self.calibration, indent=2))
        return {}

    @classmethod
    def read(cls, folder: Path) -> Models:
        import joblib

        from mlcore.model import split_features

        logged, baseline = (joblib.load(folder / f"{n}.joblib") for n in ("model", "baseline"))
        features, model = split_features(logged)
        decision = folder / "calibration.json"
        calibration = json.loads(decision.read_text()) if decision.is_file() else {}
        return cls(model, baseline, calibration, features)


@dataclass
class Evaluated:
    """The evaluation: flat metrics, the report (written as HTML + markdown) and its tables."""

    metrics: dict[str, float]
    report: Any = None  # mlcore.report.Report; None when read back from disk
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    figures: Mapping[str, Any] = field(default_factory=dict)

    def save(self, folder: Path) -> Files:
        from mlcore.report import write_report

        html, md = write_report(self.report, folder)
        metrics = write_atomic(
            folder / "metrics.json", json.dumps(self.metrics, indent=2, sort_keys=True)
        )
        pngs = [folder / "figures" / f"{name}.png" for name in self.figures]
        return {"report": [html, md, metrics], "report/figures": pngs}

    @classmethod
    def read(cls, folder: Path) -> Evaluated:
        return cls(json.loads((folder / "metrics.json").read_text()))


@dataclass
class Registration:
    """The registered version and the gate's decision."""

    model_name: str
    model_version: str
    promoted: bool
    reason: str


class Scores:
    """Scores of the models on the sets, computed once per run (``scores("model", "test")``)."""

    def __init__(self, task: Any, models: Models, splits: Splits, target: str) -> None:
        self.task, self.models, self.splits, self.target = task, models, splits, target
        self.known: dict[str, dict[str, np.ndarray]] = {}
        if models.validation_scores is not None:
            self.known["validation"] = {"model": models.validation_scores}

    def __call__(self, model: str, set_name: str) -> np.ndarray:
        by_model = self.known.setdefault(set_name, {})
        if model not in by_model:
            features = self.splits.xy(set_name, self.target)[0]
            by_model[model] = self.task.score(self.models[model], features)
        return by_model[model]
