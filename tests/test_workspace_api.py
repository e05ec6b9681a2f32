"""The agent workspace API (PRODUCT §8): sign-in with CSRF and slowing, views, the ticket page,
changes, notes, attachments and isolation between accounts and between agents' groups."""

import asyncio
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from parlour.db import Database
from parlour.lib import clock
from parlour.outbox.models import EventRecord
from parlour.people import actions as people_actions
from parlour.switchboard import builtin
from parlour.widget.audience import CUSTOMER_EVENT_TYPES
from tests.conftest import Tenant
from tests.helpers import (
    create_conversation,
    create_user,
    customers_with_conversations,
    post_text,
    say_as_customer,
    workspace_answers_first_in,
)

PASSWORD = "correct horse battery"


@dataclass
class Team:
    admin: str
    agent: str
    billing: str
    billing_group: str
    support_group: str


async def make_team(db: Database, tenant: Tenant) -> Team:
    async with db.transaction() as session:
        ids: dict[str, str] = {}
        for email, name, role in (
            ("admin@acme.test", "Ada Admin", "admin"),
            ("agent@acme.test", "Sam Support", "agent"),
            ("billing@acme.test", "Bea Billing", "agent"),
        ):
            staff = await people_actions.do_create_staff(
                session, tenant.account, email=email, name=name, role=role, password=PASSWORD
            )
            ids[email] = staff.id
        support = await people_actions.do_create_group(session, tenant.account, name="Frontline")
        billing = await people_actions.do_create_group(session, tenant.account, name="Invoices")
        agent = await people_actions_staff(session, tenant, ids["agent@acme.test"])
        await people_actions.do_add_group_member(session, support, agent)
        bea = await people_actions_staff(session, tenant, ids["billing@acme.test"])
        await people_actions.do_add_group_member(session, billing, bea)
    return Team(
        ids["admin@acme.test"], ids["agent@acme.test"], ids["billing@acme.test"], billing.id, support.id
    )


async def people_actions_staff(session: Any, tenant: Tenant, staff_id: str) -> Any:
    from parlour.people import queries as people_queries  # noqa: PLC0415 - test helper only

    return await people_queries.get_staff_or_raise(session, tenant.app_id, staff_id)


@pytest.fixture
async def team(db: Database, tenant: Tenant) -> Team:
    return await make_team(db, tenant)


class Staff:
    """A signed-in browser: the session cookie plus the CSRF header, as the workspace sends them."""

    def __init__(self, http: httpx.AsyncClient, app_id: str, csrf: str, token: str) -> None:
        self.http, self.root, self.csrf, self.token = http, f"/workspace/v1/apps/{app_id}", csrf, token

    def _url(self, path: str) -> str:
        return f"{self.root}/{path}" if path else self.root

    async def get(self, path: str) -> httpx.Response:
        return await self.http.get(self._url(path), headers=self._auth())

    async def send(self, method: str, path: str, body: Any = None, **kwargs: Any) -> httpx.Response:
        headers = {"X-CSRF-Token": self.csrf, **self._auth()}
        return await self.http.request(method, self._url(path), json=body, headers=headers, **kwargs)

    def _auth(self) -> dict[str, str]:
        # httpx keeps one cookie jar per client: name the session explicitly so that two staff
        # members can share one client.
        return {"Cookie": f"parlour_session={self.token}"}


async def sign_in(http: httpx.AsyncClient, tenant: Tenant, email: str) -> Staff:
    response = await http.post(
        f"/workspace/v1/apps/{tenant.app_id}/session", json={"email": email, "password": PASSWORD}
    )
    assert response.status_code == 201, response.text
    body = response.json()
    http.cookies.clear()
    return Staff(http, tenant.app_id, body["csrfToken"], body["token"])


async def customer_ticket(api: httpx.AsyncClient, external_id: str, text: str, **profile: Any) -> str:
    await create_user(api, external_id, **profile)
    conversation = await create_conversation(api, external_id)
    await hand_to_agents(api, conversation["id"], text)
    response = await post_text(api, conversation["id"], text, user=external_id)
    assert response.status_code == 201, response.text
    return str(conversation["id"])


