"""Real-time delivery over WebSockets against a real server: audiences, resume by seq with
nothing lost or doubled, idempotent sends, typing, heartbeats."""

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import pytest
import websockets

from parlour.client import ClientError, CustomerClient, StaffClient, Stream
from parlour.db import Database
from parlour.people import actions as people_actions
from parlour.people import queries as people_queries
from parlour.settings import Settings
from parlour.tickets import actions as ticket_actions
from parlour.tickets import queries as ticket_queries
from tests.conftest import Tenant, make_tenant
from tests.helpers import workspace_answers_first_in
from tests.live import LiveServer

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
async def _workspace_first(db: Database, tenant: Tenant) -> None:
    """Delivery is tested on the customers' and the agents' own messages: the agent workspace
    answers first, so the AI agent adds none."""
    await workspace_answers_first_in(db, tenant.app_id)


@dataclass
class Team:
    admin: str
    agent: str
    outsider: str  # an agent of another group


@pytest.fixture
def server(settings: Settings, tenant: Tenant) -> Iterator[LiveServer]:
    live = LiveServer(
        settings.model_copy(update={"ws_heartbeat_seconds": 0.3, "ws_heartbeat_timeout_seconds": 1.0})
    )
    live.start()
    try:
        yield live
    finally:
        live.stop()


@pytest.fixture
async def team(db: Database, tenant: Tenant) -> Team:
    async with db.transaction() as session:
        support = next(
            g for g in await people_queries.list_groups(session, tenant.app_id) if g.name == "Support"
        )
        billing = await people_actions.do_create_group(session, tenant.account, name="Billing")
        for email, role, group in (
            ("admin@acme.test", "admin", None),
            ("agent@acme.test", "agent", support),
            ("billing@acme.test", "agent", billing),
        ):
            staff = await people_actions.do_create_staff(
                session, tenant.account, email=email, name=email.split("@")[0], role=role, password=PASSWORD
            )
            if group is not None:
                await people_actions.do_add_group_member(session, group, staff)
    return Team("admin@acme.test", "agent@acme.test", "billing@acme.test")


@pytest.fixture
async def customer(server: LiveServer, tenant: Tenant) -> AsyncIterator[CustomerClient]:
    client = CustomerClient(server.url, tenant.app_id)
    await client.start_anonymous()
    yield client
    await client.aclose()


async def _staff(server: LiveServer, tenant: Tenant, email: str) -> StaffClient:
    client = StaffClient(server.url, tenant.app_id)
    await client.sign_in(email, PASSWORD)
    return client


async def _next_of(stream: Stream, event_type: str) -> dict:
    while True:
        frame = await stream.next_event(timeout=5)
        if frame["event"]["type"] == event_type:
            return frame


async def _drain(stream: Stream, quiet: float = 0.3) -> list[dict]:
    frames = []
    while True:
        try:
            frames.append(await stream.next_event(timeout=quiet))
        except TimeoutError:
            return frames


async def test_a_customer_message_reaches_the_agent_and_the_reply_reaches_the_customer(
    server: LiveServer, tenant: Tenant, team: Team, customer: CustomerClient
) -> None:
    agent = await _staff(server, tenant, team.agent)
    conversation = await customer.open_conversation()
    async with await customer.connect() as customer_stream, await agent.connect() as agent_stream:
        ack = await customer_stream.send_text(conversation["id"], "Where is my parcel?")
        assert ack["type"] == "ack" and ack["message"]["content"]["text"] == "Where is my parcel?"
        received = await _next_of(agent_stream, "conversation:message")
        assert received["event"]["payload"]["message"]["id"] == ack["message"]["id"]
        await agent.reply(conversation["id"], "On its way!")
        replies = [f for f in await _drain(customer_stream) if f["event"]["type"] == "conversation:message"]
        assert [f["event"]["payload"]["message"]["content"]["text"] for f in replies] == [
            "Where is my parcel?",
            "On its way!",
        ]
        assert replies[1]["event"]["payload"]["message"]["author"]["subtypes"] == ["agent"]
    await agent.aclose()


