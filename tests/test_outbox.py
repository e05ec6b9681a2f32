"""Events are recorded in the transaction that causes them and published only after it commits."""

from typing import cast

import pytest
from sqlalchemy import Table

from parlour.conversations import actions as conversation_actions
from parlour.conversations import queries as conversation_queries
from parlour.db import Database
from parlour.lib import clock
from parlour.outbox.models import EventRecord
from parlour.outbox.recorder import CommittedEvent, PendingEvent, as_committed
from parlour.people import actions as people_actions
from tests.conftest import Tenant


async def test_events_reach_the_bus_after_commit_and_never_after_rollback(
    db: Database, tenant: Tenant
) -> None:
    published: list[CommittedEvent] = []
    db.on_commit(lambda rows: published.extend(as_committed(rows)))
    async with db.transaction() as session:
        user = await people_actions.do_create_user(session, tenant.account, external_id="u1")
        conversation = await conversation_actions.do_create_conversation(
            session, tenant.account, type="personal", users=[user]
        )
        assert published == []  # recorded, not yet published
    assert [(e.type, e.conversation_id) for e in published] == [("conversation:create", conversation.id)]

    with pytest.raises(RuntimeError):
        async with db.transaction() as session:
            loaded = await conversation_queries.get_conversation_or_raise(
                session, tenant.app_id, conversation.id
            )
            await conversation_actions.do_post_message(
                session,
                tenant.account,
                loaded,
                conversation_actions.Author(type="business"),
                {"type": "text", "text": "never committed"},
            )
            raise RuntimeError("the request failed after the write")
    assert len(published) == 1
    async with db.reading() as session:
        stored = await session.get(EventRecord, published[0].id)
    assert stored is not None and stored.type == "conversation:create"


async def test_each_account_streams_its_events_numbered_without_gaps(
    db: Database, tenant: Tenant, other_tenant: Tenant
) -> None:
    published: list[CommittedEvent] = []
    db.on_commit(lambda rows: published.extend(as_committed(rows)))
    for index in range(3):
        for owner in (tenant, other_tenant):
            async with db.transaction() as session:
                user = await people_actions.do_create_user(session, owner.account, external_id=f"u{index}")
                await conversation_actions.do_create_conversation(
                    session, owner.account, type="personal", users=[user]
                )
    ids = [event.id for event in published]
    assert ids == sorted(ids) and len(set(ids)) == 6
    assert [e.seq for e in published if e.account_id == tenant.app_id] == [1, 2, 3]
    assert [e.seq for e in published if e.account_id == other_tenant.app_id] == [1, 2, 3]


def test_a_pending_event_writes_every_column_of_the_events_table_but_its_id() -> None:
    """A column added to `events` must be written by the recorder too, or it would stay empty."""
    pending = PendingEvent(
        account_id="a",
        conversation_id=None,
        user_id=None,
        type="conversation:message",
        payload={},
        created_at=clock.now(),
        webhooks_pending=True,
        active_integration_id=None,
    )
    columns = {column.key for column in cast(Table, EventRecord.__table__).columns}
    assert set(pending.values()) == columns - {"id"}
