"""Drift monitoring of the champion in production: ``make drift`` in a generated project.

At training time the pipeline saves a reference :class:`~mlcore.drift.DriftProfile` with the run
that registers the model (:func:`~mlcore.drift.reference_profile`, :func:`log_reference_profile`,
artifact :data:`PROFILE_ARTIFACT`). :func:`run_drift` then, for a new batch:

1. resolves ``models:/<name>@champion`` to a version and its run, and loads that run's profile;
2. scores the batch with that version (schema checked against the signature);
3. measures feature drift (PSI + KS numeric, PSI + chi-square categorical), prediction drift
   (the score), label drift (positive rate with a confidence interval) and concept drift (AUC and
   lift per period against the held-out values of training) when the batch has labels, with the
   thresholds of ``drift.thresholds`` (see :mod:`mlcore.drift`);
4. writes a report (HTML + markdown + JSON, tables and plots) to a new folder under
   ``drift.output_dir`` and logs it as its own MLflow run (tag ``mlcore.kind=drift``, linked to the
   champion's version and run by tags) in the experiment ``drift.experiment``.

:func:`main` returns 1 when a threshold is crossed (``drift alert: <what>``) so a scheduler can
gate retraining on it, 0 when not, and 2 on an error (bad config, bad batch, no champion).

``drift`` config keys: ``batch`` (CSV/Parquet path; null: the later period of the synthetic data
with ``synthetic.kind`` drift, or the ``data`` table for a file source), ``synthetic``
(``kind``: null, ``feature``, ``label`` or ``concept``; ``strength``: null for the kind's
default), ``period_col``, ``thresholds``, ``profile`` (``n_bins``, ``n_quantiles``,
``max_categories``, ``lift_fraction``; used at training time), ``top_figures``, ``experiment``
and ``output_dir``.

Example (inside a generated project, through Hydra)::

    python -m my_project.drift drift.synthetic.kind=feature     # exit 1: drift alert: age, ...
"""

from __future__ import annotations

import json
import logging
import math
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from mlcore import track
from mlcore._files import write_atomic
from mlcore._progress import Stages
from mlcore._schema import choice, section
from mlcore.config import check_config
from mlcore.data import load_table
from mlcore.datasets import make_churn_batches, prior_shift
from mlcore.drift import (
    DriftProfile,
    DriftReport,
    check_profile_settings,
    check_thresholds,
    drift_report,
)
from mlcore.errors import ConfigError, DataError, run_main
from mlcore.predict import (
    SCORE_COL,
    Champion,
    grain_warnings,
    load_champion,
)
from mlcore.report import Report, Section, write_index, write_report
from mlcore.targets import label_table, target_settings

__all__ = [
    "PROFILE_ARTIFACT",
    "SYNTHETIC_KINDS",
    "DriftResult",
    "alerts",
    "load_reference_profile",
    "log_reference_profile",
    "main",
    "run_drift",
]

log = logging.getLogger(__name__)

PROFILE_ARTIFACT = "monitoring/drift_profile.json"
# drift.synthetic.kind -> (make_churn_batches knob, default strength)
SYNTHETIC_KINDS: dict[str, tuple[str, float]] = {
    "feature": ("feature_drift", 1.0),
    "label": ("label_drift", 0.7),
    "concept": ("concept_drift", 1.0),
}
_DEFAULTS: dict[str, Any] = {
    "batch": None,
    "synthetic": {"kind": None, "strength": None},
    "period_col": None,  # default: data.date_col
    "thresholds": {},
    "profile": None,  # see mlcore.drift.check_profile_settings
    "top_figures": 6,
    "experiment": None,
    "output_dir": None,
}


def _settings(cfg: Mapping[str, Any]) -> dict[str, Any]:
    settings = section(
        cfg.get("drift"), "drift", {**_DEFAULTS, "period_col": cfg["data"]["date_col"]}
    )
    settings["synthetic"] = section(
        settings["synthetic"], "drift.synthetic", _DEFAULTS["synthetic"]
    )
    settings["profile"] = check_profile_settings(settings["profile"])
    settings["thresholds"] = check_thresholds(settings["thresholds"])
    choice(settings["synthetic"]["kind"], "drift.synthetic.kind", [None, *sorted(SYNTHETIC_KINDS)])
    settings["experiment"] = settings["experiment"] or f"{cfg['tracking']['experiment']}-monitoring"
    settings["output_dir"] = settings["output_dir"] or str(Path(cfg["paths"]["reports"]) / "drift")
    return settings


