"""Reference Python client of Parlour's client API (docs/client-api.md), for SDK authors to read
and for the tests and benchmarks to use. It imports nothing of the server.

    customer = CustomerClient("http://127.0.0.1:8000", app_id)
    await customer.start_anonymous()
    conversation = await customer.open_conversation()
    async with await customer.connect() as stream:
        ack = await stream.send_text(conversation["id"], "Hello")
        event = await stream.next_event()

Staff use `StaffClient` the same way, signed in with their email and password.
"""

import asyncio
import contextlib
import json
import uuid
from types import TracebackType
from typing import Any

import httpx
import websockets
from websockets.asyncio.client import ClientConnection


class ClientError(Exception):
    def __init__(self, status: int, code: str, title: str) -> None:
        super().__init__(f"{status} {code}: {title}")
        self.status, self.code, self.title = status, code, title


def _raise_for(response: httpx.Response) -> Any:
    if response.is_success:
        return response.json()
    try:
        error = response.json()["errors"][0]
    except (ValueError, KeyError, IndexError):
        error = {"code": "http_error", "title": response.text[:200]}
    raise ClientError(response.status_code, error.get("code", ""), error.get("title", ""))


class Stream:
    """One WebSocket connection: events in order (with `seq`), sends acknowledged by the server.

    `last_seq` is the position to resume from: pass it to `connect()` after any disconnect and
    the server replays exactly what was missed.
    """

    def __init__(self, connection: ClientConnection, ready: dict[str, Any]) -> None:
        self.connection = connection
        self.ready = ready
        self.last_seq: int = int(ready.get("lastSeq") or 0)
        self._events: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._frames: asyncio.Queue[dict[str, Any]] = asyncio.Queue()  # presence and other pushes
        self._waiting: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        try:
            async for raw in self.connection:
                frame = json.loads(raw)
                kind = frame.get("type")
                if kind == "event":
                    self.last_seq = frame["seq"]
                    self._events.put_nowait(frame)
                elif kind == "ping":
                    await self.connection.send(json.dumps({"type": "pong"}))
                elif "requestId" in frame:  # the answer to one of our requests
                    waiter = self._waiting.pop(frame["requestId"], None)
                    if waiter is not None and not waiter.done():
                        waiter.set_result(frame)
                else:
                    self._frames.put_nowait(frame)  # pushed by the server (presence, errors)
        except websockets.ConnectionClosed:
            pass
        finally:
            for waiter in self._waiting.values():
                if not waiter.done():
                    waiter.set_exception(ConnectionError("the connection closed before the answer"))
            if not self._closed.done():
                self._closed.set_result(None)

    async def next_event(self, timeout: float = 10.0) -> dict[str, Any]:  # noqa: ASYNC109 - a client API
        async with asyncio.timeout(timeout):  # not wait_for: no task of its own per event
            return await self._events.get()

    async def next_frame_of(self, kind: str, timeout: float = 10.0) -> dict[str, Any]:  # noqa: ASYNC109
        """The next pushed frame of a kind other than events (e.g. `presence`)."""
        while True:
            async with asyncio.timeout(timeout):
                frame = await self._frames.get()
            if frame.get("type") == kind:
                return frame

    def pending_events(self) -> int:
        return self._events.qsize()

    async def request(self, frame: dict[str, Any], timeout: float = 10.0) -> dict[str, Any]:  # noqa: ASYNC109
        """Send a frame and wait for the server's answer, matched by a `requestId` it echoes."""
        request_id = uuid.uuid4().hex
        waiter: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiting[request_id] = waiter
        await self.connection.send(json.dumps({**frame, "requestId": request_id}))
        try:
            async with asyncio.timeout(timeout):
                return await waiter
        finally:
            self._waiting.pop(request_id, None)

    async def send_message(
        self, conversation_id: str, content: dict[str, Any], client_message_id: str | None = None
    ) -> dict[str, Any]:
        """Send and wait for the server's ack (the stored message). Resending the same
        `client_message_id` after a failure never stores a second copy."""
        client_message_id = client_message_id or uuid.uuid4().hex
        return await self.request(
            {
                "type": "message",
                "conversationId": conversation_id,
                "clientMessageId": client_message_id,
                "content": content,
            },
        )

    async def send_text(
        self, conversation_id: str, text: str, client_message_id: str | None = None
    ) -> dict[str, Any]:
        return await self.send_message(conversation_id, {"type": "text", "text": text}, client_message_id)

    async def activity(self, conversation_id: str, activity: str) -> dict[str, Any]:
        return await self.request(
            {"type": "activity", "conversationId": conversation_id, "activity": activity},
        )

    async def wait_closed(self) -> None:
        await self._closed

    async def close(self) -> None:
        await self.connection.close()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reader

    async def __aenter__(self) -> "Stream":
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()


