from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from parlour.db import Base, JSONType, UTCDateTime


class Webhook(Base):
    __tablename__ = "webhooks"

    id: Mapped[str] = mapped_column(String(24), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(24), ForeignKey("accounts.id", ondelete="CASCADE"))
    integration_id: Mapped[str] = mapped_column(String(24), ForeignKey("integrations.id", ondelete="CASCADE"))
    target: Mapped[str] = mapped_column(String(2048))
    triggers: Mapped[list[str]] = mapped_column(JSONType)
    sealed_secret: Mapped[str] = mapped_column(String(400))
    include_full_user: Mapped[bool] = mapped_column(Boolean, default=False)
    include_full_source: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        Index("ix_webhooks_account_id", "account_id"),
        Index("ix_webhooks_integration_id", "integration_id"),
    )
