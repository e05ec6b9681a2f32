"""Macros: personal and shared saved replies with actions, applied to tickets (PRODUCT §8)."""

from typing import Any

import httpx
import pytest

from parlour.db import Database
from parlour.macros import actions as macro_actions
from parlour.macros import queries as macro_queries
from parlour.macros.errors import InvalidMacro
from parlour.people import actions as people_actions
from parlour.people import queries as people_queries
from tests.conftest import Tenant
from tests.test_workspace_api import Team, customer_ticket, make_team, sign_in, ticket_of


@pytest.fixture
async def team(db: Database, tenant: Tenant) -> Team:
    return await make_team(db, tenant)


async def test_shared_macros_are_for_everyone_personal_ones_for_their_owner(
    db: Database, tenant: Tenant, team: Team
) -> None:
    async with db.transaction() as session:
        shared = await macro_actions.do_create_macro(
            session, tenant.account, title="Greeting", text="Hello!", actions={"addTags": ["Greeted"]}
        )
        mine = await macro_actions.do_create_macro(
            session, tenant.account, title="Mine", text="Sam here", owner_staff_id=team.agent
        )
        await macro_actions.do_create_macro(
            session, tenant.account, title="Bea's", text="Bea here", owner_staff_id=team.billing
        )
    async with db.reading() as session:
        seen = await macro_queries.list_macros(session, tenant.app_id, staff_id=team.agent)
        only_shared = await macro_queries.list_shared_macros(session, tenant.app_id)
    assert [m.title for m in seen] == ["Greeting", "Mine"]
    assert [m.title for m in only_shared] == ["Greeting"]
    assert macro_queries.macro_json(shared)["actions"] == {"addTags": ["greeted"]}
    assert macro_queries.macro_json(mine)["shared"] is False


@pytest.mark.parametrize(
    "fields",
    [
        {"title": " ", "text": "x"},
        {"title": "Empty", "text": " "},
        {"title": "Bad status", "text": "x", "actions": {"status": "eaten"}},
        {"title": "Bad tag", "text": "x", "actions": {"addTags": ["two words"]}},
        {"title": "Unknown", "text": "x", "actions": {"explode": True}},
    ],
)
async def test_invalid_macros_are_refused(db: Database, tenant: Tenant, fields: dict[str, Any]) -> None:
    with pytest.raises(InvalidMacro):
        async with db.transaction() as session:
            await macro_actions.do_create_macro(session, tenant.account, **fields)
    async with db.reading() as session:
        assert await macro_queries.list_shared_macros(session, tenant.app_id) == []


async def test_agents_manage_their_own_macros_over_the_api(
    http: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant, team: Team, db: Database
) -> None:
    agent = await sign_in(http, tenant, "agent@acme.test")
    created = await agent.send(
        "POST", "macros", {"title": "Refund", "text": "Refund sent", "actions": {"status": "pending"}}
    )
    assert created.status_code == 201, created.text
    macro = created.json()["macro"]
    assert (macro["shared"], macro["ownerStaffId"], macro["actions"]) == (
        False,
        team.agent,
        {"status": "pending"},
    )
    assert (
        await agent.send("POST", "macros", {"title": "Team", "text": "x", "shared": True})
    ).status_code == 403
    for bad in (
        {"title": ""},
        {"title": "x", "text": "y", "extra": 1},
        {"title": "x" * 121, "text": "y"},
        {"title": "x", "text": "y", "actions": {"groupId": "f" * 24}},
    ):
        assert (await agent.send("POST", "macros", bad)).status_code in (400, 404), bad

    changed = await agent.send("PATCH", f"macros/{macro['id']}", {"text": "Refund issued"})
    assert changed.json()["macro"]["text"] == "Refund issued"

    # Someone else's personal macro does not exist for them; a shared one is admins' to change.
    billing = await sign_in(http, tenant, "billing@acme.test")
    assert (await billing.send("PATCH", f"macros/{macro['id']}", {"text": "mine now"})).status_code == 404
    assert (await billing.send("DELETE", f"macros/{macro['id']}")).status_code == 404
    assert [m["title"] for m in (await billing.get("macros")).json()["macros"]] == []
    admin = await sign_in(http, tenant, "admin@acme.test")
    shared = await admin.send("POST", "macros", {"title": "Team", "text": "Hi from the team", "shared": True})
    assert shared.status_code == 201
    shared_id = shared.json()["macro"]["id"]
    assert (await agent.send("PATCH", f"macros/{shared_id}", {"text": "x"})).status_code == 403
    assert [m["title"] for m in (await agent.get("macros")).json()["macros"]] == ["Refund", "Team"]

    await make_team_elsewhere(db, other_tenant)
    outsider = await sign_in(http, other_tenant, "agent@acme.test")
    assert (await outsider.send("DELETE", f"macros/{shared_id}")).status_code == 404
    assert (await agent.send("DELETE", f"macros/{macro['id']}")).status_code == 200
    assert [m["title"] for m in (await agent.get("macros")).json()["macros"]] == ["Team"]


