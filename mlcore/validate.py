"""Data validation with Great Expectations, declared in plain config.

Expectations are short mappings (usually a Hydra YAML list) translated to Great Expectations 1.x
classes and run with an ephemeral context: no GX folder, analytics and progress bars off, nothing
written to disk and nothing sent anywhere. Great Expectations is imported only when a validation
runs, so ``import mlcore.validate`` stays light.

Supported ``type`` values and their keys (every one also takes ``severity``: ``error``, the
default, fails the validation; ``warning`` only reports. ``mostly`` is the share of rows that must
pass, where it applies):

=====================  ==========================================================
``column_exists``      ``column``
``columns_match``      ``columns`` (exact set)
``dtype``              ``column``, ``dtype`` (pandas dtype name: ``int64``, ``float64``,
                       ``str`` (pandas 3 strings), ``object``, ``datetime64[us]``, ``bool``)
``not_null``           ``column``, ``mostly``
``null_share_at_most`` ``column``, ``max_share``
``unique``             ``column``, or ``columns`` for a compound key
``between``            ``column``, ``min``, ``max`` (either may be null), ``mostly``
``in_set``             ``column``, ``values``, ``mostly``
``row_count_between``  ``min``, ``max`` (either may be null)
=====================  ==========================================================

:func:`profile_expectations` drafts such a list from a trusted snapshot and
:func:`dump_expectations_yaml` writes it for a human to review and commit. A run returns a
:class:`ValidationResult`: pass/fail plus one row per expectation (observed value, unexpected
count and share, a sample of the offending rows), which writes itself as JSON or HTML.

Example:
    >>> import pandas as pd
    >>> from mlcore.validate import validate_frame
    >>> res = validate_frame(pd.DataFrame({"id": [1, 2]}), [{"type": "not_null", "column": "id"}])
    >>> res.success
    True
"""

from __future__ import annotations

import html
import json
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from mlcore._files import write_atomic
from mlcore.errors import ConfigError, DataError, MlcoreError

__all__ = [
    "EXPECTATION_TYPES",
    "TABLE_COLUMNS",
    "ValidationFailed",
    "ValidationResult",
    "check_expectations",
    "dump_expectations_yaml",
    "profile_expectations",
    "validate_frame",
]

log = logging.getLogger(__name__)

# type -> (required keys, optional keys); "severity" is allowed everywhere
_KEYS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "column_exists": (frozenset({"column"}), frozenset()),
    "columns_match": (frozenset({"columns"}), frozenset()),
    "dtype": (frozenset({"column", "dtype"}), frozenset()),
    "not_null": (frozenset({"column"}), frozenset({"mostly"})),
    "null_share_at_most": (frozenset({"column", "max_share"}), frozenset()),
    "unique": (frozenset(), frozenset({"column", "columns"})),
    "between": (frozenset({"column"}), frozenset({"min", "max", "mostly"})),
    "in_set": (frozenset({"column", "values"}), frozenset({"mostly"})),
    "row_count_between": (frozenset(), frozenset({"min", "max"})),
}
EXPECTATION_TYPES = tuple(_KEYS)
_SEVERITIES = ("error", "warning")
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
            sample = json.dumps(rec["bad_rows"], ensure_ascii=False) if rec["bad_rows"] else ""
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


