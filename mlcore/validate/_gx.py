"""Translating expectation specs to Great Expectations 1.x and running them on a frame.

Great Expectations is imported inside :func:`validate_frame` only, so importing this module stays
light.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from mlcore.errors import ConfigError
from mlcore.validate._result import TABLE_COLUMNS, ValidationResult
from mlcore.validate._spec import _describe, check_expectations

__all__ = ["validate_frame"]


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
        raise ConfigError(f"validate_frame: sample_size must be >= 1, got {sample_size}")
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
    # GX's context outlives this call and its data source caches the batch: let go of the frame,
    # so the table is freed once the pipeline no longer needs it.
    context.data_sources.delete(f"{name}_source")
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
