"""The Step contract: a named function with the outputs it reads and the ones it writes.

Built-in steps (``validate``, ``split``, ``train``, ``evaluate``, ``register``) and a project's
own steps follow the same contract. A step receives a :class:`StepContext` (the checked config,
the task, and exactly the inputs it declared) and returns a :class:`StepResult`: the values later
steps may read, plus what the run should record (metrics, tables, files, tags). A step never
calls MLflow to log: the runner's hooks record its result around it.

Example:
    >>> @step(reads=("splits",), writes=("test_rows",))
    ... def count_test_rows(ctx):
    ...     rows = len(ctx["splits"].test)
    ...     return StepResult(values={"test_rows": rows}, metrics={"test_rows": rows})
    >>> count_test_rows.name, count_test_rows.reads
    ('count_test_rows', ('splits',))
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlcore.errors import ConfigError

__all__ = ["BUILTIN_ORDER", "Step", "StepContext", "StepResult", "resolve_steps", "step"]

# The built-in steps in the only order they make sense; a selection keeps this order.
BUILTIN_ORDER = ("validate", "split", "train", "evaluate", "register")


@dataclass(frozen=True)
class StepResult:
    """What a step hands on (``values``) and what the run records of it.

    ``values`` are named outputs (declared in the step's ``writes``) for later steps; ``metrics``
    are logged as ``<name>`` metrics; ``tables`` (artifact file -> DataFrame) as CSV artifacts;
    ``texts`` (artifact file -> text) as text artifacts; ``files`` (artifact folder -> local
    paths) as file artifacts; ``tags`` as run tags; ``datasets`` (name -> (frame, source)) as
    MLflow dataset inputs with their fingerprint; ``notes`` are printed as warnings. ``stop``
    ends the run with that error after the result is recorded (e.g. failed validation).
    """

    values: Mapping[str, Any] = field(default_factory=dict)
    metrics: Mapping[str, float] = field(default_factory=dict)
    tables: Mapping[str, Any] = field(default_factory=dict)
    texts: Mapping[str, str] = field(default_factory=dict)
    files: Mapping[str, Sequence[Path]] = field(default_factory=dict)
    tags: Mapping[str, str] = field(default_factory=dict)
    datasets: Mapping[str, tuple[Any, str]] = field(default_factory=dict)
    notes: Sequence[str] = ()
    stop: Exception | None = None


@dataclass(frozen=True)
class StepContext:
    """What a step may use: the checked config, the task, its declared inputs, where to write.

    ``ctx["splits"]`` is the input named ``splits``; ``output_dir`` (``reports/<step>/``) is the
    folder for the step's own files; ``run_id`` is the MLflow run the step is part of;
    ``params`` is the step's section of the config, ``step_params.<step name>``.
    """

    cfg: Mapping[str, Any]
    task: Any
    inputs: Mapping[str, Any]
    run_id: str
    output_dir: Path
    folders: Mapping[str, Path] = field(default_factory=dict)
    params: Mapping[str, Any] = field(default_factory=dict)  # step_params.<step name>

    def folder(self, name: str) -> Path:
        """Where the persisted output ``name`` lives (e.g. ``validation``: reports/validation)."""
        return self.folders[name]

    def __getitem__(self, name: str) -> Any:
        if name not in self.inputs:
            raise KeyError(
                f"{name!r} is not among this step's declared reads {sorted(self.inputs)}"
            )
        return self.inputs[name]

    def take(self, name: str) -> Any:
        """The input ``name``, handed over: the context lets go of it, so the step can free it
        once done with it (the runner keeps it only for a later step that reads it).

        Example:
            >>> ctx = StepContext({}, None, {"table": [1, 2]}, "run", Path("."))
            >>> ctx.take("table"), "table" in ctx.inputs
            ([1, 2], False)
        """
        value = self[name]
        if isinstance(self.inputs, MutableMapping):
            del self.inputs[name]
        return value


@dataclass(frozen=True)
class Step:
    """A pipeline step: ``func(ctx) -> StepResult | None``, what it reads and what it writes."""

    name: str
    func: Callable[[StepContext], StepResult | None]
    reads: tuple[str, ...] = ()
    writes: tuple[str, ...] = ()

    def __call__(self, ctx: StepContext) -> StepResult:
        result = self.func(ctx)
        if result is None:
            return StepResult()
        if not isinstance(result, StepResult):
            raise TypeError(f"step {self.name!r} returned {type(result).__name__}, not StepResult")
        undeclared = sorted(set(result.values) - set(self.writes))
        if undeclared:
            raise TypeError(
                f"step {self.name!r} wrote {undeclared}, not in its writes {self.writes}"
            )
        return result


def step(
    name: str | None = None, *, reads: Sequence[str] = (), writes: Sequence[str] = ()
) -> Callable[[Callable[[StepContext], StepResult | None]], Step]:
    """Declare a function as a pipeline step (name defaults to the function's name).

    Example:
        >>> step(reads=("models",))(lambda ctx: None).reads
        ('models',)
    """

    def wrap(func: Callable[[StepContext], StepResult | None]) -> Step:
        return Step(name or func.__name__, func, tuple(reads), tuple(writes))

    return wrap


def _import_step(path: str) -> Step:
    module_name, _, attr = path.rpartition(".")
    try:
        found = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise ConfigError(f"steps: cannot import the project step {path!r}: {exc}") from None
    if not isinstance(found, Step):
        raise ConfigError(
            f"steps: {path!r} is not a step; declare it with @mlcore.pipeline.step(reads=..., "
            "writes=...) (see the project's README, 'Your own steps')"
        )
    return found


def resolve_steps(
    names: Sequence[str], builtins: Mapping[str, Step], available: Sequence[str]
) -> list[Step]:
    """The steps of ``steps:`` in their order: built-in names, or import paths of project steps.

    Built-in steps must keep :data:`BUILTIN_ORDER`; no step may repeat; every read must be
    ``available`` (derived or persisted) or written by an earlier step of the list.

    Example:
        >>> b = {n: Step(n, lambda ctx: None) for n in BUILTIN_ORDER}
        >>> [s.name for s in resolve_steps(["split", "train"], b, [])]
        ['split', 'train']
    """
    if not names:
        raise ConfigError(
            f"steps is empty: nothing to run; use a selection of {list(BUILTIN_ORDER)}"
        )
    steps = []
    for name in names:
        if name in builtins:
            steps.append(builtins[name])
        elif "." in str(name):
            steps.append(_import_step(str(name)))
        else:
            raise ConfigError(
                f"steps: unknown step {name!r}; use {list(BUILTIN_ORDER)} or the import path of "
                "a project step (e.g. my_project.steps.export_scores)"
            )
    seen = [s.name for s in steps]
    repeated = sorted({n for n in seen if seen.count(n) > 1})
    if repeated:
        raise ConfigError(f"steps: {repeated} listed more than once in {list(names)}")
    ranks = [BUILTIN_ORDER.index(s.name) for s in steps if builtins.get(s.name) is s]
    if ranks != sorted(ranks):
        order = [n for n in BUILTIN_ORDER if n in seen]
        raise ConfigError(
            f"steps: {list(names)} is out of order; the built-in steps run as {order}"
        )
    known = set(available)
    for s in steps:
        missing = [r for r in s.reads if r not in known]
        if missing:
            raise ConfigError(
                f"steps: step {s.name!r} reads {missing}, which no earlier step of {list(names)} "
                f"writes (available: {sorted(known)})"
            )
        known.update(s.writes)
    return steps
