"""Batch scoring with the registered champion: ``make predict`` in a generated project.

:func:`score_batch` loads ``models:/<name>@champion`` (pinned to the version the alias points to
when scoring starts), checks the scoring table against the model's signature (every missing or
mistyped column named at once) and against the project's validation suite (expectations on the
target column left out: scoring data has no label), scores the raw rows (the model computes
their activity features; rows at a finer time grain than its periods get one warning), then
writes one Parquet file of predictions to ``predict.output_dir``: entity id, date (when the
table has one), ``score`` (probability of the positive class), ``model_name``,
``model_version`` and ``run_id``. The file is written through a temporary file and a rename
under a new unique name, so an earlier output is never overwritten and a failed run leaves
nothing behind. The registry is only read.

``predict`` config keys: ``input`` (a CSV or Parquet path; null: the table of the ``data`` group
without its target) and ``output_dir``.

Example (inside a generated project, through Hydra)::

    python -m my_project.predict predict.input=data/raw/new_customers.parquet
"""

from __future__ import annotations

import logging
import uuid
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mlcore import track
from mlcore._files import write_atomic
from mlcore._progress import Stages
from mlcore._schema import section
from mlcore.activity import FinerGrainWarning
from mlcore.config import check_config
from mlcore.data import READERS, load_table
from mlcore.errors import DataError, run_main
from mlcore.targets import target_settings
from mlcore.validate import ValidationFailed, ValidationResult, validate_frame

__all__ = [
    "SCORE_COL",
    "Champion",
    "PredictionResult",
    "check_schema",
    "grain_warnings",
    "load_champion",
    "main",
    "read_table",
    "score_batch",
    "score_frame",
    "scoring_expectations",
]

log = logging.getLogger(__name__)

SCORE_COL = "score"
_DEFAULTS = {"input": None, "output_dir": None, "reason_codes": 3}


def _is_number(dtype: Any) -> bool:
    return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)


def _is_text(dtype: Any) -> bool:
    return pd.api.types.is_string_dtype(dtype) or pd.api.types.is_object_dtype(dtype)


# MLflow column type -> (accepted pandas dtype test, readable description)
_TYPE_CHECKS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "boolean": (pd.api.types.is_bool_dtype, "booleans"),
    "integer": (pd.api.types.is_integer_dtype, "integers"),
    "long": (pd.api.types.is_integer_dtype, "integers"),
    "float": (_is_number, "numbers"),
    "double": (_is_number, "numbers"),
    "string": (_is_text, "strings"),
    "datetime": (pd.api.types.is_datetime64_any_dtype, "datetimes"),
    "binary": (pd.api.types.is_object_dtype, "bytes"),
}


