"""The team's view: every project of an MLflow server (or of local folders) side by side.

``mlcore portfolio --tracking-uri URL`` (or ``--projects DIR…``) writes ``portfolio.html`` (one
self-contained page: inline CSS and script, no external URL; sort by any column, filter by text,
stage, open alerts and staleness), ``portfolio.md`` and ``portfolio.json``. Per project: the
profile and lifecycle stage, the champion and the newest version with the gate's verdict and
bootstrap intervals, the test metric against the baseline, the last run and the last successful
one, the last drift check, open alerts, how far the template commit and the mlcore version lag
the newest in use, and staleness (no run in ``stale_days``). A duplication view lists projects
that share a target, raw data or features.

The server knows each project from the experiment tags every training run writes
(:mod:`mlcore._profile_tags`). Private modules: ``_records`` (:class:`Project`,
:class:`Portfolio`), ``_collect`` (reading a store), ``_status`` (lags, staleness, alerts),
``_duplicates``, ``_page`` (HTML, markdown, JSON) and ``_assets`` (its inline CSS and
script).

Example (needs a store)::

    portfolio = build_portfolio(tracking_uri="http://mlflow.team:5000", stale_days=30)
    write_portfolio(portfolio, Path("reports/portfolio"))
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mlcore._files import write_atomic
from mlcore.errors import ConfigError
from mlcore.portfolio._collect import from_folders, from_server
from mlcore.portfolio._duplicates import find_duplicates, normalize
from mlcore.portfolio._page import render_html, render_json, render_markdown
from mlcore.portfolio._records import Portfolio, Project
from mlcore.portfolio._status import apply_status, version_key

__all__ = [
    "Portfolio",
    "Project",
    "apply_status",
    "build_portfolio",
    "find_duplicates",
    "from_folders",
    "from_server",
    "normalize",
    "render_html",
    "render_json",
    "render_markdown",
    "version_key",
    "write_portfolio",
]


def build_portfolio(
    *,
    client: Any | None = None,
    tracking_uri: str | None = None,
    folders: Sequence[str | Path] | None = None,
    stale_days: float = 30,
    feature_overlap: float = 0.8,
    now: datetime | None = None,
) -> Portfolio:
    """Read the projects of a store (``client`` on ``tracking_uri``) or of ``folders``, and work
    out their lags, staleness, alerts and matches.

    Example:
        >>> build_portfolio(folders=["/nonexistent"])
        Traceback (most recent call last):
        ...
        mlcore.errors.DataError: --projects /nonexistent: no such folder
    """
    if stale_days < 0:
        raise ConfigError(f"--stale-days must be 0 or more, got {stale_days:g}")
    if not 0 < feature_overlap <= 1:
        raise ConfigError(f"--feature-overlap must be in (0, 1], got {feature_overlap:g}")
    if (folders is None) == (tracking_uri is None):
        raise ConfigError("give a tracking URI or project folders, not both or neither")
    if folders is not None:
        projects, source = from_folders(folders), ", ".join(map(str, folders))
    else:
        if client is None:
            from mlflow import MlflowClient

            from mlcore.track import disable_telemetry

            disable_telemetry()
            client = MlflowClient(tracking_uri=tracking_uri)
        projects, source = from_server(client, str(tracking_uri)), str(tracking_uri)
    now = now or datetime.now(UTC)
    newest = apply_status(projects, stale_days, now)
    return Portfolio(
        source=source,
        generated_at=now.isoformat(timespec="seconds"),
        stale_days=stale_days,
        projects=projects,
        duplicates=find_duplicates(projects, feature_overlap),
        newest=newest,
    )


def write_portfolio(portfolio: Portfolio, folder: Path) -> dict[str, Path]:
    """Write ``portfolio.html``, ``portfolio.md`` and ``portfolio.json`` into ``folder``.

    Example:
        >>> import tempfile
        >>> empty = Portfolio("x", "2026-12-01T00:00:00+00:00", 30, [])
        >>> out = write_portfolio(empty, Path(tempfile.mkdtemp()))
        >>> sorted(out)
        ['html', 'json', 'markdown']
    """
    return {
        "html": write_atomic(folder / "portfolio.html", render_html(portfolio)),
        "markdown": write_atomic(folder / "portfolio.md", render_markdown(portfolio)),
        "json": write_atomic(folder / "portfolio.json", render_json(portfolio)),
    }
