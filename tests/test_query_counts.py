"""The hot path's cost, pinned: posting a message must not grow extra queries unnoticed."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from sqlalchemy import event

from parlour.db import Database
from tests.conftest import Tenant
from tests.helpers import create_conversation, create_user, post_text, workspace_answers_first


@contextmanager
def counting(db: Database) -> Iterator[list[str]]:
    """The first word of every statement the database runs meanwhile, however it is run: on
    SQLite's write engine the driver's own trace (the hot path runs some statements on the
    driver's connection, `parlour.db.Prepared`), elsewhere SQLAlchemy's cursor events."""
    statements: list[str] = []

    def note(statement: str) -> None:
        word = statement.split(maxsplit=1)[0].upper()
        # Transaction control is not counted on either backend (SQLAlchemy's events never see it).
        if word not in ("BEGIN", "COMMIT", "ROLLBACK"):
            statements.append(word)

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        note(statement)

    # The inline engine's pool holds the standard library's sqlite3 connections themselves.
    def checkout(dbapi_connection: Any, *_args: Any) -> None:
        dbapi_connection.set_trace_callback(note)

    def checkin(dbapi_connection: Any, *_args: Any) -> None:
        if dbapi_connection is not None:
            dbapi_connection.set_trace_callback(None)

    # SQLite reads outside a write transaction have an engine of their own; count both.
    listeners: list[tuple[Any, str, Any]] = [(db.read_engine.sync_engine, "before_cursor_execute", before)]
    if db.lookup_engine is not db.read_engine:  # SQLite's lookups (credentials) have one too
        listeners.append((db.lookup_engine.sync_engine, "before_cursor_execute", before))
    if db.engine is not db.read_engine:
        pool = db.engine.sync_engine.pool
        listeners += [(pool, "checkout", checkout), (pool, "checkin", checkin)]
    for target, name, listener in listeners:
        event.listen(target, name, listener)
    try:
        yield statements
    finally:
        for target, name, listener in listeners:
            event.remove(target, name, listener)


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
    # Measured: auth (key, account), conversation, the author, their participation: 5 reads; the
    # conversation counter, the message, the stream counter, the event: 4 writes; the switchboard
    # with the integration in control, and the current ticket: 2 reads. 11 in all. A resend is recognised
    # by its collision on the client id, not by a read before every insert or a savepoint.
    assert len(statements) <= 11, statements
    assert len(writes) <= 4, writes
    assert "SAVEPOINT" not in statements


async def test_a_customer_message_through_the_client_api_costs_a_fixed_number_of_statements(
    api: httpx.AsyncClient, http: httpx.AsyncClient, tenant: Tenant, db: Database
) -> None:
    await workspace_answers_first(api)
    root = f"/client/v1/apps/{tenant.app_id}"
    token = (await http.post(f"{root}/users")).json()["clientToken"]
    auth = {"Authorization": f"Client {token}"}
    conversation = (await http.post(f"{root}/conversations", headers=auth)).json()["conversation"]
    url = f"{root}/conversations/{conversation['id']}/messages"
    first = await http.post(url, headers=auth, json={"content": {"type": "text", "text": "opens the ticket"}})
    assert first.status_code == 201, first.text
    body = {"content": {"type": "text", "text": "a follow-up"}, "clientMessageId": "follow-up-1"}
    with counting(db) as statements:
        posted = await http.post(url, headers=auth, json=body)
        assert posted.status_code == 201, posted.text
    writes = [s for s in statements if s in ("INSERT", "UPDATE", "DELETE")]
    reads = [s for s in statements if s == "SELECT"]
    # Measured: the credential (account, customer by client token): 2 reads; the conversation
    # found, the customer's part in it checked and the message counted in one write (no read of
    # the conversation first), then the message, the stream counter, the event: 4 writes; the
    # switchboard with the integration in control, and the current ticket: 2 reads. 8 in all.
    assert len(writes) == 4, statements
    assert len(reads) <= 4, statements
    assert len(statements) <= 8, statements
