"""The runs table of a project: which params differ between runs, and what each run scored.

One row per training run of the experiment (runs tagged ``mlcore.kind`` with a value other than
``train``, e.g. a sweep's parent run, are left out; untagged runs count as training runs): short
run id, start time (UTC), status, only the params whose values differ between the shown runs, the
key metrics, and the registered model version with its aliases. Printed aligned in the terminal
(:func:`format_table`) and written as CSV + markdown (:func:`write_tables`).

Example (needs a store)::

    from mlflow import MlflowClient
    table = compare_runs(MlflowClient("sqlite:////abs/mlflow.db"), "churn-model", max_runs=20)
    print(format_table(table))
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from mlcore._files import write_atomic
from mlcore._metric_names import metric_key, run_metrics
from mlcore.errors import MlcoreError
from mlcore.report import markdown_table

__all__ = ["KEY_METRICS", "NARROW_METRICS", "compare_runs", "format_table", "write_tables"]

# What the terminal shows by default (``--wide``: every column of the table).
NARROW_METRICS = ("validation_roc_auc", "test_roc_auc", "baseline_test_roc_auc")
KEY_METRICS = (
    "test_roc_auc",
    "validation_roc_auc",
    "test_top_bin_lift",
    "test_brier",
    "baseline_test_roc_auc",
    "heuristic_test_roc_auc",
    "target_positive_rate",  # the label the pipeline built (conf/target/): target.mode=in vs within
    "target_rows",
)
_LOWER_IS_BETTER = ("log_loss", "brier", "seconds")
_FIXED = ("run", "start", "status")
_PAGE = 500


def _training_runs(client: Any, experiment_id: str, order_by: list[str], limit: int) -> list[Any]:
    """Up to ``limit`` runs in ``order_by`` order, skipping runs of another ``mlcore.kind``."""
    runs: list[Any] = []
    token = None
    while len(runs) < limit:
        page = client.search_runs(
            [experiment_id], max_results=_PAGE, order_by=order_by, page_token=token
        )
        runs += [r for r in page if r.data.tags.get("mlcore.kind", "train") == "train"]
        token = page.token
        if not token:
            break
    return runs[:limit]


def _registered(client: Any, model_names: set[str]) -> dict[str, str]:
    """run id -> "v3 (champion)" for every version of the given registered models."""
    from mlflow.exceptions import MlflowException

    found: dict[str, list[str]] = {}
    for name in sorted(model_names):
        try:
            aliases = client.get_registered_model(name).aliases  # search leaves mv.aliases empty
        except MlflowException:  # the runs named a model that was never registered
            continue
        escaped = name.replace("'", "\\'")
        for mv in client.search_model_versions(f"name = '{escaped}'"):
            named = sorted(a for a, v in aliases.items() if str(v) == str(mv.version))
            label = f"v{mv.version} ({', '.join(named)})" if named else f"v{mv.version}"
            found.setdefault(mv.run_id, []).append(label)
    return {run_id: "; ".join(labels) for run_id, labels in found.items()}


def compare_runs(
    client: Any, experiment: str, max_runs: int = 50, metric: str = "validation_roc_auc"
) -> pd.DataFrame:
    """The runs table of ``experiment``: best ``max_runs`` runs by ``metric`` (then newest first).

    Loss-like metrics (log loss, Brier, seconds) sort ascending; runs without ``metric`` come last.
    Columns: ``run``, ``start``, ``status``, the differing params, :data:`KEY_METRICS` (plus
    ``metric``), ``run_id`` and ``model``. Raises :class:`~mlcore.errors.MlcoreError` when the
    experiment does not exist.

    Example (needs a store)::

        compare_runs(client, "churn-model", metric="test_roc_auc")
    """
    if max_runs < 1:
        raise MlcoreError(f"--max-runs must be >= 1, got {max_runs}")
    found = client.get_experiment_by_name(experiment)
    if found is None:
        names = sorted(e.name for e in client.search_experiments())
        raise MlcoreError(
            f"no experiment {experiment!r} in {client.tracking_uri}; experiments there: {names}"
        )
    direction = "ASC" if any(word in metric for word in _LOWER_IS_BETTER) else "DESC"
    # grouped keys (test/roc_auc), then the flat ones of runs logged before the grouping
    keys = dict.fromkeys([metric_key(metric), metric])
    order_by = [*(f"metrics.`{key}` {direction}" for key in keys), "attributes.start_time DESC"]
    runs = _training_runs(client, found.experiment_id, order_by, max_runs)
    params = [r.data.params for r in runs]
    keys = sorted({k for p in params for k in p})
    differing = [k for k in keys if len({p.get(k) for p in params}) > 1]
    models = {p["tracking.model_name"] for p in params if "tracking.model_name" in p}
    versions = _registered(client, models)
    metrics = list(dict.fromkeys([*KEY_METRICS, metric]))
    rows = []
    for r, p in zip(runs, params, strict=True):
        started = datetime.fromtimestamp(r.info.start_time / 1000, UTC)
        row = {
            "run": r.info.run_id[:8],
            "start": started.strftime("%Y-%m-%d %H:%M:%S"),
            "status": r.info.status,
        }
        row.update({k: p.get(k, "") for k in differing})
        logged = run_metrics(r)
        row.update({m: logged.get(m) for m in metrics})
        row.update(run_id=r.info.run_id, model=versions.get(r.info.run_id, ""))
        rows.append(row)
    columns = [*_FIXED, *differing, *metrics, "run_id", "model"]
    table = pd.DataFrame(rows, columns=columns).sort_values(
        metric, ascending=direction == "ASC", kind="stable", na_position="last", ignore_index=True
    )
    table.attrs.update(params=differing, metric=metric)  # what the narrow view shows
    return table


def _cell(value: Any, width: int) -> str:
    """A value for people: 4 significant digits, blank when missing, cut to ``width`` characters."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    text = f"{value:.4g}" if isinstance(value, float) else str(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def _display(table: pd.DataFrame, width: int) -> pd.DataFrame:
    return table.drop(columns="run_id").astype(object).map(lambda v: _cell(v, width))


