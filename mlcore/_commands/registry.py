"""``mlcore registry show|rollback``: a registered model's versions, aliases and audit trail."""

from __future__ import annotations

import argparse

from mlcore._commands.runs import add_tracking_uri, fail, open_store


def _show(args: argparse.Namespace) -> int:
    from mlflow.exceptions import MlflowException

    from mlcore.errors import MlcoreError
    from mlcore.registry import versions

    try:
        rows = versions(args.name, open_store(args.tracking_uri))
    except (MlcoreError, MlflowException) as exc:
        return fail(exc)
    print(f"{args.name}: {len(rows)} version(s)")
    for row in rows:
        aliases = " ".join(f"@{a}" for a in row["aliases"])
        print(f"\nv{row['version']} {aliases}".rstrip())
        print(f"  run {row['run_id']}, created {row['created']}")
        for key, value in row["tags"].items():
            print(f"  {key}: {value}")
    return 0


def _rollback(args: argparse.Namespace) -> int:
    from mlflow.exceptions import MlflowException

    from mlcore.errors import MlcoreError
    from mlcore.registry import rollback

    try:
        old, new = rollback(args.name, open_store(args.tracking_uri), reason=args.reason)
    except (MlcoreError, MlflowException) as exc:
        return fail(exc)
    print(f"{args.name}: champion moved back from v{old} to v{new}")
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``registry show`` and ``registry rollback``."""
    registry = commands.add_parser("registry", help="inspect or roll back a registered model")
    actions = registry.add_subparsers(dest="action", required=True, metavar="ACTION")
    show = actions.add_parser("show", help="versions, aliases and audit tags of a model")
    show.add_argument("name", help="registered model name, e.g. churn-model")
    add_tracking_uri(show)
    show.set_defaults(handler=_show)
    back = actions.add_parser("rollback", help="point champion back to the previous champion")
    back.add_argument("name", help="registered model name, e.g. churn-model")
    add_tracking_uri(back)
    back.add_argument("--reason", default="manual rollback", help="why (kept in the audit tags)")
    back.set_defaults(handler=_rollback)
