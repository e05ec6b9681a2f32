"""Recording an event: one row in the same transaction as the change it describes."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from parlour.db import BEFORE_COMMIT_KEY, OUTBOX_KEY, Prepared
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
# A webhook subscribed to this gets every one of them.
ALL_TRIGGERS = "*"


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


# Built once: these run for every transaction that records events, and building a statement
# costs as much as running it. Core statements on the tables, not the ORM's: nothing in the
# session needs to learn of them.
_streams = cast(Table, EventStream.__table__)
_events = cast(Table, EventRecord.__table__)
_TAKE_SEQS = Prepared(
    update(_streams)
    .where(_streams.c.account_id == bindparam("account"))
    .values(last_seq=_streams.c.last_seq + bindparam("count"))
    .returning(_streams.c.last_seq, _streams.c.webhook_triggers)
)
_INSERT = Prepared(insert(_events).returning(_events.c.id, sort_by_parameter_order=True))


@dataclass(slots=True)
class PendingEvent:
    """An event recorded in a transaction and not yet written: numbered and inserted just before
    the commit, then handed to the after-commit listeners. A plain object, not an `EventRecord`:
    it is never loaded or changed through the ORM, and building a mapped object (its attributes'
    instrumentation) cost more than writing the row."""

    account_id: str
    conversation_id: str | None
    user_id: str | None
    type: str
    payload: dict[str, Any]
    created_at: datetime
    active_integration_id: str | None
    # Numbered, and queued for the webhook fan-out when a webhook of the account subscribes to
    # its type, just before the commit.
    webhooks_pending: bool = False
    seq: int = 0
    id: int = 0

    def values(self) -> dict[str, Any]:
        """The row for `_INSERT` (every column of `events` but the id the database numbers)."""
        return {
            "account_id": self.account_id,
            "seq": self.seq,
            "conversation_id": self.conversation_id,
            "user_id": self.user_id,
            "type": self.type,
            "payload": self.payload,
            "created_at": self.created_at,
            "webhooks_pending": self.webhooks_pending,
            "active_integration_id": self.active_integration_id,
        }


async def record(
    session: AsyncSession,
    *,
    account_id: str,
    type: str,
    payload: dict[str, Any],
    conversation_id: str | None = None,
    user_id: str | None = None,
    active_integration_id: str | None = None,
) -> None:
    """Record an event of this transaction. Its row is written, numbered, just before the commit:
    a transaction that records several events (a batch of messages committed together, see
    `Database.together`) takes its sequence numbers with one statement and writes its events
    with one more, instead of two per event."""
    row = PendingEvent(
        account_id=account_id,
        conversation_id=conversation_id,
        user_id=user_id,
        type=type,
        payload=payload,
        created_at=clock.now(),
        active_integration_id=active_integration_id,
    )
    pending: list[PendingEvent] = session.info.setdefault(OUTBOX_KEY, [])
    pending.append(row)
    session.info[BEFORE_COMMIT_KEY] = _write_pending


async def _write_pending(session: AsyncSession) -> None:
    rows: list[PendingEvent] = session.info.get(OUTBOX_KEY, [])
    if not rows:
        return
    by_account: dict[str, list[PendingEvent]] = {}
    for row in rows:
        by_account.setdefault(row.account_id, []).append(row)
    # The stream counter is row-locked from here to the commit (PostgreSQL), so an account's seq
    # order is its commit order. Several accounts' counters are taken in one order, so that two
    # such transactions cannot wait for each other.
    for account_id in sorted(by_account):
        mine = by_account[account_id]
        taken = await _TAKE_SEQS.first(session, {"account": account_id, "count": len(mine)})
        if taken is None:
            raise LookupError(f"account {account_id} has no event stream; create it with open_stream()")
        last, triggers = taken
        every = ALL_TRIGGERS in triggers
        for offset, row in enumerate(mine):
            row.seq = last - len(mine) + 1 + offset
            # An account without webhooks (most) leaves the fan-out nothing to read and rewrite.
            row.webhooks_pending = row.type in WEBHOOK_TRIGGERS and (every or row.type in triggers)
    ids = await _INSERT.each(session, [row.values() for row in rows])
    for row, (row_id,) in zip(rows, ids, strict=True):
        row.id = row_id


def as_committed(rows: Sequence[EventRecord] | Sequence[PendingEvent]) -> list[CommittedEvent]:
    """Committed events as the listeners get them, from the transaction's recorded events or from
    rows read back (a replay)."""
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


async def subscribe_webhooks(session: AsyncSession, account_id: str, triggers: list[list[str]]) -> None:
    """What the account's webhooks subscribe to now (each webhook's triggers), for the events
    recorded after this transaction. Called in the transaction that creates, changes or deletes a
    webhook: on PostgreSQL the stream's row is locked from here to the commit, as recording events
    locks it, so an event is queued for the fan-out exactly when it was recorded after a webhook
    that wants it was committed. A trigger missing here would lose deliveries, so every action that
    adds, changes or removes webhooks (an integration's too) calls this; one left behind would only
    queue events that the fan-out then finds no webhook for."""
    wanted = sorted({trigger for subscribed in triggers for trigger in subscribed})
    await session.execute(
        update(_streams).where(_streams.c.account_id == account_id).values(webhook_triggers=wanted)
    )


async def open_stream(session: AsyncSession, account_id: str) -> None:
    """Every account gets its event stream when it is created."""
    session.add(EventStream(account_id=account_id, last_seq=0))
    await session.flush()
