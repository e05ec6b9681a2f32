"""A customer's message through the client API: the conversation is found, the customer's part
in it checked and the message counted in one statement (`do_post_customer_message`). Whatever
that statement does not match must still be told apart, and must change nothing."""

from typing import Any

import httpx
import pytest

from parlour.conversations import actions as conversation_actions
from parlour.conversations.models import Conversation
from parlour.db import Database
from tests.conftest import Tenant
from tests.helpers import workspace_answers_first_in


@pytest.fixture(autouse=True)
async def _agents_answer(db: Database, tenant: Tenant, other_tenant: Tenant) -> None:
    """The agent workspace answers first, so that only the customers' own messages are counted
    (the AI agent would answer each one)."""
    for account in (tenant, other_tenant):
        await workspace_answers_first_in(db, account.account.id)


async def _count(db: Database, conversation_id: str) -> tuple[int, int]:
    """The conversation's stored message count and last sequence number."""
    async with db.reading() as session:
        conversation = await session.get(Conversation, conversation_id)
        assert conversation is not None
        return conversation.message_count, conversation.last_seq


async def _customer(http: httpx.AsyncClient, tenant: Tenant) -> tuple[str, dict[str, str], str]:
    """A new anonymous customer of `tenant`: the client API root, their auth header, and the id of
    their own conversation."""
    root = f"/client/v1/apps/{tenant.app_id}"
    started = await http.post(f"{root}/users")
    assert started.status_code == 201, started.text
    auth = {"Authorization": f"Client {started.json()['clientToken']}"}
    opened = await http.post(f"{root}/conversations", headers=auth)
    assert opened.status_code in (200, 201), opened.text
    return root, auth, opened.json()["conversation"]["id"]


async def _send(
    http: httpx.AsyncClient, root: str, auth: dict[str, str], conversation_id: str, text: str, **extra: Any
) -> httpx.Response:
    body = {"content": {"type": "text", "text": text}, **extra}
    return await http.post(f"{root}/conversations/{conversation_id}/messages", headers=auth, json=body)


async def _texts(http: httpx.AsyncClient, root: str, auth: dict[str, str], conversation_id: str) -> list[str]:
    listed = await http.get(f"{root}/conversations/{conversation_id}/messages", headers=auth)
    assert listed.status_code == 200, listed.text
    return [m["content"]["text"] for m in listed.json()["messages"] if m["author"]["type"] == "user"]


async def test_a_message_to_another_customers_conversation_is_not_found_and_stores_nothing(
    http: httpx.AsyncClient, tenant: Tenant, db: Database
) -> None:
    root, mine, _my_conversation = await _customer(http, tenant)
    _root, theirs, their_conversation = await _customer(http, tenant)
    assert (await _send(http, root, theirs, their_conversation, "theirs")).status_code == 201

    refused = await _send(http, root, mine, their_conversation, "not mine to write")
    assert refused.status_code == 404, refused.text
    assert refused.json()["errors"][0]["code"] == "conversation_not_found"
    assert await _texts(http, root, theirs, their_conversation) == ["theirs"]
    assert await _count(db, their_conversation) == (1, 1)


async def test_a_conversation_of_another_account_is_not_found(
    http: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant, db: Database
) -> None:
    root, mine, _my_conversation = await _customer(http, tenant)
    other_root, theirs, their_conversation = await _customer(http, other_tenant)
    refused = await _send(http, root, mine, their_conversation, "across accounts")
    assert refused.status_code == 404, refused.text
    assert refused.json()["errors"][0]["code"] == "conversation_not_found"
    assert await _texts(http, other_root, theirs, their_conversation) == []
    assert await _count(db, their_conversation) == (0, 0)


async def test_an_unknown_conversation_is_not_found(http: httpx.AsyncClient, tenant: Tenant) -> None:
    root, mine, _my_conversation = await _customer(http, tenant)
    refused = await _send(http, root, mine, "c" * 24, "nowhere")
    assert refused.status_code == 404
    assert refused.json()["errors"][0]["code"] == "conversation_not_found"


async def test_a_full_conversation_refuses_a_new_message_but_still_answers_a_resend(
    http: httpx.AsyncClient, tenant: Tenant, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(conversation_actions, "MAX_MESSAGES", 2)
    root, mine, conversation = await _customer(http, tenant)
    first = await _send(http, root, mine, conversation, "one", clientMessageId="m-1")
    assert first.status_code == 201
    assert (await _send(http, root, mine, conversation, "two", clientMessageId="m-2")).status_code == 201

    full = await _send(http, root, mine, conversation, "three", clientMessageId="m-3")
    assert full.status_code == 423, full.text
    assert full.json()["errors"][0]["code"] == "conversation_full"
    resent = await _send(http, root, mine, conversation, "one", clientMessageId="m-1")
    assert resent.status_code == 201, resent.text
    assert resent.json()["message"]["id"] == first.json()["message"]["id"]
    assert await _texts(http, root, mine, conversation) == ["one", "two"]
    assert await _count(db, conversation) == (2, 2)


async def test_a_resend_stores_nothing_and_the_next_message_follows_the_first(
    http: httpx.AsyncClient, tenant: Tenant, db: Database
) -> None:
    root, mine, conversation = await _customer(http, tenant)
    first = await _send(http, root, mine, conversation, "hello", clientMessageId="r-1")
    again = await _send(http, root, mine, conversation, "hello", clientMessageId="r-1")
    assert again.status_code == 201
    assert again.json()["message"]["id"] == first.json()["message"]["id"]
    following = await _send(http, root, mine, conversation, "still there?", clientMessageId="r-2")
    assert following.status_code == 201
    # The resend gave its count back: the conversation holds two messages, in order.
    assert await _texts(http, root, mine, conversation) == ["hello", "still there?"]
    assert await _count(db, conversation) == (2, 2)
    assert following.json()["message"]["id"] != first.json()["message"]["id"]


async def test_invalid_content_is_refused_before_anything_is_counted(
    http: httpx.AsyncClient, tenant: Tenant, db: Database
) -> None:
    root, mine, conversation = await _customer(http, tenant)
    bad = await http.post(
        f"{root}/conversations/{conversation}/messages",
        headers=mine,
        json={"content": {"type": "text", "text": ""}},
    )
    assert bad.status_code == 400, bad.text
    assert await _count(db, conversation) == (0, 0)
    assert (await _send(http, root, mine, conversation, "valid")).status_code == 201
    assert await _texts(http, root, mine, conversation) == ["valid"]