async def make_team_elsewhere(db: Database, tenant: Tenant) -> None:
    await make_team(db, tenant)


async def test_applying_a_macro_runs_its_actions_and_returns_its_text(
    api: httpx.AsyncClient, http: httpx.AsyncClient, tenant: Tenant, team: Team
) -> None:
    conversation = await customer_ticket(api, "c1", "Refund please")
    agent = await sign_in(http, tenant, "agent@acme.test")
    ticket = await ticket_of(agent, conversation)
    await agent.send("POST", f"tickets/{ticket['id']}/take")
    await agent.send("PATCH", f"tickets/{ticket['id']}", {"tags": ["old", "keep"]})
    macro = (
        await agent.send(
            "POST",
            "macros",
            {
                "title": "Refund",
                "text": "Your refund is on its way",
                "actions": {
                    "status": "pending",
                    "priority": "high",
                    "addTags": ["refund"],
                    "removeTags": ["old"],
                },
            },
        )
    ).json()["macro"]
    applied = await agent.send("POST", f"tickets/{ticket['id']}/macros/{macro['id']}")
    assert applied.status_code == 200, applied.text
    body = applied.json()
    assert body["text"] == "Your refund is on its way"
    assert (body["ticket"]["status"], body["ticket"]["priority"], body["ticket"]["tags"]) == (
        "pending",
        "high",
        ["keep", "refund"],
    )
    # A macro moving the ticket to a group the assignee is not in sends it to that group's queue.
    transfer = (
        await agent.send(
            "POST", "macros", {"title": "To billing", "actions": {"groupId": team.billing_group}}
        )
    ).json()["macro"]
    moved = (await agent.send("POST", f"tickets/{ticket['id']}/macros/{transfer['id']}")).json()["ticket"]
    assert (moved["groupId"], moved["assigneeId"]) == (team.billing_group, None)
    assert (await agent.send("POST", f"tickets/{ticket['id']}/macros/{transfer['id']}")).status_code == 404


async def test_a_macro_naming_a_deleted_group_still_applies_its_other_actions(
    api: httpx.AsyncClient, http: httpx.AsyncClient, tenant: Tenant, team: Team, db: Database
) -> None:
    conversation = await customer_ticket(api, "c1", "Refund please")
    agent = await sign_in(http, tenant, "agent@acme.test")
    ticket = await ticket_of(agent, conversation)
    macro = (
        await agent.send(
            "POST",
            "macros",
            {"title": "Escalate", "actions": {"priority": "urgent", "groupId": team.billing_group}},
        )
    ).json()["macro"]
    async with db.transaction() as session:
        group = await people_queries.get_group_or_raise(session, tenant.app_id, team.billing_group)
        await people_actions.do_delete_group(session, group)
    applied = await agent.send("POST", f"tickets/{ticket['id']}/macros/{macro['id']}")
    assert applied.status_code == 200, applied.text
    assert (applied.json()["ticket"]["priority"], applied.json()["ticket"]["groupId"]) == ("urgent", None)
