"""Benchmark: per-feature drift of 50 numeric features, mlcore vs Evidently, plus GX validation.

Times ``mlcore.drift`` (profile the reference once, then PSI + KS + chi-square per feature from
one sort of each current column) against Evidently's ``DataDriftPreset`` report on the same
data, against scipy's exact ``ks_2samp`` on every feature, and against one pass over the data (a
``sum``, the floor of any method). Evidently 0.7 does not import with pandas 3, so it runs in
its own interpreter, reading the same arrays from ``.npy`` files; when that environment
(``build/evidently/``) is missing, it is made with uv (``$UV``, else ``.tools/bin/uv`` or ``uv`` on
PATH)::

    uv venv build/evidently && uv pip install --python build/evidently/bin/python \
        'evidently==0.7.23' 'pandas>=2.3,<3'

Also times ``mlcore.validate.validate_frame`` (Great Expectations) with 10 expectations. Prints a
markdown table; full runs write it to ``benchmarks/results/drift.md``.

Usage:
    python benchmarks/bench_drift.py                          # 1M rows; Evidently at 100k and 1M
    python benchmarks/bench_drift.py --evidently-rows 100000  # Evidently at 100k only
    python benchmarks/bench_drift.py --quick                  # 100k rows, no Evidently, no file
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from _harness import Row, add_json_argument, best_of, machine_line, write_rows
from scipy import stats

from mlcore.drift import DriftProfile, drift_report

N_FEATURES = 50
N_DRIFTED = 10
TARGET = 50.0  # Evidently / mlcore at 1M rows
REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results" / "drift.md"
EVIDENTLY_ENV = REPO / "build" / "evidently"
EVIDENTLY_PINS = ("evidently==0.7.23", "pandas>=2.3,<3")

# Run by the Evidently Python: time one DataDriftPreset report on the saved arrays.
_EVIDENTLY_SNIPPET = """
import json, sys, time
import numpy as np, pandas as pd
from evidently import Report
from evidently.presets import DataDriftPreset
rows = int(sys.argv[3])
ref, cur = (pd.DataFrame(np.load(p, mmap_mode="r")[:rows]) for p in sys.argv[1:3])
ref.columns = cur.columns = [f"f{i}" for i in range(ref.shape[1])]
start = time.perf_counter()
snapshot = Report([DataDriftPreset()]).run(current_data=cur, reference_data=ref)
seconds = time.perf_counter() - start
count = snapshot.dict()["metrics"][0]["value"]["count"]
print(json.dumps({"seconds": seconds, "drifted": int(count),
                  "version": __import__("evidently").__version__}))
"""


def make_data(rows: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Reference and current (rows x 50): normal, lognormal and integer-valued columns; the
    first ``N_DRIFTED`` columns of the current batch are shifted."""
    rng = np.random.default_rng(seed)

    def draw(shift: np.ndarray) -> np.ndarray:
        out = np.empty((rows, N_FEATURES))
        for j in range(N_FEATURES):
            kind = j % 3
            if kind == 0:
                out[:, j] = rng.normal(j + shift[j], 1.0 + j / 50, rows)
            elif kind == 1:
                out[:, j] = rng.lognormal(shift[j], 0.5, rows)
            else:  # few distinct values: repeated quantile edges
                out[:, j] = rng.poisson(3.0 + 3 * shift[j], rows)
        return out

    shift = np.where(np.arange(N_FEATURES) < N_DRIFTED, 0.5, 0.0)
    return draw(np.zeros(N_FEATURES)), draw(shift)


def ensure_evidently(env: Path) -> str:
    """The Python of Evidently's own environment, made with uv when missing (pandas < 3)."""
    python = env / "bin" / "python"
    if python.exists():
        return str(python)
    uv = os.environ.get("UV") or shutil.which("uv") or str(REPO / ".tools" / "bin" / "uv")
    print(f"installing {' '.join(EVIDENTLY_PINS)} into {env} with {uv} ...", flush=True)
    try:
        subprocess.run([uv, "venv", "--quiet", "--python", sys.executable, str(env)], check=True)
        subprocess.run(
            [uv, "pip", "install", "--quiet", "--python", str(python), *EVIDENTLY_PINS],
            check=True,
        )
    except (OSError, subprocess.CalledProcessError) as exc:
        shutil.rmtree(env, ignore_errors=True)  # no half-made environment for the next run
        print(f"could not install Evidently: {exc}", flush=True)
    return str(python)