async def test_a_customer_who_reconnects_gets_exactly_what_they_missed(
    server: LiveServer, tenant: Tenant, team: Team, customer: CustomerClient
) -> None:
    admin = await _staff(server, tenant, team.admin)
    conversation = await customer.open_conversation()
    stream = await customer.connect()
    await stream.send_text(conversation["id"], "hello")
    await _drain(stream)
    resume_from = stream.last_seq
    await stream.close()
    for index in range(5):
        await admin.reply(conversation["id"], f"reply {index}")
    async with await customer.connect(last_seq=resume_from) as resumed:
        missed = await _drain(resumed)
        texts = [
            f["event"]["payload"]["message"]["content"]["text"]
            for f in missed
            if f["event"]["type"] == "conversation:message"
        ]
        assert texts == [f"reply {i}" for i in range(5)]
        seqs = [f["seq"] for f in missed]
        assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs) and seqs[0] > resume_from
        await admin.reply(conversation["id"], "live again")
        live = await _next_of(resumed, "conversation:message")
        assert live["event"]["payload"]["message"]["content"]["text"] == "live again"
        assert live["seq"] > seqs[-1]
    await admin.aclose()


async def test_a_resend_over_the_socket_never_creates_a_second_message(
    server: LiveServer, customer: CustomerClient
) -> None:
    conversation = await customer.open_conversation()
    async with await customer.connect() as stream:
        first = await stream.send_text(conversation["id"], "only once", client_message_id="device-1-msg-1")
        again = await stream.send_text(conversation["id"], "only once", client_message_id="device-1-msg-1")
    assert first["message"]["id"] == again["message"]["id"]
    rest = await customer.send_text(conversation["id"], "only once", client_message_id="device-1-msg-1")
    assert rest["id"] == first["message"]["id"]
    history = await customer.history(conversation["id"])
    assert [m["content"]["text"] for m in history["messages"]] == ["only once"]


async def test_each_audience_sees_only_its_own_events(
    server: LiveServer, tenant: Tenant, team: Team, db: Database, settings: Settings
) -> None:
    other = await make_tenant(db, "globex")
    async with db.transaction() as session:
        await people_actions.do_create_staff(
            session, other.account, email="spy@globex.test", name="Spy", role="admin", password=PASSWORD
        )
    alice, bob = CustomerClient(server.url, tenant.app_id), CustomerClient(server.url, tenant.app_id)
    await alice.start_anonymous()
    await bob.start_anonymous()
    spy = StaffClient(server.url, other.app_id)
    await spy.sign_in("spy@globex.test", PASSWORD)
    admin, agent, outsider = [
        await _staff(server, tenant, e) for e in (team.admin, team.agent, team.outsider)
    ]
    alice_conversation = await alice.open_conversation()
    streams = {
        name: await client.connect()
        for name, client in (
            ("bob", bob),
            ("spy", spy),
            ("admin", admin),
            ("agent", agent),
            ("outsider", outsider),
        )
    }
    try:
        # The workspace takes Alice's first message and opens a ticket with no group yet.
        await alice.send_text(alice_conversation["id"], "private question")
        seen = {name: await _drain(stream) for name, stream in streams.items()}
        assert seen["bob"] == [] and seen["spy"] == []
        assert any(f["event"]["type"] == "conversation:message" for f in seen["admin"])
        assert any(f["event"]["type"] == "conversation:message" for f in seen["agent"])
        # Once the ticket is in the Support group, the Billing agent no longer sees it.
        async with db.transaction() as session:
            ticket = await ticket_queries.get_current_ticket(session, alice_conversation["id"])
            support = next(
                g for g in await people_queries.list_groups(session, tenant.app_id) if g.name == "Support"
            )
            assert ticket is not None
            await ticket_actions.do_update_ticket(session, tenant.account, ticket, group_id=support.id)
        await alice.send_text(alice_conversation["id"], "for support only")
        seen = {name: await _drain(stream) for name, stream in streams.items()}
        texts = {
            name: [
                f["event"]["payload"]["message"]["content"]["text"]
                for f in frames
                if f["event"]["type"] == "conversation:message"
            ]
            for name, frames in seen.items()
        }
        assert texts == {
            "bob": [],
            "spy": [],
            "admin": ["for support only"],
            "agent": ["for support only"],
            "outsider": [],
        }
    finally:
        for stream in streams.values():
            await stream.close()
        for client in (alice, bob, spy, admin, agent, outsider):
            await client.aclose()


async def test_typing_reaches_the_other_side(
    server: LiveServer, tenant: Tenant, team: Team, customer: CustomerClient
) -> None:
    admin = await _staff(server, tenant, team.admin)
    conversation = await customer.open_conversation()
    async with await customer.connect() as customer_stream, await admin.connect() as admin_stream:
        await customer_stream.activity(conversation["id"], "typing:start")
        typing = await _next_of(admin_stream, "conversation:typing")
        assert typing["event"]["payload"]["activity"]["typing"] is True
        assert typing["event"]["payload"]["activity"]["author"]["type"] == "user"
    await admin.aclose()


