"""One WebSocket connection's life after it authenticated: the resumable event stream out,
client frames in, heartbeats both ways. The protocol is documented in docs/client-api.md.

Frames are JSON objects with a `type`. Server → client: `ready`, `event`, `ack`, `error`, `ping`,
`pong`. Client → server: `ping`, `pong`, and whatever the endpoint's handler understands
(`message`, `activity`); the handler's answer goes back as one frame.
"""

import asyncio
import contextlib
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import structlog
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from parlour.db import Database
from parlour.lib import clock, jsontext
from parlour.lib.errors import ParlourError
from parlour.outbox.recorder import CommittedEvent
from parlour.realtime.hub import Hub, SlowConsumer, Subscriber, TooFarBehind, stream_head

log = structlog.get_logger("parlour.realtime")

# Close codes (4000-4999 are the application's).
CLOSE_BAD_FRAME = 4000
CLOSE_UNAUTHORIZED = 4001
CLOSE_HEARTBEAT = 4002
CLOSE_SLOW = 4008
CLOSE_RESYNC = 4009
MAX_FRAME_BYTES = 64 * 1024

Handler = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]
# Checks that the credential the stream was opened with still holds (a staff session can end,
# a staff member be deactivated or change groups); raises a ParlourError when it does not.
Recheck = Callable[[], Awaitable[None]]
RECHECK_EVERY_S = 1.0


@dataclass(frozen=True)
class Heartbeat:
    interval: float = 25.0  # the server sends {"type": "ping"} this often
    timeout: float = 60.0  # a client silent this long (no frame at all) is disconnected


def event_frame(event: CommittedEvent) -> dict[str, Any]:
    return {
        "type": "event",
        "seq": event.seq,
        "event": {"type": event.type, "createdAt": clock.iso(event.created_at), "payload": event.payload},
    }


# One event goes to every subscriber of its audience: its frame is serialised once, not per socket.
# Keyed by account, seq and row id together: a row id alone can come back after deletions.
_frames: OrderedDict[tuple[str, int, int], str] = OrderedDict()
_FRAME_CACHE = 2048


def event_text(event: CommittedEvent) -> str:
    key = (event.account_id, event.seq, event.id)
    text = _frames.get(key)
    if text is None:
        text = jsontext.dumps(event_frame(event))
        _frames[key] = text
        if len(_frames) > _FRAME_CACHE:
            _frames.popitem(last=False)
    return text


def error_frame(frame: dict[str, Any], failure: Exception | None) -> dict[str, Any]:
    """The answer to a client frame that could not be carried out (None: an unknown frame type)."""
    if failure is None:
        code, title = "bad_frame", f"Unknown frame type {frame.get('type')!r}"
    elif isinstance(failure, ParlourError):
        code, title = failure.instance_code, failure.title
    else:
        code, title = "bad_request", str(failure)[:300]
    return {"type": "error", "code": code, "title": title, "clientMessageId": frame.get("clientMessageId")}


async def resume_point(db: Database, account_id: str, requested: object) -> int:
    """Where a new connection starts: after the client's `lastSeq`, or at the stream's head for
    a client with nothing to resume. A position past the head is taken as the head."""
    head = await stream_head(db, account_id)
    if isinstance(requested, bool) or not isinstance(requested, int) or requested < 0:
        return head
    return min(requested, head)


async def receive_json(websocket: WebSocket, within: float | None) -> dict[str, Any]:
    """One client frame as a JSON object; anything else closes the connection. `within` seconds
    at most (None: as long as it takes; a ready stream's heartbeat task watches for silence)."""
    if within is None:
        message = await websocket.receive()
    else:
        # asyncio.timeout, not wait_for: wait_for wraps the receive in a task of its own.
        async with asyncio.timeout(within):
            message = await websocket.receive()
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", 1000))
    raw = message.get("text") if message.get("text") is not None else message.get("bytes")
    if raw is None or len(raw) > MAX_FRAME_BYTES:
        raise ValueError("frames are JSON text of at most 64 KB")
    frame = jsontext.loads(raw)
    if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
        raise ValueError("a frame is a JSON object with a string `type`")
    return frame


async def refuse(websocket: WebSocket, code: int, error_code: str, title: str) -> None:
    with contextlib.suppress(RuntimeError, WebSocketDisconnect):
        await websocket.send_text(jsontext.dumps({"type": "error", "code": error_code, "title": title}))
        await websocket.close(code=code, reason=title[:120])


