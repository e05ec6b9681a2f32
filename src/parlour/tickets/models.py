from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from parlour.db import Base, JSONType, UTCDateTime


class Ticket(Base):
    __tablename__ = "tickets"

    id: Mapped[str] = mapped_column(String(24), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(24), ForeignKey("accounts.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)  # per account, what agents say out loud: "#42"
    conversation_id: Mapped[str] = mapped_column(
        String(24), ForeignKey("conversations.id", ondelete="CASCADE")
    )
    requester_id: Mapped[str] = mapped_column(String(24), ForeignKey("end_users.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))  # new | open | pending | on_hold | solved | closed
    priority: Mapped[str] = mapped_column(String(16))  # low | normal | high | urgent
    group_id: Mapped[str | None] = mapped_column(String(24), ForeignKey("groups.id", ondelete="SET NULL"))
    assignee_id: Mapped[str | None] = mapped_column(String(24), ForeignKey("staff.id", ondelete="SET NULL"))
    tags: Mapped[list[str]] = mapped_column(JSONType)
    custom_fields: Mapped[dict[str, Any]] = mapped_column(JSONType)
    via: Mapped[str] = mapped_column(String(16))  # messaging
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    solved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    session_ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Since when the customer has been waiting for a public reply (views sort by it); None once
    # an agent answered.
    waiting_since: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("account_id", "number"),
        # A conversation's tickets newest first: every message to the agent workspace looks up the
        # current one (tickets.queries), which this finds without sorting (migration 0008).
        Index("ix_tickets_conversation_id_created_at", "conversation_id", "created_at"),
        Index("ix_tickets_account_id_status", "account_id", "status"),
        Index("ix_tickets_account_id_requester_id", "account_id", "requester_id"),
    )


class TicketNote(Base):
    """An internal note: staff (and the AI agent's handoff summary) talking among themselves;
    never shown to the customer, never sent to webhooks."""

    __tablename__ = "ticket_notes"

    id: Mapped[str] = mapped_column(String(24), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(24), ForeignKey("accounts.id", ondelete="CASCADE"))
    ticket_id: Mapped[str] = mapped_column(String(24), ForeignKey("tickets.id", ondelete="CASCADE"))
    conversation_id: Mapped[str] = mapped_column(
        String(24), ForeignKey("conversations.id", ondelete="CASCADE")
    )
    author_type: Mapped[str] = mapped_column(String(16))  # staff | ai_agent
    author_staff_id: Mapped[str | None] = mapped_column(
        String(24), ForeignKey("staff.id", ondelete="SET NULL")
    )
    author_name: Mapped[str] = mapped_column(String(128))
    text: Mapped[str] = mapped_column(Text)
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_ticket_notes_conversation_id_created_at", "conversation_id", "created_at"),)
