"""Events are queued for the webhook fan-out only when a webhook of their account wants them.

Every event of a webhook trigger's type was written `webhooks_pending`, and the worker read it
back and wrote it again, with or without a webhook to send it to: for an account without webhooks
(most), a second write of every message's event and a write transaction on every worker round.
The account's event stream row now holds the triggers its webhooks subscribe to, read with the
sequence numbers. Existing accounts get their webhooks' triggers.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 12:00:00
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("event_streams", schema=None) as batch_op:
        batch_op.add_column(sa.Column("webhook_triggers", sa.JSON(), nullable=False, server_default="[]"))
    connection = op.get_bind()
    wanted: dict[str, set[str]] = {}
    for account_id, triggers in connection.execute(sa.text("SELECT account_id, triggers FROM webhooks")):
        listed = json.loads(triggers) if isinstance(triggers, str) else triggers
        wanted.setdefault(account_id, set()).update(listed or [])
    update = sa.text(
        "UPDATE event_streams SET webhook_triggers = :triggers WHERE account_id = :account"
    ).bindparams(sa.bindparam("triggers", type_=sa.JSON()))
    for account_id, triggers in wanted.items():
        connection.execute(update, {"triggers": sorted(triggers), "account": account_id})


def downgrade() -> None:
    with op.batch_alter_table("event_streams", schema=None) as batch_op:
        batch_op.drop_column("webhook_triggers")
