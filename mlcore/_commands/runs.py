"""``mlcore runs compare``: the project's runs table in the terminal and as CSV + markdown.

Also :func:`open_store`, the store access shared by the commands that read MLflow.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

DEFAULT_URI = "sqlite:///mlflow.db"


def open_store(uri: str) -> Any:
    """An ``MlflowClient`` on ``uri`` with telemetry off; a missing SQLite file is an error
    (MLflow would silently create an empty store there).

    Example:
        >>> open_store("sqlite:////nonexistent/mlflow.db")
        Traceback (most recent call last):
        ...
        mlcore.errors.MlcoreError: no MLflow store at /nonexistent/mlflow.db (--tracking-uri sqlite:////nonexistent/mlflow.db)
    """
    from mlcore.errors import MlcoreError
    from mlcore.track import disable_telemetry

    prefix = "sqlite:///"
    path = uri.removeprefix(prefix)
    if uri.startswith(prefix) and not Path(path).is_file():
        raise MlcoreError(f"no MLflow store at {path} (--tracking-uri {uri})")
    disable_telemetry()
    from mlflow import MlflowClient

    return MlflowClient(tracking_uri=uri)


def fail(exc: Exception) -> int:
    """Print one ``ERROR:`` line for a user-facing failure and return exit code 1."""
    print(f"ERROR: {exc}", file=sys.stderr)
    return 1


def add_tracking_uri(parser: argparse.ArgumentParser) -> None:
    """``--tracking-uri``, defaulting to ``$MLFLOW_TRACKING_URI`` or ``./mlflow.db``."""
    parser.add_argument(
        "--tracking-uri",
        default=os.environ.get("MLFLOW_TRACKING_URI", DEFAULT_URI),
        help="MLflow tracking URI (default: $MLFLOW_TRACKING_URI or %(default)s)",
    )


def _compare(args: argparse.Namespace) -> int:
    from mlflow.exceptions import MlflowException

    from mlcore.errors import MlcoreError
    from mlcore.runs import compare_runs, format_table, write_tables

    try:
        client = open_store(args.tracking_uri)
        table = compare_runs(client, args.experiment, max_runs=args.max_runs, metric=args.metric)
    except (MlcoreError, MlflowException) as exc:
        return fail(exc)
    print(format_table(table, wide=args.wide))
    csv_path, md_path = write_tables(table, Path(args.output))
    print(f"\n{len(table)} run(s); wrote {csv_path} and {md_path}")
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``runs compare``."""
    runs = commands.add_parser("runs", help="compare the runs of an MLflow experiment")
    actions = runs.add_subparsers(dest="action", required=True, metavar="ACTION")
    compare = actions.add_parser(
        "compare", help="table of runs: differing params, key metrics, registered versions"
    )
    compare.add_argument("--experiment", required=True, help="experiment name (the project slug)")
    add_tracking_uri(compare)
    compare.add_argument("--output", default="reports/runs", help="folder for runs.csv, runs.md")
    compare.add_argument("--max-runs", type=int, default=50, help="at most this many runs")
    compare.add_argument(
        "--metric", default="validation_roc_auc", help="sort by this metric (best first)"
    )
    compare.add_argument(
        "--wide",
        action="store_true",
        help="every column in the terminal (default: differing params and the key metrics)",
    )
    compare.set_defaults(handler=_compare)
