"""Run every benchmark in ``benchmarks/`` and write ``benchmarks/RESULTS.md`` (``make bench``).

Each ``bench_*.py`` runs in its own interpreter with ``--json``; their summary rows (ours vs the
peer, same run, as ratios) become one table, headed by the machine they ran on. Detailed tables
stay in ``benchmarks/results/``. Two runs take long and are opt-in: the 10M-row scale run and the
cold ``make demo`` (fresh clone, empty package cache).

Usage:
    python benchmarks/run_all.py            # about 15 minutes on 2 quiet cores (Evidently at 1M
                                            # rows alone is 3-4 minutes; its environment is made
                                            # under build/evidently/ with uv on the first run)
    python benchmarks/run_all.py --scale    # plus bench_scale.py (10M rows, chunked and in memory;
                                            # about 20 minutes)
    python benchmarks/run_all.py --cold     # plus a cold `make demo` (downloads; minutes)

Every script's rows are kept in ``results/<name>.json``; a script not run this time (opt-in, or
left out by ``--only``) has the rows of its last run, marked so.

    python benchmarks/run_all.py --only pipeline,drift --repeat 1   # a subset, one round each
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from _harness import Row, machine_info, machine_line, markdown_table, read_rows, write_rows

HERE = Path(__file__).resolve().parent
# script -> extra arguments
BENCHES = {
    "bench_split.py": [],
    "bench_lift.py": [],
    "bench_drift.py": [],  # Evidently at 100k and 1M rows (its own environment, made when missing)
    "bench_pipeline.py": [],
    "bench_demo.py": ["--out", str(HERE / "results" / "demo.md")],
    "bench_startup.py": [],
}
# opt-in name -> (script, extra arguments); their rows are kept in results/<name>.json
OPT_IN = {
    "scale": ("bench_scale.py", []),
    "cold": ("bench_demo.py", ["--cold", "--out", str(HERE / "results" / "demo_cold.md")]),
}


def run_bench(
    script: str, extra: list[str], folder: Path, tag: str = ""
) -> tuple[list[Row], float, str]:
    """Run one script; its rows, wall time and an error line (empty when it succeeded)."""
    out = folder / f"{script}{tag}.json"
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, str(HERE / script), *extra, "--json", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0 or not out.is_file():
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return [], seconds, f"{script} failed: {last[:200]}"
    return read_rows(out), seconds, ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", action="store_true", help="also the 10M-row scale run")
    parser.add_argument("--cold", action="store_true", help="also a cold `make demo`")
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--only", default="", help="comma-separated names (pipeline, drift, ...)")
    parser.add_argument(
        "--repeat", type=int, default=3, help="rounds of the pipeline and demo benchmarks"
    )
    parser.add_argument("--note", default="", help="a paragraph on this run (e.g. machine load)")
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")  # pinned for every script; LightGBM: n_jobs=2
    benches = [
        (script.removesuffix(".py").removeprefix("bench_"), script, extra)
        for script, extra in BENCHES.items()
    ]
    benches += [(name, *OPT_IN[name]) for name in sorted(OPT_IN)]
    chosen = (
        set(args.only.split(","))
        if args.only
        else {name for name, _, _ in benches if name not in OPT_IN or getattr(args, name)}
    )
    rows, notes, load_before = [], [], os.getloadavg()
    fresh: dict[str, list[Row]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        for name, script, extra in benches:
            if name not in chosen:
                continue
            extra = (
                [*extra, "--repeat", str(args.repeat)] if name in ("pipeline", "demo") else extra
            )
            print(f"== {script} {' '.join(extra)}", flush=True)
            fresh[name], seconds, error = run_bench(script, extra, Path(tmp), name)
            if fresh[name]:
                write_rows(fresh[name], HERE / "results" / f"{name}.json")
            notes.append(f"- `{script}`: {seconds:.0f} s" + (f" — **{error}**" if error else ""))
            print(f"   {seconds:.0f} s {error}", flush=True)
    for name, _, _ in benches:  # the table in a fixed order; the others from their last run
        kept = HERE / "results" / f"{name}.json"
        if name in fresh:
            rows += fresh[name]
        elif kept.is_file():
            rows += [replace(r, note=f"{r.note} (from its last run)") for r in read_rows(kept)]
    info = machine_info()
    text = "\n".join(
        [
            "# Benchmark results (`make bench`)",
            "",
            "Each row: ours and the peer a user would otherwise use, measured side by side in the "
            "same run; ratio = peer / ours for speed (above 1: ours is faster), ours / peer for "
            "overheads and memory. Times are best of 3 or more unless the row says otherwise. "
            "Details: `benchmarks/results/*.md`.",
            "",
            f"Machine: {machine_line(info)}.",
            f"Load average before / after: {load_before[0]:.1f} / {os.getloadavg()[0]:.1f} "
            "(2 cores; other jobs share the machine, so absolute times are noisy, ratios less so); "
            f"OMP_NUM_THREADS={os.environ['OMP_NUM_THREADS']}, the template's LightGBM n_jobs=2.",
            *(["", args.note] if args.note else []),
            "",
            markdown_table(rows),
            "",
            "Run times:",
            *notes,
            "",
        ]
    )
    args.out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
