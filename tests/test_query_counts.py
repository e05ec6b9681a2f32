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

    event.listen(db.engine.sync_engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", before)


async def test_a_customer_message_in_an_open_ticket_costs_a_fixed_number_of_statements(
    api: httpx.AsyncClient, db: Database
) -> None:
    await workspace_answers_first(api)
    await create_user(api)
    conversation = await create_conversation(api)
    await post_text(api, conversation["id"], "opens the ticket")
    with counting(db) as statements:
        assert (await post_text(api, conversation["id"], "a follow-up")).status_code == 201
    writes = [s for s in statements if s in ("INSERT", "UPDATE", "DELETE")]
    # Measured: auth (key, account), conversation, participant, resend check ... 5 reads; the
    # conversation counter, the message, the stream counter, the event: 4 writes; switchboard,
    # active integration and current ticket: 3 reads. 12 in all.
    assert len(statements) <= 12, statements
    assert len(writes) <= 4, writes
