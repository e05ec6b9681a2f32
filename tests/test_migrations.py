"""The migrations are the schema: reversible, and identical to what the models declare."""

import json
import sqlite3
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection

from parlour import migrate
from parlour.db import Database
from parlour.models import metadata


def _differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


async def test_the_migrated_schema_matches_the_models(db: Database) -> None:
    async with db.engine.connect() as connection:
        differences = await connection.run_sync(_differences)
    assert differences == []


def test_migrations_go_down_and_up_again(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/roundtrip.db"
    migrate.upgrade(url)
    migrate.downgrade(url, "base")
    migrate.upgrade(url)


def _insert_accounts(connection: sqlite3.Connection, *ids: str) -> None:
    """Accounts as rows of an old schema (no action can write an old shape any more)."""
    for account in ids:
        connection.execute(
            "INSERT INTO accounts (id, name, display_name, mode, locale, time_zone, settings, created_at) "
            "VALUES (?, ?, ?, 'messaging', 'en', 'UTC', '{}', '2026-01-01 00:00:00')",
            (account, account, account),
        )


def test_existing_events_are_numbered_per_account_by_the_stream_migration(tmp_path: Path) -> None:
    # Rows written as the 0001 schema had them (no action can write that old shape any more).
    path = tmp_path / "streams.db"
    migrate.upgrade(f"sqlite+aiosqlite:///{path}", "0001")
    a, b = "a" * 24, "b" * 24
    with sqlite3.connect(path) as connection:
        _insert_accounts(connection, a, b)
        for account in (a, b, a):
            connection.execute(
                "INSERT INTO events (account_id, type, payload, created_at, webhooks_pending) "
                "VALUES (?, 'conversation:create', '{}', '2026-01-01 00:00:00', 0)",
                (account,),
            )
    migrate.upgrade(f"sqlite+aiosqlite:///{path}")
    with sqlite3.connect(path) as connection:
        events = connection.execute("SELECT account_id, seq FROM events ORDER BY id").fetchall()
        streams = dict(connection.execute("SELECT account_id, last_seq FROM event_streams").fetchall())
    assert events == [(a, 1), (b, 1), (a, 2)]
    assert streams == {a: 2, b: 1}


def test_existing_webhooks_keep_their_events_queued_after_the_triggers_migration(tmp_path: Path) -> None:
    path = tmp_path / "triggers.db"
    migrate.upgrade(f"sqlite+aiosqlite:///{path}", "0008")
    a, b = "a" * 24, "b" * 24
    with sqlite3.connect(path) as connection:
        _insert_accounts(connection, a, b)
        for account in (a, b):
            connection.execute("INSERT INTO event_streams (account_id, last_seq) VALUES (?, 0)", (account,))
        connection.execute(
            "INSERT INTO integrations (id, account_id, type, status, created_at) "
            "VALUES (?, ?, 'custom', 'active', '2026-01-01 00:00:00')",
            ("i" * 24, a),
        )
        for index, triggers in enumerate(('["conversation:message"]', '["conversation:create", "*"]')):
            connection.execute(
                "INSERT INTO webhooks (id, account_id, integration_id, target, triggers, sealed_secret, "
                "include_full_user, include_full_source, created_at) "
                "VALUES (?, ?, ?, 'https://example.com', ?, 'x', 0, 0, '2026-01-01 00:00:00')",
                (str(index) * 24, a, "i" * 24, triggers),
            )
    migrate.upgrade(f"sqlite+aiosqlite:///{path}")
    with sqlite3.connect(path) as connection:
        streams = dict(
            connection.execute("SELECT account_id, webhook_triggers FROM event_streams").fetchall()
        )
    assert {account: json.loads(triggers) for account, triggers in streams.items()} == {
        a: ["*", "conversation:create", "conversation:message"],
        b: [],
    }


def test_the_hot_paths_reads_use_an_index_and_sort_nothing(tmp_path: Path) -> None:
    """What migration 0008 changed: the indexes left on `events` serve every read of it (so the two
    it dropped were only a cost), and a conversation's current ticket is found without a sort."""
    from sqlalchemy import bindparam, select  # noqa: PLC0415
    from sqlalchemy.dialects import sqlite  # noqa: PLC0415

    from parlour.outbox.models import EventRecord  # noqa: PLC0415
    from parlour.tickets import queries as ticket_queries  # noqa: PLC0415
    from parlour.webhooks import actions as webhook_actions  # noqa: PLC0415

    url = f"sqlite+aiosqlite:///{tmp_path}/plans.db"
    migrate.upgrade(url)
    replay = (
        select(EventRecord)
        .where(EventRecord.account_id == bindparam("account"), EventRecord.seq > bindparam("after"))
        .order_by(EventRecord.seq)
        .limit(100)
    )
    statements = {
        "current ticket": ticket_queries._CURRENT,
        "current ticket brief": ticket_queries._CURRENT_BRIEF.statement,
        "stream replay": replay,
        "webhooks pending": webhook_actions._PENDING,
    }
    with sqlite3.connect(tmp_path / "plans.db") as connection:
        for name, statement in statements.items():
            compiled = statement.compile(dialect=sqlite.dialect(paramstyle="named"))
            given = compiled.construct_expanded_state(
                {"conversation": "c", "account": "a", "after": 0, "batch": 10}
            )
            rows = connection.execute("EXPLAIN QUERY PLAN " + given.statement, given.parameters)
            plan = " | ".join(row[3] for row in rows)
            assert "USING INDEX" in plan or "USING COVERING INDEX" in plan, (name, plan)
            assert "TEMP B-TREE" not in plan, (name, plan)