async def hand_to_agents(api: httpx.AsyncClient, conversation_id: str, subject: str) -> None:
    """The AI agent answers first by default; this hands the conversation to the agents."""
    handed = await api.post(
        f"conversations/{conversation_id}/passControl",
        json={"switchboardIntegration": "zd-agentWorkspace", "metadata": {"subject": subject}},
    )
    assert handed.status_code == 200, handed.text


async def ticket_of(staff: Staff, conversation_id: str) -> dict[str, Any]:
    tickets = (await staff.get("views/open")).json()["tickets"]
    return next(t for t in tickets if t["conversationId"] == conversation_id)


# Sign-in, CSRF, slowing


async def test_a_cookie_session_needs_the_csrf_header_to_change_anything(
    http: httpx.AsyncClient, tenant: Tenant, team: Team
) -> None:
    agent = await sign_in(http, tenant, "agent@acme.test")
    me = await agent.get("me")
    assert me.status_code == 200 and me.json()["csrfToken"] == agent.csrf
    cookie = {"Cookie": f"parlour_session={agent.token}"}
    root = f"/workspace/v1/apps/{tenant.app_id}"
    refused = await http.put(f"{root}/me/status", json={"status": "online"}, headers=cookie)
    assert refused.status_code == 403 and refused.json()["errors"][0]["code"] == "csrf_failed"
    wrong = await http.put(
        f"{root}/me/status", json={"status": "online"}, headers={**cookie, "X-CSRF-Token": "x" * 64}
    )
    assert wrong.status_code == 403
    assert (await agent.get("me")).json()["staff"]["status"] == "offline"
    assert (await agent.send("PUT", "me/status", {"status": "online"})).status_code == 200
    # A token in Authorization is not sent by browsers on their own: no CSRF header needed.
    by_header = await http.put(
        f"{root}/me/status", json={"status": "away"}, headers={"Authorization": f"Session {agent.token}"}
    )
    assert by_header.status_code == 200
    assert (await agent.get("me")).json()["staff"]["status"] == "away"


async def test_a_wrong_password_or_email_gets_the_same_refusal_and_repeats_are_slowed(
    http: httpx.AsyncClient, tenant: Tenant, team: Team
) -> None:
    root = f"/workspace/v1/apps/{tenant.app_id}/session"
    with clock.frozen(datetime(2026, 11, 2, 9, 0, tzinfo=UTC)):
        wrong_password = await http.post(root, json={"email": "agent@acme.test", "password": "nope"})
        unknown_email = await http.post(root, json={"email": "nobody@acme.test", "password": "nope"})
        assert wrong_password.status_code == unknown_email.status_code == 401
        assert wrong_password.json() == unknown_email.json()
        for _ in range(4):
            assert (
                await http.post(root, json={"email": "agent@acme.test", "password": "x"})
            ).status_code == 401
        slowed = await http.post(root, json={"email": "agent@acme.test", "password": PASSWORD})
        assert slowed.status_code == 429
        assert slowed.json()["errors"][0]["code"] == "too_many_attempts"
        # Another staff member is not slowed by someone guessing the agent's password.
        assert (
            await http.post(root, json={"email": "admin@acme.test", "password": PASSWORD})
        ).status_code == 201
        clock.advance(timedelta(seconds=16))
        assert (
            await http.post(root, json={"email": "agent@acme.test", "password": PASSWORD})
        ).status_code == 201
        # Success clears the count.
        assert (await http.post(root, json={"email": "agent@acme.test", "password": "x"})).status_code == 401


async def test_sign_out_ends_the_session(http: httpx.AsyncClient, tenant: Tenant, team: Team) -> None:
    agent = await sign_in(http, tenant, "agent@acme.test")
    assert (await agent.send("DELETE", "session")).status_code == 200
    assert (await agent.get("me")).status_code == 401


