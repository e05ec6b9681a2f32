"""The hub's guarantees, without sockets: complete in-order streams whatever order events arrive
in, and a slow subscriber cut off instead of slowing the others."""

import asyncio

import pytest
from sqlalchemy import select

from parlour.conversations import actions as conversation_actions
from parlour.conversations import queries as conversation_queries
from parlour.db import Database
from parlour.outbox.models import EventRecord
from parlour.outbox.recorder import CommittedEvent, as_committed
from parlour.people import actions as people_actions
from parlour.people.models import EndUser
from parlour.realtime import hub as hub_module
from parlour.realtime.hub import Hub, SlowConsumer, Subscriber
from parlour.widget.audience import CustomerAudience
from tests.conftest import Tenant
from tests.helpers import customers_with_conversations, say_as_customer, workspace_answers_first_in


async def _record_events(db: Database, tenant: Tenant, count: int) -> list[CommittedEvent]:
    """`count` committed transactions of one event each; returns the account's whole stream."""
    for _ in range(count):
        async with db.transaction() as session:
            user = await people_actions.do_create_user(session, tenant.account, external_id=None)
            await conversation_actions.do_create_conversation(
                session, tenant.account, type="personal", users=[user]
            )
    async with db.reading() as session:
        rows = await session.scalars(
            select(EventRecord).where(EventRecord.account_id == tenant.app_id).order_by(EventRecord.seq)
        )
        return as_committed(list(rows))


async def _collect(subscriber: Subscriber, count: int) -> list[int]:
    return [(await asyncio.wait_for(subscriber.next(), 2)).seq for _ in range(count)]


async def test_events_missing_from_the_live_feed_are_read_from_the_database(
    db: Database, tenant: Tenant
) -> None:
    events = await _record_events(db, tenant, 6)
    hub = Hub(db)
    hub.start()
    try:
        subscriber = Subscriber(tenant.app_id, lambda _e: True, last_seq=0)
        await hub.subscribe(subscriber)
        assert await _collect(subscriber, 6) == [1, 2, 3, 4, 5, 6]
        later = await _record_events(db, tenant, 4)
        fresh = later[6:]
        # Out of order and with holes, as Redis or racing commits may deliver them.
        hub.submit([fresh[3]])
        hub.submit([fresh[1], fresh[0]])
        hub.submit([fresh[3], fresh[2]])
        assert await _collect(subscriber, 4) == [7, 8, 9, 10]
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(subscriber.next(), 0.2)
    finally:
        await hub.stop()
    assert [e.seq for e in events] == [1, 2, 3, 4, 5, 6]


async def test_after_a_broker_outage_resync_delivers_what_was_missed(db: Database, tenant: Tenant) -> None:
    await _record_events(db, tenant, 1)
    hub = Hub(db)
    hub.start()
    try:
        subscriber = Subscriber(tenant.app_id, lambda _e: True, last_seq=0)
        await hub.subscribe(subscriber)
        assert await _collect(subscriber, 1) == [1]
        hub.submit(await _record_events(db, tenant, 1))
        assert await _collect(subscriber, 1) == [2]
        await _record_events(db, tenant, 2)  # committed, but never announced
        hub.resync()
        assert await _collect(subscriber, 2) == [3, 4]
    finally:
        await hub.stop()


async def test_a_subscriber_that_cannot_keep_up_is_cut_off_alone(
    db: Database, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hub_module, "QUEUE_BOUND", 3)
    events = await _record_events(db, tenant, 5)
    hub = Hub(db)
    hub.start()
    try:
        slow = Subscriber(tenant.app_id, lambda _e: True, last_seq=5)
        fast = Subscriber(tenant.app_id, lambda _e: True, last_seq=5)
        await hub.subscribe(slow)
        await hub.subscribe(fast)
        more = (await _record_events(db, tenant, 5))[5:]
        received = []
        for event in more:  # the fast one reads each event as it comes; the slow one never reads
            hub.submit([event])
            received += await _collect(fast, 1)
        assert received == [6, 7, 8, 9, 10]
        with pytest.raises(SlowConsumer):
            for _ in range(5):
                await asyncio.wait_for(slow.next(), 2)
        assert slow.overflowed and not fast.overflowed
    finally:
        await hub.stop()
    assert len(events) == 5


async def test_a_replay_longer_than_the_live_queue_is_delivered_whole(
    db: Database, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hub_module, "QUEUE_BOUND", 3)
    await _record_events(db, tenant, 10)
    hub = Hub(db)
    hub.start()
    try:
        subscriber = Subscriber(tenant.app_id, lambda _e: True, last_seq=0)
        await hub.subscribe(subscriber)
        assert await _collect(subscriber, 10) == list(range(1, 11))
    finally:
        await hub.stop()


