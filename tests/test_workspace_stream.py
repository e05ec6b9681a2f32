"""The staff stream's workspace frames: who is viewing a ticket and writing a reply, notes
delivered to staff only, and the Origin check of cookie-authenticated sockets."""

import asyncio
import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import websockets

from parlour.client import CustomerClient, StaffClient, Stream
from parlour.db import Database
from parlour.settings import Settings
from tests.conftest import Tenant
from tests.live import LiveServer
from tests.test_workspace_api import PASSWORD, Team, make_team


@pytest.fixture
def server(settings: Settings, tenant: Tenant) -> Iterator[LiveServer]:
    live = LiveServer(settings)
    live.start()
    try:
        yield live
    finally:
        live.stop()


@pytest.fixture
async def team(db: Database, tenant: Tenant) -> Team:
    return await make_team(db, tenant)


async def _staff(server: LiveServer, tenant: Tenant, email: str) -> StaffClient:
    client = StaffClient(server.url, tenant.app_id)
    await client.sign_in(email, PASSWORD)
    return client


async def _viewers_until(stream: Stream, check: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    """Pushed `viewers` frames arrive on every change (one's own too): the first that matches."""
    while True:
        frame = await stream.next_frame_of("viewers", timeout=5)
        if check(frame):
            return frame


async def _handed_off(server: LiveServer, tenant: Tenant, customer: CustomerClient) -> str:
    conversation = await customer.open_conversation()
    async with httpx.AsyncClient(base_url=server.url, headers=tenant.auth_header) as api:
        handed = await api.post(
            f"/v2/apps/{tenant.app_id}/conversations/{conversation['id']}/passControl",
            json={"switchboardIntegration": "zd-agentWorkspace", "metadata": {"subject": "Help"}},
        )
        assert handed.status_code == 200, handed.text
    return str(conversation["id"])


async def test_staff_on_one_ticket_see_each_other_and_who_is_writing(
    server: LiveServer, tenant: Tenant, team: Team
) -> None:
    customer = CustomerClient(server.url, tenant.app_id)
    await customer.start_anonymous()
    conversation_id = await _handed_off(server, tenant, customer)
    sam, ada = (
        await _staff(server, tenant, "agent@acme.test"),
        await _staff(server, tenant, "admin@acme.test"),
    )
    async with await sam.connect() as sam_stream, await ada.connect() as ada_stream:
        first = await sam_stream.request({"type": "view", "conversationId": conversation_id})
        assert [v["name"] for v in first["viewers"]] == ["Sam Support"]
        both = await ada_stream.request({"type": "view", "conversationId": conversation_id})
        assert sorted(v["name"] for v in both["viewers"]) == ["Ada Admin", "Sam Support"]
        await _viewers_until(sam_stream, lambda f: len(f["viewers"]) == 2)

        ack = await ada_stream.request(
            {"type": "composing", "conversationId": conversation_id, "composing": "reply"}
        )
        assert ack == {"type": "ack", "composing": "reply", "requestId": ack["requestId"]}
        writing = await _viewers_until(sam_stream, lambda f: any(v["composing"] for v in f["viewers"]))
        assert {v["name"]: v["composing"] for v in writing["viewers"]} == {
            "Ada Admin": "reply",
            "Sam Support": None,
        }

        bad = await ada_stream.request(
            {"type": "composing", "conversationId": conversation_id, "composing": "poem"}
        )
        assert bad["type"] == "error"
        unseen = await ada_stream.request(
            {"type": "composing", "conversationId": "f" * 24, "composing": "reply"}
        )
        assert unseen["type"] == "error"
        missing = await sam_stream.request({"type": "view", "conversationId": "f" * 24})
        assert missing["type"] == "error" and missing["code"] == "conversation_not_found"

        await ada_stream.close()
        left = await _viewers_until(sam_stream, lambda f: len(f["viewers"]) == 1)
        assert [v["name"] for v in left["viewers"]] == ["Sam Support"]
    await customer.aclose()
    await sam.aclose()
    await ada.aclose()


async def test_a_cookie_socket_from_another_site_is_refused(
    server: LiveServer, tenant: Tenant, team: Team
) -> None:
    sam = await _staff(server, tenant, "agent@acme.test")
    url = f"{server.url.replace('http', 'ws')}/workspace/v1/apps/{tenant.app_id}/ws"
    cookie = f"parlour_session={sam.token}"
    async with websockets.connect(
        url, additional_headers={"Cookie": cookie, "Origin": "https://evil.example"}
    ) as ws:
        await ws.send(json.dumps({"type": "hello", "lastSeq": None}))
        refused = json.loads(await ws.recv())
        assert refused["type"] == "error" and refused["code"] == "unauthorized"
    async with websockets.connect(url, additional_headers={"Cookie": cookie, "Origin": server.url}) as ws:
        await ws.send(json.dumps({"type": "hello", "lastSeq": None}))
        assert json.loads(await ws.recv())["type"] == "ready"
    await sam.aclose()


async def test_a_deactivated_agents_open_stream_is_closed_at_its_next_frame_or_ping(
    settings: Settings, tenant: Tenant, team: Team, db: Database
) -> None:
    from parlour.people import actions as people_actions  # noqa: PLC0415
    from parlour.people import queries as people_queries  # noqa: PLC0415

    live = LiveServer(settings.model_copy(update={"ws_heartbeat_seconds": 1}))
    live.start()
    try:
        agent = await _staff(live, tenant, "agent@acme.test")
        busy, idle = await agent.connect(), await agent.connect()
        assert (await busy.request({"type": "status", "status": "online"}))["type"] == "ack"
        async with db.transaction() as session:
            staff = await people_queries.get_staff_or_raise(session, tenant.app_id, team.agent)
            await people_actions.do_deactivate_staff(session, staff)
        # The busy one tries to act (after the second during which a check stands); the idle one
        # only receives. Both end with 4001.
        await asyncio.sleep(1.2)
        with pytest.raises(Exception):  # noqa: B017 - the client reports the close its own way
            await busy.request({"type": "status", "status": "away"}, timeout=5)
        await busy.wait_closed()
        await idle.wait_closed()
        assert busy.connection.close_code == 4001
        assert idle.connection.close_code == 4001
        await agent.aclose()
    finally:
        live.stop()


async def test_a_focused_stream_carries_only_its_conversations(
    server: LiveServer, tenant: Tenant, team: Team
) -> None:
    first, second = CustomerClient(server.url, tenant.app_id), CustomerClient(server.url, tenant.app_id)
    await first.start_anonymous()
    await second.start_anonymous()
    followed = await _handed_off(server, tenant, first)
    other = await _handed_off(server, tenant, second)
    ada = await _staff(server, tenant, "admin@acme.test")
    async with await ada.connect(conversations=[followed]) as focused, await ada.connect() as whole:
        await second.send_text(other, "not for the focused stream", client_message_id="o-1")
        await first.send_text(followed, "for both streams", client_message_id="f-1")

        async def texts_until(stream: Stream, last: str) -> list[str]:
            seen: list[str] = []
            while last not in seen:
                frame = await stream.next_event(timeout=5)
                if frame["event"]["type"] == "conversation:message":
                    seen.append(frame["event"]["payload"]["message"]["content"].get("text", ""))
            return seen

        assert "not for the focused stream" not in await texts_until(focused, "for both streams")
        assert {"not for the focused stream", "for both streams"} <= set(
            await texts_until(whole, "for both streams")
        )
    for bad in ([], ["x"] * 101, "c1", [3]):
        with pytest.raises(Exception) as refused:
            await ada.connect(conversations=bad)  # type: ignore[arg-type]
        assert "bad_frame" in str(refused.value) or "4000" in str(refused.value)
    await first.aclose()
    await second.aclose()
    await ada.aclose()
