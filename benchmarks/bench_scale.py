"""Benchmark: the whole pipeline on a 10M-row churn panel, peak memory vs the raw table's size.

Three fresh interpreters, each under ``/usr/bin/time -v`` (peak RSS = "Maximum resident set size"):

1. the raw table alone (``mlcore.data.load_table`` on the template's ``data: synthetic``, the
   ``make_churn_panel`` panel): rows, its in-memory size (``memory_usage(deep=True)``) and the
   generator's peak RSS;
2. ``mlcore.pipeline.run`` with the template's default config on the same table (generated
   inside the run, as ``make run`` does), tracking in a temporary SQLite store. A sampler thread
   records the RSS high-water mark of every step;
3. the same run on the same table with ``features.chunk_rows=null``: the in-memory path
   (scikit-learn's ColumnTransformer, float64, all rows at once). Its test AUC must equal run
   2's within 1e-3 (``--no-compare`` skips it).

``make_churn_panel`` yields about 8.6 rows per customer over 12 months, so 10M rows is about
1.17M customers. The target: peak RSS <= 4x the raw table. The number of trees does not change
the memory (only the time), so it is lowered by default.

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

from _harness import Row, add_json_argument, machine_line, step_seconds, write_rows
from bench_pipeline import TELEMETRY_OFF, TEMPLATE_CONF, template_config

ROWS_PER_CUSTOMER = 8.58  # make_churn_panel, 12 months, 4 % monthly churn (171,515 rows from 20k)
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


def _config(root: Path, customers: int, trees: int, chunk_rows: int = 0) -> dict[str, Any]:
    """The template's default config with ``customers`` synthetic customers and ``trees`` trees
    (``chunk_rows`` 0: the default ``features.chunk_rows``; -1: null, the in-memory path)."""
    import yaml

    config = template_config(root, None, n_estimators=trees)
    config["data"]["synthetic"]["n_customers"] = customers
    if chunk_rows:
        config["features"]["chunk_rows"] = None if chunk_rows < 0 else chunk_rows
    config["target"] = yaml.safe_load((TEMPLATE_CONF / "target" / "churn.yaml").read_text())
    return config


def child_generate(customers: int) -> dict[str, Any]:
    """Child 1: load the pipeline's raw table; its rows, in-memory size and the load time."""
    from mlcore.data import load_table

    data = _config(Path(tempfile.gettempdir()), customers, 1)["data"]
    start = time.perf_counter()
    frame = load_table(data, labelled=False)
    return {
        "rows": len(frame),
        "table_bytes": int(frame.memory_usage(deep=True).sum()),
        "seconds": time.perf_counter() - start,
    }


def child_pipeline(customers: int, trees: int, chunk_rows: int = 0) -> dict[str, Any]:
    """Children 2 and 3: the whole pipeline; per-step seconds (from MLflow) and peak RSS."""
    os.environ.update(TELEMETRY_OFF)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    memory = StepMemory()
    logging.getLogger("mlcore.pipeline").addHandler(memory)
    from mlcore import pipeline

    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        config = _config(Path(tmp), customers, trees, chunk_rows)
        start = time.perf_counter()
        result = pipeline.run(config)
        seconds = time.perf_counter() - start
        import mlflow

        metrics = mlflow.get_run(result.run_id).data.metrics
    return {
        "seconds": seconds,
        "auc": result.metrics.get("test_roc_auc"),
        "steps": step_seconds(metrics),
        "step_peak_bytes": memory.stop(),
    }


def run_child(kind: str, *args: int) -> dict[str, Any]:
    """Run a child under ``/usr/bin/time -v``; its JSON result plus the peak RSS in bytes."""
    code = (
        "import json, sys; sys.path.insert(0, sys.argv[1]); import bench_scale as b; "
        f"print('RESULT ' + json.dumps(b.child_{kind}(*map(int, sys.argv[2:]))))"
    )
    args = [str(a) for a in args]
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


# What each step holds at its peak, beyond the interpreter and libraries (about 0.35 GB).
HOLDS = {
    "set-up": "the generator's working arrays, then the table with its activity features",
    "validate": "the table with its activity features and Great Expectations' working copies",
    "split": "the table with its activity features and the labelled rows, then the labelled "
    "rows and the three sets cut from them",
    "train": "the three sets, the numeric branch's float64 columns while the imputer is "
    "fitted, then the training rows' float32 matrix and LightGBM's binned Dataset",
    "evaluate": "the sets, their scores and the validation sample's transformed copies",
    "register": "the sets, the logged model and the champion's scores with the bootstrap weights",
}
AUC_TOLERANCE = 1e-3


