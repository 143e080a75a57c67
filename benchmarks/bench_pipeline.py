"""Benchmark: the generated project's whole pipeline vs a bare LightGBM script on the same data.

Ours: ``mlcore.pipeline.run`` with the template's default config (its ``conf/``, composed by
Hydra as a generated project composes it, with ``data: file``), i.e. validate (Great
Expectations) → split → train → evaluate with the HTML/markdown report → register (MLflow, SQLite
store in a temporary folder). The store is created before the timed run, as it is for every run
of a project but its first (creating it, once, is timed and reported on its own). The peer: the
script a user would otherwise write, with no mlcore, MLflow or Great Expectations: read the table,
split by customer, fit ``LGBMClassifier`` with the same params, print the test AUC. The second
peer is the same script plus ``mlflow.lightgbm.autolog()`` (params, metrics and the model logged
to a SQLite store made before the timed run, as ours is). Then the pipeline runs a second time in
the same project with one model hyperparameter changed (``learning_rate``): its step cache reuses
validate and split, which is the second ``make run`` of a user tuning the model.
The floor peer is the bare script plus the imports of the stack the template is built on (MLflow,
Great Expectations, skops, matplotlib): what no pipeline on this stack avoids. The store row times
``track.configure`` on a new store, a copy of mlcore's cached empty store, against MLflow
migrating a new store itself (an empty cache, as on a machine's first project).

Both read the same data (the template's synthetic panel, ``make_churn_panel`` with its defaults:
100k customers x 12 months): ours the raw panel as Parquet, building the label as the template's
``target`` says; the peers the same panel labelled that way (made once, untimed). Each run is a
fresh interpreter (imports included), timed from the parent process.
Prints the table and the pipeline's per-step breakdown (its ``step_seconds_<step>`` metrics).

Usage:
    python benchmarks/bench_pipeline.py              # best of 3 each, interleaved
    python benchmarks/bench_pipeline.py --quick      # 20k customers, one run each
    python benchmarks/bench_pipeline.py --profile    # cProfile of one in-process pipeline run
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _harness import (
    Row,
    add_json_argument,
    children_cpu_seconds,
    machine_line,
    step_seconds,
    write_rows,
)

TEMPLATE_CONF = Path(__file__).resolve().parents[1] / "{{cookiecutter.project_slug}}" / "conf"
TARGET = 1.5  # pipeline wall time / bare script wall time
TELEMETRY_OFF = {
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "DO_NOT_TRACK": "true",
    "GX_ANALYTICS_ENABLED": "false",
}

# The peer: what a user writes without mlcore, MLflow or Great Expectations.
BARE_SCRIPT = """
import json, sys, time
start = time.perf_counter()
{autolog}
import numpy as np, pandas as pd
from lightgbm import LGBMClassifier
from sklearn.metrics import roc_auc_score
frame = pd.read_parquet(sys.argv[1])
params = json.loads(sys.argv[2])
bucket = (frame["customer_id"].to_numpy() * 2654435761 % 2**32) / 2**32  # customer-stable split
X = frame.drop(columns=["churn", "customer_id", "snapshot_month"])
for col in X.columns[X.dtypes == object].tolist() + X.select_dtypes("string").columns.tolist():
    X[col] = X[col].astype("category")