def read_table(
    path: str | Path, where: str, *, text: Sequence[str] = (), date_col: str | None = None
) -> pd.DataFrame:
    """Read a CSV or Parquet file (by suffix); errors name ``where`` and the path.

    CSV columns named in ``text`` are read as strings (a zip code stays ``"01234"``, not an
    integer) and ``date_col`` is parsed as dates, as :func:`mlcore.data.load_table` does.

    Example:
        >>> read_table("nope.csv", "predict.input")
        Traceback (most recent call last):
        ...
        mlcore.errors.DataError: predict.input nope.csv: no such file
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in READERS:
        raise DataError(f"{where} {path}: unsupported file type; use one of {sorted(READERS)}")
    if not path.is_file():
        raise DataError(f"{where} {path}: no such file")
    if suffix == ".csv":
        frame = pd.read_csv(path, dtype=dict.fromkeys(text, "str"))
    else:
        frame = READERS[suffix](path)
    if date_col in frame.columns and not pd.api.types.is_datetime64_any_dtype(frame[date_col]):
        try:
            frame[date_col] = pd.to_datetime(frame[date_col], errors="raise")
        except (ValueError, TypeError) as exc:
            raise DataError(f"{where} {path}: column {date_col!r} is not dates: {exc}") from None
    return frame


def check_schema(frame: pd.DataFrame, schema: Any, where: str) -> pd.DataFrame:
    """The columns of ``frame`` the model's input ``schema`` names, in its order, type-checked.

    Every missing or mistyped column is named in one :class:`DataError`. Text columns the schema
    declares as datetimes (CSV input) are parsed; extra columns are ignored.

    Example:
        >>> from mlflow.types import ColSpec, Schema
        >>> check_schema(pd.DataFrame({"a": ["x"]}), Schema([ColSpec("long", "a")]), "batch")
        Traceback (most recent call last):
        ...
        mlcore.errors.DataError: batch does not match the model signature: column 'a' must hold integers (long), got str
    """
    problems = []
    columns = {}
    for spec in schema.inputs:
        name, kind = spec.name, spec.type.name
        if name not in frame.columns:
            problems.append(f"column {name!r} is missing")
            continue
        column = frame[name]
        if kind == "datetime" and not pd.api.types.is_datetime64_any_dtype(column):
            try:
                column = pd.to_datetime(column, errors="raise")
            except (ValueError, TypeError):
                problems.append(f"column {name!r} must hold datetimes, got unparseable values")
                continue
        accepts, description = _TYPE_CHECKS[kind]
        if not accepts(column.dtype):
            problems.append(f"column {name!r} must hold {description} ({kind}), got {column.dtype}")
        columns[name] = column
    if problems:
        raise DataError(f"{where} does not match the model signature: {'; '.join(problems)}")
    return pd.DataFrame(columns, index=frame.index)


@dataclass(frozen=True)
class Champion:
    """The model version the ``champion`` alias pointed to, loaded as an MLflow pyfunc."""

    name: str
    version: str
    run_id: str
    model: Any

    def read(self, path: str | Path, where: str, date_col: str | None) -> pd.DataFrame:
        """Read a scoring file, CSV columns the signature declares as strings kept as text."""
        schema = self.model.metadata.get_input_schema()
        text = [spec.name for spec in schema.inputs if spec.type.name == "string"]
        return read_table(path, where, text=text, date_col=date_col)

    def scores(self, frame: pd.DataFrame, where: str) -> np.ndarray:
        """Probability of the positive class for each row of ``frame`` (schema checked first)."""
        return score_frame(self.model, frame, where)

    @property
    def scorer(self) -> Any:
        """The model behind its activity features step: it scores :meth:`featured` rows."""
        from mlcore.model import split_features

        return split_features(self.model.get_raw_model())[1]

    def featured(self, frame: pd.DataFrame, where: str) -> pd.DataFrame:
        """``frame`` with the activity features the model computes from its rows (``frame``
        itself for a model without them): what :attr:`scorer` scores, and what the drift
        profile of its training data holds."""
        from mlcore.model import split_features

        features, _ = split_features(self.model.get_raw_model())
        if features is None:
            return frame
        return _scored(lambda: features.transform(frame), where)


@contextmanager
def grain_warnings(where: str) -> Iterator[None]:
    """Log each :class:`~mlcore.activity.FinerGrainWarning` of the block once, as one
    ``WARNING`` line naming ``where``; other warnings pass through as they were.

    Example:
        >>> with grain_warnings("predict.input"):
        ...     pass
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", FinerGrainWarning)
        yield
    grain = [str(w.message) for w in caught if issubclass(w.category, FinerGrainWarning)]
    for message in dict.fromkeys(grain):
        log.warning("%s: %s", where, message)
    for w in caught:
        if not issubclass(w.category, FinerGrainWarning):
            warnings.showwarning(w.message, w.category, w.filename, w.lineno)


def _require_store(uri: str) -> None:
    """A SQLite store must exist already: reading must not create an empty one."""
    prefix = "sqlite:///"
    if uri.startswith(prefix) and not Path(uri[len(prefix) :]).is_file():
        raise DataError(f"no MLflow store at {uri}; run the pipeline (make run) first")