async def serve(
    websocket: WebSocket,
    hub: Hub,
    subscriber: Subscriber,
    handle: Handler,
    ready: dict[str, Any],
    heartbeat: Heartbeat,
    recheck: Recheck | None = None,
) -> None:
    """Replay what the client missed, then stream live events until either side goes away.

    With `recheck`, the credential is checked again before each frame the client sends (at most
    once a second) and at every ping: a refusal closes the stream with 4001."""
    try:
        try:
            await hub.subscribe(subscriber)
        except TooFarBehind as too_far:
            await refuse(websocket, CLOSE_RESYNC, "resync_required", str(too_far))
            return
        await websocket.send_text(jsontext.dumps({"type": "ready", **ready}))
        await _Session(websocket, subscriber, handle, heartbeat, recheck).run()
    finally:
        hub.unsubscribe(subscriber)
        if websocket.application_state != WebSocketState.DISCONNECTED:
            with contextlib.suppress(RuntimeError, WebSocketDisconnect):  # the client may be gone already
                await websocket.close()


class _Session:
    """The two directions of one ready connection and its heartbeat, each in its own task; the
    first to end ends all three."""

    def __init__(
        self,
        websocket: WebSocket,
        subscriber: Subscriber,
        handle: Handler,
        heartbeat: Heartbeat,
        recheck: Recheck | None = None,
    ) -> None:
        self.websocket, self.subscriber, self.handle, self.heartbeat = (
            websocket,
            subscriber,
            handle,
            heartbeat,
        )
        self.recheck = recheck
        self.last_heard = time.monotonic()
        self.last_checked = time.monotonic()

    async def still_allowed(self, *, force: bool = False) -> bool:
        """False once the credential no longer holds; the stream is then closed with 4001."""
        if self.recheck is None or (not force and time.monotonic() - self.last_checked < RECHECK_EVERY_S):
            return True
        try:
            await self.recheck()
        except ParlourError as refused:
            await refuse(self.websocket, CLOSE_UNAUTHORIZED, refused.instance_code, refused.title)
            return False
        self.last_checked = time.monotonic()
        return True

    async def run(self) -> None:
        tasks = [
            asyncio.create_task(self.outgoing()),
            asyncio.create_task(self.incoming()),
            asyncio.create_task(self.beat()),
        ]
        done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        for task in done:
            failure = task.exception()
            if isinstance(failure, SlowConsumer):
                await refuse(
                    self.websocket, CLOSE_SLOW, "slow_consumer", "Too far behind: reconnect and resume"
                )
            elif failure is not None and not isinstance(failure, WebSocketDisconnect | RuntimeError):
                log.error("ws.failed", error=repr(failure))
        for task in pending:
            with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect, RuntimeError):
                await task

    async def beat(self) -> None:
        """Pings on a timer, busy stream or not, so that a client that only answers pings is always
        heard from; a client silent for the timeout is disconnected. A task of its own, rather
        than a timeout around every wait for an event or a frame: those cost a timer each, and a
        busy stream waits for thousands a second."""
        next_ping = time.monotonic() + self.heartbeat.interval
        while True:
            now = time.monotonic()
            deadline = self.last_heard + self.heartbeat.timeout
            if now >= deadline:
                await refuse(self.websocket, CLOSE_HEARTBEAT, "heartbeat_timeout", "No frame from the client")
                return
            if now >= next_ping:
                if not await self.still_allowed(force=True):
                    return
                await self.websocket.send_text(jsontext.dumps({"type": "ping"}))
                next_ping = time.monotonic() + self.heartbeat.interval
            await asyncio.sleep(max(0.0, min(next_ping, deadline) - time.monotonic()))

    async def outgoing(self) -> None:
        while True:
            item = await self.subscriber.next()
            if isinstance(item, dict):
                await self.websocket.send_text(jsontext.dumps(item))
            else:
                await self.websocket.send_text(event_text(item))

    async def incoming(self) -> None:
        while True:
            try:
                frame = await receive_json(self.websocket, None)
            except (ValueError, UnicodeDecodeError) as bad:
                await refuse(self.websocket, CLOSE_BAD_FRAME, "bad_frame", str(bad)[:200])
                return
            self.last_heard = time.monotonic()
            if frame["type"] == "ping":
                await self.websocket.send_text(jsontext.dumps({"type": "pong"}))
            elif frame["type"] != "pong":
                if not await self.still_allowed():
                    return
                reply = await self.handle(frame)
                if "requestId" in frame:  # lets the client match answers to its requests
                    reply["requestId"] = frame["requestId"]
                await self.websocket.send_text(jsontext.dumps(reply))
