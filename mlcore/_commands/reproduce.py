"""``mlcore reproduce RUN_ID``: run a past run again from its record and compare every metric."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from mlcore._commands.runs import add_tracking_uri, fail, open_store


def _reproduce(args: argparse.Namespace) -> int:
    os.environ["MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR"] = "false"  # errors stay one line
    import mlflow
    from mlflow.exceptions import MlflowException

    from mlcore.errors import MlcoreError
    from mlcore.reproduce import format_comparison, reproduce

    try:
        client = open_store(args.tracking_uri)
        mlflow.set_tracking_uri(args.tracking_uri)  # a server's mlflow-artifacts:/ store
        new_run, rows = reproduce(client, args.run_id, Path(args.repo), fresh_env=args.fresh_env)
    except (MlcoreError, MlflowException) as exc:
        return fail(exc)
    print(f"\nrun {args.run_id} (original) vs {new_run} (reproduced):")
    print(format_comparison(rows))
    differ = [r.metric for r in rows if not r.same]
    if differ:
        print(f"ERROR: {len(differ)} of {len(rows)} differ: {', '.join(differ)}", file=sys.stderr)
        return 1
    print(f"\nreproduced: all {len(rows)} identical")
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``reproduce``."""
    parser = commands.add_parser(
        "reproduce",
        help="run a past run again from its record (commit, config, lock, data snapshot)",
        description="Check the run's commit out into a temporary worktree, restore its data "
        "snapshot, take its locked environment, run its config again as a new run tagged "
        "mlcore.reproduces=RUN_ID (the registry untouched) and compare every metric; exit 1 "
        "when any differs.",
    )
    parser.add_argument("run_id", help="the MLflow run id to reproduce")
    add_tracking_uri(parser)
    parser.add_argument(
        "--repo", default=".", help="the git repository holding the run's commit (default: .)"
    )
    parser.add_argument(
        "--fresh-env",
        action="store_true",
        help="build the locked environment (uv sync --locked) even when the current one matches",
    )
    parser.set_defaults(handler=_reproduce)
