"""Progress of long work through ``logging``: rows done, elapsed time and ETA, at most every few seconds.

Example:
    >>> import logging
    >>> with Progress("score", total=3, logger=logging.getLogger("demo")) as progress:
    ...     for chunk in ([1], [2, 3]):
    ...         _ = progress.update(len(chunk))
    >>> progress.done
    3
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from types import TracebackType
from typing import Any, Self, TypeVar

__all__ = ["Progress", "Stages", "iter_progress"]

T = TypeVar("T")

_log = logging.getLogger("mlcore.progress")
_QUIET_MAX = 60.0  # seconds: the longest silence of a Progress whose next tenth is slow to come


class _Timed:
    """A context manager whose clock restarts on entry and whose ``finish`` runs on a clean exit
    (after an error, the error says what went wrong)."""

    _clock: Callable[[], float]
    _start: float

    def finish(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        self._start = self._clock()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.finish()


class Progress(_Timed):
    """Count rows of ``label`` towards ``total`` and log ``rows, elapsed, ETA`` every ``every`` s.

    A context manager: it logs the first update, then at most one line per ``every`` seconds,
    and with a ``total`` only when another tenth of it is done (or a minute has passed), so a slow
    machine does not print more lines than a fast one; a final line with the rate when the block
    ends (without an error). ``total`` may be None (no ETA).

    Example:
        >>> progress = Progress("fit", total=10, logger=logging.getLogger("demo"))
        >>> progress.update(5).fraction
        0.5
    """

    def __init__(
        self,
        label: str,
        total: int | None = None,
        *,
        every: float = 5.0,
        logger: logging.Logger | None = None,
        unit: str = "rows",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.label, self.total, self.every, self.unit = label, total, every, unit
        self.log = logger or _log
        self.done = 0
        self._clock = clock
        self._start = clock()
        self._last_log: float | None = None
        self._last_tenth = -1

    @property
    def elapsed(self) -> float:
        """Seconds since the start."""
        return self._clock() - self._start

    @property
    def fraction(self) -> float | None:
        """Share of ``total`` done (None without a total)."""
        return self.done / self.total if self.total else None

    def eta(self) -> float | None:
        """Seconds left at the average rate so far (None without a total or before any row)."""
        if not self.total or not self.done:
            return None
        return self.elapsed * (self.total - self.done) / self.done

    def message(self) -> str:
        """``label: 1,000 / 4,000 rows (25%), 2.0 s elapsed, ETA 6.0 s``."""
        of = f" / {self.total:,}" if self.total else ""
        share = f" ({self.fraction:.0%})" if self.total else ""
        eta = self.eta()
        tail = f", ETA {eta:.1f} s" if eta is not None and self.done < (self.total or 0) else ""
        return f"{self.label}: {self.done:,}{of} {self.unit}{share}, {self.elapsed:.1f} s elapsed{tail}"

    def update(self, n: int) -> Progress:
        """Add ``n`` rows; log when due (see the class docstring)."""
        self.done += n
        now = self._clock()
        tenth = int(10 * self.done / self.total) if self.total else None
        since = None if self._last_log is None else now - self._last_log
        due = since is None or since >= _QUIET_MAX
        if since is not None and since >= self.every:
            due = due or tenth is None or tenth > self._last_tenth
        if due:
            self._last_log, self._last_tenth = now, -1 if tenth is None else tenth
            self.log.info(self.message())
        return self

    def finish(self) -> None:
        """Log the final line: rows done, elapsed time and the rate."""
        rate = self.done / self.elapsed if self.elapsed > 0 else float("inf")
        self.log.info("%s: done, %s/s", self.message(), f"{rate:,.0f} {self.unit}")


def iter_progress(
    items: Iterable[T],
    label: str,
    total: int | None = None,
    size: Callable[[T], int] = lambda item: 1,
    **options: Any,
) -> Iterator[T]:
    """Yield ``items`` unchanged, counting ``size(item)`` rows of each towards ``total``.

    Example:
        >>> chunks = iter_progress([[1, 2], [3]], "load", total=3, size=len)
        >>> [len(c) for c in chunks]
        [2, 1]
    """
    with Progress(label, total, **options) as progress:
        for item in items:
            yield item
            progress.update(size(item))


class Stages(_Timed):
    """One log line as each stage of a long command starts, one with the total time at the end.

    A context manager; calling it starts the next stage. The final line is logged only when the
    block ends without an error (the error says what went wrong).

    Example:
        >>> with Stages("predict", logger=logging.getLogger("demo")) as stage:
        ...     stage("loading the champion")
        ...     stage("scoring 10 rows")
        >>> stage.names
        ['loading the champion', 'scoring 10 rows']
    """

    def __init__(
        self,
        label: str,
        *,
        logger: logging.Logger | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.label, self.log, self._clock = label, logger or _log, clock
        self.names: list[str] = []
        self._start = clock()

    def __call__(self, what: str) -> None:
        """Start the stage ``what``: ``label: what``."""
        self.names.append(what)
        self.log.info("%s: %s", self.label, what)

    def finish(self) -> None:
        """Log the final line: the total time."""
        self.log.info("%s: done in %.1f s", self.label, self._clock() - self._start)
