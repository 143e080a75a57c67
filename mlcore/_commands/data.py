"""``mlcore make-churn``: write the embedded synthetic churn table to a file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _make_churn(args: argparse.Namespace) -> int:
    from mlcore._files import write_atomic
    from mlcore.datasets import make_churn

    out = Path(args.path)
    if out.suffix not in (".csv", ".parquet"):
        print(f"ERROR: {out}: use a .csv or .parquet file name", file=sys.stderr)
        return 2
    frame = make_churn(n_customers=args.customers, n_months=args.months, seed=args.seed)
    if out.suffix == ".csv":
        write_atomic(out, frame.to_csv(index=False))
    else:
        write_atomic(out, frame.to_parquet(index=False))
    print(f"wrote {len(frame):,} rows to {out}")
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``make-churn``."""
    churn = commands.add_parser("make-churn", help="write the synthetic churn table to a file")
    churn.add_argument("path", help="output .csv or .parquet file")
    churn.add_argument("--customers", type=int, default=100_000)
    churn.add_argument("--months", type=int, default=12)
    churn.add_argument("--seed", type=int, default=0)
    churn.set_defaults(handler=_make_churn)
