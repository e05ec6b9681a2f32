"""Per-account event streams: events get a gap-free sequence number in commit order.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 00:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "event_streams",
        sa.Column("account_id", sa.String(length=24), nullable=False),
        sa.Column("last_seq", BIGINT, nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_event_streams_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_event_streams")),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seq", BIGINT, nullable=True))
    # Existing events are numbered in id order within their account; streams continue after them.
    op.execute(
        "UPDATE events SET seq = (SELECT COUNT(*) FROM events AS earlier "
        "WHERE earlier.account_id = events.account_id AND earlier.id <= events.id)"
    )
    op.execute(
        "INSERT INTO event_streams (account_id, last_seq) SELECT accounts.id, "
        "(SELECT COALESCE(MAX(seq), 0) FROM events WHERE events.account_id = accounts.id) FROM accounts"
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.alter_column("seq", existing_type=BIGINT, nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_events_account_id_seq"), ["account_id", "seq"])


def downgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_events_account_id_seq"), type_="unique")
        batch_op.drop_column("seq")
    op.drop_table("event_streams")
