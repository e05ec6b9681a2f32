"""Webhooks: subscriptions through the API and signed, retried, durable delivery to a real
HTTP endpoint on loopback."""

import asyncio
import hashlib
import hmac
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from parlour.app import create_app
from parlour.db import Database
from parlour.jobs import queue
from parlour.jobs.queue import Job
from parlour.jobs.worker import Worker
from parlour.lib import clock
from parlour.outbox.models import EventRecord
from parlour.settings import Settings
from parlour.webhooks import actions as webhook_actions
from tests.conftest import AppClient, Tenant
from tests.helpers import create_conversation, create_user, post_text, workspace_answers_first
from tests.receiver import Receiver, start_receiver

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = start_receiver()
    yield server
    server.close()


async def _subscribe(
    api: httpx.AsyncClient, target: str, triggers: list[str] | None = None
) -> dict[str, Any]:
    response = await api.post(
        "integrations",
        json={
            "type": "custom",
            "displayName": "Order bot",
            "webhooks": [{"target": target, "triggers": triggers or ["conversation:message"]}],
        },
    )
    assert response.status_code == 201, response.text
    integration: dict[str, Any] = response.json()["integration"]
    return integration


async def _conversation_with_message(api: httpx.AsyncClient, text: str = "hello") -> str:
    await workspace_answers_first(api)  # one message, one event: no AI agent reply
    await create_user(api)
    conversation = await create_conversation(api)
    assert (await post_text(api, conversation["id"], text)).status_code == 201
    return str(conversation["id"])


async def _jobs(db: Database) -> list[Job]:
    async with db.reading() as session:
        return list(await session.scalars(select(Job).where(Job.kind == "webhooks.deliver").order_by(Job.id)))


async def test_a_subscribed_event_is_delivered_signed_with_a_delivery_id(
    api: httpx.AsyncClient, worker: Worker, receiver: Receiver
) -> None:
    integration = await _subscribe(api, receiver.url)
    secret = integration["webhooks"][0]["secret"]
    conversation_id = await _conversation_with_message(api, "Where is my parcel?")
    await worker.run_once()
    assert len(receiver.deliveries) == 1
    delivery = receiver.deliveries[0]
    body = delivery.json
    assert body["app"]["id"] and body["webhook"] == {"id": integration["webhooks"][0]["id"], "version": "v2"}
    (event,) = body["events"]
    assert event["type"] == "conversation:message"
    assert event["payload"]["conversation"]["id"] == conversation_id
    assert event["payload"]["message"]["content"]["text"] == "Where is my parcel?"
    timestamp = delivery.headers["x-parlour-timestamp"]
    expected = hmac.new(
        secret.encode(), timestamp.encode() + b"." + delivery.body, hashlib.sha256
    ).hexdigest()
    assert delivery.headers["x-parlour-signature"] == f"v1={expected}"
    assert len(delivery.headers["x-parlour-delivery"]) == 24
    assert delivery.headers["x-api-key"] == secret


async def test_only_subscribed_triggers_are_delivered(
    api: httpx.AsyncClient, worker: Worker, receiver: Receiver
) -> None:
    await _subscribe(api, receiver.url, ["conversation:create"])
    await _conversation_with_message(api)
    await worker.run_once()
    assert [d.json["events"][0]["type"] for d in receiver.deliveries] == ["conversation:create"]


async def test_a_failed_delivery_is_retried_with_backoff_and_the_same_delivery_id(
    api: httpx.AsyncClient, worker: Worker, receiver: Receiver, db: Database
) -> None:
    receiver.script = [500, 503]
    with clock.frozen(START):
        await _subscribe(api, receiver.url)
        await _conversation_with_message(api)
        await worker.run_once()
        assert receiver.deliveries == []
        (job,) = await _jobs(db)
        assert (job.attempts, job.run_at, "HTTP 500" in (job.last_error or "")) == (
            1,
            START + timedelta(seconds=5),
            True,
        )
        await worker.run_once()  # not due yet: nothing is sent
        assert (await _jobs(db))[0].attempts == 1
        clock.advance(timedelta(seconds=6))
        await worker.run_once()
        assert (await _jobs(db))[0].run_at == START + timedelta(seconds=6 + 25)
        clock.advance(timedelta(seconds=26))
        await worker.run_once()
    assert len(receiver.deliveries) == 1
    (job,) = await _jobs(db)
    assert (job.status, job.attempts) == ("done", 3)
    assert job.payload["delivery_id"] == receiver.deliveries[0].headers["x-parlour-delivery"]


