"""After the model: ``make campaign-assign`` and ``make campaign-evaluate`` in a generated project.

:func:`run_assign` reads a scored batch of ``make predict`` (``campaign.predictions``; null: the
newest file in ``predict.output_dir``), keeps each entity's latest row, selects the population to
target (``campaign.selection``: ``profit``, the profit-optimal fraction ``test_best_fraction`` the
pipeline logged on the scoring model's run; ``top_k``; or a score ``threshold``) and splits it
with the hash machinery of :mod:`mlcore.experiment` (salt ``campaign.salt``) into treatment /
control (``campaign.fractions``, summing to 1) after a ``random_fraction`` of everyone is set
aside as the random group; the rest are ``others``. It logs an MLflow run (tag
``mlcore.kind=campaign``, linked to the model version by ``mlcore.model_name``,
``mlcore.model_version`` and ``mlcore.model_run_id``) in ``campaign.experiment`` and writes a new
``campaign_<UTC time>_v<version>_<id>.parquet`` (never overwritten) to ``campaign.output_dir``
with a sidecar ``.json`` holding the run id and the design.

:func:`run_evaluate` reads ``campaign.outcomes`` (entity, ``group_col``, ``outcome_col`` holding
churned or retained as 0/1 by ``outcome_kind``, optional ``value_col`` and ``features``) against
an assignment (``campaign.assignment``; null: the newest), runs
:func:`mlcore.experiment.evaluate_campaign` under ``campaign.costs``, writes an HTML + markdown
report under ``campaign.report_dir`` and logs it, with the metrics, to the campaign's run.

Example (inside a generated project, through Hydra)::

    python -m my_project.campaign campaign.action=assign
    python -m my_project.campaign campaign.action=evaluate campaign.outcomes=data/raw/outcomes.csv
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from mlcore import track
from mlcore._files import write_atomic
from mlcore._schema import choice, section
from mlcore.config import check_config
from mlcore.errors import ConfigError, DataError, run_main
from mlcore.experiment import (
    ARMS,
    DEFAULT_SALT,
    GROUPS,
    UPLIFT_MODELS,
    CampaignEvaluation,
    contacted,
    evaluate_campaign,
    join_outcomes,
    plan_campaign,
    report_parts,
    scored_population,
)
from mlcore.predict import SCORE_COL, read_table
from mlcore.report import Report, Section, write_report
from mlcore.split import check_fractions

__all__ = [
    "ACTIONS",
    "AssignResult",
    "EvaluateResult",
    "assignment_path",
    "main",
    "run_assign",
    "run_evaluate",
]

ACTIONS = ("assign", "evaluate")
PROFIT_METRIC = "test_best_fraction"
_NESTED: dict[str, dict[str, Any]] = {
    "selection": {"kind": "profit", "value": None},
    "costs": {"cost_per_contact": 5.0, "value_per_success": 300.0},
    "uplift": {"model": "logistic_regression", "folds": 5, "n_bins": 10, "persuadable_share": 0.8},
    "propensity": {"trim": 0.05, "min_kept": 0.5, "min_ess": 30},
}
_DEFAULTS: dict[str, Any] = {
    "action": None,
    "predictions": None,
    "fractions": {"treatment": 0.8, "control": 0.2},
    "random_fraction": 0.05,
    "salt": DEFAULT_SALT,
    "outcomes": None,
    "group_col": "group",
    "outcome_col": "churned",
    "outcome_kind": "churned",
    "value_col": None,
    "features": [],
    "assignment": None,
    "confidence": 0.95,
    "experiment": None,
    "output_dir": None,
    "report_dir": None,
    **_NESTED,
}


def _settings(cfg: Mapping[str, Any]) -> dict[str, Any]:
    s = section(cfg.get("campaign"), "campaign", _DEFAULTS)
    for key, defaults in _NESTED.items():
        s[key] = section(s[key], f"campaign.{key}", defaults)
    choice(s["action"], "campaign.action", [None, *ACTIONS])
    choice(s["selection"]["kind"], "campaign.selection.kind", ["profit", "top_k", "threshold"])
    choice(s["outcome_kind"], "campaign.outcome_kind", ["churned", "retained"])
    choice(s["uplift"]["model"], "campaign.uplift.model", UPLIFT_MODELS)
    arms = dict(
        zip(ARMS, check_fractions(s["fractions"], ARMS, what="campaign.fractions"), strict=True)
    )
    for arm, share in arms.items():
        if share == 0:
            raise ConfigError(
                f"campaign.fractions.{arm} is 0: a campaign needs both a treatment and a control "
                "group to measure its effect (e.g. treatment: 0.8, control: 0.2)"
            )
    if s["selection"]["kind"] == "profit" and s["selection"]["value"] is not None:
        raise ConfigError(
            f"campaign.selection.value must be null for kind 'profit' (the fraction is the "
            f"model's {PROFIT_METRIC}), got {s['selection']['value']!r}"
        )
    tracking, paths = cfg["tracking"], cfg["paths"]
    s["experiment"] = s["experiment"] or f"{tracking['experiment']}-campaigns"
    s["output_dir"] = s["output_dir"] or str(Path(paths["processed"]) / "campaigns")
    s["report_dir"] = s["report_dir"] or str(Path(paths["reports"]) / "campaigns")
    return s


def _newest(directory: Path, pattern: str, what: str, hint: str) -> Path:
    found = sorted(directory.glob(pattern), key=lambda p: (p.stat().st_mtime, p.name))
    if not found:
        raise DataError(f"campaign: no {what} in {directory} ({pattern}); {hint}")
    return found[-1]


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


# --------------------------------------------------------------------------------------------
# campaign assign
# --------------------------------------------------------------------------------------------


@dataclass
class AssignResult:
    """Where the assignment went, its groups and the campaign run."""

    path: Path
    sidecar: Path
    run_id: str
    counts: dict[str, int]
    design: dict[str, Any]

    def summary(self) -> str:
        """Human-readable lines for the terminal."""
        model, sel = self.design["model"], self.design["selection"]
        return "\n".join(
            [
                f"Assignment:        {self.path}",
                f"Targeted:          {sel['targeted']} of {self.design['rows']} ({sel['kind']})",
                f"Groups:            {', '.join(f'{g} {n}' for g, n in self.counts.items())}",
                f"Model:             models:/{model['name']}/{model['version']}",
                f"MLflow campaign run: {self.run_id}",
            ]
        )


def _predictions(cfg: Mapping[str, Any], s: Mapping[str, Any]) -> tuple[pd.DataFrame, Path]:
    data = cfg["data"]
    if s["predictions"] is not None:
        path = Path(s["predictions"])
    else:
        folder = (cfg.get("predict") or {}).get("output_dir") or Path(
            cfg["paths"]["processed"]
        ) / "predictions"
        path = _newest(
            Path(folder), "predictions_*.parquet", "scored batch", "run make predict first"
        )
    frame = read_table(path, "campaign.predictions", date_col=data.get("date_col"))
    where = f"campaign.predictions {path}"
    return scored_population(frame, data["entity_col"], data.get("date_col"), where), path


def _profit_fraction(tracking_uri: str, model: Mapping[str, str]) -> float:
    """The ``test_best_fraction`` the pipeline logged on the scoring model's run (> 0)."""
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    run_id, where = model["run_id"], f"models:/{model['name']}/{model['version']}"
    try:
        metrics = track.run_metrics(MlflowClient(tracking_uri=tracking_uri).get_run(run_id))
    except MlflowException:
        raise DataError(
            f"campaign: the scoring model's run {run_id} is not in {tracking_uri}"
        ) from None
    if PROFIT_METRIC not in metrics:
        raise ConfigError(
            f"campaign.selection.kind 'profit' needs metric {PROFIT_METRIC!r} on run {run_id} ({where}); "
            "configure evaluate.profit and retrain, or use campaign.selection.kind top_k or threshold"
        )
    if not metrics[PROFIT_METRIC] > 0:
        raise DataError(
            f"campaign: the profit-optimal fraction of {where} is {metrics[PROFIT_METRIC]}: "
            "contacting nobody pays; check evaluate.profit, or use selection kind top_k"
        )
    return float(metrics[PROFIT_METRIC])


