"""Fan-out between server processes through Redis pub/sub.

Each process publishes the events it commits and feeds what the others publish into its hub.
Redis is only a fast path: the events table is the truth. Whenever the subscription (re)starts,
the hub re-reads every stream it serves from the database, so a Redis restart or a network cut
loses nothing; it only delays delivery until the bridge reconnects (backing off to 5 s).

Presence has no table to fall back on, so the processes keep each other's view whole themselves:
- a process that (re)subscribes publishes its snapshot (every customer it holds) and asks the
  others for theirs (`sync`), so a process started late, or back after Redis was away, is right;
- every process says it is alive every `beat` seconds; one not heard from for three beats is
  taken as gone and its customers as offline (a process killed with SIGKILL says nothing);
- a process that stops cleanly says so (`gone`).
"""

import asyncio
import contextlib
import time
from collections.abc import Coroutine
from datetime import datetime
from typing import Any

import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError

from parlour.lib import ids, jsontext
from parlour.outbox.recorder import CommittedEvent, PendingEvent, as_committed
from parlour.realtime.hub import Hub
from parlour.realtime.presence import Presence

# The longest a stopping process waits for each of its Redis tasks and calls.
STOP_WAIT_S = 2.0

log = structlog.get_logger("parlour.realtime")


def encode(events: list[CommittedEvent], origin: str) -> str:
    return jsontext.dumps(
        {
            "origin": origin,
            "events": [
                {
                    "id": e.id,
                    "accountId": e.account_id,
                    "seq": e.seq,
                    "conversationId": e.conversation_id,
                    "userId": e.user_id,
                    "type": e.type,
                    "payload": e.payload,
                    "createdAt": e.created_at.isoformat(),
                }
                for e in events
            ],
        }
    )


def decode(raw: str | bytes) -> tuple[str, list[CommittedEvent]]:
    body: dict[str, Any] = jsontext.loads(raw)
    events = [
        CommittedEvent(
            id=e["id"],
            account_id=e["accountId"],
            seq=e["seq"],
            conversation_id=e["conversationId"],
            user_id=e["userId"],
            type=e["type"],
            payload=e["payload"],
            created_at=datetime.fromisoformat(e["createdAt"]),
        )
        for e in body["events"]
    ]
    return str(body["origin"]), events


class RedisBridge:
    def __init__(
        self, url: str, hub: Hub, channel: str, presence: Presence, *, beat_seconds: float = 5.0
    ) -> None:
        self.url = url
        self.beat_seconds = beat_seconds
        self._last_heard: dict[str, float] = {}  # origin → monotonic time of its last message
        self._beat_task: asyncio.Task[None] | None = None
        self.hub = hub
        self.presence = presence
        presence.on_change = self._presence_changed
        self.channel = channel
        self.origin = ids.new_id()
        self.redis: Redis = Redis.from_url(url, socket_timeout=5, socket_connect_timeout=2)
        self._task: asyncio.Task[None] | None = None
        self._presence_tasks: set[asyncio.Task[None]] = set()
        self.connected = asyncio.Event()

    async def publish_rows(self, rows: list[PendingEvent]) -> None:
        """After-commit callback: tell the other processes. A failure here loses nothing (they
        resync from the database when their subscription comes back), so it is only logged."""
        message = encode(as_committed(rows), self.origin)
        for attempt in (1, 2):  # the second attempt gets a fresh connection after a Redis restart
            try:
                await self.redis.publish(self.channel, message)
                return
            except (RedisError, OSError) as exc:
                if attempt == 2:
                    log.warning("redis.publish_failed", error=str(exc))

    def _presence_changed(self, key: tuple[str, str], online: bool) -> None:
        self._spawn(self._say(presence={"accountId": key[0], "userId": key[1], "online": online}))

    async def _publish_presence(self, message: str) -> None:
        try:
            await self.redis.publish(self.channel, message)
        except (RedisError, OSError) as exc:
            log.warning("redis.presence_publish_failed", error=str(exc))

    async def _say(self, **body: Any) -> None:
        await self._publish_presence(jsontext.dumps({"origin": self.origin, **body}))

    async def _send_snapshot(self) -> None:
        await self._say(snapshot=[list(key) for key in self.presence.local_keys()])

    def _heard(self, origin: str, body: dict[str, Any]) -> None:
        """A message from another process: presence news, and a sign of life."""
        self._last_heard[origin] = time.monotonic()
        if body.get("gone"):
            self._last_heard.pop(origin, None)
            self.presence.forget(origin)
        elif "snapshot" in body:
            self.presence.remote_snapshot(origin, {(str(a), str(u)) for a, u in body["snapshot"]})
        elif body.get("sync"):
            self._spawn(self._send_snapshot())
        elif "presence" in body:
            change = body["presence"]
            self.presence.remote_change(origin, (change["accountId"], change["userId"]), change["online"])

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._presence_tasks.add(task)
        task.add_done_callback(self._presence_tasks.discard)

    def forget_silent(self) -> list[str]:
        """Forget the processes not heard from for three beats; returns them."""
        limit = time.monotonic() - 3 * self.beat_seconds
        origins = self.presence.remote_origins()
        silent = [origin for origin in origins if self._last_heard.get(origin, 0) < limit]
        for origin in silent:
            self._last_heard.pop(origin, None)
            self.presence.forget(origin)
            log.info("redis.process_silent", origin=origin)
        return silent

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(self.beat_seconds)
            await self._say(beat=True)
            self.forget_silent()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="parlour-redis-bridge")
        if self._beat_task is None:
            self._beat_task = asyncio.create_task(self._beat(), name="parlour-redis-beat")

    async def stop(self) -> None:
        # Bounded: a Redis call caught reconnecting to a server that just came back can hold off
        # its cancellation for seconds (seen under load), and a stopping server must not hang on
        # it. What is left undone here only costs the others three beats of waiting.
        tasks = [task for task in (self._beat_task, self._task) if task is not None]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=STOP_WAIT_S)
        self._task = self._beat_task = None
        with contextlib.suppress(TimeoutError, RedisError, OSError):
            async with asyncio.timeout(STOP_WAIT_S):
                await self._say(gone=True)  # the others need not wait three beats
        with contextlib.suppress(TimeoutError, RedisError, OSError):
            async with asyncio.timeout(STOP_WAIT_S):
                await self.redis.aclose()

    async def _run(self) -> None:
        delay = 0.2
        while True:
            pubsub = self.redis.pubsub()
            try:
                await pubsub.subscribe(self.channel)
                self.connected.set()
                self.hub.resync()  # anything published while we were away is in the database
                # Presence said while we were away is lost: everyone says it again.
                await self._say(sync=True)
                await self._send_snapshot()
                delay = 0.2
                log.info("redis.subscribed", channel=self.channel)
                while True:
                    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
                    if message is None or message.get("type") != "message":
                        continue
                    body = jsontext.loads(message["data"])
                    origin = str(body.get("origin"))
                    if origin == self.origin:
                        continue
                    if "events" in body:
                        self._last_heard[origin] = time.monotonic()
                        self.hub.submit(decode(message["data"])[1])
                    else:
                        self._heard(origin, body)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # any failure: reconnect with backoff
                self.connected.clear()
                log.warning("redis.subscription_lost", error=str(exc), retry_in=delay)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)