y = frame["churn"].to_numpy()
train, test = bucket < 0.70, bucket >= 0.85
model = LGBMClassifier(**params, verbose=-1).fit(X[train], y[train])
auc = roc_auc_score(y[test], model.predict_proba(X[test])[:, 1])
print(json.dumps({"auc": auc, "inner": time.perf_counter() - start}))
"""
# The second peer: the same script with MLflow's autologging (argv[3]: the tracking URI).
AUTOLOG = """
import mlflow
mlflow.set_tracking_uri(sys.argv[3])
mlflow.set_experiment("autolog")
mlflow.lightgbm.autolog()
"""
# The floor: the bare script that also imports what the template is built on (MLflow and its
# store, Great Expectations, skops, matplotlib), doing nothing with them.
STACK_IMPORTS = """
import mlflow, mlflow.sklearn, mlflow.store.tracking.sqlalchemy_store
import great_expectations, skops.io, matplotlib.backends.backend_agg
"""
CACHED_CHANGE = {"learning_rate": 0.06}  # the hyperparameter of the cached second run
PLACEHOLDERS = {
    "{{ cookiecutter.project_name | tojson }}": '"Churn Model"',
    "{{ cookiecutter.project_slug }}": "churn-model",
    "{{ cookiecutter.module_name }}": "churn_model",
}


def template_config(root: Path, data_path: Path | None, **model_params: Any) -> dict[str, Any]:
    """The template's default config, composed by Hydra from its ``conf/``, stored under ``root``.

    The template's ``conf/`` is rendered (its few cookiecutter placeholders) into ``root`` and
    composed as a generated project composes it. ``data_path`` switches the data to that Parquet
    panel (the template's ``data: file``). The project's own transformer (``features.extra``) is
    left out: its package exists only in a generated project.

    Example:
        >>> template_config(Path(tempfile.mkdtemp()), None)["model"]["_target_"]
        'lightgbm.LGBMClassifier'
    """
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra
    from omegaconf import OmegaConf

    from mlcore.config import register_resolvers

    conf = root / ".conf"
    for source in TEMPLATE_CONF.rglob("*.yaml"):
        text = source.read_text()
        for placeholder, value in PLACEHOLDERS.items():
            text = text.replace(placeholder, value)
        (conf / source.relative_to(TEMPLATE_CONF)).parent.mkdir(parents=True, exist_ok=True)
        (conf / source.relative_to(TEMPLATE_CONF)).write_text(text)
    register_resolvers(root)
    overrides = ["features.extra=[]", *(f"model.{k}={v}" for k, v in model_params.items())]
    if data_path is not None:
        overrides += ["data=file", f"data.path={data_path}"]
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(conf), version_base="1.3"):
        config = compose(config_name="config", overrides=overrides)
    return OmegaConf.to_container(config, resolve=True)


def _run_pipeline(root: Path, data_path: Path, overrides: dict[str, Any]) -> dict[str, Any]:
    """One pipeline run in this process: AUC and the ``step_seconds_*`` metrics of the run."""
    os.environ.update(TELEMETRY_OFF)
    from mlcore import pipeline

    result = pipeline.run(template_config(root, data_path, **overrides))
    import mlflow

    data = mlflow.get_run(result.run_id).data
    steps = step_seconds(data.metrics)
    cache = {k.removeprefix("mlcore.cache."): v for k, v in data.tags.items() if v == "hit"}
    return {
        "auc": result.metrics["test_roc_auc"],
        "steps": steps,
        "version": result.model_version,
        "reused": sorted(cache),
    }


def _create_store(root: Path, experiment: str | None = None, cache: Path | None = None) -> float:
    """Create the project's MLflow store and experiment under ``root``; return the seconds of
    ``track.configure`` (imports excluded). ``cache``: the folder of mlcore's cached empty store
    (an empty one: MLflow migrates a new store itself, as on a machine's first project)."""
    tracking = template_config(root, None)["tracking"]
    code = (
        "import sys, time, mlflow, mlflow.store.tracking.sqlalchemy_store; "
        "from mlcore import track; start = time.perf_counter(); track.configure(*sys.argv[1:]); "
        "print(time.perf_counter() - start)"
    )
    args = [tracking["uri"], experiment or tracking["experiment"], tracking["artifact_location"]]
    env = {**os.environ, **TELEMETRY_OFF, **({"XDG_CACHE_HOME": str(cache)} if cache else {})}
    done = subprocess.run(
        [sys.executable, "-c", code, *args], check=True, env=env, capture_output=True, text=True
    )
    return float(done.stdout.strip().splitlines()[-1])


def _timed(kind: str, argv: list[str]) -> dict[str, Any]:
    """Run ``python -c *argv`` in a fresh interpreter: wall and CPU seconds and its JSON line."""
    start, cpu = time.perf_counter(), children_cpu_seconds()
    done = subprocess.run(
        [sys.executable, "-c", *argv],
        capture_output=True,
        text=True,
        env={**os.environ, **TELEMETRY_OFF},
        check=False,
    )
    seconds, cpu = time.perf_counter() - start, children_cpu_seconds() - cpu
    if done.returncode != 0:
        raise RuntimeError(f"{kind} run failed:\n{done.stderr[-3000:]}")
    return {"seconds": seconds, "cpu": cpu, **json.loads(done.stdout.strip().splitlines()[-1])}


def _child(kind: str, data: dict[str, Path], overrides: dict[str, Any]) -> dict[str, Any]:
    """Run ours (then its cached second run) or a peer in fresh interpreters, imports included:
    ours reads the raw panel (``data["panel"]``), the peers its labelled table."""
    with tempfile.TemporaryDirectory(prefix="bench-pipeline-") as tmp:
        if kind == "pipeline":
            store = _create_store(Path(tmp))
            code = (
                "import json, sys; sys.path.insert(0, sys.argv[1]); import bench_pipeline as b; "
                "from pathlib import Path; "
                "print(json.dumps(b._run_pipeline(Path(sys.argv[2]), Path(sys.argv[3]), json.loads(sys.argv[4]))))"
            )
            argv = [code, str(Path(__file__).parent), tmp, str(data["panel"])]
            first = _timed(kind, [*argv, json.dumps(overrides)])
            cached = _timed(kind, [*argv, json.dumps({**overrides, **CACHED_CHANGE})])
            return {**first, "store": store, "cached": cached}
        model = template_config(Path(tmp), None, **overrides)["model"]
        params = json.dumps({k: v for k, v in model.items() if k != "_target_"})
        if kind in ("bare", "floor"):
            imports = STACK_IMPORTS if kind == "floor" else ""
            return _timed(
                kind, [BARE_SCRIPT.replace("{autolog}", imports), str(data["labelled"]), params]
            )
        _create_store(Path(tmp), "autolog")
        uri = template_config(Path(tmp), None)["tracking"]["uri"]
        return _timed(
            kind, [BARE_SCRIPT.replace("{autolog}", AUTOLOG), str(data["labelled"]), params, uri]
        )


def write_data(panel: Path, labelled: Path, n_customers: int) -> int:
    """Write the template's synthetic panel (``data.synthetic`` of its config, ``n_customers``)
    to ``panel``, and the same panel labelled as the template's ``target`` says to ``labelled``
    (the bare scripts' input: the label is made once, untimed); return the labelled rows."""
    from mlcore.datasets import make_churn_panel
    from mlcore.targets import label_table, target_settings

    with tempfile.TemporaryDirectory() as tmp:
        cfg = template_config(Path(tmp), None)
    frame = make_churn_panel(**{**cfg["data"]["synthetic"], "n_customers": n_customers})
    frame.to_parquet(panel, index=False)
    data = cfg["data"]
    result = label_table(
        frame,
        target_settings(cfg["target"]),
        entity_col=data["entity_col"],
        date_col=data["date_col"],
        label_col=data["target"],
    )
    result.frame.to_parquet(labelled, index=False)
    return len(result.frame)


def profile(data_path: Path, top: int) -> None:
    """cProfile one in-process pipeline run and print the ``top`` functions by cumulative time."""
    with tempfile.TemporaryDirectory(prefix="bench-pipeline-") as tmp:
        profiler = cProfile.Profile()
        profiler.runcall(_run_pipeline, Path(tmp), data_path, {})
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(top)


def _why(steps: dict[str, float], outside: float, bare: float) -> str:
    """Why the target is missed: the steps and fixed costs beyond the bare script's fit."""
    parts = _steps(steps)
    return (
        f"why: the budget leaves {TARGET * bare - bare:.0f} s beyond the bare script's "
        f"{bare:.0f} s, while ours spends {outside:.0f} s outside the steps (interpreter, "
        f"imports of mlcore, scikit-learn and LightGBM, the data's checks, activity features and "
        f"fingerprint, MLflow's run set-up, provenance and snapshot; the imports of MLflow, Great "
        f"Expectations, skops and matplotlib overlap the data loading) and the steps take {parts} "
        f"s: besides the fit, the preprocessing, the validation and test sets scored twice each "
        f"(probabilities, and the response the calibrator maps), the report's figures, "
        f"permutation importance and the model logged through skops (ours to list its types, "
        f"then MLflow's dump and reload) are each 0.5-2 s of fixed cost that a 100k-customer fit "
        f"does not amortize; the floor row is what importing the stack alone adds"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each, interleaved")
    parser.add_argument("--quick", action="store_true", help="20k customers, one run each")
    parser.add_argument("--profile", action="store_true", help="cProfile one pipeline run")
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).parent / "results" / "pipeline.md"
    )
    add_json_argument(parser)
    args = parser.parse_args()
    customers, repeat = (20_000, 1) if args.quick else (args.customers, args.repeat)
    with tempfile.TemporaryDirectory(prefix="bench-pipeline-data-") as tmp:
        data = {"panel": Path(tmp) / "panel.parquet", "labelled": Path(tmp) / "labelled.parquet"}
        n_rows = write_data(data["panel"], data["labelled"], customers)
        if args.profile:
            profile(data["panel"], 40)
            return
        runs: dict[str, list[dict[str, Any]]] = {k: [] for k in ("pipeline", "bare", "floor")}
        runs["autolog"] = []
        for i in range(repeat):
            for kind in runs:
                runs[kind].append(_child(kind, data, {}))
                print(f"round {i + 1}: {kind} {runs[kind][-1]['seconds']:.1f} s", flush=True)
        migrated = min(  # a new store that MLflow migrates itself (mlcore's cache is empty)
            _create_store(Path(tmp) / f"cold{i}", cache=Path(tmp) / f"cache{i}")
            for i in range(repeat)
        )
    best = {kind: min(r, key=lambda run: run["seconds"]) for kind, r in runs.items()}
    ours, bare, autolog, floor = (best[k] for k in ("pipeline", "bare", "autolog", "floor"))
    cached = min((r["cached"] for r in runs["pipeline"]), key=lambda run: run["seconds"])
    cpu = {kind: min(r["cpu"] for r in v) for kind, v in runs.items()}
    cpu["cached"] = min(r["cached"]["cpu"] for r in runs["pipeline"])
    ratio = ours["seconds"] / bare["seconds"]
    steps = ours["steps"]
    outside = ours["seconds"] - sum(steps.values())
    text = _details(customers, n_rows, repeat, runs, best, cached, cpu)
    print(text)
    if not args.quick:
        args.out.write_text(text)
    reused = ", ".join(cached["reused"]) or "nothing"
    write_rows(
        [
            Row(
                f"pipeline overhead, {customers:,} customers",
                "`mlcore.pipeline.run` (5 steps)",
                ours["seconds"],
                "bare LightGBM script",
                bare["seconds"],
                target=TARGET,
                target_op="<=",
                overhead=True,
                note=f"CPU-time ratio {cpu['pipeline'] / cpu['bare']:.2f}x; AUC {ours['auc']:.3f} "
                f"vs {bare['auc']:.3f}; "
                + ("" if ratio <= TARGET else _why(steps, outside, bare["seconds"])),
            ),
            Row(
                f"pipeline vs the stack's floor, {customers:,} customers",
                "`mlcore.pipeline.run` (5 steps)",
                ours["seconds"],
                "bare script + importing MLflow, GX, skops, matplotlib",
                floor["seconds"],
                overhead=True,
                note=f"CPU-time ratio {cpu['pipeline'] / cpu['floor']:.2f}x; the peer only "
                f"imports the libraries the template is built on: {floor['seconds'] - bare['seconds']:.1f} s "
                "over the bare script, a cost no pipeline on this stack avoids",
            ),
            Row(
                f"pipeline vs autologging, {customers:,} customers",
                "`mlcore.pipeline.run` (5 steps)",
                ours["seconds"],
                "bare script + `mlflow.lightgbm.autolog()`",
                autolog["seconds"],
                overhead=True,
                note=f"CPU-time ratio {cpu['pipeline'] / cpu['autolog']:.2f}x; the peer logs "
                f"params, metrics and the model, nothing else; it is {autolog['seconds'] / bare['seconds']:.2f}x "
                "the bare script",
            ),
            Row(
                f"cached second run ({_change()}), {customers:,} customers",
                "second `mlcore.pipeline.run`",
                cached["seconds"],
                "bare LightGBM script",
                bare["seconds"],
                overhead=True,
                note=f"reused: {reused}; CPU-time ratio {cpu['cached'] / cpu['bare']:.2f}x; "
                f"steps {_steps(cached['steps'])} s",
            ),
            Row(
                "a new project's MLflow store (its first run)",
                "`track.configure`: a copy of mlcore's cached empty store",
                ours["store"],
                "MLflow migrating the new store itself",
                migrated,
                note="imports excluded; MLflow's way is what mlcore does on a machine's first "
                "project (the cache is made then); not in the rows above: each timed run's store "
                "is made before it, as it is for every run of a project but its first",
            ),
        ],
        args.json,
    )


def _change() -> str:
    return ", ".join(f"model.{k}={v}" for k, v in CACHED_CHANGE.items())


def _steps(steps: dict[str, float]) -> str:
    return ", ".join(f"{k} {v:.1f}" for k, v in sorted(steps.items(), key=lambda kv: -kv[1]))


def _details(
    customers: int,
    n_rows: int,
    repeat: int,
    runs: dict[str, list[dict[str, Any]]],
    best: dict[str, dict[str, Any]],
    cached: dict[str, Any],
    cpu: dict[str, float],
) -> str:
    """The detailed markdown of ``results/pipeline.md``."""
    ours, bare, autolog = best["pipeline"], best["bare"], best["autolog"]
    ratio = ours["seconds"] / bare["seconds"]
    outside = ours["seconds"] - sum(ours["steps"].values())
    lines = [
        f"# Pipeline overhead: {customers:,} customers ({n_rows:,} rows), template defaults",
        "",
        f"{machine_line()}. Best of {repeat} interleaved runs, each a fresh interpreter timed "
        "from the parent (imports included); the pipeline's SQLite store exists (made before each "
        f"run, untimed: on a project's first run, copying mlcore's cached empty store adds "
        f"{ours['store']:.1f} s; see the store row for MLflow migrating one itself).",
        "",
        "| run | wall (s) | CPU (s) | test AUC |",
        "|---|---:|---:|---:|",
        f"| `mlcore.pipeline.run` (validate, split, train, evaluate + report, register) | {ours['seconds']:.2f} | {cpu['pipeline']:.1f} | {ours['auc']:.4f} |",
        f"| the same project's second run, {_change()} (reused: {', '.join(cached['reused']) or 'nothing'}) | {cached['seconds']:.2f} | {cpu['cached']:.1f} | {cached['auc']:.4f} |",
        f"| bare script: pandas + LightGBM fit + AUC | {bare['seconds']:.2f} | {cpu['bare']:.1f} | {bare['auc']:.4f} |",
        f"| bare script + importing MLflow, GX, skops, matplotlib (the floor) | {best['floor']['seconds']:.2f} | {cpu['floor']:.1f} | {best['floor']['auc']:.4f} |",
        f"| bare script + `mlflow.lightgbm.autolog()` | {autolog['seconds']:.2f} | {cpu['autolog']:.1f} | {autolog['auc']:.4f} |",
        f"| bare script without interpreter start + imports | {bare['inner']:.2f} | | |",
        "",
        f"**pipeline / bare = {ratio:.2f}x wall** (target <= {TARGET}x: {'met' if ratio <= TARGET else 'MISSED'}); "
        f"{cpu['pipeline'] / cpu['bare']:.2f}x in CPU time (user + system, best runs; less "
        "sensitive to other jobs)",
        "",
        "| pipeline step | first run (s) | cached second run (s) |",
        "|---|---:|---:|",
        *[
            f"| {step} | {sec:.2f} | {cached['steps'].get(step, float('nan')):.2f} |"
            for step, sec in sorted(ours["steps"].items(), key=lambda kv: -kv[1])
        ],
        f"| outside the steps (interpreter, imports, config, MLflow store and run set-up) | {outside:.2f} | {cached['seconds'] - sum(cached['steps'].values()):.2f} |",
        f"| (not in the run) a new project's MLflow store, copied from mlcore's cache | {ours['store']:.2f} | |",
        "",
        "All runs (s): "
        + "; ".join(
            f"{k} " + ", ".join(f"{r['seconds']:.1f} (CPU {r['cpu']:.1f})" for r in v)
            for k, v in runs.items()
        ),
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
