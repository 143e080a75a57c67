"""``mlcore check …``: the project policy checks that the pre-commit hooks run.

Each prints one ``file:line: RULE message`` line per finding and exits 1 if there is any, 0 if none.
Without FILES, the file checks look at every file git would commit (tracked or not ignored).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from mlcore.checks import Finding

_RULES = {
    "notebooks": "notebooks only in notebooks/, named <number>-<initials>-<topic>.ipynb, without "
    "outputs; src/ never imports or runs a notebook (MLC101-MLC105)",
    "data-files": "no data or model files by extension outside tests/fixtures/, nothing over the "
    "size limit (MLC201, MLC202)",
    "hyperparams": "no literal model/split/seed arguments in src/; they belong in conf/ (MLC301)",
    "configs": "the default Hydra config and each experiment preset compose and pass the schema; "
    "project.yaml validates (MLC401-MLC404)",
    "branch": "the pushed (or current) branch name follows git-flow (MLC501)",
}


def _report(findings: list[Finding]) -> int:
    for finding in sorted(findings):
        print(finding)
    return 1 if findings else 0


def _files(args: argparse.Namespace) -> tuple[list[str], Path]:
    """The FILES as repository-relative POSIX paths (all project files if none), and the root."""
    from pathlib import Path

    from mlcore.checks import project_files

    root = Path.cwd()
    if not args.files:
        return project_files(root), root
    paths = [Path(f).resolve() for f in args.files]
    return [
        p.relative_to(root).as_posix() if p.is_relative_to(root) else str(p) for p in paths
    ], root


def _notebooks(args: argparse.Namespace) -> int:
    from mlcore.checks.notebooks import check_files

    return _report(check_files(*_files(args)))


def _data_files(args: argparse.Namespace) -> int:
    from mlcore.checks.datafiles import ALLOWED, MAX_BYTES, check_files

    paths, root = _files(args)
    max_bytes = MAX_BYTES if args.max_kb is None else int(args.max_kb * 1000)
    return _report(
        check_files(paths, root, max_bytes=max_bytes, allowed=ALLOWED + tuple(args.allow))
    )


def _hyperparams(args: argparse.Namespace) -> int:
    from mlcore.checks.hyperparams import check_files

    return _report(check_files(*_files(args)))


def _configs(args: argparse.Namespace) -> int:
    from pathlib import Path

    from mlcore.checks.configs import check_configs

    findings = check_configs(
        Path(args.root), conf_dir=args.conf_dir, config_name=args.config_name, schema=args.schema
    )
    return _report(findings)


def _branch(args: argparse.Namespace) -> int:
    from pathlib import Path

    from mlcore.checks.branches import branch_to_check, check_branch

    name = args.name or branch_to_check(Path.cwd())
    return _report(check_branch(name) if name else [])


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``check`` and its sub-commands ``notebooks``, ``data-files``, ``hyperparams``, ``configs``, ``branch``."""
    check = commands.add_parser(
        "check",
        help="project policy checks (the pre-commit hooks)",
        description=__doc__.replace("``", ""),
    )
    checks = check.add_subparsers(dest="check", required=True, metavar="CHECK")
    handlers = {"notebooks": _notebooks, "data-files": _data_files, "hyperparams": _hyperparams}
    parsers = {}
    for name, handler in handlers.items():
        parsers[name] = checks.add_parser(name, help=_RULES[name], description=_RULES[name])
        parsers[name].add_argument("files", nargs="*", metavar="FILE")
        parsers[name].set_defaults(handler=handler)
    parsers["data-files"].add_argument(
        "--max-kb", type=float, help="size limit per file in kB (default: 1000)"
    )
    parsers["data-files"].add_argument(
        "--allow",
        action="append",
        default=[],
        metavar="GLOB",
        help="also allow data files matching GLOB ('*' matches '/'; tests/fixtures/* always is)",
    )

    configs = checks.add_parser("configs", help=_RULES["configs"], description=_RULES["configs"])
    configs.add_argument(
        "files", nargs="*", metavar="FILE", help="ignored: the whole conf/ is checked"
    )
    configs.add_argument("--root", default=".", help="the project root (default: .)")
    configs.add_argument("--conf-dir", default="conf", help="Hydra config folder under the root")
    configs.add_argument("--config-name", default="config", help="the primary config's name")
    configs.add_argument(
        "--no-schema",
        dest="schema",
        action="store_false",
        help="only compose; skip mlcore's pipeline config schema",
    )
    configs.set_defaults(handler=_configs)

    branch = checks.add_parser("branch", help=_RULES["branch"], description=_RULES["branch"])
    branch.add_argument(
        "name", nargs="?", help="the branch name (default: the pushed or current one)"
    )
    branch.set_defaults(handler=_branch)
