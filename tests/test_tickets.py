"""Tickets: handoff, lifecycle, the durable Solved → Closed delay and handback (PRODUCT §3)."""

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select

from parlour.accounts import queries as account_queries
from parlour.db import Database
from parlour.jobs.queue import Job
from parlour.jobs.worker import Worker
from parlour.lib import clock
from parlour.lib.errors import BadRequest
from parlour.people import actions as people_actions
from parlour.tickets import actions as ticket_actions
from parlour.tickets import queries as ticket_queries
from parlour.tickets.models import Ticket
from tests.conftest import Tenant
from tests.helpers import create_conversation, create_user, post_text, workspace_answers_first

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
async def _workspace_first(api: httpx.AsyncClient) -> None:
    """Customer messages go straight to the agent workspace here (the AI agent's handoffs are
    tested in test_ai_agent.py)."""
    await workspace_answers_first(api)


async def _tickets(db: Database) -> list[Ticket]:
    async with db.reading() as session:
        return list(await session.scalars(select(Ticket).order_by(Ticket.number)))


async def _update(db: Database, tenant: Tenant, ticket_id: str, **changes: object) -> Ticket:
    async with db.transaction() as session:
        ticket = await ticket_queries.get_ticket_or_raise(session, tenant.app_id, ticket_id)
        await ticket_actions.do_update_ticket(session, tenant.account, ticket, **changes)  # type: ignore[arg-type]
        return ticket


async def _active(api: httpx.AsyncClient, conversation_id: str) -> str | None:
    conversation = (await api.get(f"conversations/{conversation_id}")).json()["conversation"]
    active = conversation["activeSwitchboardIntegration"]
    return active["name"] if active else None


async def _handoff(api: httpx.AsyncClient) -> str:
    await create_user(api)
    conversation = await create_conversation(api)
    await post_text(api, conversation["id"], "My parcel never arrived")
    await api.post(
        f"conversations/{conversation['id']}/passControl", json={"switchboardIntegration": "zd-answerBot"}
    )
    await api.post(
        f"conversations/{conversation['id']}/passControl",
        json={"switchboardIntegration": "zd-agentWorkspace"},
    )
    return str(conversation["id"])


async def test_a_customer_message_to_the_workspace_opens_a_new_ticket(
    api: httpx.AsyncClient, db: Database
) -> None:
    await create_user(api)
    conversation = await create_conversation(api)
    await post_text(api, conversation["id"], "Where is my order?")
    await post_text(api, conversation["id"], "Hello?")
    tickets = await _tickets(db)
    assert [(t.number, t.status, t.subject, t.priority) for t in tickets] == [
        (1, "new", "Where is my order?", "normal")
    ]


async def test_accepting_a_ticket_opens_it_and_the_lifecycle_is_enforced(
    api: httpx.AsyncClient, db: Database, tenant: Tenant
) -> None:
    await _handoff(api)
    ticket = (await _tickets(db))[0]
    async with db.transaction() as session:
        agent = await people_actions.do_create_staff(
            session,
            tenant.account,
            email="agent@acme.test",
            name="Agent",
            role="agent",
            password="long-password",
        )
    updated = await _update(
        db,
        tenant,
        ticket.id,
        assignee_id=agent.id,
        tags=["VIP", "refund", "vip"],
        priority="high",
        custom_fields={"order": 12},
    )
    assert (updated.status, updated.tags, updated.priority, updated.custom_fields) == (
        "open",
        ["vip", "refund"],
        "high",
        {"order": 12},
    )
    for status in ("pending", "on_hold", "open"):
        assert (await _update(db, tenant, ticket.id, status=status)).status == status
    with pytest.raises(BadRequest, match="cannot become new"):
        await _update(db, tenant, ticket.id, status="new")
    with pytest.raises(BadRequest, match="priority"):
        await _update(db, tenant, ticket.id, priority="whenever")
    assert (await _tickets(db))[0].priority == "high"


async def test_the_assignee_must_belong_to_the_tickets_group(
    db: Database, api: httpx.AsyncClient, tenant: Tenant
) -> None:
    await _handoff(api)
    ticket = (await _tickets(db))[0]
    async with db.transaction() as session:
        agent = await people_actions.do_create_staff(
            session, tenant.account, email="a@acme.test", name="A", role="agent", password="long-password"
        )
        billing = await people_actions.do_create_group(session, tenant.account, name="Billing")
    with pytest.raises(BadRequest, match="not a member"):
        await _update(db, tenant, ticket.id, group_id=billing.id, assignee_id=agent.id)
    async with db.transaction() as session:
        await people_actions.do_add_group_member(session, billing, agent)
    assert (
        await _update(db, tenant, ticket.id, group_id=billing.id, assignee_id=agent.id)
    ).assignee_id == agent.id


