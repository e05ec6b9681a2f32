"""The background worker: fans recorded events out to webhooks and runs due jobs.

Runs inside every server process (and alone with `parlour worker`). Several workers are safe:
claims are leased (and `SKIP LOCKED` on PostgreSQL), handlers are idempotent, and a job whose
worker died is taken again when its lease runs out.
"""

import asyncio
import contextlib
import os
import socket
from datetime import timedelta

import httpx
import structlog

from parlour.db import Database
from parlour.jobs import queue
from parlour.jobs.kinds import HANDLERS, Handler
from parlour.jobs.kinds.base import JobContext
from parlour.lib import ids
from parlour.settings import Settings
from parlour.webhooks import actions as webhook_actions

log = structlog.get_logger("parlour.jobs")


class Worker:
    def __init__(self, db: Database, settings: Settings, handlers: dict[str, Handler] | None = None) -> None:
        self.db = db
        self.settings = settings
        self.handlers = handlers if handlers is not None else HANDLERS
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{ids.new_id()[-6:]}"
        self.lease = timedelta(seconds=settings.job_lease_seconds)
        self._wake = asyncio.Event()
        self._stopping = False
        self._backlog = False  # the last round stopped at a batch limit with more waiting
        self.http = httpx.AsyncClient(timeout=settings.webhook_timeout_seconds, follow_redirects=False)

    def wake(self) -> None:
        """Called after a commit that recorded events, so webhooks go out without waiting a poll."""
        self._wake.set()

    async def run(self) -> None:
        log.info("worker.started", worker=self.worker_id)
        loop = asyncio.get_running_loop()
        next_round = 0.0
        while not self._stopping:
            # Rounds start at least `worker_batch_seconds` apart unless the last one left work
            # behind. A busy server commits hundreds of times a second and wakes the worker at
            # each; a round per commit (two write transactions, sharing the write lock with the
            # messages) cost more than the fan-out of its few events. An idle worker that is woken
            # starts at once, so a lone event's webhooks do not wait.
            delay = next_round - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            next_round = loop.time() + self.settings.worker_batch_seconds
            try:
                did = await self.run_once()
            except Exception:
                log.exception("worker.tick_failed")
                did = 0
            if self._backlog:
                next_round = 0.0
            elif did == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=self.settings.job_poll_seconds)
                self._wake.clear()

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        await self.http.aclose()

    async def run_once(self, *, max_jobs: int = 50, fan_out_batch: int = 200) -> int:
        """Fan out pending events, then run up to `max_jobs` due jobs. Returns the work done."""
        skip_locked = not self.db.is_sqlite
        # Looked at first with a read: under load the worker is woken after every commit, and
        # mostly finds nothing to do (no webhook wants the events, no job is due).
        async with self.db.looking_up() as session:
            pending = await webhook_actions.any_pending(session)
            due = await queue.any_due(session)
        fanned = 0
        if pending:
            async with self.db.transaction() as session:
                fanned = await webhook_actions.do_fan_out(
                    session,
                    max_attempts=self.settings.webhook_max_attempts,
                    batch=fan_out_batch,
                    skip_locked=skip_locked,
                )
        jobs = 0
        while (due or fanned) and jobs < max_jobs:
            async with self.db.transaction() as session:
                job = await queue.claim(session, self.worker_id, self.lease, skip_locked=skip_locked)
            if job is None:
                break
            jobs += 1
            await self._run(job)
        self._backlog = fanned == fan_out_batch or jobs == max_jobs
        return fanned + jobs

    async def _run(self, job: queue.ClaimedJob) -> None:
        handler = self.handlers.get(job.kind)
        context = JobContext(db=self.db, settings=self.settings, http=self.http)
        try:
            if handler is None:
                raise LookupError(f"no handler for job kind {job.kind!r}")
            await handler(context, job.payload)
        except Exception as exc:
            log.warning("job.failed", kind=job.kind, job_id=job.id, attempt=job.attempts, error=str(exc))
            async with self.db.transaction() as session:
                await queue.fail(session, job, f"{type(exc).__name__}: {exc}")
            return
        async with self.db.transaction() as session:
            await queue.finish(session, job.id)
        log.debug("job.done", kind=job.kind, job_id=job.id)