async def test_bad_credentials_close_the_socket_with_a_reason(server: LiveServer, tenant: Tenant) -> None:
    with pytest.raises(ClientError) as refused:
        await CustomerClient(server.url, tenant.app_id, client_token="not-a-token").connect()
    assert refused.value.code == "unauthorized"
    with pytest.raises(ClientError):
        await StaffClient(server.url, tenant.app_id).connect()
    url = server.url.replace("http", "ws") + f"/client/v1/apps/{tenant.app_id}/ws"
    async with websockets.connect(url) as raw:
        await raw.send("not json")
        frame = json.loads(await raw.recv())
        assert frame["code"] == "bad_frame"
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await raw.recv()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4000


async def test_a_silent_client_is_disconnected_and_a_live_one_is_kept(
    server: LiveServer, tenant: Tenant, customer: CustomerClient
) -> None:
    url = server.url.replace("http", "ws") + f"/client/v1/apps/{tenant.app_id}/ws"
    async with websockets.connect(url) as silent:
        await silent.send(json.dumps({"type": "hello", "auth": customer.auth, "lastSeq": None}))
        frames = []
        with pytest.raises(websockets.ConnectionClosed) as closed:
            while True:
                frames.append(json.loads(await asyncio.wait_for(silent.recv(), 5)))
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4002
        assert {"type": "ping"} in frames
    async with await customer.connect() as alive:  # the reference client answers every ping
        await asyncio.sleep(2.0)
        conversation = await customer.open_conversation()
        ack = await alive.send_text(conversation["id"], "still here")
        assert ack["type"] == "ack"


async def test_an_agent_watching_a_conversation_is_told_when_the_customer_comes_and_goes(
    server: LiveServer, tenant: Tenant, team: Team, customer: CustomerClient
) -> None:
    admin = await _staff(server, tenant, team.admin)
    conversation = await customer.open_conversation()
    async with await admin.connect() as admin_stream:
        now = await admin_stream.request({"type": "watch", "conversationId": conversation["id"]})
        assert (now["type"], now["conversationId"], now["customerOnline"]) == (
            "presence",
            conversation["id"],
            False,
        )
        customer_stream = await customer.connect()
        assert await admin_stream.next_frame_of("presence") == {
            "type": "presence",
            "conversationId": conversation["id"],
            "customerOnline": True,
        }
        await customer_stream.close()
        assert (await admin_stream.next_frame_of("presence"))["customerOnline"] is False
    await admin.aclose()


async def test_agent_availability_reaches_staff_but_not_customers(
    server: LiveServer, tenant: Tenant, team: Team, customer: CustomerClient
) -> None:
    admin, agent = await _staff(server, tenant, team.admin), await _staff(server, tenant, team.agent)
    async with await admin.connect() as admin_stream, await customer.connect() as customer_stream:
        async with await agent.connect() as agent_stream:
            ack = await agent_stream.request({"type": "status", "status": "online"})
            assert (ack["type"], ack["status"]) == ("ack", "online")
        status = await _next_of(admin_stream, "staff:status")
        assert status["event"]["payload"]["staff"]["status"] == "online"
        assert await _drain(customer_stream) == []
    await admin.aclose()
    await agent.aclose()


async def test_the_customers_device_reports_delivery_to_the_team(
    server: LiveServer, tenant: Tenant, team: Team, customer: CustomerClient
) -> None:
    admin = await _staff(server, tenant, team.admin)
    conversation = await customer.open_conversation()
    async with await admin.connect() as admin_stream, await customer.connect() as customer_stream:
        await admin.reply(conversation["id"], "Your refund is on its way")
        await _next_of(customer_stream, "conversation:message")
        assert (await customer_stream.activity(conversation["id"], "conversation:delivered"))["type"] == "ack"
        delivered = await _next_of(admin_stream, "conversation:delivered")
        assert delivered["event"]["payload"]["activity"]["author"]["type"] == "user"
    await admin.aclose()


async def test_a_position_beyond_the_stream_is_taken_as_its_head_and_silences_no_one(
    server: LiveServer, tenant: Tenant, team: Team, customer: CustomerClient
) -> None:
    admin = await _staff(server, tenant, team.admin)
    conversation = await customer.open_conversation()
    async with await customer.connect(last_seq=10**9) as far, await admin.connect() as other:
        assert far.last_seq < 10**9
        await admin.reply(conversation["id"], "still heard")
        assert (await _next_of(far, "conversation:message"))["event"]["payload"]["message"]["content"][
            "text"
        ] == ("still heard")
        await _next_of(other, "conversation:message")
    await admin.aclose()