def load_champion(tracking_uri: str, model_name: str) -> Champion:
    """Resolve ``models:/<model_name>@champion`` once and load that version.

    Example (needs a store with a champion)::

        champion = load_champion("sqlite:////abs/mlflow.db", "churn-model")
    """
    track.disable_telemetry()
    _require_store(tracking_uri)
    import mlflow
    from mlflow.exceptions import MlflowException

    from mlcore.registry import CHAMPION

    mlflow.set_tracking_uri(tracking_uri)
    try:
        version = mlflow.MlflowClient().get_model_version_by_alias(model_name, CHAMPION)
    except MlflowException:
        raise DataError(
            f"no champion: models:/{model_name}@{CHAMPION} does not exist in {tracking_uri}; "
            "run the pipeline (make run) first"
        ) from None
    model = mlflow.pyfunc.load_model(f"models:/{model_name}/{version.version}")
    return Champion(model_name, str(version.version), version.run_id, model)


def _scored(score: Callable[[], Any], where: str) -> Any:
    try:
        return score()
    except ValueError as exc:  # scikit-learn's word for input it cannot transform
        raise DataError(f"{where}: the model rejected the input: {exc}") from None


def score_frame(model: Any, frame: pd.DataFrame, where: str) -> np.ndarray:
    """Positive-class probabilities of a binary model loaded as an MLflow pyfunc.

    Example (needs a loaded model)::

        scores = score_frame(mlflow.pyfunc.load_model(uri), frame, "predict.input")
    """
    from mlcore.task import get_task

    inputs = check_schema(frame, model.metadata.get_input_schema(), where)
    return _scored(lambda: get_task("binary").score(model.get_raw_model(), inputs), where)


def scoring_expectations(
    expectations: Sequence[Mapping[str, Any]], target: str
) -> list[dict[str, Any]]:
    """The validation suite without its checks of the target column (scoring has no label).

    Example:
        >>> scoring_expectations([{"type": "in_set", "column": "churn", "values": [0, 1]},
        ...                       {"type": "columns_match", "columns": ["id", "churn"]}], "churn")
        [{'type': 'columns_match', 'columns': ['id']}]
    """
    kept = []
    for raw in expectations:
        spec = dict(raw)
        if spec.get("column") == target:
            continue
        if target in (spec.get("columns") or []):
            spec["columns"] = [c for c in spec["columns"] if c != target]
            if not spec["columns"]:
                continue
        kept.append(spec)
    return kept


@dataclass
class PredictionResult:
    """Where the predictions went and which model made them."""

    path: Path
    rows: int
    model_name: str
    model_version: str
    run_id: str
    validation: ValidationResult | None = None

    def summary(self) -> str:
        """Human-readable lines for the terminal."""
        return "\n".join(
            [
                f"Predictions:       {self.path} ({self.rows} rows)",
                f"Model:             models:/{self.model_name}/{self.model_version} (champion, run {self.run_id})",
            ]
        )


def _scoring_table(
    cfg: Mapping[str, Any], settings: Mapping[str, Any], champion: Champion
) -> tuple[pd.DataFrame, str]:
    data = cfg["data"]
    if settings["input"] is None:
        raw = load_table(data, labelled=target_settings(cfg.get("target")) is None)
        return raw.drop(columns=[data["target"]], errors="ignore"), "the data table"
    return champion.read(settings["input"], "predict.input", data.get("date_col")), str(
        settings["input"]
    )


def _reason_codes(scorer: Any, inputs: pd.DataFrame, task: Any, k: int) -> pd.DataFrame:
    """Top-``k`` reason codes (``predict.reason_codes``) of a binary LightGBM champion's
    ``scorer`` on ``inputs`` with their activity features, which the codes name; none for other
    models, said once in the log. A calibrated champion's codes explain the raw score of the
    model inside its calibrator (calibration is monotone: the same order of customers)."""
    from mlcore.explain import reason_codes
    from mlcore.model import uncalibrated

    if k < 1:
        return pd.DataFrame(index=inputs.index)
    model = uncalibrated(scorer)
    if task.name != "binary":
        log.info("reason codes: not available for task %s (binary LightGBM models)", task.name)
        return pd.DataFrame(index=inputs.index)
    try:
        return reason_codes(model, inputs, k)
    except TypeError:
        log.info("reason codes: not available for %s (LightGBM models)", type(model[-1]).__name__)
        return pd.DataFrame(index=inputs.index)


