from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from parlour.db import Base, JSONType, UTCDateTime


class Article(Base):
    """A help-center article. The body is kept as written and as sanitised HTML and plain text."""

    __tablename__ = "help_center_articles"

    id: Mapped[str] = mapped_column(String(24), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(24), ForeignKey("accounts.id", ondelete="CASCADE"))
    # Where an imported article came from ("zendesk:360001", "file:billing/refunds.md"): a
    # re-import updates the same article instead of adding a copy.
    external_id: Mapped[str | None] = mapped_column(String(300))
    title: Mapped[str] = mapped_column(String(255))
    body_format: Mapped[str] = mapped_column(String(8))  # markdown | html
    body_source: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    body_text: Mapped[str] = mapped_column(Text)
    locale: Mapped[str] = mapped_column(String(35))
    section: Mapped[str | None] = mapped_column(String(100))
    labels: Mapped[list[str]] = mapped_column(JSONType)
    draft: Mapped[bool] = mapped_column(Boolean, default=True)
    user_segment: Mapped[str] = mapped_column(String(16))  # everyone | signed_in
    html_url: Mapped[str | None] = mapped_column(String(2048))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("account_id", "external_id"),
        Index("ix_help_center_articles_account_id_draft", "account_id", "draft"),
    )


class Revision(Base):
    """One counter per account, raised by every article change in the same transaction: a
    process holding a search index compares it to know, without delay, that the index is stale."""

    __tablename__ = "help_center_revisions"

    account_id: Mapped[str] = mapped_column(
        String(24), ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer, default=0)