# --------------------------------------------------------------------------------------------
# The reference profile (mlcore.drift.reference_profile), saved with the training run
# --------------------------------------------------------------------------------------------


def log_reference_profile(profile: DriftProfile, run_id: str | None = None) -> str:
    """Save ``profile`` as :data:`PROFILE_ARTIFACT` of ``run_id`` (default: the active run).

    Uses the current tracking URI. Returns the artifact path.

    Example (needs a configured store)::

        with mlflow.start_run():
            log_reference_profile(profile)
    """
    import mlflow

    text = json.dumps(profile.to_dict())
    if run_id is None:
        mlflow.log_text(text, PROFILE_ARTIFACT)
    else:
        mlflow.MlflowClient().log_text(run_id, text, PROFILE_ARTIFACT)
    return PROFILE_ARTIFACT


def load_reference_profile(run_id: str) -> DriftProfile:
    """The profile saved with ``run_id`` (current tracking URI); a clear error when it has none.

    Example (needs a store)::

        profile = load_reference_profile(champion.run_id)
    """
    import mlflow
    from mlflow.exceptions import MlflowException

    try:
        text = mlflow.artifacts.load_text(f"runs:/{run_id}/{PROFILE_ARTIFACT}")
    except (MlflowException, OSError):
        raise DataError(
            f"run {run_id} has no {PROFILE_ARTIFACT}: the champion was trained without a drift "
            "profile; retrain it (make run) with this mlcore"
        ) from None
    return DriftProfile.from_dict(json.loads(text))


# --------------------------------------------------------------------------------------------
# A drift check of one batch
# --------------------------------------------------------------------------------------------


# The checks after feature drift, as the drift report's summary counts them, and their titles.
_CHECKS = (
    ("prediction", "Prediction drift:"),
    ("label", "Label drift:"),
    ("concept", "Concept drift:"),
)


@dataclass
class DriftResult:
    """What a drift check found and where it is."""

    report: DriftReport
    alerts: list[str]
    batch: str
    run_id: str
    directory: Path
    html: Path
    markdown: Path
    champion: Champion

    def summary(self) -> str:
        """Human-readable lines for the terminal."""
        s = self.report.summary()
        warnings = sum(v for k, v in s.items() if k.endswith("_warning"))
        verdict = f"drift alert: {', '.join(self.alerts)}" if self.alerts else "no drift alert"
        if warnings:
            verdict += f" ({warnings} warning{'s' if warnings > 1 else ''}, see below)"
        checks = [
            f"{title:<19}{s[f'{name}_error']} error, {s[f'{name}_warning']} warning"
            for name, title in _CHECKS
            if f"{name}_error" in s
        ]
        return "\n".join(
            [
                verdict,
                f"Batch:             {self.batch} ({s['n_rows']} rows)",
                f"Champion:          models:/{self.champion.name}/{self.champion.version} (run {self.champion.run_id})",
                f"Features:          {s['features_error']} error, {s['features_warning']} warning, max PSI {s['max_psi']:.3f}",
                *checks,
                f"Report:            {self.html}",
                f"Report (markdown): {self.markdown}",
                f"MLflow drift run:  {self.run_id}",
            ]
        )


def alerts(report: DriftReport) -> list[str]:
    """What crossed an ``error`` threshold: feature names, then score, label and periods.

    Example:
        >>> frame = pd.DataFrame({"x": [float(i) for i in range(500)]})
        >>> alerts(drift_report(DriftProfile.from_frame(frame), frame + 300))
        ['x']
    """
    out = report.features.loc[report.features["severity"] == "error", "feature"].tolist()
    out += [
        f"{r.feature} (prediction drift)"
        for r in report.prediction.itertuples()
        if r.severity == "error"
    ]
    out += [
        f"{r.label} (positive rate {r.rate_reference:.3f} -> {r.rate_current:.3f})"
        for r in report.label.itertuples()
        if r.severity == "error"
    ]
    out += [
        f"AUC {str(r.period)[:10]} ({r.auc:.3f} vs {r.auc_reference:.3f})"
        for r in report.performance.itertuples()
        if r.severity == "error"
    ]
    return out