async def test_a_delivery_that_keeps_failing_ends_dead_after_its_attempts(
    api: httpx.AsyncClient, db: Database, receiver: Receiver, settings: Settings
) -> None:
    receiver.script = [500] * 10
    worker = Worker(db, settings.model_copy(update={"webhook_max_attempts": 2}))
    with clock.frozen(START):
        await _subscribe(api, receiver.url)
        await _conversation_with_message(api)
        await worker.run_once()
        clock.advance(timedelta(minutes=1))
        await worker.run_once()
        clock.advance(timedelta(hours=2))
        await worker.run_once()
    assert [(j.status, j.attempts) for j in await _jobs(db)] == [("dead", 2)]


async def test_a_delivery_queued_before_a_crash_is_delivered_after_restart(
    api: httpx.AsyncClient, db: Database, receiver: Receiver, settings: Settings
) -> None:
    await _subscribe(api, receiver.url)
    await _conversation_with_message(api)
    # The process that accepted the message dies before any worker ran; a new one starts.
    fresh = Database(db.url)
    try:
        await Worker(fresh, settings).run_once()
    finally:
        await fresh.dispose()
    assert len(receiver.deliveries) == 1


async def test_a_job_whose_worker_died_mid_delivery_is_taken_again_after_its_lease(
    api: httpx.AsyncClient, db: Database, receiver: Receiver, settings: Settings
) -> None:
    with clock.frozen(START):
        await _subscribe(api, receiver.url)
        await _conversation_with_message(api)
        dying = Worker(db, settings)
        async with db.transaction() as session:
            await webhook_actions.do_fan_out(session)
        async with db.transaction() as session:
            claimed = await queue.claim(session, "dead-worker", dying.lease, skip_locked=not db.is_sqlite)
        assert claimed is not None  # ... and the worker dies here, never finishing it
        survivor = Worker(db, settings)
        await survivor.run_once()
        assert receiver.deliveries == []  # still leased to the dead worker
        clock.advance(timedelta(seconds=settings.job_lease_seconds + 1))
        await survivor.run_once()
    assert len(receiver.deliveries) == 1


async def test_several_workers_deliver_each_event_exactly_once(
    api: httpx.AsyncClient, db: Database, receiver: Receiver, settings: Settings
) -> None:
    await _subscribe(api, receiver.url)
    await workspace_answers_first(api)  # twenty messages, twenty events: no AI agent replies
    await create_user(api)
    conversation = await create_conversation(api)
    for index in range(20):
        await post_text(api, conversation["id"], f"message {index}")
    databases = [Database(db.url) for _ in range(3)]
    try:
        workers = [Worker(d, settings) for d in databases]
        for _ in range(3):
            await asyncio.gather(*(w.run_once() for w in workers))
    finally:
        for database in databases:
            await database.dispose()
    texts = [d.json["events"][0]["payload"]["message"]["content"]["text"] for d in receiver.deliveries]
    assert sorted(texts) == sorted(f"message {i}" for i in range(20))
    assert len({d.headers["x-parlour-delivery"] for d in receiver.deliveries}) == 20


async def test_an_integration_in_standby_gets_messages_only_if_it_asked(
    api: httpx.AsyncClient, worker: Worker, receiver: Receiver
) -> None:
    integration = await _subscribe(api, receiver.url)
    switchboard = (await api.get("switchboards")).json()["switchboards"][0]
    await api.post(
        f"switchboards/{switchboard['id']}/switchboardIntegrations",
        json={"name": "order-bot", "integrationId": integration["id"], "deliverStandbyEvents": False},
    )
    conversation_id = await _conversation_with_message(api, "while the workspace answers")
    await api.post(
        f"conversations/{conversation_id}/passControl", json={"switchboardIntegration": "order-bot"}
    )
    await post_text(api, conversation_id, "while the bot answers")
    await worker.run_once()
    assert [d.json["events"][0]["payload"]["message"]["content"]["text"] for d in receiver.deliveries] == [
        "while the bot answers"
    ]


