"""The outcome of a validation: :class:`ValidationResult` (table, JSON, HTML) and its error."""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from mlcore._files import write_atomic
from mlcore.errors import MlcoreError

__all__ = ["TABLE_COLUMNS", "ValidationFailed", "ValidationResult"]

TABLE_COLUMNS = [
    "expectation",
    "type",
    "column",
    "severity",
    "success",
    "observed",
    "unexpected_count",
    "unexpected_percent",
    "bad_rows",
]


class ValidationFailed(MlcoreError):
    """Raised when an ``error``-severity expectation fails; carries the result."""

    def __init__(self, result: ValidationResult, where: str) -> None:
        self.result = result
        failed = "; ".join(result.failed_descriptions())
        super().__init__(f"data validation of {where} failed: {failed}")


@dataclass(frozen=True)
class ValidationResult:
    """Outcome of a validation: ``success`` is False when an error-severity expectation failed.

    ``table`` has one row per expectation, in config order, with :data:`TABLE_COLUMNS`:
    ``observed`` is GX's observed value, its error message, or the unexpected count with
    examples; ``bad_rows`` holds up to ``sample_size`` offending rows as records (with their
    index as ``_row``).

    Example:
        >>> import pandas as pd
        >>> from mlcore.validate import validate_frame
        >>> res = validate_frame(pd.DataFrame({"a": [5]}), [{"type": "between", "column": "a", "max": 1}])
        >>> res.failed_descriptions()
        ['between(column=a, max=1) (observed: 1 unexpected (100%), e.g. [5])']
    """

    success: bool
    table: pd.DataFrame
    name: str = "data"

    def failed_descriptions(self, severity: str = "error") -> list[str]:
        """One line per failed expectation of ``severity``, with what was observed."""
        rows = self.table[(~self.table["success"]) & (self.table["severity"] == severity)]
        return [f"{r.expectation} (observed: {r.observed})" for r in rows.itertuples()]

    def statistics(self) -> dict[str, int]:
        """Counts of evaluated expectations and of failures by severity."""
        failed = self.table[~self.table["success"]]
        return {
            "evaluated": len(self.table),
            "failed_errors": int((failed["severity"] == "error").sum()),
            "failed_warnings": int((failed["severity"] == "warning").sum()),
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: name, success, statistics and one record per expectation."""
        records = json.loads(self.table.to_json(orient="records", date_format="iso"))
        return {
            "name": self.name,
            "success": self.success,
            "statistics": self.statistics(),
            "results": records,
        }

    def to_json(self, path: str | Path | None = None) -> str:
        """The result as indented JSON; also written atomically to ``path`` when given."""
        text = json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"
        if path is not None:
            write_atomic(Path(path), text)
        return text

    def to_html(self, path: str | Path | None = None) -> str:
        """A self-contained HTML page; also written atomically to ``path`` when given."""
        stats = self.statistics()
        verdict = "PASSED" if self.success else "FAILED"
        rows = []
        for rec in self.to_dict()["results"]:
            status = "pass" if rec["success"] else f"fail-{rec['severity']}"
            # a passing check's tolerated rows (a null share under its limit) are no finding
            failing = rec["bad_rows"] and not rec["success"]
            sample = json.dumps(rec["bad_rows"], ensure_ascii=False) if failing else ""
            count = "" if rec["unexpected_count"] is None else str(rec["unexpected_count"])
            cells = [
                rec["expectation"],
                rec["severity"],
                "pass" if rec["success"] else "FAIL",
                rec["observed"],
                count,
            ]
            tds = "".join(f"<td>{html.escape(str(c))}</td>" for c in cells)
            rows.append(f'<tr class="{status}">{tds}<td><pre>{html.escape(sample)}</pre></td></tr>')
        header = "".join(
            f"<th>{h}</th>"
            for h in ("expectation", "severity", "result", "observed", "unexpected", "bad rows")
        )
        page = (
            "<!doctype html>\n<html><head><meta charset='utf-8'>"
            f"<title>Data validation: {html.escape(self.name)}</title><style>"
            "body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse}"
            "td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top;text-align:left}"
            "pre{margin:0;white-space:pre-wrap;max-width:40em;font-size:85%}"
            ".fail-error{background:#fde2e1}.fail-warning{background:#fff3cd}"
            "</style></head><body>\n"
            f"<h1>Data validation: {html.escape(self.name)}: {verdict}</h1>\n"
            f"<p>{stats['evaluated']} expectations; {stats['failed_errors']} failed with severity "
            f"error, {stats['failed_warnings']} with severity warning.</p>\n"
            f"<table><thead><tr>{header}</tr></thead><tbody>\n"
            + "\n".join(rows)
            + "\n</tbody></table></body></html>\n"
        )
        if path is not None:
            write_atomic(Path(path), page)
        return page