async def test_the_team_lists_everyones_status(http: httpx.AsyncClient, tenant: Tenant, team: Team) -> None:
    agent = await sign_in(http, tenant, "agent@acme.test")
    admin = await sign_in(http, tenant, "admin@acme.test")
    await agent.send("PUT", "me/status", {"status": "transfers_only"})
    listed = (await admin.get("staff")).json()
    by_email = {s["email"]: s for s in listed["staff"]}
    assert by_email["agent@acme.test"]["status"] == "transfers_only"
    assert by_email["agent@acme.test"]["groupIds"] == [team.support_group]
    assert {"Frontline", "Invoices"} <= {g["name"] for g in listed["groups"]}
    bad = await agent.send("PUT", "me/status", {"status": "asleep"})
    assert bad.status_code == 400


# Views


async def test_views_sort_by_waiting_time_and_count_what_each_agent_may_see(
    api: httpx.AsyncClient, http: httpx.AsyncClient, tenant: Tenant, team: Team
) -> None:
    with clock.frozen(datetime(2026, 11, 2, 9, 0, tzinfo=UTC)):
        first = await customer_ticket(api, "c1", "First in line")
        clock.advance(timedelta(minutes=5))
        second = await customer_ticket(api, "c2", "Second in line")
        clock.advance(timedelta(minutes=5))
        billing_only = await customer_ticket(api, "c3", "Invoice question")
    admin = await sign_in(http, tenant, "admin@acme.test")
    agent = await sign_in(http, tenant, "agent@acme.test")
    billing = await ticket_of(admin, billing_only)
    assert (
        await admin.send("PATCH", f"tickets/{billing['id']}", {"groupId": team.billing_group})
    ).status_code == 200

    unassigned = (await agent.get("views/unassigned")).json()
    assert [t["conversationId"] for t in unassigned["tickets"]] == [first, second]
    assert unassigned["tickets"][0]["requester"]["name"]
    assert unassigned["counts"] == {"mine": 0, "unassigned": 2, "open": 2, "pending": 0, "solved": 0}
    assert (await admin.get("views/open")).json()["counts"]["open"] == 3

    # The agent answers the first customer: the second now waits longest.
    ticket = await ticket_of(agent, first)
    assert (await agent.send("POST", f"tickets/{ticket['id']}/take")).json()["ticket"]["status"] == "open"
    reply = await agent.send(
        "POST", f"conversations/{first}/messages", {"content": {"type": "text", "text": "Hi"}}
    )
    assert reply.status_code == 201
    mine = (await agent.get("views/mine")).json()
    assert [t["conversationId"] for t in mine["tickets"]] == [first]
    assert mine["tickets"][0]["waitingSince"] is None
    assert [t["conversationId"] for t in (await agent.get("views/open")).json()["tickets"]] == [second, first]

    assert (await agent.send("PATCH", f"tickets/{ticket['id']}", {"status": "pending"})).status_code == 200
    counts = (await agent.get("views/pending")).json()["counts"]
    assert counts == {"mine": 0, "unassigned": 1, "open": 1, "pending": 1, "solved": 0}
    assert (await agent.get("views/everything")).status_code == 400


# The ticket page