def _batch(
    cfg: Mapping[str, Any], settings: Mapping[str, Any], champion: Champion
) -> tuple[pd.DataFrame, str]:
    """The batch to check and a description of where it came from."""
    data = cfg["data"]
    synthetic = settings["synthetic"]
    if settings["batch"] is not None:
        if synthetic["kind"] is not None:
            raise ConfigError("invalid config: give drift.batch or drift.synthetic.kind, not both")
        frame = champion.read(settings["batch"], "drift.batch", data.get("date_col"))
        return frame, str(settings["batch"])
    if data["source"] != "synthetic":
        if synthetic["kind"] is not None:
            raise ConfigError("invalid config: drift.synthetic needs data.source 'synthetic'")
        labelled = target_settings(cfg.get("target")) is None
        return load_table(data, labelled=labelled), f"the data table ({data['path']})"
    knobs: dict[str, float] = {}
    kind = synthetic["kind"]
    if kind is not None:
        knob, default = SYNTHETIC_KINDS[kind]
        strength = synthetic["strength"]
        knobs[knob] = float(default if strength is None else strength)
    described = ", ".join(f"{k}={v:g}" for k, v in knobs.items()) or "no drift injected"
    table = data.get("table") or "churn"
    settings = target_settings(cfg.get("target"))
    if table != "churn_panel" or settings is None:
        _, batch = make_churn_batches(**{**(data.get("synthetic") or {}), **knobs}, table=table)
        return batch, f"synthetic later period ({described})"
    label_drift = knobs.pop("label_drift", 0.0)  # a prior shift applies to the labelled batch
    _, panel = make_churn_batches(**{**(data.get("synthetic") or {}), **knobs}, table=table)
    target = data["target"]
    batch = label_table(
        panel, settings, entity_col=data["entity_col"], date_col=data["date_col"], label_col=target
    ).frame  # labelled as the pipeline labels its training data
    if label_drift:
        batch = batch[prior_shift(batch[target].to_numpy(), label_drift, cfg["seed"])]
    return batch.reset_index(drop=True), f"synthetic later period ({described})"


def _report(
    result: DriftReport, champion: Champion, batch: str, found: list[str], top: int
) -> Report:
    summary = result.summary()
    verdict = (
        f"ALERT: {', '.join(found)} crossed an error threshold."
        if found
        else "No error threshold crossed."
    )
    items = {
        "batch": batch,
        "rows": summary["n_rows"],
        "champion": f"{champion.name} v{champion.version}",
        "champion run": champion.run_id,
        "features error": summary["features_error"],
        "features warning": summary["features_warning"],
        "max PSI": f"{summary['max_psi']:.4g}",
    }
    for name, title in _CHECKS:
        if f"{name}_error" in summary:
            items[title.lower().rstrip(":")] = (
                f"{summary[f'{name}_error']} error, {summary[f'{name}_warning']} warning"
            )
    overview = pd.DataFrame({"item": list(items), "value": [str(v) for v in items.values()]})
    from mlcore.plots import drift_figures  # matplotlib: only when a report is drawn

    figures = drift_figures(result, top=top)
    thresholds = pd.DataFrame(
        [{"check": k, "value": json.dumps(v)} for k, v in result.thresholds.items()]
    )
    sections = [
        Section("Verdict", verdict, overview),
        Section(
            "Feature drift: P(X)",
            "PSI on quantile or category bins (plus a missing bin) with a chi-square test; KS for "
            "numeric columns. A level counts only when its test is significant.",
            _verdict_first(result.features),
            {"psi": figures["psi"], "distributions": figures["distributions"]},
        ),
        Section(
            "Prediction drift: the score",
            "The champion's scores on this batch against its scores on held-out training data.",
            _verdict_first(result.prediction),
        ),
        Section(
            "Label drift: P(Y)",
            "Positive rate against the training rate, with a confidence interval."
            if len(result.label)
            else "The batch has no labels: no label drift check.",
            _verdict_first(result.label) if len(result.label) else None,
        ),
        Section(
            "Concept drift: P(Y|X)",
            "ROC AUC and lift of the top scores per period, against the held-out values at training."
            if len(result.performance)
            else "The batch has no labels: no performance check.",
            _verdict_first(result.performance) if len(result.performance) else None,
            {"performance": figures["performance"]} if "performance" in figures else {},
        ),
        Section("Thresholds", table=thresholds),
    ]
    return Report(
        f"Drift of {champion.name} v{champion.version}",
        sections,
        subtitle=f"{batch} · checked {datetime.now(UTC).isoformat(timespec='seconds')}",
    )


