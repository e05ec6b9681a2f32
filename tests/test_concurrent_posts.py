"""Messages posted at the same moment. On PostgreSQL these requests really run in parallel
(SQLite queues writers in the process), so the races below only bite there.
"""

import asyncio

import httpx
import pytest
from sqlalchemy import select

from parlour.conversations.models import Message
from parlour.db import Database
from parlour.tickets.models import Ticket
from tests.helpers import create_conversation, create_user, post_text, workspace_answers_first

CONVERSATIONS = 12


@pytest.fixture(autouse=True)
async def _workspace_first(api: httpx.AsyncClient) -> None:
    """The first message goes to the agent workspace, which opens the ticket (no AI agent reply)."""
    await workspace_answers_first(api)


async def test_simultaneous_first_messages_each_open_a_ticket_with_its_own_number(
    api: httpx.AsyncClient, db: Database
) -> None:
    conversations = []
    for index in range(CONVERSATIONS):
        await create_user(api, f"customer-{index}")
        conversations.append((await create_conversation(api, f"customer-{index}"))["id"])

    responses = await asyncio.gather(
        *(post_text(api, c, "Hello", user=f"customer-{i}") for i, c in enumerate(conversations))
    )

    failed = [r.text for r in responses if r.status_code != 201]
    assert failed == []
    async with db.reading() as session:
        tickets = list(await session.scalars(select(Ticket)))
    assert sorted(t.number for t in tickets) == list(range(1, CONVERSATIONS + 1))
    assert sorted(t.conversation_id for t in tickets) == sorted(conversations)


async def test_simultaneous_resends_of_one_message_store_it_once(
    api: httpx.AsyncClient, db: Database
) -> None:
    await create_user(api)
    conversation = await create_conversation(api)

    responses = await asyncio.gather(
        *(post_text(api, conversation["id"], "only once", clientMessageId="c-1") for _ in range(4))
    )

    assert [r.status_code for r in responses] == [201] * 4
    assert len({r.json()["messages"][0]["id"] for r in responses}) == 1
    async with db.reading() as session:
        stored = list(
            await session.scalars(select(Message).where(Message.conversation_id == conversation["id"]))
        )
    assert [(m.seq, m.client_message_id) for m in stored] == [(1, "c-1")]
