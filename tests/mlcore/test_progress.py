"""Progress lines: rows, elapsed and ETA, rate-limited, through logging."""

import logging

import pytest

from mlcore._progress import Progress, Stages, iter_progress


class Clock:
    """A fake clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_logs_rows_elapsed_and_eta_at_most_every_interval(caplog) -> None:
    clock = Clock()
    with (
        caplog.at_level(logging.INFO, logger="mlcore.progress"),
        Progress("load", total=400, every=5.0, clock=clock) as progress,
    ):
        for step in range(4):
            clock.now = 2.0 * (step + 1)
            progress.update(100)
    lines = [r.getMessage() for r in caplog.records]
    # first update, then the one 5 s later (t=2 -> t=8), then the final line
    assert lines[0] == "load: 100 / 400 rows (25%), 2.0 s elapsed, ETA 6.0 s"
    assert lines[1] == "load: 400 / 400 rows (100%), 8.0 s elapsed"
    assert lines[2].startswith("load: 400 / 400 rows (100%), 8.0 s elapsed: done, 50 rows/s")
    assert len(lines) == 3


def test_without_total_there_is_no_eta() -> None:
    progress = Progress("scan", logger=logging.getLogger("test"))
    progress.update(10)
    assert progress.eta() is None and progress.fraction is None
    assert "ETA" not in progress.message()


def test_no_done_line_when_the_block_fails(caplog) -> None:
    with (
        caplog.at_level(logging.INFO, logger="mlcore.progress"),
        pytest.raises(RuntimeError),
        Progress("fit", total=2) as progress,
    ):
        progress.update(1)
        raise RuntimeError("boom")
    assert not any("done" in r.getMessage() for r in caplog.records)


def test_iter_progress_yields_items_unchanged_and_counts_sizes() -> None:
    items = [[1, 2], [3], [4, 5, 6]]
    seen = list(iter_progress(iter(items), "chunks", total=6, size=len, every=0.0))
    assert seen == items


def test_stages_log_a_line_per_stage_and_the_total_time_at_the_end(caplog) -> None:
    clock = Clock()
    with (
        caplog.at_level(logging.INFO, logger="mlcore.progress"),
        Stages("predict", clock=clock) as stage,
    ):
        stage("loading the champion")
        clock.now = 3.0
        stage("scoring 10 rows")
        clock.now = 4.5
    lines = [r.getMessage() for r in caplog.records]
    assert lines == [
        "predict: loading the champion",
        "predict: scoring 10 rows",
        "predict: done in 4.5 s",
    ]


def test_stages_that_fail_log_no_done_line(caplog) -> None:
    with (
        caplog.at_level(logging.INFO, logger="mlcore.progress"),
        pytest.raises(ValueError),
        Stages("drift") as stage,
    ):
        stage("reading the batch")
        raise ValueError("bad batch")
    assert [r.getMessage() for r in caplog.records] == ["drift: reading the batch"]


def test_a_slow_run_logs_a_line_per_tenth_not_per_interval(caplog) -> None:
    clock = Clock()
    with (
        caplog.at_level(logging.INFO, logger="mlcore.progress"),
        Progress("train", total=100, every=5.0, clock=clock, unit="trees") as progress,
    ):
        for _ in range(100):  # one tree per 2 s: 40 intervals of 5 s, 10 tenths
            clock.now += 2.0
            progress.update(1)
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 12  # the first tree, each tenth, the final line
    assert lines[1].startswith("train: 10 / 100 trees (10%)")


def test_a_tenth_slower_than_a_minute_still_logs_once_a_minute(caplog) -> None:
    clock = Clock()
    with caplog.at_level(logging.INFO, logger="mlcore.progress"):
        progress = Progress("train", total=100, every=5.0, clock=clock)
        for _ in range(4):  # 4 trees in 4 minutes: never a new tenth
            clock.now += 60.0
            progress.update(1)
    assert len(caplog.records) == 4
