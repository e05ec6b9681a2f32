from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from parlour.db import Base, JSONType, UTCDateTime


class EventRecord(Base):
    __tablename__ = "events"

    # Integer on SQLite so that it is the rowid alias (AUTOINCREMENT-free, still increasing).
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(24), ForeignKey("accounts.id", ondelete="CASCADE"))
    # Position in the account's stream: 1, 2, 3 … with no gap, in commit order. Real-time clients
    # resume from it; the global `id` only orders rows and can commit out of order on PostgreSQL.
    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"))
    conversation_id: Mapped[str | None] = mapped_column(String(24))
    user_id: Mapped[str | None] = mapped_column(String(24))
    type: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    webhooks_pending: Mapped[bool] = mapped_column(Boolean, default=False)
    # Who was in control of the conversation when it happened: standby integrations are
    # filtered by the state at the event, not by the state when the fan-out runs.
    active_integration_id: Mapped[str | None] = mapped_column(String(24))

    # Only what is read: an account's stream by seq (the unique constraint's index, which also
    # serves the account's cascade delete) and the webhook fan-out's pending rows. Every index
    # costs each event a write on the message hot path (migration 0008 dropped two unused ones).
    __table_args__ = (
        UniqueConstraint("account_id", "seq"),
        Index("ix_events_webhooks_pending", "webhooks_pending", "id"),
    )


class EventStream(Base):
    """One row per account: the last sequence number handed out in its event stream.

    Recording an event increments it with a conditional UPDATE, which also row-locks it until the
    transaction ends, so the account's events commit in sequence order and never leave a gap.
    """

    __tablename__ = "event_streams"

    account_id: Mapped[str] = mapped_column(
        String(24), ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    last_seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), default=0)
    # The event types the account's webhooks subscribe to ("*": all), read with the seq: an event
    # is queued for the webhook fan-out only when a webhook may want it. Kept by the webhooks'
    # actions in their own transaction, so that it changes in step with the events' order.
    webhook_triggers: Mapped[list[str]] = mapped_column(JSONType, default=list)
