from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from parlour.db import Base, JSONType, UTCDateTime


class AiAgentSettings(Base):
    """The AI agent's policy for one account (a row appears on the first change)."""

    __tablename__ = "ai_agent_settings"

    account_id: Mapped[str] = mapped_column(
        String(24), ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    bot_name: Mapped[str | None] = mapped_column(String(128))
    # Weekly opening hours in the account's time zone, {"monday": [["09:00", "17:30"]], …};
    # None means agents are always available. The full schedules feature (holidays, several
    # schedules) will replace this.
    business_hours: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    inactivity_hours: Mapped[int] = mapped_column(Integer, default=72)
    # Raised by every answer-flow change: processes compare it to their trained model.
    flows_version: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AnswerFlow(Base):
    """An intent defined by an admin: training phrases and the scripted reply."""

    __tablename__ = "ai_agent_flows"

    id: Mapped[str] = mapped_column(String(24), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(24), ForeignKey("accounts.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    locale: Mapped[str] = mapped_column(String(35))
    phrases: Mapped[list[str]] = mapped_column(JSONType)
    # {"type": "text", "text", "quickReplies": [...], "links": [{"text", "uri"}]}
    # or {"type": "handoff", "text"?, "groupId"?}
    reply: Mapped[dict[str, Any]] = mapped_column(JSONType)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("account_id", "name"),)


class ConversationState(Base):
    """Where the AI agent is in one conversation. A cycle runs from the AI agent taking a
    conversation to its handoff; after a handback the next customer message starts a new one."""

    __tablename__ = "ai_agent_conversations"

    conversation_id: Mapped[str] = mapped_column(
        String(24), ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    account_id: Mapped[str] = mapped_column(String(24), ForeignKey("accounts.id", ondelete="CASCADE"))
    cycle: Mapped[int] = mapped_column(Integer, default=1)
    phase: Mapped[str] = mapped_column(String(16))  # idle | feedback | clarify | email | handed_off
    language: Mapped[str | None] = mapped_column(String(35))
    questions: Mapped[list[str]] = mapped_column(JSONType)
    # The last relevant answer: {"kind": "article" | "flow", "ref", "title"}.
    last_answer: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    human_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    # What a later step needs: the clarification offered, the group a handoff flow named.
    context: Mapped[dict[str, Any]] = mapped_column(JSONType)
    # The conversation's last message when the quiet window started (the "Did this help?").
    quiet_after_seq: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AutomatedResolution(Base):
    """A conversation cycle the AI agent resolved on its own (PRODUCT §5), with the reason."""

    __tablename__ = "ai_agent_resolutions"

    id: Mapped[str] = mapped_column(String(24), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(24), ForeignKey("accounts.id", ondelete="CASCADE"))
    conversation_id: Mapped[str] = mapped_column(
        String(24), ForeignKey("conversations.id", ondelete="CASCADE")
    )
    cycle: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(16))  # confirmed | inactivity
    answer_kind: Mapped[str] = mapped_column(String(16))  # article | flow
    answer_ref: Mapped[str] = mapped_column(String(64))
    answer_title: Mapped[str] = mapped_column(String(255))
    resolved_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Set when the same cycle later ended with a human after all (the customer asked for one).
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("conversation_id", "cycle"),
        Index("ix_ai_agent_resolutions_account_id_resolved_at", "account_id", "resolved_at"),
    )
