"""Benchmark: the whole pipeline on a 10M-row ``make_churn`` table, peak memory vs the table's size.

Two fresh interpreters, each under ``/usr/bin/time -v`` (peak RSS = "Maximum resident set size"):

1. ``make_churn`` alone: rows, the raw table's in-memory size (``memory_usage(deep=True)``) and
   the generator's peak RSS;
2. ``mlcore.pipeline.run`` with the template's default config on the same synthetic table (data
   generated inside the run, as ``make run`` does), tracking in a temporary SQLite store. A
   sampler thread records the RSS high-water mark of every step.

``make_churn`` yields about 5.9 rows per customer with 12 months and a 3-month horizon, so 10M rows
is about 1.7M customers. The target: peak RSS <= 4x the raw table. The number of trees does not
change the memory (only the time), so it is lowered by default.

Usage:
    python benchmarks/bench_scale.py                  # 10M rows, 50 trees (slow: opt-in)
    python benchmarks/bench_scale.py --rows 1000000   # a quicker look
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from _harness import Row, add_json_argument, machine_line, write_rows
from bench_pipeline import TELEMETRY_OFF, template_config

ROWS_PER_CUSTOMER = 5.89  # make_churn, 12 months, horizon 3 (1,001,672 rows from 170k customers)
TARGET = 4.0  # peak RSS / raw table size
HERE = Path(__file__).resolve().parent


def _rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class StepMemory(logging.Handler):
    """Peak RSS per pipeline step, from the pipeline's ``step <name>: start`` log lines."""

    def __init__(self, interval: float = 0.1) -> None:
        super().__init__()
        self.step, self.peaks = "set-up", {"set-up": _rss_bytes()}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, args=(interval,), daemon=True)
        self._thread.start()

    def emit(self, record: logging.LogRecord) -> None:
        match = re.match(r"step (\w+): start", record.getMessage())
        if match:
            self.step = match.group(1)
            self.peaks.setdefault(self.step, _rss_bytes())

    def _sample(self, interval: float) -> None:
        while not self._stop.wait(interval):
            self.peaks[self.step] = max(self.peaks.get(self.step, 0), _rss_bytes())

    def stop(self) -> dict[str, int]:
        """Stop sampling; return the peak RSS (bytes) of each step."""
        self._stop.set()
        self._thread.join()
        return self.peaks


def child_generate(customers: int) -> dict[str, Any]:
    """Child 1: generate the table; its rows, in-memory size and the generation time."""
    from mlcore.datasets import make_churn

    start = time.perf_counter()
    frame = make_churn(n_customers=customers, n_months=12, horizon=3, seed=42)
    return {
        "rows": len(frame),
        "table_bytes": int(frame.memory_usage(deep=True).sum()),
        "seconds": time.perf_counter() - start,
    }


def child_pipeline(customers: int, trees: int) -> dict[str, Any]:
    """Child 2: the whole pipeline; per-step seconds (from MLflow) and per-step peak RSS."""
    os.environ.update(TELEMETRY_OFF)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    memory = StepMemory()
    logging.getLogger("mlcore.pipeline").addHandler(memory)
    from mlcore import pipeline

    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        config = template_config(Path(tmp), None, n_estimators=trees)
        config["data"]["synthetic"]["n_customers"] = customers
        start = time.perf_counter()
        result = pipeline.run(config)
        seconds = time.perf_counter() - start
        import mlflow

        metrics = mlflow.get_run(result.run_id).data.metrics
    return {
        "seconds": seconds,
        "auc": result.metrics.get("test_roc_auc"),
        "steps": {
            k.removeprefix("step_seconds_"): v for k, v in metrics.items() if "step_seconds_" in k
        },
        "step_peak_bytes": memory.stop(),
    }


