"""The in-process event bus: receives events after their transaction commits."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from parlour.outbox.models import EventRecord
from parlour.outbox.recorder import CommittedEvent, as_committed

QUEUE_BOUND = 1000


class MemoryBus:
    def __init__(self) -> None:
        self._subscribers: set[asyncio.Queue[CommittedEvent]] = set()

    def publish_rows(self, rows: list[EventRecord]) -> None:
        """The Database's after-commit callback: rows are committed by the time this runs."""
        for event in as_committed(rows):
            for queue in list(self._subscribers):
                try:
                    queue.put_nowait(event)
                except asyncio.QueueFull:
                    # A subscriber that cannot keep up is dropped, never allowed to slow others;
                    # it resumes from the database by event id.
                    self._subscribers.discard(queue)

    @asynccontextmanager
    async def subscribe(self) -> AsyncIterator["asyncio.Queue[CommittedEvent]"]:
        queue: asyncio.Queue[CommittedEvent] = asyncio.Queue(maxsize=QUEUE_BOUND)
        self._subscribers.add(queue)
        try:
            yield queue
        finally:
            self._subscribers.discard(queue)
