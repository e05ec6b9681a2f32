"""Recording an event: one row in the same transaction as the change it describes."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from parlour.db import OUTBOX_KEY, row_values
from parlour.lib import clock
from parlour.outbox.models import EventRecord, EventStream

# Event types that custom integrations may subscribe to with webhooks (Sunshine trigger names).
WEBHOOK_TRIGGERS = frozenset(
    {
        "conversation:create",
        "conversation:remove",
        "conversation:join",
        "conversation:leave",
        "conversation:message",
        "conversation:read",
        "conversation:typing",
        "conversation:postback",
        "switchboard:acceptControl",
        "switchboard:offerControl",
        "switchboard:passControl",
        "switchboard:releaseControl",
        "user:merge",
        "user:update",
        "user:remove",
        "ticket:created",
        "ticket:updated",
        "ticket:closed",
        "ticket:sessionEnded",
    }
)


@dataclass(frozen=True)
class CommittedEvent:
    """What after-commit listeners (the real-time bus) receive."""

    id: int
    account_id: str
    seq: int
    conversation_id: str | None
    user_id: str | None
    type: str
    payload: dict[str, Any]
    created_at: datetime


# Built once: this runs for every event, and building a statement costs as much as running it.
# Core statements on the tables, not the ORM's: nothing in the session needs to learn of them.
_streams = cast(Table, EventStream.__table__)
_NEXT_SEQ = (
    update(_streams)
    .where(_streams.c.account_id == bindparam("account"))
    .values(last_seq=_streams.c.last_seq + 1)
    .returning(_streams.c.last_seq)
)
_INSERT = insert(cast(Table, EventRecord.__table__)).returning(EventRecord.__table__.c.id)


async def record(
    session: AsyncSession,
    *,
    account_id: str,
    type: str,
    payload: dict[str, Any],
    conversation_id: str | None = None,
    user_id: str | None = None,
    active_integration_id: str | None = None,
) -> EventRecord:
    seq = await session.scalar(_NEXT_SEQ, {"account": account_id})
    if seq is None:
        raise LookupError(f"account {account_id} has no event stream; create it with open_stream()")
    row = EventRecord(
        account_id=account_id,
        seq=seq,
        conversation_id=conversation_id,
        user_id=user_id,
        type=type,
        payload=payload,
        created_at=clock.now(),
        webhooks_pending=type in WEBHOOK_TRIGGERS,
        active_integration_id=active_integration_id,
    )
    # A Core insert rather than the unit of work: the row is never changed after it is written,
    # so it needs no tracking, and this is the hottest write there is (every event of every kind).
    row.id = await session.scalar(_INSERT, row_values(row))
    pending: list[EventRecord] = session.info.setdefault(OUTBOX_KEY, [])
    pending.append(row)
    return row


def as_committed(rows: list[EventRecord]) -> list[CommittedEvent]:
    return [
        CommittedEvent(
            id=row.id,
            account_id=row.account_id,
            seq=row.seq,
            conversation_id=row.conversation_id,
            user_id=row.user_id,
            type=row.type,
            payload=row.payload,
            created_at=row.created_at,
        )
        for row in rows
    ]


async def open_stream(session: AsyncSession, account_id: str) -> None:
    """Every account gets its event stream when it is created."""
    session.add(EventStream(account_id=account_id, last_seq=0))
    await session.flush()