async def test_a_client_too_far_behind_is_told_to_resync(
    db: Database, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hub_module, "MAX_REPLAY", 4)
    await _record_events(db, tenant, 6)
    hub = Hub(db)
    with pytest.raises(hub_module.TooFarBehind):
        await hub.subscribe(Subscriber(tenant.app_id, lambda _e: True, last_seq=1))
    await hub.subscribe(Subscriber(tenant.app_id, lambda _e: True, last_seq=2))
    assert hub.subscriber_count() == 1


class _Counting:
    """A customer's audience that remembers every event it was asked about."""

    def __init__(self, audience: CustomerAudience) -> None:
        self.audience = audience
        self.asked: list[CommittedEvent] = []

    @property
    def version(self) -> int:
        return self.audience.version

    def keys(self) -> set[str]:
        return self.audience.keys()

    def __call__(self, event: CommittedEvent) -> bool:
        self.asked.append(event)
        return self.audience(event)


async def _customer_with_conversation(db: Database, tenant: Tenant) -> tuple[EndUser, str]:
    ((user, conversation_id),) = await customers_with_conversations(db, tenant, 1)
    return user, conversation_id


async def _say(db: Database, tenant: Tenant, user: EndUser, conversation_id: str, text: str) -> None:
    async with db.transaction() as session:
        await say_as_customer(session, tenant, user, conversation_id, text)


async def _drain(subscriber: Subscriber) -> list[CommittedEvent]:
    got: list[CommittedEvent] = []
    while True:
        try:
            item = await asyncio.wait_for(subscriber.next(), 0.3)
        except TimeoutError:
            return got
        assert isinstance(item, CommittedEvent)
        got.append(item)


async def test_an_event_is_offered_only_to_the_streams_that_follow_its_conversation(
    db: Database, tenant: Tenant
) -> None:
    await workspace_answers_first_in(db, tenant.app_id)
    ann, ann_conversation = await _customer_with_conversation(db, tenant)
    bob, bob_conversation = await _customer_with_conversation(db, tenant)
    hub = Hub(db)
    db.on_commit(hub.publish_rows)
    hub.start()
    try:
        head = await hub._head(tenant.app_id)
        ann_audience = _Counting(CustomerAudience(ann.id, {ann_conversation}))
        ann_stream = Subscriber(tenant.app_id, ann_audience, last_seq=head)
        everything = Subscriber(tenant.app_id, lambda _e: True, last_seq=head)
        await hub.subscribe(ann_stream)
        await hub.subscribe(everything)
        await _say(db, tenant, bob, bob_conversation, "from bob")
        await _say(db, tenant, ann, ann_conversation, "from ann")
        messages = [e for e in await _drain(ann_stream) if e.type == "conversation:message"]
        assert [e.payload["message"]["content"]["text"] for e in messages] == ["from ann"]
        # Bob's events never reached Ann's filter at all, while the account-wide stream had both.
        assert ann_audience.asked and all(e.conversation_id == ann_conversation for e in ann_audience.asked)
        seen = {e.conversation_id for e in await _drain(everything)}
        assert {ann_conversation, bob_conversation} <= seen
    finally:
        await hub.stop()


async def test_a_customer_added_to_a_group_conversation_receives_its_next_message_in_the_same_batch(
    db: Database, tenant: Tenant
) -> None:
    """Joining teaches the customer's stream a new key. The group's messages carry its owner's
    user id, so only that key routes them, and the message right after the join, in the same
    batch of events, must already be routed by it."""
    await workspace_answers_first_in(db, tenant.app_id)
    ann, own = await _customer_with_conversation(db, tenant)
    async with db.transaction() as session:
        bob = await people_actions.do_create_user(session, tenant.account, external_id=None)
        group = await conversation_actions.do_create_conversation(
            session, tenant.account, type="sdkGroup", users=[bob]
        )
    hub = Hub(db)
    db.on_commit(hub.publish_rows)
    hub.start()
    try:
        stream = Subscriber(tenant.app_id, CustomerAudience(ann.id, {own}), await hub._head(tenant.app_id))
        await hub.subscribe(stream)
        async with db.transaction() as session:
            joined = await conversation_queries.get_conversation_or_raise(session, tenant.app_id, group.id)
            await conversation_actions.do_join(session, joined, ann)
            await conversation_actions.do_post_message(
                session,
                tenant.account,
                joined,
                conversation_actions.Author.of_user(bob),
                {"type": "text", "text": "welcome"},
            )
        got = [(e.type, e.conversation_id) for e in await _drain(stream)]
        assert ("conversation:join", group.id) in got
        assert ("conversation:message", group.id) in got
        await _say(db, tenant, bob, group.id, "and later")
        later = [e for e in await _drain(stream) if e.type == "conversation:message"]
        assert [e.payload["message"]["content"]["text"] for e in later] == ["and later"]
    finally:
        await hub.stop()
