"""The hot path's database helpers (`parlour.db.Prepared`, `adopt`, `held`) behave as the
SQLAlchemy calls they replace: on SQLite they run on the driver's connection, elsewhere they are
those calls, and these tests run on both."""

from datetime import UTC, datetime
from typing import Any, cast

import pytest
from sqlalchemy import Table, bindparam, insert, inspect, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from parlour.conversations.models import Conversation, Participant
from parlour.db import Database, Prepared, adopt, get, held, loaded
from tests.conftest import Tenant
from tests.helpers import customers_with_conversations

_conversations = cast(Table, Conversation.__table__)
_participants = cast(Table, Participant.__table__)
_ALL_COLUMNS = Prepared(select(*_conversations.c).where(_conversations.c.id == bindparam("id")))
_SET_METADATA = Prepared(
    update(_conversations)
    .where(_conversations.c.id == bindparam("conversation"))
    .values(metadata=bindparam("data"), last_updated_at=bindparam("at"))
    .returning(_conversations.c.last_updated_at, _conversations.c.metadata)
)
_ADD_PARTICIPANT = Prepared(insert(_participants))


async def _all_columns(session: AsyncSession, conversation_id: str) -> tuple[Any, ...]:
    row = await _ALL_COLUMNS.first(session, {"id": conversation_id})
    assert row is not None, "the conversation's row"
    return row


async def test_values_written_and_read_by_a_prepared_statement_are_those_the_orm_sees(
    db: Database, tenant: Tenant
) -> None:
    [(_user, conversation_id)] = await customers_with_conversations(db, tenant, 1)
    at = datetime(2026, 12, 6, 10, 30, 15, 123456, tzinfo=UTC)
    async with db.transaction() as session:
        returned = await _SET_METADATA.first(
            session, {"conversation": conversation_id, "data": {"plan": "gold", "seats": 3}, "at": at}
        )
        # RETURNING goes through the column types' result processors: aware datetimes, dicts.
        assert returned == (at, {"plan": "gold", "seats": 3})
    async with db.reading() as session:
        stored = await session.get(Conversation, conversation_id)
        assert stored is not None
        assert stored.last_updated_at == at
        assert stored.metadata_ == {"plan": "gold", "seats": 3}


async def test_a_prepared_statement_reports_constraint_violations_as_sqlalchemy_does(
    db: Database, tenant: Tenant
) -> None:
    [(user, conversation_id)] = await customers_with_conversations(db, tenant, 1)
    async with db.reading() as session:
        before = await session.scalar(select(Participant).where(Participant.user_id == user.id))
        assert before is not None
    with pytest.raises(IntegrityError):
        async with db.transaction() as session:
            await _SET_METADATA.first(
                session, {"conversation": conversation_id, "data": {"changed": True}, "at": datetime.now(UTC)}
            )
            # The same participant again: the primary key is taken.
            await _ADD_PARTICIPANT.all(
                session,
                {
                    "id": before.id,
                    "account_id": tenant.app_id,
                    "conversation_id": conversation_id,
                    "user_id": user.id,
                    "unread_count": 0,
                    "last_read": None,
                    "joined_at": datetime.now(UTC),
                },
            )
    # Nothing of the failed transaction was kept, the statement before the failure included.
    async with db.reading() as session:
        stored = await session.get(Conversation, conversation_id)
        assert stored is not None and stored.metadata_ is None


async def test_pending_orm_changes_are_flushed_before_a_prepared_statement_runs(
    db: Database, tenant: Tenant
) -> None:
    [(_user, conversation_id)] = await customers_with_conversations(db, tenant, 1)
    async with db.transaction() as session:
        conversation = await session.get(Conversation, conversation_id)
        assert conversation is not None
        conversation.display_name = "Renamed in the session"
        row = await _all_columns(session, conversation_id)
        assert adopt(session, Conversation, row).display_name == "Renamed in the session"
        assert "Renamed in the session" in row