def run_child(kind: str, customers: int, trees: int) -> dict[str, Any]:
    """Run a child under ``/usr/bin/time -v``; its JSON result plus the peak RSS in bytes."""
    code = (
        "import json, sys; sys.path.insert(0, sys.argv[1]); import bench_scale as b; "
        f"print('RESULT ' + json.dumps(b.child_{kind}(*map(int, sys.argv[2:]))))"
    )
    args = [str(customers)] + ([str(trees)] if kind == "pipeline" else [])
    command = ["/usr/bin/time", "-v", sys.executable, "-c", code, str(HERE), *args]
    done = subprocess.run(
        command, capture_output=True, text=True, env={**os.environ, **TELEMETRY_OFF}, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{kind} failed:\n{done.stderr[-4000:]}")
    peak_kb = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    result = next(line for line in done.stdout.splitlines() if line.startswith("RESULT "))
    return {
        **json.loads(result.removeprefix("RESULT ")),
        "peak_bytes": int(peak_kb.group(1)) * 1024,
    }


# What each step holds at its peak, beyond the interpreter and libraries (about 0.4 GB).
HOLDS = {
    "validate": "the table and Great Expectations' working copies",
    "split": "the table with its activity features and the three sets cut from it",
    "train": "the three sets, the training rows' preprocessed float64 matrix (each "
    "ColumnTransformer branch, then their hstack) and LightGBM's binned Dataset",
    "evaluate": "the sets, their scores and the validation sample's transformed copies",
    "register": "the sets, the logged model and the champion's scores with the bootstrap weights",
}


def _why(peaks: dict[str, int], table_bytes: int) -> str:
    """Why the memory target is missed: each step over it and what it holds at its peak."""
    over = [(s, b / table_bytes) for s, b in peaks.items() if b / table_bytes > TARGET]
    steps = "; ".join(f"{s} {r:.1f}x: {HOLDS.get(s, 'its working data')}" for s, r in over)
    return (
        f"; why: steps over {TARGET:g}x: {steps}. Next: transform in chunks into one float32 "
        "matrix and spill the validation and test sets to their Parquet files during training"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000, help="approximate table rows")
    parser.add_argument("--trees", type=int, default=50, help="LightGBM n_estimators")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "scale.md")
    add_json_argument(parser)
    args = parser.parse_args()
    customers = round(args.rows / ROWS_PER_CUSTOMER)
    gen = run_child("generate", customers, args.trees)
    print(f"make_churn: {gen['rows']:,} rows, {gen['table_bytes'] / 1e9:.2f} GB", flush=True)
    pipe = run_child("pipeline", customers, args.trees)
    table_gb, gb = gen["table_bytes"] / 1e9, 1e9
    ratio = pipe["peak_bytes"] / gen["table_bytes"]
    lines = [
        f"# Scale: the pipeline on {gen['rows']:,} rows ({customers:,} customers x 12 months)",
        "",
        f"{machine_line()}. One run (peak RSS from `/usr/bin/time -v`); template defaults "
        f"except n_estimators = {args.trees} (memory does not depend on it).",
        "",
        "| measure | value |",
        "|---|---:|",
        f"| raw table in memory (`memory_usage(deep=True)`) | {table_gb:.2f} GB |",
        f"| `make_churn` alone: peak RSS | {gen['peak_bytes'] / gb:.2f} GB "
        f"({gen['peak_bytes'] / gen['table_bytes']:.1f}x the table) |",
        f"| `make_churn` alone: time | {gen['seconds']:.0f} s |",
        f"| **pipeline: peak RSS** | **{pipe['peak_bytes'] / gb:.2f} GB ({ratio:.1f}x the table; "
        f"target <= {TARGET:g}x: {'met' if ratio <= TARGET else 'MISSED'})** |",
        f"| pipeline: wall time | {pipe['seconds']:.0f} s |",
        f"| pipeline: test AUC | {pipe['auc']:.4f} |",
        "",
        "| step | seconds | peak RSS (GB) | peak / table |",
        "|---|---:|---:|---:|",
        *[
            f"| {step} | {pipe['steps'].get(step, float('nan')):.1f} | {peak / gb:.2f} | "
            f"{peak / gen['table_bytes']:.1f}x |"
            for step, peak in pipe["step_peak_bytes"].items()
        ],
        "",
    ]
    text = "\n".join(lines)
    print(text)
    args.out.write_text(text)
    write_rows(
        [
            Row(
                f"scale: pipeline peak RSS, {gen['rows'] / 1e6:.1f}M rows",
                "pipeline peak RSS",
                pipe["peak_bytes"] / gb,
                "raw table in memory",
                table_gb,
                unit="GB",
                target=TARGET,
                target_op="<=",
                overhead=True,
                note=f"wall {pipe['seconds']:.0f} s with {args.trees} trees; one run"
                + ("" if ratio <= TARGET else _why(pipe["step_peak_bytes"], gen["table_bytes"])),
            )
        ],
        args.json,
    )


if __name__ == "__main__":
    main()
