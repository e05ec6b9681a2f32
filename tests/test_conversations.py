"""Conversations, participants, messages and activities through the server API."""

from typing import Any

import httpx
import pytest
from sqlalchemy import select

from parlour.conversations import actions as conversation_actions
from parlour.conversations.models import Conversation, Message
from parlour.db import Database
from parlour.outbox.models import EventRecord
from tests.helpers import create_conversation, create_user, post_text, workspace_answers_first


@pytest.fixture(autouse=True)
async def _workspace_first(api: httpx.AsyncClient) -> None:
    """What is stored and listed here is the customer's own messages, without AI agent replies."""
    await workspace_answers_first(api)


async def _events(db: Database, event_type: str) -> list[EventRecord]:
    async with db.reading() as session:
        return list(await session.scalars(select(EventRecord).where(EventRecord.type == event_type)))


async def test_a_customer_message_is_stored_and_listed_in_order(api: httpx.AsyncClient) -> None:
    await create_user(api, givenName="Jane")
    conversation = await create_conversation(api)
    for text in ("first", "second", "third"):
        assert (await post_text(api, conversation["id"], text)).status_code == 201
    listed = (await api.get(f"conversations/{conversation['id']}/messages")).json()
    assert [m["content"]["text"] for m in listed["messages"]] == ["first", "second", "third"]
    assert listed["messages"][0]["author"] == {
        "type": "user",
        "userId": listed["messages"][0]["author"]["userId"],
        "displayName": "Jane",
    }
    assert listed["meta"]["hasMore"] is False


async def test_every_message_is_recorded_as_an_event(api: httpx.AsyncClient, db: Database) -> None:
    await create_user(api)
    conversation = await create_conversation(api)
    posted = (await post_text(api, conversation["id"], "hello")).json()["messages"][0]
    events = await _events(db, "conversation:message")
    assert [e.payload["message"]["id"] for e in events] == [posted["id"]]
    assert events[0].conversation_id == conversation["id"]


async def test_a_resend_with_the_same_client_message_id_never_duplicates(
    api: httpx.AsyncClient, db: Database
) -> None:
    await create_user(api)
    conversation = await create_conversation(api)
    first = await post_text(api, conversation["id"], "only once", clientMessageId="c-1")
    again = await post_text(api, conversation["id"], "only once", clientMessageId="c-1")
    assert first.status_code == again.status_code == 201
    assert first.json()["messages"][0]["id"] == again.json()["messages"][0]["id"]
    listed = (await api.get(f"conversations/{conversation['id']}/messages")).json()["messages"]
    assert len(listed) == 1
    assert len(await _events(db, "conversation:message")) == 1
    # The resend took nothing: the conversation still counts one message, and the next one
    # follows the first in order with no gap.
    after = await post_text(api, conversation["id"], "the next one", clientMessageId="c-2")
    assert after.status_code == 201
    async with db.reading() as session:
        stored = await session.get(Conversation, conversation["id"])
        sequence = list(
            await session.scalars(
                select(Message.seq).where(Message.conversation_id == conversation["id"]).order_by(Message.seq)
            )
        )
    assert stored is not None and stored.message_count == 2 and stored.last_seq == 2
    assert sequence == [1, 2]


