from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from parlour.db import Base, UTCDateTime


class Attachment(Base):
    """An uploaded file. The bytes live under the data directory; `token` is the unguessable part of
    its public URL (ids are time-ordered and partly predictable, so they are never in the URL)."""

    __tablename__ = "attachments"

    id: Mapped[str] = mapped_column(String(24), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(24), ForeignKey("accounts.id", ondelete="CASCADE"))
    token: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(127))
    size: Mapped[int] = mapped_column(BigInteger)
    # True only when the bytes are a PNG, JPEG, GIF or WebP image: only those are shown inline.
    inline: Mapped[bool] = mapped_column(Boolean)
    uploaded_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_attachments_account_id", "account_id"),)
