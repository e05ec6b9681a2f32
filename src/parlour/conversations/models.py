from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from parlour.db import Base, JSONType, UTCDateTime


class Conversation(Base):
    __tablename__ = "conversations"

    id: Mapped[str] = mapped_column(String(24), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(24), ForeignKey("accounts.id", ondelete="CASCADE"))
    # The customer the conversation belongs to; deleting the customer deletes their history.
    user_id: Mapped[str] = mapped_column(String(24), ForeignKey("end_users.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(16))  # personal | sdkGroup
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    display_name: Mapped[str | None] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(String(100))
    icon_url: Mapped[str | None] = mapped_column(String(2048))
    metadata_: Mapped[dict[str, Any] | None] = mapped_column("metadata", JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    business_last_read: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Live messages (the 30,000 limit) and the last sequence number handed out (order of messages).
    message_count: Mapped[int] = mapped_column(Integer, default=0)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    # Switchboard state; written only by the switchboard domain through this domain's actions.
    active_switchboard_integration_id: Mapped[str | None] = mapped_column(String(24))
    pending_switchboard_integration_id: Mapped[str | None] = mapped_column(String(24))

    __table_args__ = (Index("ix_conversations_account_id_user_id", "account_id", "user_id"),)


class Participant(Base):
    __tablename__ = "participants"

    id: Mapped[str] = mapped_column(String(24), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(24), ForeignKey("accounts.id", ondelete="CASCADE"))
    conversation_id: Mapped[str] = mapped_column(
        String(24), ForeignKey("conversations.id", ondelete="CASCADE")
    )
    user_id: Mapped[str] = mapped_column(String(24), ForeignKey("end_users.id", ondelete="CASCADE"))
    unread_count: Mapped[int] = mapped_column(Integer, default=0)
    last_read: Mapped[datetime | None] = mapped_column(UTCDateTime())
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("conversation_id", "user_id"),
        Index("ix_participants_user_id", "user_id"),
    )


class Message(Base):
    __tablename__ = "messages"

    id: Mapped[str] = mapped_column(String(24), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(24), ForeignKey("accounts.id", ondelete="CASCADE"))
    conversation_id: Mapped[str] = mapped_column(
        String(24), ForeignKey("conversations.id", ondelete="CASCADE")
    )
    seq: Mapped[int] = mapped_column(Integer)
    author_type: Mapped[str] = mapped_column(String(16))  # user | business
    author_subtype: Mapped[str | None] = mapped_column(String(16))  # AI | agent | bot | activity
    author_user_id: Mapped[str | None] = mapped_column(String(24))
    author_display_name: Mapped[str | None] = mapped_column(String(128))
    author_avatar_url: Mapped[str | None] = mapped_column(String(2048))
    content_type: Mapped[str] = mapped_column(String(16))
    content: Mapped[dict[str, Any]] = mapped_column(JSONType)
    metadata_: Mapped[dict[str, Any] | None] = mapped_column("metadata", JSONType)
    source: Mapped[dict[str, Any]] = mapped_column(JSONType)
    # Chosen by the sender; a resend with the same id returns the first message instead of a copy.
    client_message_id: Mapped[str | None] = mapped_column(String(64))
    received: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("conversation_id", "seq"),
        UniqueConstraint("conversation_id", "client_message_id"),
        Index("ix_messages_author_user_id", "author_user_id"),
    )