def _narrow(table: pd.DataFrame) -> pd.DataFrame:
    """The run, its status, the differing params, the sort metric and :data:`NARROW_METRICS`
    that some run has, and the registered version."""
    metrics = dict.fromkeys([table.attrs.get("metric"), *NARROW_METRICS])
    shown = [m for m in metrics if m in table and table[m].notna().any()]
    columns = ["run", "status", *table.attrs.get("params", []), *shown, "model", "run_id"]
    return table[[c for c in columns if c in table]]


def format_table(table: pd.DataFrame, width: int = 24, *, wide: bool = False) -> str:
    """The table aligned for a terminal, narrow unless ``wide`` (values cut at ``width``).

    Narrow: run, status, the params that differ, the validation, test and baseline metric (and
    the sort metric) and the registered version. Wide: every column, values cut at 40.

    Example:
        >>> print(format_table(pd.DataFrame({"run": ["ab12cd34"], "status": ["FINISHED"],
        ...     "test_roc_auc": [0.81234], "model": ["v1"], "run_id": ["x"]})))
             run   status test_roc_auc model
        ab12cd34 FINISHED       0.8123    v1
    """
    if table.empty:
        return "no runs"
    if wide:
        return _display(table, max(width, 40)).to_string(index=False)
    return _display(_narrow(table), width).to_string(index=False)


def write_tables(table: pd.DataFrame, directory: Path) -> tuple[Path, Path]:
    """Write ``runs.csv`` (full precision, full run ids) and ``runs.md`` atomically.

    Example (``table`` from :func:`compare_runs`)::

        csv_path, md_path = write_tables(table, Path("reports/runs"))
    """
    csv_path = write_atomic(directory / "runs.csv", table.to_csv(index=False))
    markdown = markdown_table(_display(table, 10_000)) if not table.empty else "no runs"
    md_path = write_atomic(directory / "runs.md", f"# Runs\n\n{markdown}\n")
    return csv_path, md_path
