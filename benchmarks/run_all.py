"""Run every benchmark in ``benchmarks/`` and write ``benchmarks/RESULTS.md`` (``make bench``).

Each ``bench_*.py`` runs in its own interpreter with ``--json``; their summary rows (ours vs the
peer, same run, as ratios) become one table, headed by the machine they ran on. Detailed tables
stay in ``benchmarks/results/``. The 10M-row scale run takes long, so it is opt-in.

Usage:
    python benchmarks/run_all.py            # about 8 minutes on 2 quiet cores
    python benchmarks/run_all.py --scale    # plus bench_scale.py (10M rows; tens of minutes)

Without ``--scale`` the table repeats the rows of the last scale run (``results/scale.json``).
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
# script -> extra arguments that keep `make bench` within its 10-minute budget
BENCHES = {
    "bench_split.py": [],
    "bench_lift.py": [],
    "bench_drift.py": ["--evidently-rows", "100000"],
    "bench_pipeline.py": [],
    "bench_demo.py": ["--out", str(HERE / "results" / "demo.md")],
}
SCALE = {"bench_scale.py": []}
# The scale run's rows, kept from the last `make bench SCALE=1` for the runs without it.
SCALE_ROWS = HERE / "results" / "scale.json"


def run_bench(script: str, extra: list[str], folder: Path) -> tuple[list[Row], float, str]:
    """Run one script; its rows, wall time and an error line (empty when it succeeded)."""
    out = folder / f"{script}.json"
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
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args()
    benches = {**BENCHES, **(SCALE if args.scale else {})}
    rows, notes, load_before = [], [], os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        for script, extra in benches.items():
            print(f"== {script}", flush=True)
            found, seconds, error = run_bench(script, extra, Path(tmp))
            rows += found
            if script in SCALE and found:
                write_rows(found, SCALE_ROWS)
            notes.append(f"- `{script}`: {seconds:.0f} s" + (f" — **{error}**" if error else ""))
            print(f"   {seconds:.0f} s {error}", flush=True)
    if not args.scale and SCALE_ROWS.is_file():
        rows += [replace(r, note=f"{r.note} (last SCALE=1 run)") for r in read_rows(SCALE_ROWS)]
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
            "(2 cores; other jobs share the machine, so absolute times are noisy, ratios less so).",
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
