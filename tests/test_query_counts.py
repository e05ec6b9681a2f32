"""The hot path's cost, pinned: posting a message must not grow extra queries unnoticed."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from sqlalchemy import event

from parlour.db import Database
from tests.helpers import create_conversation, create_user, post_text, workspace_answers_first


@contextmanager
def counting(db: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement.split(maxsplit=1)[0].upper())

    # SQLite reads outside a write transaction have an engine of their own; count both.
    engines = {db.engine.sync_engine, db.read_engine.sync_engine}
    for engine in engines:
        event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", before)


async def test_a_customer_message_in_an_open_ticket_costs_a_fixed_number_of_statements(
    api: httpx.AsyncClient, db: Database
) -> None:
    await workspace_answers_first(api)
    await create_user(api)
    conversation = await create_conversation(api)
    await post_text(api, conversation["id"], "opens the ticket")
    with counting(db) as statements:
        posted = await post_text(api, conversation["id"], "a follow-up", clientMessageId="follow-up-1")
        assert posted.status_code == 201
    writes = [s for s in statements if s in ("INSERT", "UPDATE", "DELETE")]
    # Measured: auth (key, account), conversation, participant (the route's check, then the
    # action's): 5 reads; the savepoint that makes a resend recoverable and its release; the
    # conversation counter, the message, the stream counter, the event: 4 writes; switchboard,
    # active integration and current ticket: 3 reads. 14 in all. A resend is recognised by its
    # collision on the client id, not by a read before every insert.
    assert len(statements) <= 14, statements
    assert len(writes) <= 4, writes
