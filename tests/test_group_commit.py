"""Group commit (`Database.together`): messages of the same moment share one transaction, and
sharing it changes nothing a single sender can see: each gets its own answer or its own error,
nothing of a failed one is kept, and the events of all of them are numbered without a gap."""

import asyncio
from typing import Any

from prometheus_client import REGISTRY
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from parlour.conversations.models import Message
from parlour.db import Database
from parlour.outbox.models import EventRecord
from parlour.people.models import EndUser
from tests.conftest import Tenant, make_tenant
from tests.helpers import customers_with_conversations, say_as_customer, workspace_answers_first_in


class Refused(Exception):
    pass


async def _customers(db: Database, tenant: Tenant, count: int) -> list[tuple[EndUser, str]]:
    await workspace_answers_first_in(db, tenant.app_id)
    return await customers_with_conversations(db, tenant, count)


def _post(tenant: Tenant, user: EndUser, conv: str, text: str, fail_after_writing: bool = False) -> Any:
    async def post(session: AsyncSession) -> str:
        posted = await say_as_customer(session, tenant, user, conv, text, client_message_id=f"client-{text}")
        if fail_after_writing:
            raise Refused(text)
        return str(posted.message.id)

    return post


def _sample(name: str) -> float:
    return REGISTRY.get_sample_value(name) or 0.0


async def _texts(db: Database) -> list[str]:
    async with db.reading() as session:
        rows = await session.scalars(select(Message).order_by(Message.received, Message.id))
        return [m.content["text"] for m in rows]


async def test_messages_sent_at_once_share_commits_and_each_gets_its_own_message(
    db: Database, tenant: Tenant
) -> None:
    customers = await _customers(db, tenant, 20)
    units_before = _sample("parlour_group_commit_units_sum")
    ids = await asyncio.gather(
        *(db.together(_post(tenant, user, conv, f"m{i}")) for i, (user, conv) in enumerate(customers))
    )
    assert db.commits_together >= 1
    # /metrics counts every committed unit once, in the group it was committed with.
    assert _sample("parlour_group_commit_units_sum") - units_before == 20
    assert len(set(ids)) == 20
    assert sorted(await _texts(db)) == sorted(f"m{i}" for i in range(20))


async def test_a_failing_unit_of_work_keeps_nothing_and_takes_no_other_down(
    db: Database, tenant: Tenant
) -> None:
    customers = await _customers(db, tenant, 6)
    async with db.reading() as session:
        events_before = await session.scalar(select(func.count()).select_from(EventRecord))
    splits_before = _sample("parlour_group_commit_splits_total")
    works = [
        _post(tenant, user, conv, f"m{i}", fail_after_writing=(i == 3))
        for i, (user, conv) in enumerate(customers)
    ]
    results = await asyncio.gather(*(db.together(work) for work in works), return_exceptions=True)
    assert [isinstance(r, Refused) for r in results] == [False, False, False, True, False, False]
    assert _sample("parlour_group_commit_splits_total") == splits_before + 1
    # The failed one wrote its message and its event before it raised: neither was kept.
    assert sorted(await _texts(db)) == ["m0", "m1", "m2", "m4", "m5"]
    async with db.reading() as session:
        events_after = await session.scalar(select(func.count()).select_from(EventRecord))
        seqs = list(
            await session.scalars(
                select(EventRecord.seq)
                .where(EventRecord.account_id == tenant.app_id)
                .order_by(EventRecord.seq)
            )
        )
    assert events_after is not None and events_before is not None
    assert events_after > events_before
    assert seqs == list(range(1, len(seqs) + 1)), "the account's stream has a gap or a repeat"


async def test_several_failing_units_in_one_group_each_fail_alone(db: Database, tenant: Tenant) -> None:
    customers = await _customers(db, tenant, 8)
    failing = {1, 4, 6}
    works = [
        _post(tenant, user, conv, f"m{i}", fail_after_writing=i in failing)
        for i, (user, conv) in enumerate(customers)
    ]
    results = await asyncio.gather(*(db.together(work) for work in works), return_exceptions=True)
    assert [i for i, r in enumerate(results) if isinstance(r, Refused)] == sorted(failing)
    assert sorted(await _texts(db)) == [f"m{i}" for i in range(8) if i not in failing]


async def test_a_sender_that_stops_waiting_still_has_its_message_stored(db: Database, tenant: Tenant) -> None:
    (user, conv), (other, other_conv) = await _customers(db, tenant, 2)
    first = asyncio.create_task(db.together(_post(tenant, user, conv, "kept")))
    second = asyncio.create_task(db.together(_post(tenant, other, other_conv, "also")))
    await asyncio.sleep(0)  # both are queued
    first.cancel()
    assert await second
    await asyncio.sleep(0.05)
    assert sorted(await _texts(db)) == ["also", "kept"]


async def test_events_of_two_accounts_in_one_commit_are_numbered_in_each_stream(
    db: Database, tenant: Tenant
) -> None:
    other_tenant = await make_tenant(db, "globex")
    mine = await _customers(db, tenant, 3)
    theirs = await _customers(db, other_tenant, 3)
    await asyncio.gather(
        *(db.together(_post(tenant, u, c, f"a{i}")) for i, (u, c) in enumerate(mine)),
        *(db.together(_post(other_tenant, u, c, f"b{i}")) for i, (u, c) in enumerate(theirs)),
    )
    async with db.reading() as session:
        for account_id in (tenant.app_id, other_tenant.app_id):
            seqs = list(
                await session.scalars(
                    select(EventRecord.seq)
                    .where(EventRecord.account_id == account_id)
                    .order_by(EventRecord.id)
                )
            )
            assert seqs == list(range(1, len(seqs) + 1))


async def test_a_resend_in_the_same_group_is_stored_once(db: Database, tenant: Tenant) -> None:
    ((user, conv),) = await _customers(db, tenant, 1)
    first, again = await asyncio.gather(
        db.together(_post(tenant, user, conv, "once")), db.together(_post(tenant, user, conv, "once"))
    )
    assert first == again
    assert await _texts(db) == ["once"]


async def test_work_that_arrives_just_as_the_committer_finishes_is_still_committed(
    db: Database, tenant: Tenant
) -> None:
    """The committer's last look at the queue and its leaving must be one step: work queued in
    between (another request's turn came first) would wait for a committer that is gone."""
    ((user, conv),) = await _customers(db, tenant, 1)
    for index in range(30):
        first = asyncio.create_task(db.together(_post(tenant, user, conv, f"a{index}")))
        await asyncio.sleep(0)  # the committer starts
        committers = set(db._committers)
        while not all(c.done() for c in committers):  # noqa: ASYNC110 - one loop step at a time is the point
            await asyncio.sleep(0)
        # Right after the committer finished, in this task's own step (not a new task's, which
        # would only start after everything already scheduled).
        async with asyncio.timeout(5):
            await db.together(_post(tenant, user, conv, f"b{index}"))
        await first
    assert len(await _texts(db)) == 60
