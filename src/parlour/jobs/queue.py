"""The job table and the enqueue/claim/finish operations on it."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, Select, String, Text, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from parlour.db import Base, JSONType, UTCDateTime
from parlour.lib import clock


class Job(Base):
    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)
    # Enqueueing the same key twice is a no-op: handlers can be triggered more than once safely.
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="queued")  # queued | done | dead
    run_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=8)
    locked_by: Mapped[str | None] = mapped_column(String(64))
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_jobs_status_run_at", "status", "run_at"),)


@dataclass(frozen=True)
class ClaimedJob:
    id: int
    kind: str
    payload: dict[str, Any]
    attempts: int
    max_attempts: int


async def enqueue(
    session: AsyncSession,
    kind: str,
    payload: dict[str, Any],
    *,
    run_at: datetime | None = None,
    dedupe_key: str | None = None,
    max_attempts: int = 8,
) -> None:
    """Add a job in the caller's transaction: it exists if and only if the caller commits."""
    now = clock.now()
    job = Job(
        kind=kind,
        payload=payload,
        dedupe_key=dedupe_key,
        status="queued",
        run_at=run_at or now,
        attempts=0,
        max_attempts=max_attempts,
        created_at=now,
    )
    if dedupe_key is None:
        session.add(job)
        return
    existing = await session.scalar(select(Job.id).where(Job.dedupe_key == dedupe_key))
    if existing is not None:
        return
    try:
        async with session.begin_nested():
            session.add(job)
    except IntegrityError:
        return  # another transaction enqueued the same key first


def _due(now: datetime) -> Select[int]:
    return (
        select(Job.id)
        .where(Job.status == "queued", Job.run_at <= now)
        .where((Job.locked_until.is_(None)) | (Job.locked_until < now))
        .order_by(Job.run_at, Job.id)
        .limit(1)
    )


async def any_due(session: AsyncSession) -> bool:
    """Whether `claim` would find a job now. A read: a worker with nothing to do takes no write
    transaction (on SQLite, the one writer's turn, which customers' messages wait for)."""
    return await session.scalar(_due(clock.now())) is not None


async def claim(
    session: AsyncSession, worker_id: str, lease: timedelta, *, skip_locked: bool
) -> ClaimedJob | None:
    """Take one due job. The lease makes a crashed worker's job due again after `lease`."""
    now = clock.now()
    candidates = _due(now)
    if skip_locked:
        candidates = candidates.with_for_update(skip_locked=True)
    job_id = await session.scalar(candidates)
    if job_id is None:
        return None
    # The guarded UPDATE is what makes the claim exclusive on SQLite, where there is no row lock.
    result = await session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == "queued")
        .where((Job.locked_until.is_(None)) | (Job.locked_until < now))
        .values(locked_by=worker_id, locked_until=now + lease, attempts=Job.attempts + 1)
        .returning(Job.id, Job.kind, Job.payload, Job.attempts, Job.max_attempts)
    )
    row = result.first()
    if row is None:
        return None
    return ClaimedJob(
        id=row.id, kind=row.kind, payload=row.payload, attempts=row.attempts, max_attempts=row.max_attempts
    )


async def finish(session: AsyncSession, job_id: int) -> None:
    await session.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(status="done", finished_at=clock.now(), locked_by=None, locked_until=None)
    )


def backoff(attempts: int) -> timedelta:
    """5 s, 25 s, ~2 min, ~10 min … capped at one hour."""
    return timedelta(seconds=min(3600, 5 * 5 ** (attempts - 1)))


async def fail(session: AsyncSession, job: ClaimedJob, error: str) -> None:
    now = clock.now()
    if job.attempts >= job.max_attempts:
        values: dict[str, Any] = {"status": "dead", "finished_at": now}
    else:
        values = {"run_at": now + backoff(job.attempts)}
    await session.execute(
        update(Job)
        .where(Job.id == job.id)
        .values(last_error=error[:2000], locked_by=None, locked_until=None, **values)
    )
