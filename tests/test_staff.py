"""Staff (admins and agents), their argon2 passwords, and groups."""

import pytest

from parlour.db import Database
from parlour.lib.errors import BadRequest, Conflict
from parlour.people import actions as people_actions
from parlour.people import queries as people_queries
from tests.conftest import Tenant, make_tenant


async def test_staff_sign_in_with_their_own_password_only(db: Database, tenant: Tenant) -> None:
    async with db.transaction() as session:
        staff = await people_actions.do_create_staff(
            session,
            tenant.account,
            email="Ann@Acme.test",
            name="Ann",
            role="agent",  # deactivated below: the last admin never can be
            password="correct horse battery",
        )
    assert staff.password_hash.startswith("$argon2")
    async with db.reading() as session:
        assert (
            await people_queries.check_staff_password(
                session, tenant.app_id, "ann@acme.test", "correct horse battery"
            )
            is not None
        )
        assert (
            await people_queries.check_staff_password(session, tenant.app_id, "ann@acme.test", "wrong")
            is None
        )
        assert (
            await people_queries.check_staff_password(session, tenant.app_id, "bob@acme.test", "x" * 12)
            is None
        )
    async with db.transaction() as session:
        loaded = await people_queries.get_staff_or_raise(session, tenant.app_id, staff.id)
        await people_actions.do_deactivate_staff(session, loaded)
    async with db.reading() as session:
        assert (
            await people_queries.check_staff_password(
                session, tenant.app_id, "ann@acme.test", "correct horse battery"
            )
            is None
        )


async def test_staff_rules(db: Database, tenant: Tenant) -> None:
    async with db.transaction() as session:
        await people_actions.do_create_staff(
            session, tenant.account, email="a@acme.test", name="A", role="agent", password="long-password"
        )
    cases = [
        ({"email": "a@acme.test"}, Conflict),
        ({"role": "owner"}, BadRequest),
        ({"password": "short"}, BadRequest),
        ({"email": "not-an-email"}, BadRequest),
    ]
    for change, error in cases:
        fields = {"email": "b@acme.test", "name": "B", "role": "agent", "password": "long-password", **change}
        with pytest.raises(error):
            async with db.transaction() as session:
                await people_actions.do_create_staff(session, tenant.account, **fields)
    other = await make_tenant(db, "other")
    async with db.transaction() as session:  # the same email is fine in another account
        await people_actions.do_create_staff(
            session, other.account, email="a@acme.test", name="A", role="agent", password="long-password"
        )


async def test_groups_have_members(db: Database, tenant: Tenant) -> None:
    async with db.transaction() as session:
        agent = await people_actions.do_create_staff(
            session, tenant.account, email="a@acme.test", name="A", role="agent", password="long-password"
        )
        billing = await people_actions.do_create_group(session, tenant.account, name="Billing")
        await people_actions.do_add_group_member(session, billing, agent)
        await people_actions.do_add_group_member(session, billing, agent)
    async with db.reading() as session:
        assert await people_queries.group_member_ids(session, billing.id) == [agent.id]
        assert sorted(g.name for g in await people_queries.list_groups(session, tenant.app_id)) == [
            "Billing",
            "Support",
        ]
    with pytest.raises(Conflict):
        async with db.transaction() as session:
            await people_actions.do_create_group(session, tenant.account, name="Billing")
    async with db.transaction() as session:
        await people_actions.do_remove_group_member(session, billing, agent)
    async with db.reading() as session:
        assert await people_queries.group_member_ids(session, billing.id) == []