@pytest.mark.parametrize(
    "content",
    [
        {
            "type": "text",
            "text": "Pick one",
            "actions": [
                {"type": "reply", "text": "Yes", "payload": "YES"},
                {"type": "postback", "text": "Call me", "payload": "CALL"},
                {"type": "link", "text": "Docs", "uri": "https://example.com/docs"},
            ],
        },
        {"type": "image", "mediaUrl": "https://example.com/a.png", "altText": "A"},
        {"type": "file", "mediaUrl": "https://example.com/a.pdf"},
        {
            "type": "carousel",
            "items": [
                {
                    "title": f"Card {i}",
                    "actions": [{"type": "postback", "text": "Buy", "payload": f"B{i}"}] * 3,
                }
                for i in range(10)
            ],
        },
        {
            "type": "list",
            "items": [
                {"title": "Item", "actions": [{"type": "link", "text": "Go", "uri": "https://example.com"}]}
            ],
        },
        {
            "type": "form",
            "fields": [
                {"type": "email", "name": "email", "label": "Email"},
                {
                    "type": "select",
                    "name": "size",
                    "label": "Size",
                    "options": [{"name": "s", "label": "Small"}],
                },
            ],
        },
    ],
    ids=["text-with-actions", "image", "file", "carousel-10x3", "list", "form"],
)
async def test_the_business_can_send_every_content_type(
    api: httpx.AsyncClient, content: dict[str, Any]
) -> None:
    await create_user(api)
    conversation = await create_conversation(api)
    response = await api.post(
        f"conversations/{conversation['id']}/messages",
        json={"author": {"type": "business", "displayName": "Acme"}, "content": content},
    )
    assert response.status_code == 201, response.text
    assert response.json()["messages"][0]["content"]["type"] == content["type"]


async def test_a_customer_can_answer_a_form(api: httpx.AsyncClient) -> None:
    await create_user(api)
    conversation = await create_conversation(api)
    response = await api.post(
        f"conversations/{conversation['id']}/messages",
        json={
            "author": {"type": "user", "userExternalId": "customer-1"},
            "content": {
                "type": "formResponse",
                "fields": [{"type": "email", "name": "email", "label": "Email", "email": "jane@example.com"}],
            },
        },
    )
    assert response.status_code == 201, response.text


@pytest.mark.parametrize(
    ("author", "content", "expected"),
    [
        ({"type": "user", "userExternalId": "customer-1"}, {"type": "text", "text": "x" * 4097}, "4096"),
        (
            {"type": "user", "userExternalId": "customer-1"},
            {
                "type": "carousel",
                "items": [{"title": "A", "actions": [{"type": "postback", "text": "B", "payload": "P"}]}],
            },
            "cannot send",
        ),
        (
            {"type": "business"},
            {
                "type": "carousel",
                "items": [
                    {"title": f"C{i}", "actions": [{"type": "postback", "text": "B", "payload": "P"}]}
                    for i in range(11)
                ],
            },
            "10",
        ),
        (
            {"type": "business"},
            {
                "type": "carousel",
                "items": [{"title": "C", "actions": [{"type": "postback", "text": "B", "payload": "P"}] * 4}],
            },
            "3",
        ),
        (
            {"type": "business"},
            {
                "type": "text",
                "text": "Click",
                "actions": [{"type": "link", "text": "Evil", "uri": "javascript:alert(1)"}],
            },
            "http",
        ),
        ({"type": "business"}, {"type": "location", "coordinates": {"lat": 1, "long": 2}}, "type"),
    ],
    ids=[
        "text-over-4096",
        "user-carousel",
        "carousel-11-cards",
        "card-4-buttons",
        "javascript-link",
        "unsupported",
    ],
)
async def test_invalid_messages_are_refused_and_store_nothing(
    api: httpx.AsyncClient, author: dict[str, Any], content: dict[str, Any], expected: str
) -> None:
    await create_user(api)
    conversation = await create_conversation(api)
    response = await api.post(
        f"conversations/{conversation['id']}/messages", json={"author": author, "content": content}
    )
    assert response.status_code == 400, response.text
    error = response.json()["errors"][0]
    assert error["code"] == "bad_request"
    assert expected in error["title"]
    assert (await api.get(f"conversations/{conversation['id']}/messages")).json()["messages"] == []


