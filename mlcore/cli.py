"""The ``mlcore`` command: small utilities around the library (the pipeline runs through Hydra).

Example:
    $ mlcore make-churn data/raw/churn.parquet --customers 5000
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["main"]


def _make_churn(args: argparse.Namespace) -> int:
    from mlcore._files import write_atomic
    from mlcore.datasets import make_churn

    frame = make_churn(n_customers=args.customers, n_months=args.months, seed=args.seed)
    out = Path(args.path)
    if out.suffix not in (".csv", ".parquet"):
        print(f"ERROR: {out}: use a .csv or .parquet file name", file=sys.stderr)
        return 2
    if out.suffix == ".csv":
        write_atomic(out, frame.to_csv(index=False))
    else:
        write_atomic(out, frame.to_parquet(index=False))
    print(f"wrote {len(frame):,} rows to {out}")
    return 0


def _parser() -> argparse.ArgumentParser:
    from mlcore import __version__

    parser = argparse.ArgumentParser(prog="mlcore", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"mlcore {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    churn = commands.add_parser("make-churn", help="write the synthetic churn table to a file")
    churn.add_argument("path", help="output .csv or .parquet file")
    churn.add_argument("--customers", type=int, default=100_000)
    churn.add_argument("--months", type=int, default=12)
    churn.add_argument("--seed", type=int, default=0)
    churn.set_defaults(handler=_make_churn)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` and run the chosen command; return its exit code."""
    args = _parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
