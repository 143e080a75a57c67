"""The ``mlcore`` command: utilities around the library (the pipeline itself runs through Hydra).

Example:
    $ mlcore make-churn data/raw/churn.parquet --customers 5000
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from collections.abc import Sequence

from mlcore import _commands

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    from mlcore import __version__

    parser = argparse.ArgumentParser(
        prog="mlcore", description=__doc__.splitlines()[0].replace("``", "")
    )
    parser.add_argument("--version", action="version", version=f"mlcore {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in sorted(m.name for m in pkgutil.iter_modules(_commands.__path__)):
        importlib.import_module(f"{_commands.__name__}.{module}").register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` and run the chosen command; return its exit code."""
    args = _parser().parse_args(argv)
    try:
        return args.handler(args)
    except BrokenPipeError:  # e.g. `mlcore registry show NAME | head`: the reader has gone
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