@pytest.mark.parametrize(
    "metadata",
    [{"nested": {"a": 1}}, {"list": [1, 2]}, {"big": "x" * 4100}],
    ids=["nested", "list", "over-4kb"],
)
async def test_message_metadata_must_be_flat_and_small(
    api: httpx.AsyncClient, metadata: dict[str, Any]
) -> None:
    await create_user(api)
    conversation = await create_conversation(api)
    response = await post_text(api, conversation["id"], "hi", metadata=metadata)
    assert response.status_code == 400
    assert "metadata" in response.json()["errors"][0]["title"]


async def test_a_full_conversation_answers_423_locked(
    api: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert conversation_actions.MAX_MESSAGES == 30_000
    monkeypatch.setattr(conversation_actions, "MAX_MESSAGES", 3)
    await create_user(api)
    conversation = await create_conversation(api)
    for index in range(3):
        assert (await post_text(api, conversation["id"], f"m{index}")).status_code == 201
    refused = await post_text(api, conversation["id"], "one too many")
    assert refused.status_code == 423
    assert refused.json()["errors"][0]["code"] == "conversation_full"
    first = (await api.get(f"conversations/{conversation['id']}/messages")).json()["messages"][0]
    assert (await api.delete(f"conversations/{conversation['id']}/messages/{first['id']}")).status_code == 200
    assert (await post_text(api, conversation["id"], "room again")).status_code == 201


async def test_messages_page_backwards_from_the_latest(api: httpx.AsyncClient) -> None:
    await create_user(api)
    conversation = await create_conversation(api)
    for index in range(105):
        await post_text(api, conversation["id"], f"m{index}", user=None)
    latest = (await api.get(f"conversations/{conversation['id']}/messages")).json()
    assert len(latest["messages"]) == 100
    assert latest["messages"][-1]["content"]["text"] == "m104"
    assert latest["meta"]["hasMore"] is True
    older = (
        await api.get(
            f"conversations/{conversation['id']}/messages",
            params={"page[before]": latest["meta"]["beforeCursor"]},
        )
    ).json()
    assert [m["content"]["text"] for m in older["messages"]] == [f"m{i}" for i in range(5)]
    assert older["meta"]["hasMore"] is False


async def test_conversations_of_a_user_are_listed_with_cursor_pagination(api: httpx.AsyncClient) -> None:
    await api.patch("", json={"settings": {"multiConvoEnabled": True}})
    await create_user(api)
    created = [await create_conversation(api) for _ in range(5)]
    page = (
        await api.get("conversations", params={"filter[userExternalId]": "customer-1", "page[size]": 2})
    ).json()
    assert [c["id"] for c in page["conversations"]] == [c["id"] for c in created[:2]]
    assert page["meta"]["hasMore"] is True
    assert "page[after]" in page["links"]["next"]
    rest = (
        await api.get(
            "conversations",
            params={"filter[userExternalId]": "customer-1", "page[after]": page["meta"]["afterCursor"]},
        )
    ).json()
    assert [c["id"] for c in rest["conversations"]] == [c["id"] for c in created[2:]]
    assert sum(c["isDefault"] for c in page["conversations"] + rest["conversations"]) == 1


async def test_without_multi_conversations_a_user_has_one_conversation(api: httpx.AsyncClient) -> None:
    await create_user(api)
    await create_conversation(api)
    second = await api.post(
        "conversations", json={"type": "personal", "participants": [{"userExternalId": "customer-1"}]}
    )
    assert second.status_code == 409


async def test_a_conversation_is_updated_and_deleted(api: httpx.AsyncClient, db: Database) -> None:
    await create_user(api)
    conversation = await create_conversation(api)
    updated = await api.patch(
        f"conversations/{conversation['id']}", json={"displayName": "Order #12", "metadata": {"order": 12}}
    )
    assert updated.json()["conversation"]["displayName"] == "Order #12"
    assert updated.json()["conversation"]["metadata"] == {"order": 12}
    await post_text(api, conversation["id"], "hello")
    assert (await api.delete(f"conversations/{conversation['id']}")).status_code == 200
    assert (await api.get(f"conversations/{conversation['id']}")).status_code == 404
    assert len(await _events(db, "conversation:remove")) == 1


async def test_participants_join_and_leave_a_group_conversation(api: httpx.AsyncClient) -> None:
    await create_user(api, "a")
    await create_user(api, "b")
    group = (
        await api.post("conversations", json={"type": "sdkGroup", "participants": [{"userExternalId": "a"}]})
    ).json()
    conversation_id = group["conversation"]["id"]
    joined = await api.post(f"conversations/{conversation_id}/join", json={"userExternalId": "b"})
    assert joined.status_code == 201
    assert joined.json()["participant"]["userExternalId"] == "b"
    assert (
        await api.post(f"conversations/{conversation_id}/join", json={"userExternalId": "b"})
    ).status_code == 409
    listed = (await api.get(f"conversations/{conversation_id}/participants")).json()["participants"]
    assert sorted(p["userExternalId"] for p in listed) == ["a", "b"]
    assert (
        await api.post(f"conversations/{conversation_id}/leave", json={"userExternalId": "b"})
    ).status_code == 200
    listed = (await api.get(f"conversations/{conversation_id}/participants")).json()["participants"]
    assert [p["userExternalId"] for p in listed] == ["a"]


async def test_a_non_participant_cannot_post_as_a_user(api: httpx.AsyncClient) -> None:
    await create_user(api, "owner")
    await create_user(api, "stranger")
    conversation = await create_conversation(api, "owner")
    response = await post_text(api, conversation["id"], "hi", user="stranger")
    assert response.status_code == 400
    assert "participant" in response.json()["errors"][0]["title"]


async def test_typing_and_read_are_recorded_and_read_clears_unread(
    api: httpx.AsyncClient, db: Database
) -> None:
    await create_user(api)
    conversation = await create_conversation(api)
    await post_text(api, conversation["id"], "Hi from the business", user=None)
    await post_text(api, conversation["id"], "Second", user=None)
    participants = (await api.get(f"conversations/{conversation['id']}/participants")).json()["participants"]
    assert participants[0]["unreadCount"] == 2
    user_author = {"type": "user", "userExternalId": "customer-1"}
    for activity in ("typing:start", "typing:stop", "conversation:read"):
        response = await api.post(
            f"conversations/{conversation['id']}/activity", json={"author": user_author, "type": activity}
        )
        assert response.status_code == 200, response.text
    participants = (await api.get(f"conversations/{conversation['id']}/participants")).json()["participants"]
    assert participants[0]["unreadCount"] == 0
    assert participants[0]["lastRead"] is not None
    typing = await _events(db, "conversation:typing")
    assert [e.payload["activity"]["typing"] for e in typing] == [True, False]
    assert len(await _events(db, "conversation:read")) == 1
    business_read = await api.post(
        f"conversations/{conversation['id']}/activity",
        json={"author": {"type": "business"}, "type": "conversation:read"},
    )
    assert business_read.status_code == 200
    assert (await api.get(f"conversations/{conversation['id']}")).json()["conversation"]["businessLastRead"]


async def test_deleting_all_messages_makes_room(api: httpx.AsyncClient) -> None:
    await create_user(api)
    conversation = await create_conversation(api)
    await post_text(api, conversation["id"], "a")
    assert (await api.delete(f"conversations/{conversation['id']}/messages")).status_code == 200
    assert (await api.get(f"conversations/{conversation['id']}/messages")).json()["messages"] == []


async def test_a_client_message_id_belongs_to_its_sender(api: httpx.AsyncClient) -> None:
    await create_user(api)
    conversation = await create_conversation(api)
    assert (await post_text(api, conversation["id"], "mine", clientMessageId="shared")).status_code == 201
    stolen = await post_text(api, conversation["id"], "theirs", user=None, clientMessageId="shared")
    assert stolen.status_code == 409
    assert len((await api.get(f"conversations/{conversation['id']}/messages")).json()["messages"]) == 1