async def test_adopt_gives_the_object_the_session_holds_or_one_it_will_flush(
    db: Database, tenant: Tenant
) -> None:
    [(_a, first_id), (_b, second_id)] = await customers_with_conversations(db, tenant, 2)
    async with db.transaction() as session:
        held_already = await session.get(Conversation, first_id)
        assert held_already is not None
        held_already.description = "changed, not flushed"
        row = await _all_columns(session, first_id)
        assert adopt(session, Conversation, row) is held_already
        assert held(session, Conversation, first_id) is held_already

        assert held(session, Conversation, second_id) is None
        row = await _all_columns(session, second_id)
        built = adopt(session, Conversation, row)
        assert held(session, Conversation, second_id) is built
        assert await session.get(Conversation, second_id) is built
        assert not session.dirty  # built as loaded: nothing to write until it changes
        built.display_name = "Changed after adopting"
    async with db.reading() as session:
        stored = await session.get(Conversation, second_id)
        assert stored is not None and stored.display_name == "Changed after adopting"
        first = await session.get(Conversation, first_id)
        assert first is not None and first.description == "changed, not flushed"


async def test_adopt_refreshes_expired_attributes_from_the_row(db: Database, tenant: Tenant) -> None:
    [(_user, conversation_id)] = await customers_with_conversations(db, tenant, 1)
    async with db.transaction() as session:
        conversation = await session.get(Conversation, conversation_id)
        assert conversation is not None
        session.expire(conversation, ["display_name"])
        await _SET_METADATA.first(
            session, {"conversation": conversation_id, "data": None, "at": datetime.now(UTC)}
        )
        await session.execute(
            update(Conversation).where(Conversation.id == conversation_id).values(display_name="Elsewhere")
        )
        row = await _all_columns(session, conversation_id)
        assert adopt(session, Conversation, row) is conversation
        assert conversation.display_name == "Elsewhere"
        assert held(session, Conversation, conversation_id) is conversation  # partly expired: not `expired`
        session.expire(conversation)
        assert held(session, Conversation, conversation_id) is None


async def test_none_is_stored_as_the_orm_stores_it(db: Database, tenant: Tenant) -> None:
    """A JSON column keeps None as JSON null (SQLAlchemy's default), a datetime column as NULL."""
    [(_a, first_id), (_b, second_id)] = await customers_with_conversations(db, tenant, 2)
    async with db.transaction() as session:
        await _SET_METADATA.first(session, {"conversation": first_id, "data": None, "at": None})
        await session.execute(
            update(_conversations)
            .where(_conversations.c.id == second_id)
            .values(metadata=None, last_updated_at=None)
        )
    async with db.reading() as session:
        raw = select(
            _conversations.c.id,
            _conversations.c.metadata.is_(None),
            _conversations.c.last_updated_at.is_(None),
        ).where(_conversations.c.id.in_([first_id, second_id]))
        stored = {row[0]: tuple(row[1:]) for row in await session.execute(raw)}
    assert stored[first_id] == stored[second_id] == (False, True)


def test_an_object_built_as_loaded_reads_as_one_built_by_its_constructor() -> None:
    values = {"id": "c1", "account_id": "a1", "user_id": "u1", "type": "personal", "metadata_": None}
    built, constructed = loaded(Conversation, values), Conversation(**values)
    for name in ("id", "account_id", "user_id", "type", "metadata_", "display_name", "message_count"):
        assert getattr(built, name) == getattr(constructed, name)
    assert inspect(built).transient
    with pytest.raises(TypeError, match="no attribute"):
        loaded(Conversation, {"id": "c2", "metadata": {}})  # the column's name, not the attribute's


async def test_get_takes_the_held_object_and_loads_one_that_is_not(db: Database, tenant: Tenant) -> None:
    [(_a, first_id), (_b, second_id)] = await customers_with_conversations(db, tenant, 2)
    async with db.transaction() as session:
        first = await session.get(Conversation, first_id)
        assert first is not None
        first.description = "changed, not flushed"
        assert await get(session, Conversation, first_id) is first
        assert held(session, Conversation, second_id) is None
        second = await get(session, Conversation, second_id)
        assert second is not None and second.id == second_id
        assert held(session, Conversation, second_id) is second
        assert await get(session, Conversation, "0" * 24) is None
