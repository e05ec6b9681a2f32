"""The per-process hub: committed events in, each connected client's share of them out.

Every account's events carry a gap-free sequence number (`seq`) in commit order. The hub keeps,
per account, the next `seq` it expects. Events may reach it out of order or not at all (two
commits finishing close together, another process's events arriving through Redis, Redis
restarting); whenever what arrives is ahead of what it expects, the hub reads the missing events
from the database, so every subscriber receives its account's stream complete and in order.

Each subscriber has a bounded queue: one that cannot keep up is cut off (and resumes by seq from
the database) instead of slowing anyone else down.

An event is offered only to the subscribers that may want it, not to every subscriber of the
account: an audience that names its interest (`keys()`: the conversations and the user it
follows) is indexed by it, so a message costs its conversation's few streams, not the whole
account's thousands. Audiences without `keys` (an admin's whole-account stream) see everything.
The audience's own filter still decides; the index only spares asking the others.
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
from parlour.outbox.recorder import CommittedEvent, PendingEvent, as_committed

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
#
# And `keys()`, with `version`: the index keys of the events it can accept (`conversation_key`,
# `user_key`), re-read whenever `version` changes (a customer's new conversation); None or no
# `keys` at all: every event of the account.


def conversation_key(conversation_id: str) -> str:
    return f"c:{conversation_id}"


def user_key(user_id: str) -> str:
    return f"u:{user_id}"


def _event_keys(event: CommittedEvent) -> tuple[str, ...]:
    if event.conversation_id and event.user_id:
        return (conversation_key(event.conversation_id), user_key(event.user_id))
    if event.conversation_id:
        return (conversation_key(event.conversation_id),)
    if event.user_id:
        return (user_key(event.user_id),)
    return ()


@dataclass(eq=False)
class _Room:
    """One account's subscribers: those that see everything, and the others by index key."""

    everyone: set["Subscriber"] = field(default_factory=set)
    by_key: dict[str, set["Subscriber"]] = field(default_factory=dict)
    # What each indexed subscriber is filed under, and at which version of its audience.
    filed: dict["Subscriber", tuple[frozenset[str], object]] = field(default_factory=dict)
    # Subscribers still replaying see every live event (held until the replay ends): the replay
    # may teach their audience keys that no index could know yet.
    replaying: set["Subscriber"] = field(default_factory=set)

    def add(self, subscriber: "Subscriber") -> None:
        keys = getattr(subscriber.accepts, "keys", None)
        if keys is None or keys() is None:
            self.everyone.add(subscriber)
        else:
            self.replaying.add(subscriber)

    def settle(self, subscriber: "Subscriber") -> None:
        """The replay is over: from now on, only what the audience's keys name."""
        if subscriber in self.replaying:
            self.replaying.discard(subscriber)
            self._file(subscriber)

    def _file(self, subscriber: "Subscriber") -> None:
        keys = frozenset(subscriber.accepts.keys())  # type: ignore[attr-defined]
        old = self.filed.get(subscriber, (frozenset(), None))[0]
        for key in old - keys:
            self._drop(key, subscriber)
        for key in keys - old:
            self.by_key.setdefault(key, set()).add(subscriber)
        self.filed[subscriber] = (keys, getattr(subscriber.accepts, "version", None))

    def remove(self, subscriber: "Subscriber") -> None:
        self.everyone.discard(subscriber)
        self.replaying.discard(subscriber)
        keys, _ = self.filed.pop(subscriber, (frozenset(), None))
        for key in keys:
            self._drop(key, subscriber)

    def _drop(self, key: str, subscriber: "Subscriber") -> None:
        holders = self.by_key.get(key)
        if holders is not None:
            holders.discard(subscriber)
            if not holders:
                del self.by_key[key]

    def deliver(self, events: Sequence[CommittedEvent]) -> None:
        for subscriber in list(self.everyone) + list(self.replaying):
            subscriber.offer_live(events)
        if not self.by_key:
            return
        # One event at a time: an event can change an audience's keys (a customer's new
        # conversation) and the next one, in the same batch, be the first of what it now follows.
        for event in events:
            targets: set[Subscriber] = set()
            for key in _event_keys(event):
                targets.update(self.by_key.get(key, ()))
            for subscriber in targets:
                subscriber.offer_live((event,))
                if self.filed[subscriber][1] != getattr(subscriber.accepts, "version", None):
                    self._file(subscriber)


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


async def stream_head(db: Database, account_id: str) -> int:
    """The seq of the account's latest committed event (0 before the first)."""
    async with db.looking_up() as session:
        head = await session.scalar(select(EventStream.last_seq).where(EventStream.account_id == account_id))
    return int(head or 0)


class Hub:
    def __init__(self, db: Database, *, resync_every: float | None = None) -> None:
        self.db = db
        self.resync_every = resync_every
        self._watcher: asyncio.Task[None] | None = None
        self._subscribers: dict[str, set[Subscriber]] = {}
        self._rooms: dict[str, _Room] = {}
        self._expected: dict[str, int] = {}
        self._inbox: asyncio.Queue[list[CommittedEvent]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    # --- input -------------------------------------------------------------------------------

    def publish_rows(self, rows: list[PendingEvent]) -> None:
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
        self._rooms.setdefault(subscriber.account_id, _Room()).add(subscriber)
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
            room = self._rooms.get(subscriber.account_id)
            if room is not None:
                room.settle(subscriber)

    async def _head(self, account_id: str) -> int:
        return await stream_head(self.db, account_id)

    def unsubscribe(self, subscriber: Subscriber) -> None:
        watchers = self._subscribers.get(subscriber.account_id)
        room = self._rooms.get(subscriber.account_id)
        if room is not None:
            room.remove(subscriber)
        if watchers is not None:
            watchers.discard(subscriber)
            if not watchers:
                del self._subscribers[subscriber.account_id]
                self._rooms.pop(subscriber.account_id, None)
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
        room = self._rooms.get(account_id)
        if room is not None:
            room.deliver(fresh)

    async def _read(self, account_id: str, after_seq: int, up_to_seq: int | None) -> list[CommittedEvent]:
        query = select(EventRecord).where(EventRecord.account_id == account_id, EventRecord.seq > after_seq)
        if up_to_seq is not None:
            query = query.where(EventRecord.seq <= up_to_seq)
        async with self.db.looking_up() as session:
            rows = list(await session.scalars(query.order_by(EventRecord.seq).limit(REPLAY_BATCH)))
        return as_committed(rows)
