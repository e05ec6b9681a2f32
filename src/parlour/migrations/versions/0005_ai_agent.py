"""AI agent: help-center articles, answer flows, AI agent state and automated resolutions.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _account_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["account_id"], ["accounts.id"], name=op.f(f"fk_{table}_account_id_accounts"), ondelete="CASCADE"
    )


def _conversation_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["conversation_id"],
        ["conversations.id"],
        name=op.f(f"fk_{table}_conversation_id_conversations"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "help_center_articles",
        sa.Column("id", sa.String(length=24), nullable=False),
        sa.Column("account_id", sa.String(length=24), nullable=False),
        sa.Column("external_id", sa.String(length=300), nullable=True),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("body_format", sa.String(length=8), nullable=False),
        sa.Column("body_source", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("locale", sa.String(length=35), nullable=False),
        sa.Column("section", sa.String(length=100), nullable=True),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("draft", sa.Boolean(), nullable=False),
        sa.Column("user_segment", sa.String(length=16), nullable=False),
        sa.Column("html_url", sa.String(length=2048), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _account_fk("help_center_articles"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_help_center_articles")),
        sa.UniqueConstraint(
            "account_id", "external_id", name=op.f("uq_help_center_articles_account_id_external_id")
        ),
    )
    op.create_index(
        "ix_help_center_articles_account_id_draft", "help_center_articles", ["account_id", "draft"]
    )
    op.create_table(
        "help_center_revisions",
        sa.Column("account_id", sa.String(length=24), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _account_fk("help_center_revisions"),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_help_center_revisions")),
    )
    op.create_table(
        "ai_agent_settings",
        sa.Column("account_id", sa.String(length=24), nullable=False),
        sa.Column("bot_name", sa.String(length=128), nullable=True),
        sa.Column("business_hours", sa.JSON(), nullable=True),
        sa.Column("inactivity_hours", sa.Integer(), nullable=False),
        sa.Column("flows_version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _account_fk("ai_agent_settings"),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_ai_agent_settings")),
    )
    op.create_table(
        "ai_agent_flows",
        sa.Column("id", sa.String(length=24), nullable=False),
        sa.Column("account_id", sa.String(length=24), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("locale", sa.String(length=35), nullable=False),
        sa.Column("phrases", sa.JSON(), nullable=False),
        sa.Column("reply", sa.JSON(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _account_fk("ai_agent_flows"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ai_agent_flows")),
        sa.UniqueConstraint("account_id", "name", name=op.f("uq_ai_agent_flows_account_id_name")),
    )
    op.create_table(
        "ai_agent_conversations",
        sa.Column("conversation_id", sa.String(length=24), nullable=False),
        sa.Column("account_id", sa.String(length=24), nullable=False),
        sa.Column("cycle", sa.Integer(), nullable=False),
        sa.Column("phase", sa.String(length=16), nullable=False),
        sa.Column("language", sa.String(length=35), nullable=True),
        sa.Column("questions", sa.JSON(), nullable=False),
        sa.Column("last_answer", sa.JSON(), nullable=True),
        sa.Column("human_requested", sa.Boolean(), nullable=False),
        sa.Column("context", sa.JSON(), nullable=False),
        sa.Column("quiet_after_seq", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _account_fk("ai_agent_conversations"),
        _conversation_fk("ai_agent_conversations"),
        sa.PrimaryKeyConstraint("conversation_id", name=op.f("pk_ai_agent_conversations")),
    )
    op.create_table(
        "ai_agent_resolutions",
        sa.Column("id", sa.String(length=24), nullable=False),
        sa.Column("account_id", sa.String(length=24), nullable=False),
        sa.Column("conversation_id", sa.String(length=24), nullable=False),
        sa.Column("cycle", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("answer_kind", sa.String(length=16), nullable=False),
        sa.Column("answer_ref", sa.String(length=64), nullable=False),
        sa.Column("answer_title", sa.String(length=255), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        _account_fk("ai_agent_resolutions"),
        _conversation_fk("ai_agent_resolutions"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ai_agent_resolutions")),
        sa.UniqueConstraint(
            "conversation_id", "cycle", name=op.f("uq_ai_agent_resolutions_conversation_id_cycle")
        ),
    )
    op.create_index(
        "ix_ai_agent_resolutions_account_id_resolved_at",
        "ai_agent_resolutions",
        ["account_id", "resolved_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_ai_agent_resolutions_account_id_resolved_at", table_name="ai_agent_resolutions")
    op.drop_table("ai_agent_resolutions")
    op.drop_table("ai_agent_conversations")
    op.drop_table("ai_agent_flows")
    op.drop_table("ai_agent_settings")
    op.drop_table("help_center_revisions")
    op.drop_index("ix_help_center_articles_account_id_draft", table_name="help_center_articles")
    op.drop_table("help_center_articles")