def run_assign(config: Mapping[str, Any] | Any) -> AssignResult:
    """Select, split and record a campaign from a scored batch (see the module docstring)."""
    track.disable_telemetry()
    import mlflow

    cfg = check_config(config)
    s = _settings(cfg)
    tracking, entity = cfg["tracking"], cfg["data"]["entity_col"]
    frame, source = _predictions(cfg, s)
    names = {"name": "model_name", "version": "model_version", "run_id": "run_id"}
    model = {key: str(frame[column].iloc[0]) for key, column in names.items()}
    kind, value = s["selection"]["kind"], s["selection"]["value"]
    if kind == "profit":
        value = _profit_fraction(tracking["uri"], model)
    targeted, groups = plan_campaign(
        frame[entity],
        frame[SCORE_COL],
        "fraction" if kind == "profit" else kind,
        value,
        s["fractions"],
        random_fraction=s["random_fraction"],
        salt=s["salt"],
    )
    counts = {g: int((groups == g).sum()) for g in GROUPS}
    columns = [c for c in (entity, cfg["data"].get("date_col")) if c and c in frame.columns]
    out = frame[[*columns, SCORE_COL]].assign(
        targeted=targeted, group=groups, contacted=contacted(groups)
    )
    stamp = _stamp()
    name = f"campaign_{stamp}_v{model['version']}_{uuid.uuid4().hex[:8]}.parquet"
    path = Path(s["output_dir"]) / name
    if path.exists():  # a fresh random suffix: only a clock or uuid failure gets here
        raise DataError(f"campaign: {path} exists already; refusing to overwrite it")
    design = {
        "created": stamp,
        "predictions": str(source),
        "rows": len(out),
        "entity_col": entity,
        "model": model,
        "selection": {
            "kind": kind,
            "value": value,
            "fraction": float(targeted.mean()),
            "targeted": int(targeted.sum()),
            "cutoff_score": float(frame.loc[targeted, SCORE_COL].min()),
        },
        "fractions": s["fractions"],
        "random_fraction": s["random_fraction"],
        "salt": s["salt"],
        "counts": counts,
    }
    track.configure(tracking["uri"], s["experiment"], tracking["artifact_location"])
    tags = {
        "mlcore.kind": "campaign",
        "mlcore.model_name": model["name"],
        "mlcore.model_version": model["version"],
        "mlcore.model_run_id": model["run_id"],
        "mlcore.campaign_salt": s["salt"],
        "mlcore.predictions": str(source)[:5000],
    }
    with track.start_run(run_name=f"campaign {stamp} v{model['version']}", tags=tags) as active:
        run_id = active.info.run_id
        skip = ("action", "outcomes", "assignment")
        mlflow.log_params({f"campaign.{k}": json.dumps(v) for k, v in s.items() if k not in skip})
        mlflow.log_metrics(
            {f"n_{g}": n for g, n in counts.items()}
            | {"n_scored": len(out), "targeted_fraction": design["selection"]["fraction"]}
        )
        write_atomic(path, out.assign(campaign_run_id=run_id).to_parquet(index=False))
        sidecar = write_atomic(
            path.with_suffix(".json"),
            json.dumps({"campaign_run_id": run_id, "assignment": path.name, **design}, indent=2)
            + "\n",
        )
        mlflow.log_artifact(str(sidecar), "assignment")
        mlflow.log_artifact(str(path), "assignment")
    return AssignResult(path, sidecar, run_id, counts, design)


