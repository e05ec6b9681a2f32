from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from parlour.db import Base, JSONType, UTCDateTime


class Staff(Base):
    __tablename__ = "staff"

    id: Mapped[str] = mapped_column(String(24), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(24), ForeignKey("accounts.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(16))  # admin | agent
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Availability the agent chose: online | away | transfers_only | offline.
    status: Mapped[str] = mapped_column(String(16), default="offline")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("account_id", "email"),)


class Group(Base):
    __tablename__ = "groups"

    id: Mapped[str] = mapped_column(String(24), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(24), ForeignKey("accounts.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("account_id", "name"),)


class GroupMembership(Base):
    __tablename__ = "group_memberships"

    group_id: Mapped[str] = mapped_column(
        String(24), ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True
    )
    staff_id: Mapped[str] = mapped_column(
        String(24), ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True
    )
    account_id: Mapped[str] = mapped_column(String(24), ForeignKey("accounts.id", ondelete="CASCADE"))

    __table_args__ = (Index("ix_group_memberships_staff_id", "staff_id"),)


class EndUser(Base):
    """A customer. Anonymous (bound to a device by a client token) or identified by external_id."""

    __tablename__ = "end_users"

    id: Mapped[str] = mapped_column(String(24), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(24), ForeignKey("accounts.id", ondelete="CASCADE"))
    external_id: Mapped[str | None] = mapped_column(String(1024))
    # True when a signed JWT proved the external_id (the widget's login); API-created users
    # with an external_id are trusted because the business itself created them.
    authenticated: Mapped[bool] = mapped_column(Boolean, default=False)
    given_name: Mapped[str | None] = mapped_column(String(128))
    surname: Mapped[str | None] = mapped_column(String(128))
    email: Mapped[str | None] = mapped_column(String(128))
    email_verified: Mapped[bool] = mapped_column(Boolean, default=False)
    avatar_url: Mapped[str | None] = mapped_column(String(2048))
    locale: Mapped[str | None] = mapped_column(String(64))
    signed_up_at: Mapped[datetime] = mapped_column(UTCDateTime())
    metadata_: Mapped[dict[str, Any] | None] = mapped_column("metadata", JSONType)
    client_token_digest: Mapped[str | None] = mapped_column(String(64))
    # What the widget last reported: the page the customer is on and their browser's language.
    current_url: Mapped[str | None] = mapped_column(String(2048))
    browser_locale: Mapped[str | None] = mapped_column(String(64))
    context_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("account_id", "external_id"),
        Index("ix_end_users_client_token_digest", "client_token_digest"),
        Index("ix_end_users_account_id_email", "account_id", "email"),
    )


class StaffSession(Base):
    """A signed-in staff member on one browser or client: the token is stored only as a digest."""

    __tablename__ = "staff_sessions"

    id: Mapped[str] = mapped_column(String(24), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(24), ForeignKey("accounts.id", ondelete="CASCADE"))
    staff_id: Mapped[str] = mapped_column(String(24), ForeignKey("staff.id", ondelete="CASCADE"))
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_staff_sessions_staff_id", "staff_id"),)


class SignInFailure(Base):
    """A refused staff sign-in, kept a short while so that repeated failures are slowed down."""

    __tablename__ = "staff_sign_in_failures"

    id: Mapped[str] = mapped_column(String(24), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(24), ForeignKey("accounts.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        Index("ix_staff_sign_in_failures_account_id_email", "account_id", "email", "created_at"),
    )
