"""`Database.looking_up()`: reads by key on the event loop's thread (SQLite), on a connection of
their own: they see what is committed, never the writer's transaction in progress, and never wait
for it."""

import asyncio

from sqlalchemy import select

from parlour.accounts.models import Account
from parlour.db import Database, InlineSQLiteDialect
from tests.conftest import Tenant


async def test_lookups_have_their_own_connection_on_the_loops_thread(db: Database) -> None:
    if not db.is_sqlite:
        assert db.lookup_engine is db.read_engine
        return
    assert isinstance(db.lookup_engine.dialect, InlineSQLiteDialect)
    assert db.lookup_engine is not db.engine


async def test_a_lookup_sees_what_is_committed_while_a_write_is_in_progress(
    db: Database, tenant: Tenant
) -> None:
    writing, looked_up = asyncio.Event(), asyncio.Event()

    async def writer() -> None:
        async with db.transaction() as session:
            account = await session.get(Account, tenant.app_id)
            assert account is not None
            account.display_name = "Renamed, not yet committed"
            await session.flush()
            writing.set()
            await looked_up.wait()  # the lookup runs while this transaction holds the writer

    async def reader() -> str:
        await writing.wait()
        async with db.looking_up() as session:
            name = await session.scalar(select(Account.display_name).where(Account.id == tenant.app_id))
        looked_up.set()
        assert name is not None
        return name

    _done, seen = await asyncio.wait_for(asyncio.gather(writer(), reader()), timeout=10)
    assert seen == tenant.account.display_name
    async with db.looking_up() as session:
        after = await session.scalar(select(Account.display_name).where(Account.id == tenant.app_id))
    assert after == "Renamed, not yet committed"