def _output_path(directory: Path, version: str) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = directory / f"predictions_{stamp}_v{version}_{uuid.uuid4().hex[:12]}.parquet"
    if path.exists():  # a fresh random suffix: only a clock or uuid failure gets here
        raise DataError(f"predict: {path} exists already; refusing to overwrite it")
    return path


def score_batch(config: Mapping[str, Any] | Any) -> PredictionResult:
    """Score the configured table with the champion and write the predictions (see module doc).

    Example (needs a store with a champion)::

        result = score_batch(cfg)
        pd.read_parquet(result.path).columns.tolist()
        # ['customer_id', 'snapshot_month', 'score', 'model_name', 'model_version', 'run_id']
    """
    track.disable_telemetry()
    cfg = check_config(config)
    settings = section(
        cfg.get("predict"),
        "predict",
        {**_DEFAULTS, "output_dir": str(Path(cfg["paths"]["processed"]) / "predictions")},
    )
    data, tracking = cfg["data"], cfg["tracking"]
    with Stages("predict", logger=log) as stage:
        stage(f"loading models:/{tracking['model_name']}@champion from {tracking['uri']}")
        champion = load_champion(tracking["uri"], tracking["model_name"])
        stage(f"reading {settings['input'] or 'the data table'}")
        frame, where = _scoring_table(cfg, settings, champion)
        if frame.empty:
            raise DataError(f"predict: {where} has no rows")
        from mlcore.task import get_task

        task = get_task(cfg["task"])
        stage(f"scoring {len(frame):,} rows with v{champion.version}")
        schema = champion.model.metadata.get_input_schema()
        with grain_warnings(where):  # the model's features step, once for scores and reasons
            inputs = champion.featured(check_schema(frame, schema, where), where)
        scorer = champion.scorer
        predictions = _scored(lambda: task.predictions(scorer, inputs), where)
        if int(settings["reason_codes"]) > 0:
            stage(f"top-{settings['reason_codes']} reason codes")
        reasons = _reason_codes(scorer, inputs, task, int(settings["reason_codes"]))
        validation = None
        expectations = scoring_expectations(cfg["validation"]["expectations"], data["target"])
        event = (cfg.get("target") or {}).get("cancel_col")
        if event:  # what a label is made of: a scoring table need not have it
            expectations = scoring_expectations(expectations, event)
        if expectations:
            stage(f"validating {where} ({len(expectations)} checks)")
            validation = validate_frame(frame, expectations, name="scoring")
            for line in validation.failed_descriptions("warning"):
                log.warning("validation warning: %s", line)
            if not validation.success:
                raise ValidationFailed(validation, where)
        ids = [c for c in (data["entity_col"], data.get("date_col")) if c and c in frame.columns]
        if data["entity_col"] not in ids:
            raise DataError(f"predict: {where} has no entity column {data['entity_col']!r}")
        out = (
            pd.concat([frame[ids], predictions, reasons], axis=1)
            .reset_index(drop=True)
            .assign(
                model_name=champion.name,
                model_version=champion.version,
                run_id=champion.run_id,
            )
        )
        path = write_atomic(
            _output_path(Path(settings["output_dir"]), champion.version),
            out.to_parquet(index=False),
        )
    return PredictionResult(
        path, len(out), champion.name, champion.version, champion.run_id, validation
    )


def main(config: Mapping[str, Any] | Any) -> int:
    """Entry point of ``make predict``: score, print where the predictions are, return 0 or 1."""
    code, result = run_main(lambda: score_batch(config))
    if result is not None:
        print(result.summary())
    return code
