"""``mlcore validate``: check a table against an expectation file, or draft one (``--profile``).

Examples:
    $ mlcore validate data/raw/churn.parquet --expectations conf/validation/churn.yaml
    $ mlcore validate data/raw/churn.parquet --profile conf/validation/profiled.yaml \\
          --entity-col customer_id --date-col snapshot_month
"""

from __future__ import annotations

import argparse
from pathlib import Path


def _validate(args: argparse.Namespace) -> int:
    from mlcore.errors import ConfigError, run_main

    def action() -> int:
        import yaml

        from mlcore.predict import read_table
        from mlcore.validate import dump_expectations_yaml, profile_expectations, validate_frame

        frame = read_table(args.table, "table", date_col=args.date_col)
        if args.profile:
            drafted = profile_expectations(
                frame, entity_col=args.entity_col, date_col=args.date_col
            )
            path = dump_expectations_yaml(drafted, args.profile, source=str(args.table))
            print(f"wrote {len(drafted)} expectations to {path}: review them, then commit")
            return 0
        suite = Path(args.expectations)
        if not suite.is_file():
            raise ConfigError(f"--expectations {suite}: no such file")
        loaded = yaml.safe_load(suite.read_text(encoding="utf-8")) or {}
        if not isinstance(loaded, dict) or "expectations" not in loaded:
            raise ConfigError(f"{args.expectations}: no 'expectations' list")
        result = validate_frame(frame, loaded["expectations"], name=str(args.table))
        if args.report:
            result.to_html(args.report)
        for line in result.failed_descriptions("warning"):
            print(f"warning: {line}")
        for line in result.failed_descriptions("error"):
            print(f"failed: {line}")
        stats = result.statistics()
        verdict = "passed" if result.success else "FAILED"
        print(f"{args.table}: validation {verdict} ({stats['evaluated']} expectations)")
        return 0 if result.success else 1

    code, result = run_main(action)
    return code or result


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``validate``."""
    command = commands.add_parser(
        "validate", help="check a table against expectations, or draft them with --profile"
    )
    command.add_argument("table", help="a .csv or .parquet file")
    mode = command.add_mutually_exclusive_group(required=True)
    mode.add_argument("--expectations", metavar="YAML", help="a validation group file to check")
    mode.add_argument("--profile", metavar="YAML", help="write a drafted expectation file here")
    command.add_argument("--entity-col", help="id column (unique, no range) when profiling")
    command.add_argument("--date-col", help="date column (parsed; no range) when profiling")
    command.add_argument("--report", metavar="HTML", help="also write the result as HTML")
    command.set_defaults(handler=_validate)