# --------------------------------------------------------------------------------------------
# campaign evaluate
# --------------------------------------------------------------------------------------------


@dataclass
class EvaluateResult:
    """What the evaluation found and where its report is."""

    evaluation: CampaignEvaluation
    assignment: Path
    run_id: str
    html: Path
    markdown: Path

    def summary(self) -> str:
        """Human-readable lines for the terminal."""
        ev, lines = self.evaluation, [f"Assignment:        {self.assignment}"]
        if ev.effect is not None:
            e = ev.effect
            lines.append(f"Effect on churn:   {e.effect:+.4f} [{e.ci_low:+.4f}, {e.ci_high:+.4f}]")
        if ev.profit is not None:
            p = ev.profit
            lines.append(
                f"Profit:            {p.total:,.0f} [{p.total_low:,.0f}, {p.total_high:,.0f}]"
            )
        if ev.uplift is not None:
            lines.append(f"Uplift:            {ev.uplift.verdict}")
        refused = (
            f"refused ({ev.propensity_refusal})" if ev.propensity_refusal else "see the report"
        )
        lines += [f"Propensity:        {refused}", f"Report:            {self.html}"]
        return "\n".join([*lines, f"MLflow campaign run: {self.run_id}"])


def assignment_path(config: Mapping[str, Any] | Any) -> Path:
    """``campaign.assignment``, or the newest assignment file in ``campaign.output_dir``."""
    s = _settings(check_config(config))
    if s["assignment"] is not None:
        return Path(s["assignment"])
    hint = "run make campaign-assign first"
    return _newest(Path(s["output_dir"]), "campaign_*.parquet", "assignment", hint)


