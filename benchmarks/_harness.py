"""Shared benchmark harness: best-of-n timing, the machine a run is on, and summary table rows.

Every ``bench_*.py`` script times ours against a peer in the same run and, with ``--json PATH``,
writes its summary :class:`Row` s there; ``run_all.py`` collects them into ``RESULTS.md``.

Example:
    >>> seconds, value = best_of(lambda: sum(range(10)), repeat=2)
    >>> value
    45
    >>> Row("sum", "ours", 1.0, "peer", 3.0).ratio
    3.0
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

__all__ = [
    "Row",
    "add_json_argument",
    "best_of",
    "best_times",
    "children_cpu_seconds",
    "machine_info",
    "machine_line",
    "markdown_table",
    "read_rows",
    "write_rows",
]

LIBRARIES = (
    "numpy",
    "pandas",
    "pyarrow",
    "scikit-learn",
    "lightgbm",
    "mlflow",
    "great-expectations",
    "dask",
    "mlcore",
)


@dataclass(frozen=True)
class Row:
    """One line of the summary table: ours vs the peer, measured side by side in the same run.

    ``ratio`` is peer / ours (above 1: ours is faster) unless ``lower_is_better`` is False, in
    which case the numbers are not times and the ratio is ours / peer. ``target`` is the ratio the
    issue asks for, read as ">= target" (speed-up) or "<= target" (overhead) per ``target_op``.

    Example:
        >>> Row("x", "ours", 2.0, "bare", 1.0, target=1.5, target_op="<=", overhead=True).met
        False
    """

    benchmark: str
    ours: str
    ours_value: float
    peer: str
    peer_value: float
    unit: str = "s"
    target: float | None = None
    target_op: str = ">="
    overhead: bool = False
    note: str = ""

    @property
    def ratio(self) -> float:
        """peer / ours for speed-ups; ours / peer for overheads (``overhead=True``)."""
        if self.overhead:
            return self.ours_value / self.peer_value
        return self.peer_value / self.ours_value

    @property
    def met(self) -> bool | None:
        """Whether the ratio meets ``target`` (None when there is no target)."""
        if self.target is None:
            return None
        return self.ratio >= self.target if self.target_op == ">=" else self.ratio <= self.target


def best_of(fn: Callable[[], Any], repeat: int = 3, warmup: bool = False) -> tuple[float, Any]:
    """Best wall time of ``repeat`` calls of ``fn`` (after one untimed call if ``warmup``).

    Example:
        >>> best_of(lambda: 1, repeat=1)[1]
        1
    """
    result = fn() if warmup else None
    best = float("inf")
    for _ in range(max(1, repeat)):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def best_times(
    methods: Mapping[str, Callable[[], Any]], repeat: int = 3, warmup: bool = True
) -> dict[str, float]:
    """Best wall time of each method over ``repeat`` interleaved rounds.

    The methods take turns within each round, so a busy spell of a shared machine hits them all.

    Example:
        >>> sorted(best_times({"a": lambda: 1, "b": lambda: 2}, repeat=1))
        ['a', 'b']
    """
    if warmup:
        for fn in methods.values():
            fn()
    best = dict.fromkeys(methods, float("inf"))
    for _ in range(max(1, repeat)):
        for name, fn in methods.items():
            start = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def step_seconds(metrics: Mapping[str, float]) -> dict[str, float]:
    """The per-step wall times of a pipeline run from its MLflow metrics (``step_seconds/<step>``,
    or ``step_seconds_<step>`` as older runs named them).

    Example:
        >>> step_seconds({"step_seconds/train": 2.0, "test_roc_auc": 0.8})
        {'train': 2.0}
    """
    return {
        k.removeprefix("step_seconds").lstrip("_/"): v
        for k, v in metrics.items()
        if k.startswith("step_seconds")
    }


def children_cpu_seconds() -> float:
    """User + system CPU seconds of all waited-for child processes so far (for deltas).

    CPU time barely moves when other jobs compete for the cores, unlike wall time.

    Example:
        >>> children_cpu_seconds() >= 0
        True
    """
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _ram_gb() -> float:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    except (ValueError, OSError, AttributeError):
        return float("nan")


def machine_info() -> dict[str, Any]:
    """CPU model, cores, RAM, OS, Python and the versions of the libraries that are timed.

    Example:
        >>> machine_info()["cores"] >= 1
        True
    """
    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count() or 1,
        "ram_gb": round(_ram_gb(), 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "libraries": versions,
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }


def machine_line(info: Mapping[str, Any] | None = None) -> str:
    """One markdown line describing the machine, for the head of a results file.

    Example:
        >>> "cores" in machine_line()
        True
    """
    info = info or machine_info()
    libs = ", ".join(f"{k} {v}" for k, v in info["libraries"].items())
    load = f", load average {info['load_average'][0]:.1f}" if info["load_average"] else ""
    return (
        f"{info['cpu']}, {info['cores']} cores, {info['ram_gb']:g} GB RAM{load}, {info['os']}, "
        f"Python {info['python']}; {libs}"
    )


def _fmt(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value:.3f} s" if value < 10 else f"{value:.1f} s"
    if unit == "GB":
        return f"{value:.2f} GB"
    return f"{value:g} {unit}"


def markdown_table(rows: Iterable[Row]) -> str:
    """The summary table: benchmark, ours, peer, ratio, target and verdict.

    Example:
        >>> print(markdown_table([Row("b", "ours", 1.0, "peer", 2.0, target=1.5)]).splitlines()[2])
        | b | ours | 1.000 s | peer | 2.000 s | **2.00x faster** | >= 1.5x | yes |  |
    """
    lines = [
        "| benchmark | ours | ours | peer | peer | ratio | target | met | note |",
        "|---|---|---:|---|---:|---:|---:|:---:|---|",
    ]
    for row in rows:
        if row.overhead:
            ratio = f"**{row.ratio:.2f}x** of peer"
        else:
            ratio = f"**{row.ratio:.2f}x faster**" if row.ratio >= 1 else f"**{row.ratio:.2f}x**"
        target = "" if row.target is None else f"{row.target_op} {row.target:g}x"
        met = {None: "", True: "yes", False: "NO"}[row.met]
        lines.append(
            f"| {row.benchmark} | {row.ours} | {_fmt(row.ours_value, row.unit)} | {row.peer} | "
            f"{_fmt(row.peer_value, row.unit)} | {ratio} | {target} | {met} | {row.note} |"
        )
    return "\n".join(lines)


def add_json_argument(parser: argparse.ArgumentParser) -> None:
    """Add ``--json PATH``: where the script writes its summary rows for ``run_all.py``."""
    parser.add_argument("--json", type=Path, default=None, help="write summary rows here")


def write_rows(rows: Iterable[Row], path: Path | None) -> None:
    """Write ``rows`` as JSON to ``path`` (nothing when ``path`` is None)."""
    if path is not None:
        path.write_text(json.dumps([asdict(row) for row in rows], indent=1))


def read_rows(path: Path) -> list[Row]:
    """Rows written by :func:`write_rows`."""
    return [Row(**item) for item in json.loads(path.read_text())]
