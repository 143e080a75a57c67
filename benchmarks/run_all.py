"""Run every benchmark in ``benchmarks/`` and write ``benchmarks/RESULTS.md`` (``make bench``).

Each ``bench_*.py`` runs in its own interpreter with ``--json``; their summary rows (ours vs the
peer, same run, as ratios) become one table, headed by the machine they ran on. Detailed tables
stay in ``benchmarks/results/``. Two runs take long and are opt-in: the 10M-row scale run and the
cold ``make demo`` (fresh clone, empty package cache).

Usage:
    python benchmarks/run_all.py            # under 10 minutes on 2 quiet cores
    python benchmarks/run_all.py --scale    # plus bench_scale.py (10M rows; about 10 minutes)
    python benchmarks/run_all.py --cold     # plus a cold `make demo` (downloads; minutes)

Without them, the table repeats the rows of their last runs (``results/<name>.json``).
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
    args = parser.parse_args()
    chosen = {name for name in OPT_IN if getattr(args, name)}
    benches = [(None, script, extra) for script, extra in BENCHES.items()]
    benches += [(name, *OPT_IN[name]) for name in sorted(chosen)]
    rows, notes, load_before = [], [], os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        for name, script, extra in benches:
            print(f"== {script} {' '.join(extra)}", flush=True)
            found, seconds, error = run_bench(script, extra, Path(tmp), name or "")
            rows += found
            if name and found:
                write_rows(found, HERE / "results" / f"{name}.json")
            notes.append(f"- `{script}`: {seconds:.0f} s" + (f" — **{error}**" if error else ""))
            print(f"   {seconds:.0f} s {error}", flush=True)
    for name in sorted(set(OPT_IN) - chosen):
        kept = HERE / "results" / f"{name}.json"
        if kept.is_file():
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