def run_evaluate(config: Mapping[str, Any] | Any) -> EvaluateResult:
    """Measure a finished campaign and log its report to the campaign run (see module doc)."""
    track.disable_telemetry()
    from mlflow import MlflowClient
    from mlflow.entities import Metric
    from mlflow.exceptions import MlflowException

    cfg = check_config(config)
    s = _settings(cfg)
    entity = cfg["data"]["entity_col"]
    path = assignment_path(cfg)
    sidecar = path.with_suffix(".json")
    if not sidecar.is_file():
        raise DataError(
            f"campaign.assignment {path}: no sidecar {sidecar.name} with the campaign run id next to it"
        )
    design = json.loads(sidecar.read_text())
    run_id, uri = design["campaign_run_id"], cfg["tracking"]["uri"]
    client = MlflowClient(tracking_uri=uri)
    try:
        client.get_run(run_id)
    except MlflowException:
        raise DataError(f"campaign: the run {run_id} of {sidecar} is not in {uri}") from None
    assignment = read_table(path, "campaign.assignment")
    if s["outcomes"] is None:
        raise ConfigError(
            "campaign.outcomes is not set: give the outcomes table, e.g. make campaign-evaluate "
            "ARGS='campaign.outcomes=data/raw/outcomes.csv'"
        )
    text = [] if pd.api.types.is_numeric_dtype(assignment[entity]) else [entity]
    outcomes = read_table(s["outcomes"], "campaign.outcomes", text=text)
    joined = join_outcomes(
        outcomes,
        assignment,
        entity_col=entity,
        group_col=s["group_col"],
        outcome_col=s["outcome_col"],
        outcome_kind=s["outcome_kind"],
        value_col=s["value_col"],
        features=s["features"],
        where=f"campaign.outcomes {s['outcomes']}",
        assignment_where=f"the assignment {path}",
    )
    evaluation = evaluate_campaign(
        joined,
        cost_per_contact=float(s["costs"]["cost_per_contact"]),
        value_per_success=float(s["costs"]["value_per_success"]),
        group_col=s["group_col"],
        value_col=s["value_col"],
        features=s["features"],
        confidence=s["confidence"],
        uplift={**s["uplift"], "seed": cfg["seed"]},
        propensity=s["propensity"],
    )
    stamp = _stamp()
    directory = Path(s["report_dir"]) / path.stem / f"evaluation_{stamp}_{uuid.uuid4().hex[:8]}"
    model, selection = design["model"], design["selection"]
    overview = {
        "model": f"{model['name']} v{model['version']} (run {model['run_id']})",
        "scored batch": design["predictions"],
        "selection": f"{selection['kind']}: {selection['targeted']} of {design['rows']} "
        f"(score >= {selection['cutoff_score']:.4f})",
        "salt": design["salt"],
        "outcomes": f"{s['outcomes']} ({len(joined)} customers)",
    }
    parts = report_parts(evaluation, overview, confidence=s["confidence"], features=s["features"])
    report = Report(
        f"Campaign of {model['name']} v{model['version']}",
        [Section(*part) for part in parts],
        subtitle=f"{path.name} · evaluated {stamp}",
    )
    html, markdown = write_report(report, directory)
    metrics = evaluation.metrics()
    summary = {"assignment": str(path), "outcomes": str(s["outcomes"]), "metrics": metrics}
    summary |= {"propensity_refusal": evaluation.propensity_refusal, "notes": evaluation.notes}
    write_atomic(directory / "evaluation.json", json.dumps(summary, indent=2) + "\n")
    now = int(datetime.now(UTC).timestamp() * 1000)
    client.log_batch(run_id, metrics=[Metric(k, v, now, 0) for k, v in metrics.items()])
    client.set_tag(run_id, "mlcore.evaluated", stamp)
    client.log_artifacts(run_id, str(directory), f"evaluation/{directory.name}")
    return EvaluateResult(evaluation, path, run_id, html, markdown)


def main(config: Mapping[str, Any] | Any) -> int:
    """Entry point of ``make campaign-assign`` / ``campaign-evaluate`` (``campaign.action``): 0 or 1."""

    def action() -> AssignResult | EvaluateResult:
        cfg = check_config(config)
        chosen = choice(_settings(cfg)["action"], "campaign.action", ACTIONS)
        return (run_assign if chosen == "assign" else run_evaluate)(cfg)

    code, result = run_main(action)
    if result is not None:
        print(result.summary())
    return code
