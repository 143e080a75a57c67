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
from typing import Any, TypeVar

__all__ = ["Progress", "Stages", "iter_progress"]

T = TypeVar("T")

_log = logging.getLogger("mlcore.progress")


class Progress:
    """Count rows of ``label`` towards ``total`` and log ``rows, elapsed, ETA`` every ``every`` s.

    A context manager: it logs the first update, then one line per ``every`` seconds, and a final
    line with the rate when the block ends (without an error). ``total`` may be None (no ETA).

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
        """Add ``n`` rows; log when ``every`` seconds have passed since the last line."""
        self.done += n
        now = self._clock()
        if self._last_log is None or now - self._last_log >= self.every:
            self._last_log = now
            self.log.info(self.message())
        return self

    def finish(self) -> None:
        """Log the final line: rows done, elapsed time and the rate."""
        rate = self.done / self.elapsed if self.elapsed > 0 else float("inf")
        self.log.info("%s: done, %s/s", self.message(), f"{rate:,.0f} {self.unit}")

    def __enter__(self) -> Progress:
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


class Stages:
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

    def __enter__(self) -> Stages:
        self._start = self._clock()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.log.info("%s: done in %.1f s", self.label, self._clock() - self._start)
