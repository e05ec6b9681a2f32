"""The per-process hub: committed events in, each connected client's share of them out.

Every account's events carry a gap-free sequence number (`seq`) in commit order. The hub keeps,
per account, the next `seq` it expects. Events may reach it out of order or not at all (two
commits finishing close together, another process's events arriving through Redis, Redis
restarting); whenever what arrives is ahead of what it expects, the hub reads the missing events
from the database, so every subscriber receives its account's stream complete and in order.

Each subscriber has a bounded queue: one that cannot keep up is cut off (and resumes by seq from
the database) instead of slowing anyone else down.
"""

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import structlog
from sqlalchemy import select

from parlour.db import Database
from parlour.outbox.models import EventRecord, EventStream
from parlour.outbox.recorder import CommittedEvent, as_committed

log = structlog.get_logger("parlour.realtime")

QUEUE_BOUND = 1000
REPLAY_BATCH = 500


MAX_REPLAY = 10_000


class TooFarBehind(Exception):
    """More than MAX_REPLAY events were missed: reload state over REST and connect afresh."""


class SlowConsumer(Exception):
    """The subscriber's queue overflowed; the client must reconnect and resume."""


# An audience may also have `learn(event)` (e.g. which group a ticket is in): it is shown a whole
# batch before any of it is filtered, because one transaction's events depend on each other (the
# message that opens a ticket is recorded before the ticket it opens).


@dataclass(eq=False)
class Subscriber:
    account_id: str
    accepts: Callable[[CommittedEvent], bool]
    last_seq: int
    # Unbounded as a container; live events are refused past QUEUE_BOUND (see `offer`), while a
    # replay may queue up to MAX_REPLAY events that the client asked for.
    queue: "asyncio.Queue[CommittedEvent | dict[str, Any] | None]" = field(default_factory=asyncio.Queue)
    overflowed: bool = False
    # How many queued items a live event may find before the subscriber counts as too slow:
    # QUEUE_BOUND, plus whatever the replay it asked for queued.
    allowance: int = field(default_factory=lambda: QUEUE_BOUND)
    # While the replay from the database runs, live events wait here so that they cannot
    # overtake the older events being replayed.
    held: list[CommittedEvent] | None = field(default_factory=list)

    def offer_live(self, events: Sequence[CommittedEvent]) -> None:
        if self.held is not None:
            self.held.extend(events)
        else:
            self.offer_batch(events)

    def release_held(self) -> None:
        held, self.held = self.held or [], None
        self.offer_batch(held)

    def offer_batch(self, events: Sequence[CommittedEvent], *, replaying: bool = False) -> None:
        learn = getattr(self.accepts, "learn", None)
        if learn is not None:
            for event in events:
                if event.seq > self.last_seq:
                    learn(event)
        for event in events:
            self.offer(event, replaying=replaying)

    def offer(self, event: CommittedEvent, *, replaying: bool = False) -> None:
        if self.overflowed or event.seq <= self.last_seq:
            return
        self.last_seq = event.seq
        if not self.accepts(event):
            return
        if replaying:
            self.allowance += 1
        elif self.queue.qsize() >= self.allowance:
            self.overflowed = True
            self.queue.put_nowait(None)  # wakes the sender, which sees `overflowed` and closes
            return
        self.queue.put_nowait(event)

    def push_frame(self, frame: dict[str, Any]) -> None:
        """A frame that is not a stream event (presence): sent as is, never replayed."""
        if self.overflowed:
            return
        if self.queue.qsize() >= self.allowance:
            self.overflowed = True
            self.queue.put_nowait(None)
            return
        self.queue.put_nowait(frame)

    async def next(self) -> CommittedEvent | dict[str, Any]:
        item = await self.queue.get()
        if item is None or self.overflowed:
            raise SlowConsumer()
        return item