def check_expectations(expectations: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Check types, keys and severities; return plain dicts. Errors name the list position.

    Example:
        >>> check_expectations([{"type": "between", "column": "a", "mx": 1}])
        Traceback (most recent call last):
        ...
        mlcore.errors.ConfigError: validation.expectations[0] (between): unknown key(s) ['mx']; allowed: ['column', 'max', 'min', 'mostly', 'severity']
    """
    specs = []
    for i, raw in enumerate(expectations):
        spec = dict(raw)
        kind = spec.get("type")
        where = f"validation.expectations[{i}]"
        if kind not in _KEYS:
            raise ConfigError(
                f"{where}: unknown expectation type {kind!r}; use one of {list(EXPECTATION_TYPES)}"
            )
        where = f"{where} ({kind})"
        required, optional = _KEYS[kind]
        allowed = required | optional | {"severity"}
        unknown = sorted(set(spec) - allowed - {"type"})
        if unknown:
            raise ConfigError(f"{where}: unknown key(s) {unknown}; allowed: {sorted(allowed)}")
        absent = sorted(required - set(spec))
        if absent:
            raise ConfigError(f"{where}: missing key(s) {absent}")
        if kind == "unique" and ("column" in spec) == ("columns" in spec):
            raise ConfigError(f"{where}: give exactly one of 'column' or 'columns'")
        if kind in ("between", "row_count_between") and spec.get("min") is None is spec.get("max"):
            raise ConfigError(f"{where}: give 'min', 'max' or both")
        if spec.get("severity", "error") not in _SEVERITIES:
            raise ConfigError(
                f"{where}: severity must be one of {list(_SEVERITIES)}, got {spec['severity']!r}"
            )
        specs.append(spec)
    return specs


def _describe(spec: Mapping[str, Any]) -> str:
    details = ", ".join(f"{k}={v}" for k, v in spec.items() if k not in ("type", "severity"))
    return f"{spec['type']}({details})"


def _to_gx(spec: Mapping[str, Any], gxe: Any) -> Any:
    column = spec.get("column")
    mostly = {"mostly": float(spec["mostly"])} if "mostly" in spec else {}
    builders = {
        "column_exists": lambda: gxe.ExpectColumnToExist(column=column),
        "columns_match": lambda: gxe.ExpectTableColumnsToMatchSet(
            column_set=list(spec["columns"]), exact_match=True
        ),
        "dtype": lambda: gxe.ExpectColumnValuesToBeOfType(column=column, type_=str(spec["dtype"])),
        "not_null": lambda: gxe.ExpectColumnValuesToNotBeNull(column=column, **mostly),
        "null_share_at_most": lambda: gxe.ExpectColumnValuesToNotBeNull(
            column=column, mostly=1.0 - float(spec["max_share"])
        ),
        "unique": lambda: (
            gxe.ExpectColumnValuesToBeUnique(column=column)
            if column
            else gxe.ExpectCompoundColumnsToBeUnique(column_list=list(spec["columns"]))
        ),
        "between": lambda: gxe.ExpectColumnValuesToBeBetween(
            column=column, min_value=spec.get("min"), max_value=spec.get("max"), **mostly
        ),
        "in_set": lambda: gxe.ExpectColumnValuesToBeInSet(
            column=column, value_set=list(spec["values"]), **mostly
        ),
        "row_count_between": lambda: gxe.ExpectTableRowCountToBeBetween(
            min_value=spec.get("min"), max_value=spec.get("max")
        ),
    }
    return builders[spec["type"]]()


def _exception_message(info: Mapping[str, Any] | None) -> str | None:
    """GX reports errors either flat or keyed by metric id; return the first message found."""
    if not info:
        return None
    if "exception_message" in info:
        return str(info["exception_message"]) if info.get("raised_exception", True) else None
    for value in info.values():
        if isinstance(value, Mapping) and (message := _exception_message(value)):
            return message
    return None


def _observed(result: Mapping[str, Any], exception: Mapping[str, Any] | None) -> str:
    if message := _exception_message(exception):
        return message.splitlines()[0][:200]
    if "observed_value" in result:
        return str(result["observed_value"])[:200]
    if result.get("unexpected_count") is not None:
        share = result.get("unexpected_percent")
        sample = result.get("partial_unexpected_list") or []
        share_text = "" if share is None else f" ({share:.3g}%)"
        return f"{result['unexpected_count']} unexpected{share_text}, e.g. {sample[:5]}"
    return ""


def _bad_rows(frame: pd.DataFrame, index: Sequence[Any], size: int) -> list[dict[str, Any]]:
    """Up to ``size`` rows of ``frame`` by index label, as JSON-safe records."""
    labels = [i for i in dict.fromkeys(index) if i in frame.index][:size]
    if not labels:
        return []
    rows = frame.loc[labels].head(size)
    rows = rows.set_axis(pd.Index(rows.index, name="_row")).reset_index()
    return json.loads(rows.to_json(orient="records", date_format="iso"))


def validate_frame(
    frame: pd.DataFrame,
    expectations: Sequence[Mapping[str, Any]],
    name: str = "data",
    *,
    sample_size: int = 5,
) -> ValidationResult:
    """Run ``expectations`` against ``frame`` with Great Expectations (ephemeral, offline).

    Example:
        >>> validate_frame(pd.DataFrame({"a": [5]}), [{"type": "between", "column": "a", "max": 1}]).success
        False
    """
    if sample_size < 1:
        raise ValueError(f"validate_frame: sample_size must be >= 1, got {sample_size}")
    specs = check_expectations(expectations)
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    import great_expectations as gx
    import great_expectations.expectations as gxe
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.enable_analytics(False)
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    batch = (
        context.data_sources.add_pandas(name=f"{name}_source")
        .add_dataframe_asset(name=name)
        .add_batch_definition_whole_dataframe("whole")
    )
    suite = context.suites.add(gx.ExpectationSuite(name=f"{name}_suite"))
    ids = [suite.add_expectation(_to_gx(spec, gxe)).id for spec in specs]
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name=f"{name}_validation", data=batch, suite=suite)
    )
    run = definition.run(
        batch_parameters={"dataframe": frame},
        result_format={"result_format": "SUMMARY", "partial_unexpected_count": sample_size},
    )
    by_id = {res.expectation_config.id: res for res in run.results}  # GX does not keep the order
    rows = []
    for spec, expectation_id in zip(specs, ids, strict=True):
        res = by_id[expectation_id]
        result = res.result or {}
        column = spec.get("column") or (
            ",".join(spec["columns"]) if spec["type"] == "unique" else None
        )
        rows.append(
            {
                "expectation": _describe(spec),
                "type": spec["type"],
                "column": column,
                "severity": spec.get("severity", "error"),
                "success": bool(res.success),
                "observed": _observed(result, res.exception_info)
                or ("" if res.success else "not found"),
                "unexpected_count": result.get("unexpected_count"),
                "unexpected_percent": result.get("unexpected_percent"),
                "bad_rows": _bad_rows(
                    frame, result.get("partial_unexpected_index_list") or [], sample_size
                ),
            }
        )
    table = pd.DataFrame(rows, columns=TABLE_COLUMNS).astype(
        {"unexpected_count": "Int64", "unexpected_percent": "float64"}
    )
    ok = bool(table.loc[table["severity"] == "error", "success"].all())
    return ValidationResult(success=ok, table=table, name=name)


# --------------------------------------------------------------------------------------------
# Profiling a trusted snapshot into an expectation list
# --------------------------------------------------------------------------------------------


def _round_out(value: float, *, up: bool, integer: bool, decimals: int = 4) -> int | float:
    scale = 1 if integer else 10**decimals
    rounded = (math.ceil if up else math.floor)(value * scale) / scale
    return int(rounded) if integer else float(rounded)


def _column_expectations(
    name: str, series: pd.Series, *, max_categories: int, margin: float, is_key: bool
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [
        {"type": "column_exists", "column": name},
        {"type": "dtype", "column": name, "dtype": str(series.dtype)},
    ]
    null_share = float(series.isna().mean()) if len(series) else 0.0
    if null_share == 0.0:
        out.append({"type": "not_null", "column": name})
    elif null_share < 1.0:  # allow the share to double, by at least one point
        cap = min(1.0, null_share + max(null_share, 0.01))
        out.append({"type": "null_share_at_most", "column": name, "max_share": round(cap, 4)})
    values = series.dropna()
    if is_key or values.empty or pd.api.types.is_datetime64_any_dtype(series):
        return out
    is_bool = pd.api.types.is_bool_dtype(series)
    if pd.api.types.is_numeric_dtype(series) and not is_bool:
        if set(values.unique().tolist()) <= {0, 1}:  # a 0/1 flag or label
            out.append({"type": "in_set", "column": name, "values": [0, 1]})
            return out
        lo, hi = float(values.min()), float(values.max())
        span = margin * (hi - lo)
        integer = pd.api.types.is_integer_dtype(series)
        low = _round_out(lo - span, up=False, integer=integer)
        out.append(
            {
                "type": "between",
                "column": name,
                "min": max(low, 0) if lo >= 0 else low,  # never-negative columns stay so
                "max": _round_out(hi + span, up=True, integer=integer),
            }
        )
        return out
    distinct = values.unique()
    if len(distinct) <= max_categories:
        cast = bool if is_bool else str
        out.append({"type": "in_set", "column": name, "values": sorted(cast(v) for v in distinct)})
    return out


def profile_expectations(
    frame: pd.DataFrame,
    *,
    entity_col: str | None = None,
    date_col: str | None = None,
    max_categories: int = 20,
    margin: float = 0.1,
    row_count_range: tuple[float, float | None] = (0.5, 2.0),
) -> list[dict[str, Any]]:
    """Draft an expectation list from a trusted snapshot, for a human to review and commit.

    Per column: it exists and keeps its dtype; ``not_null`` when it has no nulls, otherwise
    ``null_share_at_most`` twice the observed share (at least one point more); numeric columns
    ``between`` their range widened by ``margin`` times the range (a column that is never
    negative keeps a lower bound of 0), or ``in_set [0, 1]`` for 0/1 flags; strings, booleans
    and categoricals with at most ``max_categories`` values ``in_set``. Datetime columns get no
    range, nor do ``entity_col`` and ``date_col`` (new ids and dates are expected).
    ``entity_col`` is ``unique`` on its own, or together with ``date_col`` for a panel
    (neither when the snapshot has duplicates: a warning is logged). The row count must lie in
    ``row_count_range`` times the snapshot's (``None``: no upper bound).

    Example:
        >>> df = pd.DataFrame({"id": [1, 2, 3], "plan": ["a", "b", "a"]})
        >>> [e["type"] for e in profile_expectations(df, entity_col="id")][:3]
        ['row_count_between', 'column_exists', 'dtype']
    """
    wanted = [c for c in (entity_col, date_col) if c is not None]
    missing = [c for c in wanted if c not in frame.columns]
    if missing:
        raise DataError(f"profile_expectations: column(s) {missing} not in the snapshot")
    if frame.empty:
        raise DataError("profile_expectations: the snapshot has no rows to learn from")
    if margin < 0:
        raise ValueError(f"profile_expectations: margin must be >= 0, got {margin}")
    low, high = row_count_range
    n = len(frame)
    out: list[dict[str, Any]] = [
        {
            "type": "row_count_between",
            "min": math.floor(n * low),
            "max": None if high is None else math.ceil(n * high),
        }
    ]
    for name in frame.columns:
        out += _column_expectations(
            str(name),
            frame[name],
            max_categories=max_categories,
            margin=margin,
            is_key=name in wanted,
        )
    if entity_col is not None:
        keys = [[entity_col]] + ([[entity_col, date_col]] if date_col else [])
        key = next((k for k in keys if not frame.duplicated(subset=k).any()), None)
        if key is None:
            log.warning("profile_expectations: %s has duplicates; no 'unique' expectation", keys)
        elif len(key) == 1:
            out.append({"type": "unique", "column": entity_col})
        else:
            out.append({"type": "unique", "columns": key})
    return out


def dump_expectations_yaml(
    expectations: Sequence[Mapping[str, Any]], path: str | Path, *, source: str = "a snapshot"
) -> Path:
    """Write ``expectations`` as a Hydra ``validation`` group file (atomically), after checking it.

    Example:
        >>> import tempfile
        >>> p = dump_expectations_yaml([{"type": "not_null", "column": "id"}], Path(tempfile.mkdtemp()) / "v.yaml")
        >>> print(p.read_text().splitlines()[-3:])
        ['expectations:', '- type: not_null', '  column: id']
    """
    from omegaconf import OmegaConf

    specs = check_expectations(expectations)
    body = OmegaConf.to_yaml(OmegaConf.create({"expectations": specs}))
    header = (
        f"# Profiled from {source} by mlcore.validate.profile_expectations.\n"
        "# Review every bound and set, loosen or delete what is too strict, then commit.\n"
        "# severity: error stops the pipeline; warning only reports.\n"
    )
    return write_atomic(Path(path), header + body)