async def test_a_solved_ticket_closes_after_the_delay_and_hands_back(
    api: httpx.AsyncClient, db: Database, tenant: Tenant, worker: Worker
) -> None:
    with clock.frozen(START):
        conversation_id = await _handoff(api)
        ticket = (await _tickets(db))[0]
        await _update(db, tenant, ticket.id, status="solved")
        clock.advance(timedelta(days=4) - timedelta(minutes=1))
        await worker.run_once()
        assert (await _tickets(db))[0].status == "solved"
        assert await _active(api, conversation_id) == "zd-agentWorkspace"
        clock.advance(timedelta(minutes=2))
        await worker.run_once()
        closed = (await _tickets(db))[0]
        assert (closed.status, closed.closed_at) == ("closed", START + timedelta(days=4, minutes=1))
        assert await _active(api, conversation_id) == "zd-agentWorkspace"  # the default integration


async def test_handback_gives_control_to_the_default_and_the_next_message_starts_a_new_ticket(
    api: httpx.AsyncClient, db: Database, tenant: Tenant
) -> None:
    switchboard = (await api.get("switchboards")).json()["switchboards"][0]
    sbis = (await api.get(f"switchboards/{switchboard['id']}/switchboardIntegrations")).json()
    bot_id = next(s["id"] for s in sbis["switchboardIntegrations"] if s["name"] == "zd-answerBot")
    await api.patch(f"switchboards/{switchboard['id']}", json={"defaultSwitchboardIntegrationId": bot_id})
    conversation_id = await _handoff(api)
    ticket = (await _tickets(db))[0]
    await _update(db, tenant, ticket.id, status="solved")
    await _update(db, tenant, ticket.id, status="closed")
    assert await _active(api, conversation_id) == "zd-answerBot"
    with pytest.raises(BadRequest, match="Closed tickets"):
        await _update(db, tenant, ticket.id, status="open")
    await post_text(api, conversation_id, "One more question")
    assert len(await _tickets(db)) == 1  # the AI agent answers first now, no ticket yet
    await api.post(f"conversations/{conversation_id}/passControl", json={"switchboardIntegration": "next"})
    assert [(t.number, t.status) for t in await _tickets(db)] == [(1, "closed"), (2, "new")]


async def test_a_customer_reply_reopens_a_solved_ticket_and_cancels_its_close(
    api: httpx.AsyncClient, db: Database, tenant: Tenant, worker: Worker
) -> None:
    with clock.frozen(START):
        conversation_id = await _handoff(api)
        ticket = (await _tickets(db))[0]
        async with db.transaction() as session:
            agent = await people_actions.do_create_staff(
                session, tenant.account, email="b@acme.test", name="B", role="agent", password="long-password"
            )
        await _update(db, tenant, ticket.id, assignee_id=agent.id)
        await _update(db, tenant, ticket.id, status="solved")
        clock.advance(timedelta(hours=1))
        await post_text(api, conversation_id, "Actually, it is still missing")
        reopened = (await _tickets(db))[0]
        assert (reopened.status, reopened.assignee_id) == ("open", agent.id)
        clock.advance(timedelta(days=5))
        await worker.run_once()
        assert (await _tickets(db))[0].status == "open"
        async with db.reading() as session:
            jobs = list(await session.scalars(select(Job)))
        assert [(j.kind, j.status) for j in jobs] == [("tickets.close_solved", "done")]


async def test_live_chat_style_accounts_close_solved_tickets_at_once(
    api: httpx.AsyncClient, db: Database, tenant: Tenant
) -> None:
    await api.patch("", json={"settings": {"solvedTicketCloseSeconds": 0}})
    async with db.reading() as session:
        account = await account_queries.get_account_or_raise(session, tenant.app_id)
    tenant.account = account
    conversation_id = await _handoff(api)
    ticket = (await _tickets(db))[0]
    await _update(db, tenant, ticket.id, status="solved")
    assert (await _tickets(db))[0].status == "closed"
    assert await _active(api, conversation_id) == "zd-agentWorkspace"


async def test_the_close_job_survives_a_restart(
    api: httpx.AsyncClient, db: Database, tenant: Tenant, settings: object
) -> None:
    with clock.frozen(START):
        await _handoff(api)
        ticket = (await _tickets(db))[0]
        await _update(db, tenant, ticket.id, status="solved")
    # A new process: a fresh engine and worker that never saw the job being queued.
    fresh = Database(db.url)
    try:
        with clock.frozen(START + timedelta(days=4, seconds=1)):
            await Worker(fresh, settings).run_once()  # type: ignore[arg-type]
    finally:
        await fresh.dispose()
    assert (await _tickets(db))[0].status == "closed"


async def test_ending_the_session_keeps_the_status_and_the_next_message_opens_a_new_ticket(
    api: httpx.AsyncClient, db: Database, tenant: Tenant
) -> None:
    conversation_id = await _handoff(api)
    ticket = (await _tickets(db))[0]
    async with db.transaction() as session:
        current = await ticket_queries.get_ticket_or_raise(session, tenant.app_id, ticket.id)
        await ticket_actions.do_end_session(session, tenant.account, current)
    ended = (await _tickets(db))[0]
    assert (ended.status, ended.session_ended_at is not None) == ("new", True)
    await post_text(api, conversation_id, "Hello again")
    assert [(t.number, t.session_ended_at is None) for t in await _tickets(db)] == [(1, False), (2, True)]