async def test_the_ticket_page_has_the_conversation_notes_customer_and_previous_tickets(
    api: httpx.AsyncClient, http: httpx.AsyncClient, tenant: Tenant, team: Team
) -> None:
    conversation = await customer_ticket(
        api, "ada", "My <b>parcel</b> is late", givenName="Ada", surname="L", email="ada@example.com"
    )
    agent = await sign_in(http, tenant, "agent@acme.test")
    ticket = await ticket_of(agent, conversation)
    await agent.send("POST", f"tickets/{ticket['id']}/notes", {"text": "Check the courier"})
    await agent.send("PATCH", f"tickets/{ticket['id']}", {"status": "solved"})
    # A second conversation of the same customer: the first ticket shows as a previous one.
    assert (await api.patch("", json={"settings": {"multiConvoEnabled": True}})).status_code == 200
    second = await create_conversation(api, "ada")
    await hand_to_agents(api, second["id"], "Another thing")
    await post_text(api, second["id"], "Another thing", user="ada")
    current = await ticket_of(agent, second["id"])

    page = (await agent.get(f"tickets/{current['id']}")).json()
    assert page["requester"]["name"] == "Ada L" and page["requester"]["email"] == "ada@example.com"
    assert page["requester"]["context"] == {"currentUrl": None, "locale": None, "updatedAt": None}
    assert [t["number"] for t in page["previousTickets"]] == [ticket["number"]]
    assert page["conversation"]["composerOpen"] is True

    first_page = (await agent.get(f"tickets/{ticket['id']}")).json()
    assert [m["content"]["text"] for m in first_page["messages"]] == ["My <b>parcel</b> is late"]
    assert [(n["text"], n["author"]["name"]) for n in first_page["notes"]] == [
        ("Check the courier", "Sam Support")
    ]
    assert first_page["ticket"]["status"] == "solved"


async def test_earlier_messages_page_back_to_the_start_with_the_notes_of_their_period(
    api: httpx.AsyncClient,
    http: httpx.AsyncClient,
    tenant: Tenant,
    other_tenant: Tenant,
    team: Team,
    db: Database,
) -> None:
    conversation = await customer_ticket(api, "ada", "Message 1")
    admin = await sign_in(http, tenant, "admin@acme.test")
    ticket = await ticket_of(admin, conversation)
    path = f"tickets/{ticket['id']}"
    for number in range(2, 131):
        # A second apart: notes take their place in the timeline by time.
        clock.advance(timedelta(seconds=1))
        assert (await post_text(api, conversation, f"Message {number}", user="ada")).status_code == 201
        if number == 10:
            await admin.send("POST", f"{path}/notes", {"text": "Early note"})
    clock.advance(timedelta(seconds=1))
    await admin.send("POST", f"{path}/notes", {"text": "Late note"})

    detail = (await admin.get(path)).json()
    assert [m["content"]["text"] for m in detail["messages"]] == [f"Message {n}" for n in range(31, 131)]
    assert detail["conversation"]["hasEarlierMessages"] is True
    assert [n["text"] for n in detail["notes"]] == ["Late note"]

    cursor = detail["messages"][0]["id"]
    earlier = await admin.get(f"{path}/messages?page[before]={cursor}")
    assert earlier.status_code == 200, earlier.text
    body = earlier.json()
    assert [m["content"]["text"] for m in body["messages"]] == [f"Message {n}" for n in range(1, 31)]
    assert [n["text"] for n in body["notes"]] == ["Early note"]
    assert body["meta"]["hasMore"] is False and body["meta"]["beforeCursor"] == body["messages"][0]["id"]
    start = (await admin.get(f"{path}/messages?page[before]={body['messages'][0]['id']}")).json()
    assert (start["messages"], start["notes"], start["meta"]["hasMore"]) == ([], [], False)

    for bad in ("?page[before]=nope", "", f"?page[before]={'a' * 65}"):
        refused = await admin.get(f"{path}/messages{bad}")
        assert refused.status_code == 400, (bad, refused.text)
        assert refused.json()["errors"][0]["code"] == "bad_request"
    # A message of another conversation is no cursor here.
    other_conversation = await customer_ticket(api, "bob", "Unrelated")
    stranger = (await admin.get("views/open")).json()["tickets"]
    foreign = next(t for t in stranger if t["conversationId"] == other_conversation)
    foreign_message = (await admin.get(f"tickets/{foreign['id']}")).json()["messages"][0]["id"]
    missing = await admin.get(f"{path}/messages?page[before]={foreign_message}")
    assert missing.status_code == 404 and missing.json()["errors"][0]["code"] == "message_not_found"

    # Exactly the ticket page's reach: out of the agent's groups, or another account, is not found.
    await admin.send("PATCH", path, {"groupId": team.billing_group})
    agent = await sign_in(http, tenant, "agent@acme.test")
    assert (await agent.get(f"{path}/messages?page[before]={cursor}")).status_code == 404
    billing = await sign_in(http, tenant, "billing@acme.test")
    assert len((await billing.get(f"{path}/messages?page[before]={cursor}")).json()["messages"]) == 30
    await make_team(db, other_tenant)
    outsider = await sign_in(http, other_tenant, "admin@acme.test")
    assert (await outsider.get(f"{path}/messages?page[before]={cursor}")).status_code == 404


