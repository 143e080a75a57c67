"""``mlcore portfolio``: every project of the team's MLflow server (or local folders) on one page.

Writes ``portfolio.html`` (self-contained: sort and filter work offline), ``portfolio.md`` and
``portfolio.json`` into ``--output`` and prints one line per project. Exit 1 with one ``ERROR:``
line when the store cannot be read or an argument is wrong.
"""

from __future__ import annotations

import argparse
import os

_PROBE_SECONDS = 10


def _probe(uri: str) -> None:
    """Fail fast when no MLflow server answers at an http(s) URI (the client retries minutes)."""
    import urllib.request

    from mlcore.errors import DataError

    if not uri.startswith(("http://", "https://")):
        return
    try:
        with urllib.request.urlopen(f"{uri.rstrip('/')}/health", timeout=_PROBE_SECONDS):
            return
    except OSError as exc:
        raise DataError(f"no MLflow server answers at {uri} ({exc})") from None


def _build(args: argparse.Namespace) -> str:
    from pathlib import Path

    from mlcore.portfolio import build_portfolio, write_portfolio

    options = {"stale_days": args.stale_days, "feature_overlap": args.feature_overlap}
    if args.projects:
        portfolio = build_portfolio(folders=args.projects, **options)
    else:
        from mlcore._commands.runs import open_store

        uri = args.tracking_uri
        _probe(uri)
        portfolio = build_portfolio(client=open_store(uri), tracking_uri=uri, **options)
    written = write_portfolio(portfolio, Path(args.output))
    lines = []
    for p in portfolio.projects:
        champion = f"v{p.champion['version']}" if p.champion else "no champion"
        alerts = f"{len(p.alerts)} alert(s)" if p.alerts else "no alert"
        lines.append(f"{p.id:<24} {p.status or '?':<19} {champion:<12} {alerts}")
    lines.append(
        f"\n{len(portfolio.projects)} project(s), {len(portfolio.duplicates)} duplication "
        f"match(es); wrote {written['html']}, {written['markdown']} and {written['json']}"
    )
    return "\n".join(lines)


def _portfolio(args: argparse.Namespace) -> int:
    from mlcore.errors import run_main

    code, text = run_main(lambda: _build(args))
    if text is not None:
        print(text)
    return code


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``portfolio``."""
    parser = commands.add_parser(
        "portfolio", help="every project of an MLflow server (or local folders) on one page"
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--tracking-uri",
        default=os.environ.get("MLFLOW_TRACKING_URI", "sqlite:///mlflow.db"),
        help="the team's MLflow server (default: $MLFLOW_TRACKING_URI or %(default)s)",
    )
    source.add_argument(
        "--projects",
        nargs="+",
        metavar="DIR",
        help="local project folders (project.yaml, .cruft.json, mlflow.db) instead of a server",
    )
    parser.add_argument(
        "--stale-days",
        type=float,
        default=30,
        help="a project with no training run in this many days is stale (default: %(default)s)",
    )
    parser.add_argument(
        "--feature-overlap",
        type=float,
        default=0.8,
        help="feature lists sharing this share of their union are duplicates (default: 0.8)",
    )
    parser.add_argument(
        "--output", default="reports/portfolio", help="folder for portfolio.html, .md, .json"
    )
    parser.set_defaults(handler=_portfolio)
