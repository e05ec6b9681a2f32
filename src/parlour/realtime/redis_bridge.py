"""Fan-out between server processes through Redis pub/sub.

Each process publishes the events it commits and feeds what the others publish into its hub.
Redis is only a fast path: the events table is the truth. Whenever the subscription (re)starts,
the hub re-reads every stream it serves from the database, so a Redis restart or a network cut
loses nothing; it only delays delivery until the bridge reconnects (backing off to 5 s).
"""

import asyncio
import contextlib
import json
from datetime import datetime
from typing import Any

import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError

from parlour.lib import ids
from parlour.outbox.models import EventRecord
from parlour.outbox.recorder import CommittedEvent, as_committed
from parlour.realtime.hub import Hub
from parlour.realtime.presence import Presence

log = structlog.get_logger("parlour.realtime")


def encode(events: list[CommittedEvent], origin: str) -> str:
    return json.dumps(
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
        },
        separators=(",", ":"),
    )


def decode(raw: str | bytes) -> tuple[str, list[CommittedEvent]]:
    body: dict[str, Any] = json.loads(raw)
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
    def __init__(self, url: str, hub: Hub, channel: str, presence: Presence) -> None:
        self.url = url
        self.hub = hub
        self.presence = presence
        presence.on_change = self._presence_changed
        self.channel = channel
        self.origin = ids.new_id()
        self.redis: Redis = Redis.from_url(url, socket_timeout=5, socket_connect_timeout=2)
        self._task: asyncio.Task[None] | None = None
        self._presence_tasks: set[asyncio.Task[None]] = set()
        self.connected = asyncio.Event()

    async def publish_rows(self, rows: list[EventRecord]) -> None:
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
        message = json.dumps(
            {"origin": self.origin, "presence": {"accountId": key[0], "userId": key[1], "online": online}}
        )
        task = asyncio.get_running_loop().create_task(self._publish_presence(message))
        self._presence_tasks.add(task)
        task.add_done_callback(self._presence_tasks.discard)

    async def _publish_presence(self, message: str) -> None:
        try:
            await self.redis.publish(self.channel, message)
        except (RedisError, OSError) as exc:
            log.warning("redis.presence_publish_failed", error=str(exc))

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="parlour-redis-bridge")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self.redis.aclose()

    async def _run(self) -> None:
        delay = 0.2
        while True:
            pubsub = self.redis.pubsub()
            try:
                await pubsub.subscribe(self.channel)
                self.connected.set()
                self.hub.resync()  # anything published while we were away is in the database
                delay = 0.2
                log.info("redis.subscribed", channel=self.channel)
                while True:
                    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
                    if message is None or message.get("type") != "message":
                        continue
                    body = json.loads(message["data"])
                    if body.get("origin") == self.origin:
                        continue
                    if "presence" in body:
                        change = body["presence"]
                        self.presence.remote_change(
                            body["origin"], (change["accountId"], change["userId"]), change["online"]
                        )
                    else:
                        self.hub.submit(decode(message["data"])[1])
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
