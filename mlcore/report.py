"""Self-contained HTML and markdown reports from tables and matplotlib figures.

The HTML file embeds its figures (base64 PNG), so it can be mailed or attached to an MLflow run as
one file; the markdown file links the PNGs written next to it under ``figures/``.

Example:
    >>> import tempfile, pandas as pd
    >>> from pathlib import Path
    >>> from mlcore.report import Report, Section, write_report
    >>> rep = Report("Demo", [Section("Numbers", table=pd.DataFrame({"a": [1]}))])
    >>> html, md = write_report(rep, Path(tempfile.mkdtemp()))
    >>> html.name, md.name
    ('report.html', 'report.md')
"""

from __future__ import annotations

import base64
import html
import io
import json
import re
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from mlcore._files import write_atomic

__all__ = ["Report", "Section", "markdown_table", "write_index", "write_report"]

_STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem auto;max-width:1240px;
color:#222;padding:0 1rem}
h1{border-bottom:2px solid #444}h2{margin-top:2rem;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem;max-width:100%}
div.table{max-width:100%;overflow-x:auto}
th,td{border:1px solid #ddd;padding:.25rem .6rem;text-align:right;overflow-wrap:break-word}
th{background:#f3f3f3}table.index td,table.index th{text-align:left}
td:first-child,th:first-child{text-align:left}.fail{color:#b00020;font-weight:600}
img{max-width:100%;border:1px solid #eee;margin:.5rem 0}p.note{color:#555}
"""


@dataclass
class Section:
    """A titled part of a report: optional text, one table and any number of named figures."""

    title: str
    text: str = ""
    table: pd.DataFrame | None = None
    figures: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class Report:
    """A report: a title, a subtitle line (run id, model...) and its sections."""

    title: str
    sections: list[Section]
    subtitle: str = ""


# A figure's PNG, rendered once: the report is written again with the gate's verdict (register).
_PNGS: weakref.WeakKeyDictionary[Any, bytes] = weakref.WeakKeyDictionary()


def _png(figure: Any) -> bytes:
    if figure not in _PNGS:
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
        _PNGS[figure] = buffer.getvalue()
    return _PNGS[figure]


def _fmt(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.map(lambda v: f"{v:.4g}" if isinstance(v, float) else v)


def write_report(report: Report, directory: Path, stem: str = "report") -> tuple[Path, Path]:
    """Write ``<stem>.html`` (self-contained) and ``<stem>.md`` (+ ``figures/*.png``) atomically."""
    html_parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>{html.escape(report.title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{html.escape(report.title)}</h1>",
    ]
    md_parts = [f"# {report.title}", ""]
    if report.subtitle:
        html_parts.append(f"<p class='note'>{html.escape(report.subtitle)}</p>")
        md_parts += [report.subtitle, ""]
    for section in report.sections:
        html_parts.append(f"<h2>{html.escape(section.title)}</h2>")
        md_parts += [f"## {section.title}", ""]
        if section.text:
            html_parts.append(f"<p>{html.escape(section.text)}</p>")
            md_parts += [section.text, ""]
        if section.table is not None:
            shown = _fmt(section.table)
            table_html = shown.to_html(index=False, border=0, escape=True)
            html_parts.append(f"<div class='table'>{table_html}</div>")
            md_parts += [markdown_table(shown), ""]
        for name, figure in section.figures.items():
            png = _png(figure)
            write_atomic(directory / "figures" / f"{name}.png", png)
            encoded = base64.b64encode(png).decode()
            html_parts.append(
                f"<img alt='{html.escape(name)}' src='data:image/png;base64,{encoded}'>"
            )
            md_parts += [f"![{name}](figures/{name}.png)", ""]
    html_parts.append("</body></html>")
    html_path = write_atomic(directory / f"{stem}.html", "\n".join(html_parts))
    md_path = write_atomic(directory / f"{stem}.md", "\n".join(md_parts))
    return html_path, md_path


def markdown_table(frame: pd.DataFrame) -> str:
    """A pipe table of ``frame`` (header, rule, one line per row; values as ``str``).

    Example:
        >>> print(markdown_table(pd.DataFrame({"a": [1], "b": ["x"]})))
        | a | b |
        |---|---|
        | 1 | x |
    """
    header = "| " + " | ".join(map(str, frame.columns)) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    rows = ["| " + " | ".join(map(str, row)) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([header, rule, *rows])


# The reports of a project's reports/ folder: title, file pattern, and the file naming the MLflow
# run that wrote it ("{dir}": the report's own folder).
_INDEXED = (
    ("Evaluation", "report.html", "evaluation.provenance.json"),
    ("Validation", "validation/*.html", "{dir}/validation.provenance.json"),
    ("Model card", "model_card.md", None),
    ("Drift", "drift/*/report.html", "{dir}/drift.provenance.json"),
    ("Runs table", "runs/runs.md", None),
)
_CARD_RUN = re.compile(r"MLflow run `([0-9a-f]{32})`")


def _made_by(directory: Path, path: Path, provenance: str | None) -> str:
    """The MLflow run id that wrote ``path`` ("" when nothing says)."""
    if provenance is None:
        found = _CARD_RUN.search(path.read_text()) if path.suffix == ".md" else None
        return found.group(1) if found else ""
    source = directory / provenance.format(dir=path.parent.relative_to(directory))
    if not source.is_file():
        return ""
    return str(json.loads(source.read_text()).get("run_id", ""))


def write_index(directory: Path, max_drift: int = 10) -> Path:
    """Write ``index.html`` in a project's reports folder: a link to each report there
    (evaluation, validation, model card, the newest ``max_drift`` drift reports, the runs table),
    the MLflow run that made it and when it was written.

    Example:
        >>> import tempfile
        >>> folder = Path(tempfile.mkdtemp())
        >>> _ = write_report(Report("Demo", []), folder)
        >>> "report.html" in write_index(folder).read_text()
        True
    """
    rows = []
    for title, pattern, provenance in _INDEXED:
        found = sorted(directory.glob(pattern), key=lambda p: p.stat().st_mtime, reverse=True)
        for path in found[:max_drift] if title == "Drift" else found:
            written = datetime.fromtimestamp(path.stat().st_mtime, UTC)
            link = path.relative_to(directory).as_posix()
            run = _made_by(directory, path, provenance)
            rows.append(
                f"<tr><td>{title}</td><td><a href='{html.escape(link)}'>{html.escape(link)}</a>"
                f"</td><td><code>{run or '—'}</code></td>"
                f"<td>{written:%Y-%m-%d %H:%M:%S} UTC</td></tr>"
            )
    body = "\n".join(rows) or "<tr><td colspan='4'>no reports yet (make run)</td></tr>"
    page = (
        "<!doctype html><html><head><meta charset='utf-8'><title>Reports</title>"
        f"<style>{_STYLE}</style></head><body><h1>Reports</h1>"
        "<p class='note'>The reports of this project and the MLflow run that made each "
        "(<code>make ui</code> opens the runs).</p><table class='index'><thead><tr><th>report</th><th>file</th>"
        f"<th>MLflow run</th><th>written</th></tr></thead><tbody>\n{body}\n</tbody></table>"
        "</body></html>\n"
    )
    return write_atomic(directory / "index.html", page)
