"""How often the background worker goes round: under a stream of commits its rounds are spaced
(`worker_batch_seconds`), so one fan-out takes the events of many commits; woken when idle, or
with work left behind by its batch limits, it goes at once."""

import asyncio
import itertools
import time
from contextlib import AbstractAsyncContextManager
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from parlour.db import Database
from parlour.jobs import queue
from parlour.jobs.kinds.base import JobContext
from parlour.jobs.worker import Worker
from parlour.settings import Settings

SPACING_S = 0.3


@pytest.fixture
def spaced(db: Database, settings: Settings) -> Worker:
    quiet = {"worker_batch_seconds": SPACING_S, "job_poll_seconds": 5.0}
    return Worker(db, settings.model_copy(update=quiet))


def _count_rounds(worker: Worker, backlog_rounds: int = 0) -> list[float]:
    """Records when each round starts; the first `backlog_rounds` rounds report work left behind."""
    started: list[float] = []
    real = worker.run_once

    async def run_once() -> int:
        started.append(time.monotonic())
        done = await real()
        if len(started) <= backlog_rounds:
            worker._backlog = True  # as a round stopped by its batch limit reports it
        return done

    worker.run_once = run_once  # type: ignore[method-assign]
    return started


async def test_commits_in_quick_succession_share_rounds(spaced: Worker) -> None:
    started = _count_rounds(spaced)
    running = asyncio.create_task(spaced.run())
    try:
        await asyncio.sleep(0.05)  # the first round, with nothing to do; now it waits to be woken
        began = time.monotonic()
        while time.monotonic() - began < 2 * SPACING_S + 0.1:
            spaced.wake()  # a commit every 10 ms
            await asyncio.sleep(0.01)
    finally:
        await spaced.stop()
        await running
    # About 70 wake-ups in 0.7 s: a round for each would be about 70; spaced, there are at most
    # the first one and one per spacing after it.
    assert 2 <= len(started) <= 4, started
    gaps = [later - earlier for earlier, later in itertools.pairwise(started)]
    assert min(gaps) >= SPACING_S * 0.9, gaps


async def test_an_idle_worker_that_is_woken_goes_at_once(spaced: Worker) -> None:
    started = _count_rounds(spaced)
    running = asyncio.create_task(spaced.run())
    try:
        await asyncio.sleep(SPACING_S + 0.1)  # idle for longer than the spacing
        woken = time.monotonic()
        spaced.wake()
        await asyncio.sleep(SPACING_S / 2)
    finally:
        await spaced.stop()
        await running
    assert len(started) >= 2, started
    assert started[1] - woken < SPACING_S / 2, started[1] - woken


async def test_work_left_behind_by_a_batch_limit_is_taken_without_waiting(spaced: Worker) -> None:
    started = _count_rounds(spaced, backlog_rounds=3)
    running = asyncio.create_task(spaced.run())
    try:
        await asyncio.sleep(SPACING_S / 2)
    finally:
        await spaced.stop()
        await running
    # Three rounds that left work behind, and the one after them, all within half a spacing.
    assert len(started) >= 4, started


async def test_a_round_with_nothing_to_do_takes_no_write_transaction(
    spaced: Worker, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under load the worker is woken after every commit; with no event for a webhook and no job
    due, its rounds only read (on SQLite a write transaction is the writer's turn that customers'
    messages queue for). With a job due, the round takes it."""
    writes = 0
    real = db.transaction

    def counted() -> AbstractAsyncContextManager[AsyncSession]:
        nonlocal writes
        writes += 1
        return real()

    monkeypatch.setattr(db, "transaction", counted)
    assert await spaced.run_once() == 0
    assert writes == 0

    async with real() as session:
        await queue.enqueue(session, "test.nothing", {})
    spaced.handlers = {**spaced.handlers, "test.nothing": _nothing}
    assert await spaced.run_once() == 1
    assert writes >= 2  # the claim, then the job marked done


async def _nothing(_context: JobContext, _payload: dict[str, Any]) -> None:
    return None
