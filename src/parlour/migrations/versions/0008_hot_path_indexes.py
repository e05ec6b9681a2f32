"""Indexes of a customer's message's hot path: events lose the two no query uses; a conversation's
tickets are indexed newest first.

Every event row paid for the two on the hot path of a customer's message: replay reads an
account's stream by (account_id, seq), which its unique constraint indexes (and serves the
account's cascade delete), and the webhook fan-out reads by (webhooks_pending, id). Nothing reads
events by (account_id, id) or by conversation. The one by conversation was the costlier: a group
commit's messages belong to different conversations, so each of its entries dirtied a page.

Every message to the agent workspace looks up the conversation's current ticket, the newest one
not closed: by (conversation_id, status) SQLite sorted the conversation's tickets for it each time;
by (conversation_id, created_at) it reads them newest first, and no status change rewrites it.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 06:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_conversation_id_id")
        batch_op.drop_index("ix_events_account_id_id")
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.create_index(
            "ix_tickets_conversation_id_created_at", ["conversation_id", "created_at"], unique=False
        )
        batch_op.drop_index("ix_tickets_conversation_id_status")


def downgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.create_index(
            "ix_tickets_conversation_id_status", ["conversation_id", "status"], unique=False
        )
        batch_op.drop_index("ix_tickets_conversation_id_created_at")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index("ix_events_account_id_id", ["account_id", "id"], unique=False)
        batch_op.create_index("ix_events_conversation_id_id", ["conversation_id", "id"], unique=False)