def run_evidently(python: str, files: tuple[Path, Path], rows: int, timeout: int) -> dict | str:
    """Time Evidently in its own interpreter; returns the result, or why it could not run."""
    if not Path(python).exists():
        return f"not run: no interpreter at {python} (see the module docstring)"
    env = {**os.environ, "DO_NOT_TRACK": "true", "MPLBACKEND": "Agg"}
    try:
        done = subprocess.run(
            [python, "-c", _EVIDENTLY_SNIPPET, *map(str, files), str(rows)],
            capture_output=True,
            text=True,
            env=env,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return f"not run: over the {timeout} s timeout"
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return f"failed: {last[:160]}"
    return json.loads(done.stdout.strip().splitlines()[-1])


def bench_drift(ref: np.ndarray, cur: np.ndarray, repeat: int) -> dict[str, object]:
    """mlcore profile + report, a sum pass and exact scipy KS on the same arrays."""
    names = [f"f{i}" for i in range(ref.shape[1])]
    ref_df, cur_df = pd.DataFrame(ref, columns=names), pd.DataFrame(cur, columns=names)
    t_profile, profile = best_of(lambda: DriftProfile.from_frame(ref_df), repeat, warmup=True)
    t_report, report = best_of(lambda: drift_report(profile, cur_df), repeat, warmup=True)
    t_sum, _ = best_of(lambda: cur_df.sum(), repeat, warmup=True)
    start = time.perf_counter()
    exact = [stats.ks_2samp(ref[:, j], cur[:, j]).statistic for j in range(ref.shape[1])]
    t_scipy = time.perf_counter() - start
    ours = report.features.set_index("feature").loc[names, "ks"].to_numpy()
    flagged = report.features.loc[report.features["severity"] != "ok", "feature"]
    json_size = len(json.dumps(profile.to_dict()))
    return {
        "profile": t_profile,
        "report": t_report,
        "sum": t_sum,
        "scipy": t_scipy,
        "ks_gap": float(np.max(np.abs(np.asarray(exact) - ours))),
        "flagged": sorted(flagged, key=lambda f: int(f[1:])),
        "profile_kb": json_size / 1024,
    }


def bench_validate(rows: int, repeat: int) -> dict[str, float]:
    """Great Expectations: 10 expectations on a rows x 10 frame (best of ``repeat``)."""
    from mlcore.validate import validate_frame

    rng = np.random.default_rng(1)
    frame = pd.DataFrame({f"x{j}": rng.normal(j, 1, rows) for j in range(7)})
    frame["id"] = np.arange(rows)
    frame["plan"] = rng.choice(["basic", "standard", "premium", "family"], rows)
    frame["count"] = rng.poisson(4, rows)
    expectations = [
        {"type": "row_count_between", "min": rows // 2, "max": rows * 2},
        {"type": "column_exists", "column": "x0"},
        {"type": "dtype", "column": "x0", "dtype": "float64"},
        {"type": "not_null", "column": "x1"},
        {"type": "null_share_at_most", "column": "x2", "max_share": 0.05},
        {"type": "between", "column": "x3", "min": -10, "max": 20},
        {"type": "between", "column": "count", "min": 0, "max": None},
        {"type": "in_set", "column": "plan", "values": ["basic", "standard", "premium", "family"]},
        {"type": "unique", "column": "id"},
        {"type": "not_null", "column": "id"},
    ]
    start = time.perf_counter()
    validate_frame(frame.head(1000), expectations)  # import Great Expectations
    t_first = time.perf_counter() - start
    t_run, result = best_of(lambda: validate_frame(frame, expectations), repeat, warmup=True)
    assert result.success, result.failed_descriptions()
    return {"import": t_first, "run": t_run, "n": len(expectations)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows in each of ref/current")
    parser.add_argument("--quick", action="store_true", help="100k rows, no Evidently, no file")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--evidently-python", default=None, help=f"default: {EVIDENTLY_ENV} (made when missing)"
    )
    parser.add_argument(
        "--evidently-rows",
        default="100000,ROWS",
        help="comma-separated row counts to run Evidently at ('ROWS' = --rows; '' = none)",
    )
    parser.add_argument("--evidently-timeout", type=int, default=1800)
    parser.add_argument("--out", type=Path, default=None, help=f"default: {RESULTS} (full runs)")
    add_json_argument(parser)
    args = parser.parse_args()
    rows = 100_000 if args.quick else args.rows
    ev_rows = (
        []
        if args.quick
        else sorted(
            {int(r.replace("ROWS", str(rows))) for r in args.evidently_rows.split(",") if r}
        )
    )
    sizes = sorted({rows, *[r for r in ev_rows if r <= rows]})

    ref_all, cur_all = make_data(rows)
    results = {}
    for n in sizes:
        results[n] = bench_drift(ref_all[:n], cur_all[:n], args.repeat)
        print(f"mlcore at {n:,} rows: {results[n]['profile'] + results[n]['report']:.2f} s")
    evidently: dict[int, dict | str] = {}
    if ev_rows:
        python = args.evidently_python or ensure_evidently(EVIDENTLY_ENV)
        with tempfile.TemporaryDirectory() as tmp:
            files = (Path(tmp, "ref.npy"), Path(tmp, "cur.npy"))
            np.save(files[0], ref_all)
            np.save(files[1], cur_all)
            for n in ev_rows:
                print(f"Evidently at {n:,} rows ...", flush=True)
                evidently[n] = run_evidently(python, files, n, args.evidently_timeout)
                print(f"  {evidently[n]}")
    gx = bench_validate(rows, args.repeat)

    lines = [
        f"# Drift benchmark: {N_FEATURES} numeric features, reference and current of equal size",
        "",
        f"{machine_line()}. mlcore times are the best of {args.repeat} runs after a "
        "warm-up, Evidently and scipy are one run. The first "
        f"{N_DRIFTED} features of the current batch are shifted; the others are not.",
        "",
        "| rows each | method | seconds | time / mlcore total |",
        "|---:|---|---:|---:|",
    ]
    for n in sizes:
        r = results[n]
        total = r["profile"] + r["report"]
        rows_md = [
            ("mlcore `DriftProfile.from_frame` (reference)", r["profile"]),
            ("mlcore `drift_report` (PSI + KS + chi2, current)", r["report"]),
            ("**mlcore total**", total),
            ("scipy `ks_2samp` exact, x50", r["scipy"]),
            ("one pass: `DataFrame.sum()` of the current batch", r["sum"]),
        ]
        ev = evidently.get(n)
        if isinstance(ev, dict):
            rows_md.append((f"Evidently {ev['version']} `DataDriftPreset` run", ev["seconds"]))
        for label, seconds in rows_md:
            lines.append(f"| {n:,} | {label} | {seconds:.3f} | {seconds / total:.2f}x |")
        if isinstance(ev, str):
            lines.append(f"| {n:,} | Evidently `DataDriftPreset` | {ev} | |")
    lines += [
        "",
        f"GX validation (`mlcore.validate.validate_frame`, {gx['n']} expectations, "
        f"{rows:,} rows x 10 columns): **{gx['run']:.2f} s** per run; import + first run on "
        f"1,000 rows: {gx['import']:.2f} s.",
        "",
    ]
    for n in sizes:
        r = results[n]
        total = r["profile"] + r["report"]
        note = (
            f"- {n:,} rows: mlcore flagged {len(r['flagged'])} features "
            f"({', '.join(r['flagged'][:12])}); largest |KS from profile - exact KS| = "
            f"{r['ks_gap']:.4f}; profile JSON {r['profile_kb']:.0f} KB; "
            f"mlcore total = {total / r['sum']:.0f}x one sum pass"
        )
        ev = evidently.get(n)
        if isinstance(ev, dict):
            note += (
                f"; **Evidently / mlcore = {ev['seconds'] / total:.0f}x** "
                f"(Evidently flagged {ev['drifted']} columns)"
            )
        lines.append(note)
    text = "\n".join(lines) + "\n"
    print()
    print(text)
    out = args.out or (None if args.quick else RESULTS)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)
        print(f"written to {out}")
    summary = []
    for n in sizes:
        total = results[n]["profile"] + results[n]["report"]
        label = f"drift, {N_FEATURES} features x {n:,} rows"
        summary.append(
            Row(label, "mlcore drift", total, "scipy `ks_2samp` x50", results[n]["scipy"])
        )
        ev = evidently.get(n)
        if isinstance(ev, dict):
            at_target = n >= 1_000_000
            summary.append(
                Row(
                    label,
                    "mlcore drift",
                    total,
                    f"Evidently {ev['version']} `DataDriftPreset`",
                    ev["seconds"],
                    target=TARGET if at_target else None,
                    note=f"Evidently flagged {ev['drifted']} columns, mlcore "
                    f"{len(results[n]['flagged'])}; one Evidently run",
                )
            )
        elif isinstance(ev, str):
            summary.append(
                Row(
                    label,
                    "mlcore drift",
                    total,
                    "Evidently `DataDriftPreset`",
                    float(args.evidently_timeout) if "timeout" in ev else float("nan"),
                    target=TARGET if n >= 1_000_000 else None,
                    note=f"Evidently {ev}"
                    + ("; so the ratio is a lower bound" if "timeout" in ev else ""),
                )
            )
    write_rows(summary, args.json)


if __name__ == "__main__":
    main()
