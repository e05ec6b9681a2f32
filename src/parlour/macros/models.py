from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from parlour.db import Base, JSONType, UTCDateTime


class Macro(Base):
    """A saved reply with actions. Shared (owner_staff_id None, managed by admins) or personal
    (one agent's own)."""

    __tablename__ = "macros"

    id: Mapped[str] = mapped_column(String(24), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(24), ForeignKey("accounts.id", ondelete="CASCADE"))
    owner_staff_id: Mapped[str | None] = mapped_column(String(24), ForeignKey("staff.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(120))
    # The reply put in the composer; empty for a macro that only changes the ticket.
    text: Mapped[str] = mapped_column(Text)
    # {"status"?: str, "priority"?: str, "groupId"?: str | None, "addTags"?: [str], "removeTags"?: [str]}
    actions: Mapped[dict[str, Any]] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_macros_account_id_owner_staff_id", "account_id", "owner_staff_id"),)