def _why(peaks: dict[str, int], table_bytes: int) -> str:
    """Why the memory target is missed: each step over it and what it holds at its peak."""
    over = [(s, b / table_bytes) for s, b in peaks.items() if b / table_bytes > TARGET]
    steps = "; ".join(f"{s} {r:.1f}x: {HOLDS.get(s, 'its working data')}" for s, r in over)
    return (
        f"; why: steps over {TARGET:g}x: {steps}. Next: the label built and the sets cut in one "
        "pass, so that split does not hold the table beside its labelled copy"
    )


def _auc_check(chunked: float, in_memory: dict[str, Any] | None) -> tuple[str, str]:
    """The AUC line of the table and of the row's note: chunked vs in-memory on the same rows."""
    if in_memory is None:
        return "not compared (--no-compare)", ""
    gap = abs(chunked - in_memory["auc"])
    verdict = "equal" if gap <= AUC_TOLERANCE else "MISSED"
    text = (
        f"{in_memory['auc']:.4f}, difference {gap:.1e} (<= {AUC_TOLERANCE:g}: {verdict}); "
        f"its peak RSS {in_memory['peak_bytes'] / 1e9:.2f} GB"
    )
    return text, f"; test AUC {chunked:.4f} vs the in-memory path's {text}"


def _step_rows(pipe: dict[str, Any], table_bytes: int) -> list[str]:
    return [
        f"| {step} | {pipe['steps'].get(step, float('nan')):.1f} | {peak / 1e9:.2f} | "
        f"{peak / table_bytes:.1f}x |"
        for step, peak in pipe["step_peak_bytes"].items()
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000, help="approximate table rows")
    parser.add_argument("--trees", type=int, default=50, help="LightGBM n_estimators")
    parser.add_argument("--no-compare", action="store_true", help="skip the in-memory run")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "scale.md")
    add_json_argument(parser)
    args = parser.parse_args()
    customers = round(args.rows / ROWS_PER_CUSTOMER)
    gen = run_child("generate", customers)
    table_bytes, gb = gen["table_bytes"], 1e9
    print(f"raw table: {gen['rows']:,} rows, {table_bytes / gb:.2f} GB", flush=True)
    pipe = run_child("pipeline", customers, args.trees)
    print(f"pipeline: peak {pipe['peak_bytes'] / gb:.2f} GB", flush=True)
    in_memory = None if args.no_compare else run_child("pipeline", customers, args.trees, -1)
    ratio = pipe["peak_bytes"] / table_bytes
    auc_text, auc_note = _auc_check(pipe["auc"], in_memory)
    load = os.getloadavg()
    lines = [
        f"# Scale: the pipeline on {gen['rows']:,} rows ({customers:,} customers x 12 months)",
        "",
        f"{machine_line()}. Load average at the end {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} "
        "(1 / 5 / 15 min). One run each (peak RSS from `/usr/bin/time -v`); template defaults "
        f"except n_estimators = {args.trees} (memory does not depend on it).",
        "",
        "| measure | value |",
        "|---|---:|",
        f"| raw table in memory (`memory_usage(deep=True)`) | {table_bytes / gb:.2f} GB |",
        f"| generating the table alone: peak RSS | {gen['peak_bytes'] / gb:.2f} GB "
        f"({gen['peak_bytes'] / table_bytes:.1f}x the table) |",
        f"| generating the table alone: time | {gen['seconds']:.0f} s |",
        f"| **pipeline: peak RSS** | **{pipe['peak_bytes'] / gb:.2f} GB ({ratio:.2f}x the table; "
        f"target <= {TARGET:g}x: {'met' if ratio <= TARGET else 'MISSED'})** |",
        f"| pipeline: wall time | {pipe['seconds']:.0f} s |",
        f"| pipeline: test AUC | {pipe['auc']:.4f} |",
        f"| in-memory path (`features.chunk_rows=null`), same rows: test AUC | {auc_text} |",
        "",
        "| step | seconds | peak RSS (GB) | peak / table |",
        "|---|---:|---:|---:|",
        *_step_rows(pipe, table_bytes),
        "",
    ]
    if in_memory is not None:
        lines += [
            "In-memory path, same rows:",
            "",
            "| step | seconds | peak RSS (GB) | peak / table |",
            "|---|---:|---:|---:|",
            *_step_rows(in_memory, table_bytes),
            "",
        ]
    text = "\n".join(lines)
    print(text)
    args.out.write_text(text)
    note = f"wall {pipe['seconds']:.0f} s with {args.trees} trees; one run at load {load[1]:.1f}"
    note += auc_note + ("" if ratio <= TARGET else _why(pipe["step_peak_bytes"], table_bytes))
    write_rows(
        [
            Row(
                f"scale: pipeline peak RSS, {gen['rows'] / 1e6:.1f}M rows",
                "pipeline peak RSS",
                pipe["peak_bytes"] / gb,
                "raw table in memory",
                table_bytes / gb,
                unit="GB",
                target=TARGET,
                target_op="<=",
                overhead=True,
                note=note,
            )
        ],
        args.json,
    )


if __name__ == "__main__":
    main()