def _metrics(summary: Mapping[str, Any]) -> dict[str, float]:
    numbers = {k: float(v) for k, v in summary.items() if isinstance(v, bool | int | float)}
    return {f"drift_{k}": v for k, v in numbers.items() if math.isfinite(v)}


def _verdict_first(table: pd.DataFrame) -> pd.DataFrame:
    """The table with its severity and reason right after its first column, so a reader sees
    them without scrolling."""
    if "severity" not in table.columns:
        return table
    first, verdict = table.columns[0], ["severity", "reason"]
    return table[[first, *verdict, *(c for c in table.columns if c not in {first, *verdict})]]


def run_drift(config: Mapping[str, Any] | Any) -> DriftResult:
    """Check the configured batch against the champion's reference profile (see module doc).

    Example (needs a store with a champion and its profile)::

        result = run_drift(cfg)
        result.alerts     # e.g. ['age', 'minutes_used', 'payment_method']
    """
    track.disable_telemetry()
    import mlflow

    cfg = check_config(config)
    settings = _settings(cfg)
    tracking = cfg["tracking"]
    with Stages("drift", logger=log) as stage:
        stage(f"loading models:/{tracking['model_name']}@champion and its training profile")
        champion = load_champion(tracking["uri"], tracking["model_name"])
        profile = load_reference_profile(champion.run_id)
        stage("reading the batch")
        frame, batch = _batch(cfg, settings, champion)
        if frame.empty:
            raise DataError(f"drift: {batch} has no rows")
        if SCORE_COL in frame.columns:
            raise DataError(f"drift: {batch} has a column named {SCORE_COL!r}, the score's name")
        with grain_warnings(batch):  # the champion computes the activity features of the rows
            scored = champion.featured(frame, batch)
            if profile.score_col is not None:  # a binary model: the score's drift and performance
                stage(f"scoring {len(scored):,} rows with v{champion.version}")
                scored[SCORE_COL] = champion.scores(frame, batch)
        stage(f"drift statistics of {len(profile.features)} features")
        period_col = settings["period_col"]
        result = drift_report(
            profile,
            scored,
            thresholds=settings["thresholds"],
            period_col=period_col if period_col in scored.columns else None,
        )
        found = alerts(result)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        name = f"{stamp}_v{champion.version}_{uuid.uuid4().hex[:8]}"
        directory = Path(settings["output_dir"]) / name
        stage(f"writing the report to {directory}")
        html, markdown = write_report(
            _report(result, champion, batch, found, int(settings["top_figures"])), directory
        )
        write_atomic(directory / "drift.json", json.dumps(result.to_dict(), indent=2) + "\n")
        stage(f"logging the drift run in {settings['experiment']}")
        track.configure(tracking["uri"], settings["experiment"], tracking["artifact_location"])
        tags = {
            "mlcore.kind": "drift",
            "mlcore.model_name": champion.name,
            "mlcore.model_version": champion.version,
            "mlcore.model_run_id": champion.run_id,
            "mlcore.alert": str(bool(found)),
            "mlcore.batch": batch[:5000],
        }
        with track.start_run(run_name=f"drift {stamp} v{champion.version}", tags=tags) as active:
            run_id = active.info.run_id
            write_atomic(directory / "drift.provenance.json", json.dumps({"run_id": run_id}))
            track.log_config(cfg)
            track.log_metrics(_metrics(result.summary()))
            mlflow.log_artifacts(str(directory), "drift")
        write_index(Path(cfg["paths"]["reports"]))
    return DriftResult(result, found, batch, run_id, directory, html, markdown, champion)


def main(config: Mapping[str, Any] | Any) -> int:
    """Entry point of ``make drift``: 0 no alert, 1 drift alert, 2 error (one ``ERROR:`` line)."""
    code, result = run_main(lambda: run_drift(config), error_code=2)
    if result is None:
        return code
    print(result.summary())
    return 1 if result.alerts else 0
