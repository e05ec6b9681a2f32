from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from parlour.db import Base, UTCDateTime


class Integration(Base):
    """A custom integration: a bot or backend reached through its webhooks."""

    __tablename__ = "integrations"

    id: Mapped[str] = mapped_column(String(24), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(24), ForeignKey("accounts.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(32))  # custom
    display_name: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16), default="active")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_integrations_account_id", "account_id"),)


class Switchboard(Base):
    __tablename__ = "switchboards"

    id: Mapped[str] = mapped_column(String(24), primary_key=True)
    account_id: Mapped[str] = mapped_column(
        String(24), ForeignKey("accounts.id", ondelete="CASCADE"), unique=True
    )
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    default_switchboard_integration_id: Mapped[str | None] = mapped_column(String(24))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SwitchboardIntegration(Base):
    __tablename__ = "switchboard_integrations"

    id: Mapped[str] = mapped_column(String(24), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(24), ForeignKey("accounts.id", ondelete="CASCADE"))
    switchboard_id: Mapped[str] = mapped_column(String(24), ForeignKey("switchboards.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(128))
    # Custom integrations are linked by id; built-in ones (zd:agentWorkspace, zd:answerBot) by type.
    integration_id: Mapped[str | None] = mapped_column(
        String(24), ForeignKey("integrations.id", ondelete="CASCADE")
    )
    integration_type: Mapped[str] = mapped_column(String(64))
    deliver_standby_events: Mapped[bool] = mapped_column(Boolean, default=True)
    next_switchboard_integration_id: Mapped[str | None] = mapped_column(String(24))
    message_history_count: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("switchboard_id", "name"),)