async def test_webhooks_are_managed_through_the_api(api: httpx.AsyncClient) -> None:
    integration = await _subscribe(api, "https://example.com/a")
    base = f"integrations/{integration['id']}/webhooks"
    created = await api.post(base, json={"target": "https://example.com/b", "triggers": ["*"]})
    assert created.status_code == 201
    webhook = created.json()["webhook"]
    assert len((await api.get(base)).json()["webhooks"]) == 2
    patched = await api.patch(f"{base}/{webhook['id']}", json={"triggers": ["conversation:read"]})
    assert patched.json()["webhook"]["triggers"] == ["conversation:read"]
    unknown = await api.patch(f"{base}/{webhook['id']}", json={"triggers": ["conversation:explode"]})
    assert unknown.status_code == 400
    not_http = await api.post(base, json={"target": "ftp://example.com", "triggers": ["*"]})
    assert not_http.status_code == 400
    assert (await api.delete(f"{base}/{webhook['id']}")).status_code == 200
    assert (await api.get(f"{base}/{webhook['id']}")).status_code == 404
    assert (await api.delete(f"integrations/{integration['id']}")).status_code == 200
    assert (await api.get("integrations")).json()["integrations"] == []


async def _queued_since(db: Database, after: int) -> list[tuple[str, bool]]:
    async with db.reading() as session:
        rows = await session.execute(
            select(EventRecord.type, EventRecord.webhooks_pending)
            .where(EventRecord.id > after, EventRecord.type.like("conversation:%"))
            .order_by(EventRecord.id)
        )
        return [(type_, pending) for type_, pending in rows]


async def _last_event_id(db: Database) -> int:
    async with db.reading() as session:
        return int(await session.scalar(select(func.max(EventRecord.id))) or 0)


async def test_events_are_queued_for_the_fan_out_only_while_a_webhook_wants_them(
    api: httpx.AsyncClient, worker: Worker, receiver: Receiver, db: Database
) -> None:
    conversation = await _conversation_with_message(api, "before any webhook")
    assert await _queued_since(db, 0) and not any(pending for _, pending in await _queued_since(db, 0))
    assert await worker.run_once() == 0  # nothing for the fan-out to read or rewrite

    mark = await _last_event_id(db)
    integration = await _subscribe(api, receiver.url, ["conversation:create"])
    assert (await post_text(api, conversation, "not subscribed")).status_code == 201
    await create_user(api, "customer-2")
    await create_conversation(api, "customer-2")
    assert await _queued_since(db, mark) == [("conversation:message", False), ("conversation:create", True)]

    mark = await _last_event_id(db)
    webhook = integration["webhooks"][0]
    path = f"integrations/{integration['id']}/webhooks/{webhook['id']}"
    assert (await api.patch(path, json={"triggers": ["*"]})).status_code == 200
    assert (await post_text(api, conversation, "everything now")).status_code == 201
    assert await _queued_since(db, mark) == [("conversation:message", True)]
    await worker.run_once()
    await worker.run_once()
    texts = [
        d.json["events"][0]["payload"].get("message", {}).get("content", {}).get("text")
        for d in receiver.deliveries
    ]
    assert texts == [None, "everything now"]  # the conversation:create, then the message

    mark = await _last_event_id(db)
    assert (await api.delete(f"integrations/{integration['id']}")).status_code == 200
    assert (await post_text(api, conversation, "after the integration went")).status_code == 201
    assert await _queued_since(db, mark) == [("conversation:message", False)]


async def test_an_account_is_only_queued_for_its_own_webhooks(
    api: httpx.AsyncClient, other_tenant: Tenant, receiver: Receiver, db: Database, settings: Settings
) -> None:
    async with AppClient(
        other_tenant.app_id,
        transport=httpx.ASGITransport(app=create_app(settings, db=db)),
        base_url="http://parlour.test",
        headers=other_tenant.auth_header,
    ) as other:
        await _subscribe(other, receiver.url, ["*"])
    mark = await _last_event_id(db)
    await _conversation_with_message(api)
    assert [pending for _, pending in await _queued_since(db, mark)] and not any(
        pending for _, pending in await _queued_since(db, mark)
    )