class Hub:
    def __init__(self, db: Database, *, resync_every: float | None = None) -> None:
        self.db = db
        self.resync_every = resync_every
        self._watcher: asyncio.Task[None] | None = None
        self._subscribers: dict[str, set[Subscriber]] = {}
        self._expected: dict[str, int] = {}
        self._inbox: asyncio.Queue[list[CommittedEvent]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    # --- input -------------------------------------------------------------------------------

    def publish_rows(self, rows: list[EventRecord]) -> None:
        """After-commit callback of this process's Database."""
        self.submit(as_committed(rows))

    def submit(self, events: list[CommittedEvent]) -> None:
        """Events from anywhere (this process, or others through Redis); duplicates are fine."""
        if events and self._task is not None:
            self._inbox.put_nowait(events)

    def resync(self) -> None:
        """Something may have been missed (the broker was away): read every watched stream."""
        if self._task is not None:
            self._inbox.put_nowait([])

    # --- subscribers ---------------------------------------------------------------------------

    async def subscribe(self, subscriber: Subscriber) -> None:
        """Register, then replay from the database what came after the subscriber's last seq.

        Registering first means nothing committed during the replay can be missed; the
        subscriber's own `last_seq` drops what the replay already delivered.
        """
        head = await self._head(subscriber.account_id)
        if head - subscriber.last_seq > MAX_REPLAY:
            raise TooFarBehind(
                f"More than {MAX_REPLAY} events were missed: reload over REST and connect afresh"
            )
        self._subscribers.setdefault(subscriber.account_id, set()).add(subscriber)
        # Live events for this account are checked for gaps from here on: anything that arrives
        # ahead of the client's position is completed from the database, even mid-replay.
        self._expected.setdefault(subscriber.account_id, subscriber.last_seq + 1)
        try:
            while True:
                batch = await self._read(subscriber.account_id, subscriber.last_seq, None)
                subscriber.offer_batch(batch, replaying=True)
                if len(batch) < REPLAY_BATCH:
                    break
        finally:
            subscriber.release_held()

    async def _head(self, account_id: str) -> int:
        async with self.db.reading() as session:
            head = await session.scalar(
                select(EventStream.last_seq).where(EventStream.account_id == account_id)
            )
        return int(head or 0)

    def unsubscribe(self, subscriber: Subscriber) -> None:
        watchers = self._subscribers.get(subscriber.account_id)
        if watchers is not None:
            watchers.discard(subscriber)
            if not watchers:
                del self._subscribers[subscriber.account_id]
                self._expected.pop(subscriber.account_id, None)

    def subscriber_count(self) -> int:
        return sum(len(s) for s in self._subscribers.values())

    # --- the hub's task ------------------------------------------------------------------------

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="parlour-hub")
        if self.resync_every is not None and self._watcher is None:
            self._watcher = asyncio.create_task(self.watch_heads(self.resync_every), name="parlour-hub-heads")

    async def stop(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watcher
            self._watcher = None
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            events = await self._inbox.get()
            try:
                if events:
                    await self._dispatch(events)
                else:
                    await self._catch_up_all()
            except Exception:
                log.exception("hub.dispatch_failed")

    async def _dispatch(self, events: list[CommittedEvent]) -> None:
        by_account: dict[str, list[CommittedEvent]] = {}
        for event in sorted(events, key=lambda e: (e.account_id, e.seq)):
            by_account.setdefault(event.account_id, []).append(event)
        for account_id, arrived in by_account.items():
            if not self._subscribers.get(account_id):
                continue
            expected = self._expected.get(account_id)
            # Something before these events may not have reached us yet: it is committed (its
            # successors are), so read the gap from the database, page by page.
            while expected is not None and expected < arrived[0].seq:
                gap = await self._read(account_id, expected - 1, arrived[0].seq - 1)
                if not gap:
                    break
                self._deliver(account_id, gap)
                expected = self._expected.get(account_id)
            self._deliver(account_id, arrived)

    async def _catch_up_all(self) -> None:
        behind = await self._streams_behind()
        for account_id in behind:
            expected = self._expected.get(account_id)
            if expected is None:
                continue
            while True:
                batch = await self._read(account_id, expected - 1, None)
                self._deliver(account_id, batch)
                if len(batch) < REPLAY_BATCH:
                    break
                expected = batch[-1].seq + 1

    async def _streams_behind(self) -> list[str]:
        """Watched accounts whose stream head is past what this hub delivered: one cheap query."""
        watched = [a for a in self._subscribers if a in self._expected]
        behind: list[str] = []
        for start in range(0, len(watched), 500):
            chunk = watched[start : start + 500]
            async with self.db.reading() as session:
                heads = await session.execute(
                    select(EventStream.account_id, EventStream.last_seq).where(
                        EventStream.account_id.in_(chunk)
                    )
                )
                behind += [
                    account for account, head in heads if head >= self._expected.get(account, head + 1)
                ]
        return behind

    async def watch_heads(self, every: float) -> None:
        """A safety net under the live feed: whatever an event's announcement was lost to (a
        Redis publish that failed), the stream heads show it within `every` seconds."""
        while True:
            await asyncio.sleep(every)
            self.resync()

    def _deliver(self, account_id: str, events: list[CommittedEvent]) -> None:
        expected = self._expected.get(account_id)
        fresh = [e for e in events if expected is None or e.seq >= expected]
        if not fresh:
            return
        self._expected[account_id] = max(e.seq for e in fresh) + 1
        for subscriber in list(self._subscribers.get(account_id, ())):
            subscriber.offer_live(fresh)

    async def _read(self, account_id: str, after_seq: int, up_to_seq: int | None) -> list[CommittedEvent]:
        query = select(EventRecord).where(EventRecord.account_id == account_id, EventRecord.seq > after_seq)
        if up_to_seq is not None:
            query = query.where(EventRecord.seq <= up_to_seq)
        async with self.db.reading() as session:
            rows = list(await session.scalars(query.order_by(EventRecord.seq).limit(REPLAY_BATCH)))
        return as_committed(rows)
