"""``mlcore campaign assign|evaluate|simulate-outcomes``: campaigns on the project's composed config.

``assign`` and ``evaluate`` compose ``conf/`` (plus ``--override``s) like the project's
``python -m <module>.campaign`` and run :mod:`mlcore.campaign`; ``simulate-outcomes`` writes demo
outcomes with a known effect for an assignment (:func:`mlcore.datasets.campaign_outcomes`).
"""

from __future__ import annotations

import argparse
import sys


def _config(args: argparse.Namespace, action: str | None = None) -> dict:
    from mlcore._commands.config import compose

    overrides = [*args.overrides, *([f"++campaign.action={action}"] if action else [])]
    return compose(args.config_dir, overrides)


def _composed(args: argparse.Namespace, action: str | None) -> dict | None:
    try:
        return _config(args, action)
    except Exception as exc:  # Hydra's and OmegaConf's errors: one line, exit 2 (as config get)
        print(f"ERROR: {exc}".splitlines()[0], file=sys.stderr)
        return None


def _run(args: argparse.Namespace, action: str) -> int:
    cfg = _composed(args, action)
    if cfg is None:
        return 2
    from mlcore.campaign import main

    return main(cfg)


def _simulate(args: argparse.Namespace) -> int:
    from pathlib import Path

    from mlcore._files import write_atomic
    from mlcore.campaign import assignment_path
    from mlcore.config import check_config
    from mlcore.datasets import campaign_outcomes
    from mlcore.errors import DataError, run_main
    from mlcore.predict import read_table

    cfg = _composed(args, None)
    if cfg is None:
        return 2

    def write() -> str:
        out = Path(args.output)
        if out.suffix not in (".csv", ".parquet"):
            raise DataError(f"{out}: use a .csv or .parquet file name")
        checked = check_config(cfg)
        assignment = Path(args.assignment) if args.assignment else assignment_path(checked)
        frame = campaign_outcomes(
            read_table(assignment, "--assignment"),
            args.seed,
            entity_col=checked["data"]["entity_col"],
        )
        write_atomic(
            out,
            frame.to_csv(index=False) if out.suffix == ".csv" else frame.to_parquet(index=False),
        )
        return f"wrote {len(frame):,} simulated outcomes of {assignment} to {out}"

    code, message = run_main(write)
    if message:
        print(message)
    return code


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config-dir", default="conf", help="the folder of config.yaml (conf)")
    parser.add_argument(
        "--override", dest="overrides", action="append", default=[], help="a Hydra override"
    )


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``campaign assign``, ``campaign evaluate`` and ``campaign simulate-outcomes``."""
    campaign = commands.add_parser("campaign", help="design and measure a retention campaign")
    actions = campaign.add_subparsers(dest="action", required=True, metavar="ACTION")
    assign = actions.add_parser(
        "assign", help="target a scored batch and split it into treatment/control/random/others"
    )
    _common(assign)
    assign.set_defaults(handler=lambda args: _run(args, "assign"))
    evaluate = actions.add_parser(
        "evaluate", help="a finished campaign's effect, profit, uplift and propensity report"
    )
    _common(evaluate)
    evaluate.set_defaults(handler=lambda args: _run(args, "evaluate"))
    simulate = actions.add_parser(
        "simulate-outcomes", help="demo outcomes with a known effect for an assignment"
    )
    simulate.add_argument("output", help="output .csv or .parquet file")
    simulate.add_argument("--assignment", help="assignment file (default: the newest)")
    simulate.add_argument("--seed", type=int, default=0)
    _common(simulate)
    simulate.set_defaults(handler=_simulate)
