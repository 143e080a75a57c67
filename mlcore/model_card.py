"""Model cards: one markdown page per registered model version, from plain inputs.

A primitive: no MLflow here. The pipeline calls :func:`write_model_card` after registration and
attaches the file to the model version. The card holds the intended use (from the project
profile), the run, the data fingerprints, the target definition, metrics against the baseline,
the environment (lock hash, container image), calibration, metrics by group and the known
limitations.

Example:
    >>> card = render_model_card(
    ...     {"topic": "Churn", "business_target": "Keep customers", "id": "CHURN-1",
    ...      "status": "pilot", "team_lead": "Ada"},
    ...     run_id="abc123", model_name="churn-model", model_version="3",
    ...     data_fingerprints=[{"name": "raw", "rows": 1000, "sha256": "9f2c"}],
    ...     target_definition="churn: the customer leaves within 3 months",
    ...     metrics={"test_roc_auc": 0.81}, baseline_metrics={"test_roc_auc": 0.5},
    ...     calibration=[], group_metrics=[], limitations=["synthetic data only"])
    >>> card.splitlines()[0]
    '# Model card: churn-model version 3'
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from numbers import Real
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlcore._files import write_atomic

if TYPE_CHECKING:
    import pandas as pd

    Table = Sequence[Mapping[str, Any]] | pd.DataFrame  # row mappings, or a DataFrame

__all__ = ["render_model_card", "write_model_card"]


def _cell(value: Any) -> str:
    if isinstance(value, float):
        text = "—" if math.isnan(value) else f"{value:.4f}"
    elif value is None:
        text = "—"
    else:
        text = str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def _rows(table: Table, name: str) -> list[Mapping[str, Any]]:
    rows = table.to_dict("records") if hasattr(table, "to_dict") else list(table)
    for i, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise ValueError(f"model card: {name}[{i}] must be a mapping of column to value")
    return rows


def _markdown_table(rows: list[Mapping[str, Any]]) -> str:
    columns = list(dict.fromkeys(key for row in rows for key in row))
    lines = [
        "| " + " | ".join(_cell(c) for c in columns) + " |",
        "|" + "---|" * len(columns),
        *("| " + " | ".join(_cell(row.get(c)) for c in columns) + " |" for row in rows),
    ]
    return "\n".join(lines)


def _table_or_note(table: Table, name: str) -> str:
    rows = _rows(table, name)
    return _markdown_table(rows) if rows else "_Not computed for this run._"


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ValueError(f"model card: {where} must be a number, got {value!r}")
    return float(value)


def _metrics_table(metrics: Mapping[str, Any], baseline: Mapping[str, Any]) -> str:
    if not metrics:
        raise ValueError("model card: metrics is empty; pass the run's metrics")
    rows = []
    for key, value in metrics.items():
        model = _number(value, f"metrics[{key!r}]")
        base = _number(baseline[key], f"baseline_metrics[{key!r}]") if key in baseline else None
        diff = None if base is None else model - base
        rows.append({"metric": key, "model": model, "baseline": base, "difference": diff})
    return _markdown_table(rows)


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"model card: {name} must be a non-empty string, got {value!r}")
    return value.strip()


def render_model_card(
    profile: Mapping[str, Any],
    *,
    run_id: str,
    model_name: str,
    model_version: str,
    data_fingerprints: Table,
    target_definition: str,
    metrics: Mapping[str, float],
    baseline_metrics: Mapping[str, float],
    calibration: Table,
    group_metrics: Table,
    limitations: Sequence[str],
    gate: str | None = None,
    environment: Table = (),
) -> str:
    """Return the model card as markdown; raise ``ValueError`` naming the first bad input.

    ``profile`` is the parsed ``project.yaml`` (a mapping; missing keys show as "—"). Tables are
    lists of row mappings or pandas DataFrames; ``gate`` is the promotion gate's reason (which
    rows it compared, the verdict); ``environment`` the rows of the software it runs with (the
    lock's hash, the container image). See the module docstring for an example.
    """
    run_id = _text(run_id, "run_id")
    model_name = _text(model_name, "model_name")
    model_version = _text(str(model_version), "model_version")
    target_definition = _text(target_definition, "target_definition")
    if isinstance(limitations, str) or not limitations:
        raise ValueError("model card: limitations must be a non-empty list of sentences")
    limits = [_text(item, f"limitations[{i}]") for i, item in enumerate(limitations)]
    fingerprints = _rows(data_fingerprints, "data_fingerprints")
    if not fingerprints:
        raise ValueError("model card: data_fingerprints is empty; the card must name its data")
    departments = profile.get("departments") or {}
    people = [
        ("Business target", profile.get("business_target")),
        ("Customer", profile.get("customer")),
        ("Initiated by", departments.get("initiator")),
        ("Used by", departments.get("recipient")),
        ("Delivered by", departments.get("in_charge")),
        ("Domain", profile.get("domain")),
        ("Type", profile.get("type")),
        ("Team lead", profile.get("team_lead")),
        ("Data scientists", ", ".join(profile.get("data_scientists") or []) or None),
    ]
    sections = [
        f"# Model card: {model_name} version {model_version}",
        f"Project **{_cell(profile.get('topic'))}** ({_cell(profile.get('id'))}), "
        f"status `{_cell(profile.get('status'))}` · MLflow run `{run_id}` · "
        f"`models:/{model_name}/{model_version}`",
        "## Intended use",
        _markdown_table([{"": label, "value": value or "—"} for label, value in people]),
        "## Data",
        _markdown_table(fingerprints),
        "## Target",
        target_definition,
        "## Metrics vs baseline",
        _metrics_table(metrics, baseline_metrics),
        *(["## Promotion gate", gate] if gate else []),
        *(
            ["## Environment", _markdown_table(_rows(environment, "environment"))]
            if len(environment)
            else []
        ),
        "## Calibration",
        _table_or_note(calibration, "calibration"),
        "## Metrics by group",
        _table_or_note(group_metrics, "group_metrics"),
        "## Limitations",
        "\n".join(f"- {item}" for item in limits),
    ]
    return "\n\n".join(sections) + "\n"


def write_model_card(path: str | Path, profile: Mapping[str, Any], **inputs: Any) -> Path:
    """Render the card (same inputs as :func:`render_model_card`) and write it atomically.

    Nothing is written when an input is invalid.

    Example:
        >>> write_model_card("reports/model_card.md", profile, run_id=..., ...)  # doctest: +SKIP
    """
    return write_atomic(Path(path), render_model_card(profile, **inputs))
