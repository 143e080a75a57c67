"""Reproduce a run from its record alone: its commit, config, lock hash and data snapshot.

:func:`reproduce` checks the recorded commit out into a temporary git worktree, downloads the
data snapshot, takes the locked environment (the current one when its ``uv.lock`` has the
recorded hash, else a fresh ``uv sync --locked`` in the worktree), and runs the recorded config
again as a new run of the same store tagged ``mlcore.reproduces=<run id>``. Only the paths move:
the outputs go to the worktree, the data is the snapshot, and the ``register`` step is left out
(a reproduction never touches the registry). :func:`format_comparison` is the metric table,
old vs new.

Example:
    >>> rows = compare_metrics({"auc": 0.8, "lift": float("nan"), "step_seconds_x": 3.0},
    ...                        {"auc": 0.8, "lift": float("nan")})
    >>> [(r.metric, r.same) for r in rows]
    [('auc', True), ('lift', True)]
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlcore._files import file_sha256
from mlcore._metric_names import run_metrics
from mlcore.errors import DataError, MlcoreError

__all__ = [
    "MetricRow",
    "Record",
    "compare_metrics",
    "format_comparison",
    "read_record",
    "replay_config",
    "reproduce",
]

TAG = "mlcore.reproduces"
_TIMINGS = "step_seconds_"  # wall times: they differ on every run and are not results
# The reproduced run: the recorded config through mlcore's own entry point (no Hydra compose).
_CHILD = (
    "import sys; from omegaconf import OmegaConf; from mlcore.pipeline import main; "
    "main(OmegaConf.load(sys.argv[1]))"
)


@dataclass(frozen=True)
class Record:
    """What a run recorded that a reproduction needs."""

    run_id: str
    experiment_id: str
    commit: str
    lock_sha256: str
    snapshot: str
    data_sha256: str
    config: dict[str, Any]
    metrics: dict[str, float]


@dataclass(frozen=True)
class MetricRow:
    """One metric of the original run and of its reproduction (None: not logged)."""

    metric: str
    original: float | str | None
    reproduced: float | str | None

    @property
    def same(self) -> bool:
        """Equal values; NaN (an undefined metric, e.g. the lift of constant scores) equals NaN."""
        a, b = self.original, self.reproduced
        both_nan = isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b)
        return a is not None and (a == b or both_nan)


def read_record(client: Any, run_id: str) -> Record:
    """The record of ``run_id``; a run that cannot be reproduced is a :class:`MlcoreError`
    saying why (dirty tree, no commit, no snapshot, no lock hash).

    Example (needs a store)::

        record = read_record(MlflowClient("sqlite:///mlflow.db"), "3f2a...")
    """
    import yaml
    from mlflow.exceptions import MlflowException

    try:
        run = client.get_run(run_id)
    except MlflowException:
        raise MlcoreError(f"no run {run_id!r} in the store {client.tracking_uri}") from None
    tags = run.data.tags
    if tags.get("mlcore.git.dirty") == "true":
        raise MlcoreError(
            f"run {run_id} was made from a dirty tree (uncommitted changes on commit "
            f"{tags.get('mlcore.git.commit', '?')[:12]}, tag mlcore.git.dirty): its code is in "
            "no commit, so it cannot be reproduced; commit before running"
        )
    needed = {
        "mlcore.git.commit": "it was not made in a git repository",
        "mlcore.data.snapshot": "it ran with data.snapshot: false or before snapshots existed",
        "mlcore.lock_sha256": "the project had no uv.lock when it ran (make install writes it)",
    }
    for tag, why in needed.items():
        if not tags.get(tag):
            raise MlcoreError(f"run {run_id} has no tag {tag}: {why}; it cannot be reproduced")
    with tempfile.TemporaryDirectory(prefix="mlcore-record-") as folder:
        path = client.download_artifacts(run_id, "config/config.yaml", folder)
        config = yaml.safe_load(Path(path).read_text())
    return Record(
        run_id=run_id,
        experiment_id=run.info.experiment_id,
        commit=tags["mlcore.git.commit"],
        lock_sha256=tags["mlcore.lock_sha256"],
        snapshot=tags["mlcore.data.snapshot"],
        data_sha256=tags.get("mlcore.data.raw.sha256", ""),
        config=config,
        metrics=run_metrics(run),
    )


def compare_metrics(original: Mapping[str, float], new: Mapping[str, float]) -> list[MetricRow]:
    """Every metric of either run (wall times left out), original vs reproduced, by name."""
    names = sorted(n for n in {*original, *new} if not n.startswith(_TIMINGS))
    return [MetricRow(n, original.get(n), new.get(n)) for n in names]


def format_comparison(rows: list[MetricRow]) -> str:
    """The metric table: name, original, reproduced, and ``same`` or ``DIFFERENT``.

    Example:
        >>> print(format_comparison([MetricRow("auc", 0.8, 0.7)]))
        metric  original  reproduced  verdict
        auc     0.8       0.7         DIFFERENT
    """
    cells = [("metric", "original", "reproduced", "verdict")]
    for r in rows:
        values = ["-" if v is None else str(v) for v in (r.original, r.reproduced)]
        cells.append((r.metric, *values, "same" if r.same else "DIFFERENT"))
    widths = [max(len(row[i]) for row in cells) for i in range(4)]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    )


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=False
    )


def _relocated(value: Any, old: str, new: str) -> Any:
    """``value`` with every path under ``old`` moved under ``new`` (nested mappings, lists)."""
    if isinstance(value, Mapping):
        return {k: _relocated(v, old, new) for k, v in value.items()}
    if isinstance(value, list):
        return [_relocated(v, old, new) for v in value]
    if isinstance(value, str) and (value == old or value.startswith(old.rstrip("/") + "/")):
        return new + value[len(old) :]
    return value


def replay_config(record: Record, root: Path, data: Path, tracking_uri: str) -> dict[str, Any]:
    """The recorded config, rooted in ``root``, reading ``data``, tracked in the same store,
    without the ``register`` step.

    Example:
        >>> rec = Record("r", "1", "c", "l", "s", "d", {"paths": {"root": "/p", "models":
        ...     "/p/models"}, "data": {"path": "/p/data/t.csv"}, "steps": ["train", "register"],
        ...     "tracking": {"uri": "sqlite:////p/mlflow.db"}}, {})
        >>> replay_config(rec, Path("/w"), Path("/s.parquet"), "sqlite:////p/mlflow.db")["paths"]
        {'root': '/w', 'models': '/w/models'}
    """
    config = dict(record.config)
    tracking = {**config["tracking"], "uri": tracking_uri}
    config = _relocated(config, str(config["paths"]["root"]), str(root))
    config["tracking"] = tracking  # the same stores, never copies in the worktree
    store = record.config["data"].get("snapshot_store")
    config["data"] = {
        **config["data"],
        "source": "file",
        "path": str(data),
        "snapshot_store": store,
    }
    config["steps"] = [s for s in config["steps"] if s != "register"]
    return config


def _environment(repo: Path, code: Path, record: Record, fresh: bool) -> tuple[str, dict]:
    """The Python to run with and the variables it needs: the current environment when the
    project's ``uv.lock`` is the recorded one (same packages, nothing to build), else the locked
    environment built in the worktree."""
    committed = file_sha256(code / "uv.lock")
    if committed is None:
        raise MlcoreError(
            f"commit {record.commit[:12]} has no uv.lock: the locked environment of run "
            f"{record.run_id} cannot be rebuilt (commit uv.lock with the code: make lock)"
        )
    if committed != record.lock_sha256:
        raise MlcoreError(
            f"the uv.lock of commit {record.commit[:12]} (sha256 {committed[:12]}…) is not the "
            f"one run {record.run_id} used ({record.lock_sha256[:12]}…, tag mlcore.lock_sha256)"
        )
    env = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "PYTHONPATH"}}
    if not fresh and file_sha256(repo / "uv.lock") == record.lock_sha256:
        print(f"environment: the current one ({sys.prefix}): its uv.lock has the recorded hash")
        src = code / "src"  # the project's own package from the worktree, not the working tree
        return sys.executable, {**env, "PYTHONPATH": str(src)} if src.is_dir() else env
    uv = os.environ.get("UV") or shutil.which("uv")
    if not uv:
        raise MlcoreError("uv is needed to build the locked environment (set UV or put it on PATH)")
    print(f"environment: uv sync --locked in {code}")
    built = subprocess.run([uv, "sync", "--locked", "--quiet"], cwd=code, env=env, check=False)
    if built.returncode:
        raise MlcoreError(f"uv sync --locked failed in {code} (exit {built.returncode})")
    return str(code / ".venv" / "bin" / "python"), env


def reproduce(
    client: Any, run_id: str, repo: Path, fresh_env: bool = False
) -> tuple[str, list[MetricRow]]:
    """Run ``run_id`` again from its record; return the new run's id and the metric rows.

    The rows end with the input table's sha256 (the first 12 characters), which must match too.

    Example (inside a generated project)::

        new_run, rows = reproduce(MlflowClient("sqlite:///mlflow.db"), "3f2a...", Path("."))
    """
    from mlcore.snapshot import fetch_snapshot

    record = read_record(client, run_id)
    top = _git(repo, "rev-parse", "--show-toplevel")
    if top.returncode:
        raise MlcoreError(f"{repo} is not in a git repository (the code of run {run_id} is)")
    root = Path(top.stdout.strip())
    if _git(root, "cat-file", "-e", f"{record.commit}^{{commit}}").returncode:
        raise MlcoreError(
            f"commit {record.commit} of run {run_id} is not in the repository {root} "
            "(git fetch it, or run from the clone that made the run)"
        )
    with tempfile.TemporaryDirectory(prefix="mlcore-reproduce-") as folder:
        data = fetch_snapshot(record.snapshot, Path(folder) / "data")
        print(f"data: {record.snapshot} restored to {data}")
        code = Path(folder) / "code"
        added = _git(root, "worktree", "add", "--detach", str(code), record.commit)
        if added.returncode:
            raise MlcoreError(f"git worktree add {record.commit[:12]} failed: {added.stderr}")
        print(f"code: commit {record.commit[:12]} checked out in {code}")
        try:
            new_run = _run_again(client, record, root, code, data, fresh_env)
        finally:
            _git(root, "worktree", "remove", "--force", str(code))
    new = client.get_run(new_run)
    rows = compare_metrics(record.metrics, run_metrics(new))
    data_sha256 = new.data.tags.get("mlcore.data.raw.sha256", "")
    return new_run, [*rows, MetricRow("data sha256", record.data_sha256[:12], data_sha256[:12])]


def _run_again(client: Any, record: Record, repo: Path, code: Path, data: Path, fresh: bool) -> str:
    python, env = _environment(repo, code, record, fresh)
    config = replay_config(record, code, data, client.tracking_uri)
    path = code.parent / "config.json"
    path.write_text(json.dumps(config))
    run = client.create_run(record.experiment_id, tags={TAG: record.run_id})
    new_run = run.info.run_id
    # MLflow's own hand-over (as `mlflow run` does): the pipeline's start_run resumes this run.
    env = {**env, "MLFLOW_RUN_ID": new_run, "MLFLOW_TRACKING_URI": client.tracking_uri}
    print(f"run: {new_run} (tag {TAG}={record.run_id})", flush=True)
    done = subprocess.run([python, "-c", _CHILD, str(path)], cwd=code, env=env, check=False)
    if client.get_run(new_run).info.status == "RUNNING":  # stopped before the pipeline began
        client.set_terminated(new_run, "FAILED")
    if done.returncode:
        raise DataError(f"the reproduction {new_run} of run {record.run_id} failed (see above)")
    return new_run