async def test_changes_take_transfer_end_session_and_their_refusals(
    api: httpx.AsyncClient, http: httpx.AsyncClient, tenant: Tenant, team: Team
) -> None:
    conversation = await customer_ticket(api, "c1", "Help")
    agent = await sign_in(http, tenant, "agent@acme.test")
    ticket = await ticket_of(agent, conversation)
    path = f"tickets/{ticket['id']}"
    await agent.send("POST", f"{path}/take")
    changed = await agent.send(
        "PATCH",
        path,
        {"priority": "urgent", "tags": ["VIP", "vip", "refund"], "customFields": {"order": "A1"}},
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()["ticket"]
    assert (body["priority"], body["tags"], body["customFields"]) == (
        "urgent",
        ["vip", "refund"],
        {"order": "A1"},
    )

    for bad in (
        {"status": "closed"},
        {"status": None},
        {"priority": "whenever"},
        {"tags": ["two words"]},
        {"unknown": 1},
        {"customFields": {"nested": {"no": 1}}},
    ):
        refused = await agent.send("PATCH", path, bad)
        assert refused.status_code == 400, (bad, refused.text)
    assert (await agent.send("PATCH", path, {"groupId": "f" * 24})).status_code == 404
    after = (await agent.get(path)).json()["ticket"]
    assert (after["priority"], after["tags"]) == ("urgent", ["vip", "refund"])

    # Out of every group: the assignee keeps it.
    ungrouped = await agent.send("PATCH", path, {"groupId": None})
    assert (ungrouped.json()["ticket"]["groupId"], ungrouped.json()["ticket"]["assigneeId"]) == (
        None,
        team.agent,
    )

    # Transfer to a group the assignee is not in: back to that group's queue, out of the agent's reach.
    moved = await agent.send("PATCH", path, {"groupId": team.billing_group})
    assert moved.status_code == 200
    assert (moved.json()["ticket"]["groupId"], moved.json()["ticket"]["assigneeId"]) == (
        team.billing_group,
        None,
    )
    assert (await agent.get(path)).status_code == 404
    billing = await sign_in(http, tenant, "billing@acme.test")
    assert (await billing.send("POST", f"{path}/take")).json()["ticket"]["assigneeId"] == team.billing

    ended = await billing.send("POST", f"{path}/end-session")
    assert ended.json()["ticket"]["sessionEndedAt"] is not None
    assert ended.json()["ticket"]["status"] == "open"
    assert (await billing.get(path)).json()["conversation"]["composerOpen"] is False


async def test_agents_outside_the_group_and_other_accounts_see_nothing(
    api: httpx.AsyncClient,
    http: httpx.AsyncClient,
    tenant: Tenant,
    other_tenant: Tenant,
    team: Team,
    db: Database,
) -> None:
    conversation = await customer_ticket(api, "c1", "Billing please")
    admin = await sign_in(http, tenant, "admin@acme.test")
    ticket = await ticket_of(admin, conversation)
    await admin.send("PATCH", f"tickets/{ticket['id']}", {"groupId": team.billing_group})
    agent = await sign_in(http, tenant, "agent@acme.test")
    for method, path, body in (
        ("GET", f"tickets/{ticket['id']}", None),
        ("PATCH", f"tickets/{ticket['id']}", {"priority": "low"}),
        ("POST", f"tickets/{ticket['id']}/take", None),
        ("POST", f"tickets/{ticket['id']}/notes", {"text": "sneaky"}),
        ("POST", f"tickets/{ticket['id']}/end-session", None),
        ("POST", f"conversations/{conversation}/messages", {"content": {"type": "text", "text": "hi"}}),
    ):
        response = await (agent.get(path) if method == "GET" else agent.send(method, path, body))
        assert response.status_code == 404, (method, path, response.text)
    assert (await agent.get("views/open")).json()["tickets"] == []

    other = await make_team(db, other_tenant)
    assert other.admin
    outsider = await sign_in(http, other_tenant, "admin@acme.test")
    assert (await outsider.get(f"tickets/{ticket['id']}")).status_code == 404
    assert (await outsider.send("PATCH", f"tickets/{ticket['id']}", {"priority": "low"})).status_code == 404
    # A session of one account is no session in another.
    assert (
        await http.get(
            f"/workspace/v1/apps/{tenant.app_id}/me", headers={"Authorization": f"Session {outsider.token}"}
        )
    ).status_code == 401
    unchanged = (await admin.get(f"tickets/{ticket['id']}")).json()
    assert unchanged["ticket"]["priority"] == "normal" and unchanged["notes"] == []


async def test_an_earlier_ticket_does_not_open_a_conversation_now_in_another_group(
    api: httpx.AsyncClient, http: httpx.AsyncClient, tenant: Tenant, team: Team
) -> None:
    conversation = await customer_ticket(api, "c1", "First question")
    admin = await sign_in(http, tenant, "admin@acme.test")
    first = await ticket_of(admin, conversation)
    assert (await admin.send("POST", f"tickets/{first['id']}/end-session")).status_code == 200
    await hand_to_agents(api, conversation, "Now about my invoice")
    tickets = (await admin.get("views/open")).json()["tickets"]
    second = next(t for t in tickets if t["conversationId"] == conversation and t["id"] != first["id"])
    await admin.send("PATCH", f"tickets/{second['id']}", {"groupId": team.billing_group})

    agent = await sign_in(http, tenant, "agent@acme.test")
    assert (await agent.get(f"tickets/{first['id']}")).status_code == 404
    assert (await agent.send("POST", f"tickets/{first['id']}/notes", {"text": "peek"})).status_code == 404
    billing = await sign_in(http, tenant, "billing@acme.test")
    page = (await billing.get(f"tickets/{second['id']}")).json()
    assert [t["subject"] for t in page["previousTickets"]] == ["First question"]
    assert page["notes"] == []


# Notes


async def test_notes_reach_staff_streams_only_and_never_webhooks(
    api: httpx.AsyncClient, http: httpx.AsyncClient, tenant: Tenant, team: Team, db: Database
) -> None:
    conversation = await customer_ticket(api, "c1", "Help")
    agent = await sign_in(http, tenant, "agent@acme.test")
    ticket = await ticket_of(agent, conversation)
    created = await agent.send(
        "POST", f"tickets/{ticket['id']}/notes", {"text": "  <script>x</script> internal  "}
    )
    assert created.status_code == 201
    assert created.json()["note"]["text"] == "<script>x</script> internal"
    for bad in ({"text": "   "}, {"text": "x" * 8001}, {"text": "ok", "attachments": [{"mediaUrl": 3}]}):
        assert (await agent.send("POST", f"tickets/{ticket['id']}/notes", bad)).status_code == 400
    async with db.reading() as session:
        rows = list(await session.scalars(select(EventRecord).where(EventRecord.type == "ticket:note")))
    assert len(rows) == 1 and rows[0].webhooks_pending is False
    assert "ticket:note" not in CUSTOMER_EVENT_TYPES
    messages = (await api.get(f"conversations/{conversation}/messages")).json()["messages"]
    assert all("internal" not in str(m["content"]) for m in messages)


async def test_the_ai_agents_handoff_summary_becomes_a_note(
    api: httpx.AsyncClient, http: httpx.AsyncClient, tenant: Tenant, team: Team
) -> None:
    await create_user(api, "c1")
    conversation = await create_conversation(api, "c1")
    # What the AI agent sends when it hands off (the summary is free text from the customer).
    handed = await api.post(
        f"conversations/{conversation['id']}/passControl",
        json={
            "switchboardIntegration": "zd-agentWorkspace",
            "metadata": {"summary": "Asked for a refund twice"},
        },
    )
    assert handed.status_code == 200, handed.text
    agent = await sign_in(http, tenant, "agent@acme.test")
    ticket = await ticket_of(agent, conversation["id"])
    notes = (await agent.get(f"tickets/{ticket['id']}")).json()["notes"]
    assert [(n["text"], n["author"]["type"]) for n in notes] == [("Asked for a refund twice", "ai_agent")]
    assert builtin.AGENT_WORKSPACE


async def test_a_handoff_naming_a_group_routes_the_ticket_there(
    api: httpx.AsyncClient, http: httpx.AsyncClient, tenant: Tenant, team: Team
) -> None:
    admin = await sign_in(http, tenant, "admin@acme.test")
    for external_id, group_id, expected in (
        ("c1", team.billing_group, team.billing_group),
        ("c2", "f" * 24, None),  # a group deleted since the flow was written: no group, not lost
    ):
        await create_user(api, external_id)
        conversation = await create_conversation(api, external_id)
        handed = await api.post(
            f"conversations/{conversation['id']}/passControl",
            json={"switchboardIntegration": "zd-agentWorkspace", "metadata": {"groupId": group_id}},
        )
        assert handed.status_code == 200, handed.text
        assert (await ticket_of(admin, conversation["id"]))["groupId"] == expected


# Attachments


async def test_staff_upload_a_file_and_send_it(
    api: httpx.AsyncClient, http: httpx.AsyncClient, tenant: Tenant, team: Team
) -> None:
    conversation = await customer_ticket(api, "c1", "Send me the form")
    agent = await sign_in(http, tenant, "agent@acme.test")
    uploaded = await http.post(
        f"/workspace/v1/apps/{tenant.app_id}/attachments",
        files={"source": ("form.pdf", b"%PDF-1.4 test", "application/pdf")},
        headers={"X-CSRF-Token": agent.csrf, "Cookie": f"parlour_session={agent.token}"},
    )
    assert uploaded.status_code == 201, uploaded.text
    attachment = uploaded.json()["attachment"]
    assert attachment["mediaType"] == "application/pdf" and attachment["mediaUrl"].endswith("/form.pdf")
    sent = await agent.send(
        "POST",
        f"conversations/{conversation}/messages",
        {"content": {"type": "file", "mediaUrl": attachment["mediaUrl"], "altText": "form.pdf"}},
    )
    assert sent.status_code == 201, sent.text
    refused = await http.post(
        f"/workspace/v1/apps/{tenant.app_id}/attachments",
        files={"source": ("run.exe", b"MZ...", "application/x-msdownload")},
        headers={"X-CSRF-Token": agent.csrf, "Cookie": f"parlour_session={agent.token}"},
    )
    assert refused.status_code in (400, 415), refused.text


async def test_a_sign_in_holds_up_neither_the_event_loop_nor_customers_messages(
    http: httpx.AsyncClient, db: Database, tenant: Tenant, team: Team
) -> None:
    """Checking a password (argon2) takes about 0.1 s of CPU by design: it runs on a thread and
    outside the write transaction, so a customer's message sent meanwhile is stored at once."""
    await workspace_answers_first_in(db, tenant.app_id)  # no AI agent (its model loads slowly)
    ((user, conversation_id),) = await customers_with_conversations(db, tenant, 1)
    finished: dict[str, float] = {}

    async def signing_in() -> None:
        await sign_in(http, tenant, "agent@acme.test")
        finished["sign-in"] = time.monotonic()

    async def customer() -> None:
        await asyncio.sleep(0.02)  # the sign-in is checking the password by now
        async with db.transaction() as session:
            await say_as_customer(session, tenant, user, conversation_id, "anyone there?")
        finished["message"] = time.monotonic()

    await asyncio.gather(signing_in(), customer())
    # On the event loop's thread, or inside the write transaction, the check made the message wait
    # for the sign-in to end.
    assert finished["message"] < finished["sign-in"], finished
