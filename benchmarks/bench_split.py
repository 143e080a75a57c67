"""Benchmark: mlcore's vectorized hash split against the usual alternatives, side by side.

For int64 and for string entity ids, times in one run:

- ``mlcore`` :func:`~mlcore.split.hash_split` (set names) and :func:`~mlcore.split.hash_bucket`;
- per-row ``hashlib.md5`` (the common blog recipe), timed on a subset of at most ``--md5-n`` ids
  and extrapolated linearly to ``n`` (the table says so);
- ``sklearn.model_selection.train_test_split`` (random, not entity-stable: a customer can change
  sets between runs and months);
- one NumPy pass over the same int64 array (a sum and a copy), the floor of any vectorized code.

Prints a markdown table (best of ``--repeat`` runs) and writes it to ``benchmarks/results/split.md``.

Usage:
    python benchmarks/bench_split.py            # 10M ids
    python benchmarks/bench_split.py --quick    # 200k ids, a smoke run
    python benchmarks/bench_split.py --n 2000000
"""

from __future__ import annotations

import argparse
import hashlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from _harness import Row, add_json_argument, best_of, machine_line, write_rows
from sklearn.model_selection import train_test_split

from mlcore.split import DEFAULT_FRACTIONS, hash_bucket, hash_split

RESULTS = Path(__file__).resolve().parent / "results" / "split.md"
TARGETS = {  # (ids, baseline): minimum speed-up of mlcore hash_split
    ("int64", "per-row hashlib.md5"): 50.0,
    ("int64", "sklearn train_test_split"): 3.0,
    ("string", "per-row hashlib.md5"): 4.0,
}


def md5_split(ids: np.ndarray | pd.Series) -> list[str]:
    """The blog recipe: md5 of each id's text, first 8 bytes as a fraction, then thresholds."""
    train_end = DEFAULT_FRACTIONS["train"]
    valid_end = train_end + DEFAULT_FRACTIONS["validation"]
    sets = []
    for value in ids.tolist():
        digest = hashlib.md5(str(value).encode("utf-8")).digest()
        bucket = int.from_bytes(digest[:8], "little") / 2**64
        sets.append(
            "train" if bucket < train_end else "validation" if bucket < valid_end else "test"
        )
    return sets


def random_split(ids: np.ndarray | pd.Series) -> list:
    """sklearn's random 70 / 15 / 15 split (two calls), not stable across runs or snapshots."""
    train, rest = train_test_split(ids, test_size=0.30, random_state=0)
    return [train, *train_test_split(rest, test_size=0.50, random_state=0)]


def make_ids(n: int) -> tuple[np.ndarray, pd.Series]:
    """Random int64 customer ids, and string ids like ``cust-48213`` of 6 to 14 bytes."""
    rng = np.random.default_rng(0)
    ints = rng.integers(0, 2**62, n, dtype=np.int64)
    digits = pc.cast(pa.array(rng.integers(0, 10**9, n)), pa.large_string())
    prefix, empty = pa.scalar("cust-", pa.large_string()), pa.scalar("", pa.large_string())
    strings = pd.Series(pc.binary_join_element_wise(prefix, digits, empty).to_pandas())
    return ints, strings


def measure(n: int, md5_n: int, repeat: int) -> pd.DataFrame:
    ints, strings = make_ids(n)
    rows = []

    def add(ids: str, method: str, func: Callable[[], object], timed: int, note: str = "") -> None:
        runs = 1 if timed < n or "md5" in method else repeat
        seconds = best_of(func, runs)[0] * n / timed
        rows.append({"ids": ids, "method": method, "seconds": seconds, "note": note})
        print(f"{ids:>6}  {method:<38} {seconds:9.4f} s  {note}", flush=True)

    subset = min(n, md5_n)
    extrapolated = f"timed on {subset:,} ids, x{n / subset:g}" if subset < n else ""
    objects = strings.to_numpy(dtype=object)
    for label, ids in (("int64", ints), ("string", strings)):
        add(label, "mlcore hash_split", lambda ids=ids: hash_split(ids, DEFAULT_FRACTIONS), n)
        add(label, "mlcore hash_bucket", lambda ids=ids: hash_bucket(ids), n)
        if label == "string":
            add(
                label,
                "mlcore hash_split (object-dtype input)",
                lambda: hash_split(objects, DEFAULT_FRACTIONS),
                n,
            )
        add(
            label,
            "per-row hashlib.md5",
            lambda ids=ids: md5_split(ids[:subset]),
            subset,
            extrapolated,
        )
        add(
            label,
            "sklearn train_test_split",
            lambda ids=ids: random_split(ids),
            n,
            "not entity-stable",
        )
        if label == "int64":
            add(label, "numpy sum (one pass)", lambda: ints.sum(), n, "floor")
            add(label, "numpy copy (one pass)", lambda: ints.copy(), n, "floor")
    table = pd.DataFrame(rows)
    reference = table[table["method"] == "mlcore hash_split"].set_index("ids")["seconds"]
    table["ratio"] = table["seconds"] / table["ids"].map(reference)
    return table


def markdown(table: pd.DataFrame, n: int) -> str:
    lines = [
        f"# Hash split benchmark: {n:,} ids",
        "",
        f"{machine_line()}. Best of several runs except per-row md5 (one run).",
        "",
        "| ids | method | time (s) | time / mlcore hash_split | note |",
        "|---|---|---:|---:|---|",
    ]
    for row in table.itertuples():
        lines.append(
            f"| {row.ids} | {row.method} | {row.seconds:.4f} | {row.ratio:.3g}x | {row.note} |"
        )
    lines += ["", "| target | measured | met |", "|---|---:|:---:|"]
    for (ids, baseline), minimum in TARGETS.items():
        speedup = table.loc[(table["ids"] == ids) & (table["method"] == baseline), "ratio"].iloc[0]
        verdict = "yes" if speedup >= minimum else "NO"
        lines.append(
            f"| {ids}: mlcore >= {minimum:g}x faster than {baseline} | {speedup:.1f}x | {verdict} |"
        )
    return "\n".join(lines) + "\n"


def summary_rows(table: pd.DataFrame, n: int) -> list[Row]:
    """The targets as summary rows: mlcore hash_split vs each baseline, same ids, same run."""
    seconds = table.set_index(["ids", "method"])["seconds"]
    return [
        Row(
            f"hash split, {n:,} {ids} ids",
            "mlcore `hash_split`",
            float(seconds[ids, "mlcore hash_split"]),
            baseline,
            float(seconds[ids, baseline]),
            target=minimum,
            note="md5 timed on a subset, extrapolated" if "md5" in baseline else "",
        )
        for (ids, baseline), minimum in TARGETS.items()
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000_000, help="number of ids (default 10M)")
    parser.add_argument("--quick", action="store_true", help="200k ids: a smoke run")
    parser.add_argument("--md5-n", type=int, default=1_000_000, help="ids timed for md5")
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing (best kept)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="markdown file to write")
    add_json_argument(parser)
    args = parser.parse_args(argv)
    n = 200_000 if args.quick else args.n
    table = measure(n, args.md5_n, args.repeat)
    text = markdown(table, n)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print()
    print(text)
    print(f"written to {args.out}")
    write_rows(summary_rows(table, n), args.json)


if __name__ == "__main__":
    main()