async def _open_stream(url: str, auth: str, last_seq: int | None, **hello: Any) -> Stream:
    connection = await websockets.connect(url, max_size=2**20, ping_interval=20)
    await connection.send(json.dumps({"type": "hello", "auth": auth, "lastSeq": last_seq, **hello}))
    ready = json.loads(await asyncio.wait_for(connection.recv(), 10))
    if ready.get("type") != "ready":
        await connection.close()
        raise ClientError(
            401, ready.get("code", "refused"), ready.get("title", "the server refused the stream")
        )
    return Stream(connection, ready)


class CustomerClient:
    """A customer: anonymous (client token) or identified (a JWT from the business)."""

    def __init__(
        self, base_url: str, app_id: str, *, client_token: str | None = None, jwt: str | None = None
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.app_id = app_id
        self.client_token = client_token
        self.jwt = jwt
        self.user: dict[str, Any] | None = None
        self.http = httpx.AsyncClient(base_url=f"{self.base_url}/client/v1/apps/{app_id}", timeout=30)

    @property
    def auth(self) -> str:
        if self.jwt:
            return f"Bearer {self.jwt}"
        if self.client_token:
            return f"Client {self.client_token}"
        raise RuntimeError("start_anonymous() or login() first")

    def _headers(self) -> dict[str, str]:
        return {"Authorization": self.auth}

    async def start_anonymous(self) -> dict[str, Any]:
        body = _raise_for(await self.http.post("/users"))
        self.client_token, self.user = body["clientToken"], body["user"]
        return body["user"]  # type: ignore[no-any-return]

    async def login(self, jwt: str) -> dict[str, Any]:
        headers = {"Authorization": f"Client {self.client_token}"} if self.client_token else {}
        body = _raise_for(await self.http.post("/login", json={"jwt": jwt}, headers=headers))
        self.jwt, self.client_token, self.user = jwt, None, body["user"]
        return body["user"]  # type: ignore[no-any-return]

    async def open_conversation(self, *, new: bool = False) -> dict[str, Any]:
        response = await self.http.post(
            "/conversations", params={"new": "true"} if new else None, headers=self._headers()
        )
        return _raise_for(response)["conversation"]  # type: ignore[no-any-return]

    async def history(self, conversation_id: str, before: str | None = None) -> dict[str, Any]:
        params = {"page[before]": before} if before else None
        response = await self.http.get(
            f"/conversations/{conversation_id}/messages", params=params, headers=self._headers()
        )
        return _raise_for(response)  # type: ignore[no-any-return]

    async def send_text(
        self, conversation_id: str, text: str, client_message_id: str | None = None
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"content": {"type": "text", "text": text}}
        if client_message_id:
            body["clientMessageId"] = client_message_id
        response = await self.http.post(
            f"/conversations/{conversation_id}/messages", json=body, headers=self._headers()
        )
        return _raise_for(response)["message"]  # type: ignore[no-any-return]

    async def connect(self, last_seq: int | None = None) -> Stream:
        ws_base = self.base_url.replace("http://", "ws://", 1).replace("https://", "wss://", 1)
        return await _open_stream(f"{ws_base}/client/v1/apps/{self.app_id}/ws", self.auth, last_seq)

    async def aclose(self) -> None:
        await self.http.aclose()


class StaffClient:
    """An agent or admin of the workspace."""

    def __init__(self, base_url: str, app_id: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.app_id = app_id
        self.token: str | None = None
        self.http = httpx.AsyncClient(base_url=f"{self.base_url}/workspace/v1/apps/{app_id}", timeout=30)

    async def sign_in(self, email: str, password: str) -> dict[str, Any]:
        body = _raise_for(await self.http.post("/session", json={"email": email, "password": password}))
        self.token = body["token"]
        self.http.cookies.clear()
        return body["staff"]  # type: ignore[no-any-return]

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Session {self.token}"}

    async def reply(self, conversation_id: str, text: str) -> dict[str, Any]:
        response = await self.http.post(
            f"/conversations/{conversation_id}/messages",
            json={"content": {"type": "text", "text": text}},
            headers=self._headers(),
        )
        return _raise_for(response)["message"]  # type: ignore[no-any-return]

    async def connect(self, last_seq: int | None = None, conversations: list[str] | None = None) -> Stream:
        """The staff stream; `conversations` focuses it on those conversations' events only."""
        ws_base = self.base_url.replace("http://", "ws://", 1).replace("https://", "wss://", 1)
        extra = {"conversations": conversations} if conversations is not None else {}
        return await _open_stream(
            f"{ws_base}/workspace/v1/apps/{self.app_id}/ws", f"Session {self.token}", last_seq, **extra
        )

    async def aclose(self) -> None:
        await self.http.aclose()
