"""The switchboard: configuration through the API and the four control actions (PRODUCT §3)."""

from typing import Any

import httpx
from sqlalchemy import select

from parlour.db import Database
from parlour.outbox.models import EventRecord
from parlour.tickets.models import Ticket
from tests.helpers import create_conversation, create_user, post_text


async def _switchboard(api: httpx.AsyncClient) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    switchboard = (await api.get("switchboards")).json()["switchboards"][0]
    sbis = (await api.get(f"switchboards/{switchboard['id']}/switchboardIntegrations")).json()
    return switchboard, {s["name"]: s for s in sbis["switchboardIntegrations"]}


async def _add_bot(api: httpx.AsyncClient, name: str = "bot", **extra: Any) -> dict[str, Any]:
    switchboard, _ = await _switchboard(api)
    integration = (await api.post("integrations", json={"type": "custom", "displayName": name})).json()[
        "integration"
    ]
    created = await api.post(
        f"switchboards/{switchboard['id']}/switchboardIntegrations",
        json={"name": name, "integrationId": integration["id"], **extra},
    )
    assert created.status_code == 201, created.text
    sbi: dict[str, Any] = created.json()["switchboardIntegration"]
    return sbi


async def _state(api: httpx.AsyncClient, conversation_id: str) -> tuple[str | None, str | None]:
    conversation = (await api.get(f"conversations/{conversation_id}")).json()["conversation"]
    active, pending = (
        conversation["activeSwitchboardIntegration"],
        conversation["pendingSwitchboardIntegration"],
    )
    return (active["name"] if active else None), (pending["name"] if pending else None)


async def _events(db: Database, prefix: str) -> list[EventRecord]:
    async with db.reading() as session:
        rows = await session.scalars(
            select(EventRecord).where(EventRecord.type.startswith(prefix)).order_by(EventRecord.id)
        )
        return list(rows)


async def test_a_new_account_has_the_ai_agent_and_the_workspace_on_its_switchboard(
    api: httpx.AsyncClient,
) -> None:
    switchboard, sbis = await _switchboard(api)
    assert switchboard["enabled"] is True
    assert set(sbis) == {"zd-answerBot", "zd-agentWorkspace"}
    assert sbis["zd-answerBot"]["nextSwitchboardIntegrationId"] == sbis["zd-agentWorkspace"]["id"]
    # The AI agent answers first; the workspace is its `next` for handoffs.
    assert switchboard["defaultSwitchboardIntegrationId"] == sbis["zd-answerBot"]["id"]
    assert (await api.post("switchboards")).status_code == 409


async def test_the_first_customer_message_gives_control_to_the_default_integration(
    api: httpx.AsyncClient,
) -> None:
    await create_user(api)
    conversation = await create_conversation(api)
    assert await _state(api, conversation["id"]) == (None, None)
    await post_text(api, conversation["id"], "hello")
    assert await _state(api, conversation["id"]) == ("zd-answerBot", None)


async def test_pass_control_by_id_name_type_and_next(api: httpx.AsyncClient, db: Database) -> None:
    bot = await _add_bot(api)
    await create_user(api)
    conversation = await create_conversation(api)
    path = f"conversations/{conversation['id']}/passControl"
    assert (await api.post(path, json={"switchboardIntegration": bot["id"]})).status_code == 200
    assert await _state(api, conversation["id"]) == ("bot", None)
    assert (await api.post(path, json={"switchboardIntegration": "zd-answerBot"})).status_code == 200
    assert await _state(api, conversation["id"]) == ("zd-answerBot", None)
    response = await api.post(path, json={"switchboardIntegration": "next", "metadata": {"reason": "human"}})
    assert response.status_code == 200
    assert await _state(api, conversation["id"]) == ("zd-agentWorkspace", None)
    assert (await api.post(path, json={"switchboardIntegration": "zd:answerBot"})).status_code == 200
    assert await _state(api, conversation["id"]) == ("zd-answerBot", None)
    events = await _events(db, "switchboard:passControl")
    assert len(events) == 4
    assert events[2].payload["metadata"] == {"reason": "human"}
    assert events[2].payload["conversation"]["activeSwitchboardIntegration"]["name"] == "zd-agentWorkspace"


async def test_pass_control_refusals(api: httpx.AsyncClient) -> None:
    await _add_bot(api, "bot-1")
    await _add_bot(api, "bot-2")
    await create_user(api)
    conversation = await create_conversation(api)
    path = f"conversations/{conversation['id']}/passControl"
    ambiguous = await api.post(path, json={"switchboardIntegration": "custom"})
    assert ambiguous.status_code == 400
    assert ambiguous.json()["errors"][0]["code"] == "ambiguous_switchboard_integration"
    unknown = await api.post(path, json={"switchboardIntegration": "nobody"})
    assert unknown.status_code == 400
    await api.post(path, json={"switchboardIntegration": "bot-1"})
    no_next = await api.post(path, json={"switchboardIntegration": "next"})
    assert no_next.status_code == 400
    assert no_next.json()["errors"][0]["code"] == "no_next_switchboard_integration"
    nested = await api.post(path, json={"switchboardIntegration": "bot-2", "metadata": {"a": {"b": 1}}})
    assert nested.status_code == 400
    assert await _state(api, conversation["id"]) == ("bot-1", None)


async def test_offer_then_accept_and_only_the_latest_offer_counts(
    api: httpx.AsyncClient, db: Database
) -> None:
    await _add_bot(api)
    await create_user(api)
    conversation = await create_conversation(api)
    base = f"conversations/{conversation['id']}"
    await post_text(api, conversation["id"], "hi")  # the AI agent takes control by default
    no_offer = await api.post(f"{base}/acceptControl", json={})
    assert no_offer.status_code == 403
    assert (
        await api.post(f"{base}/offerControl", json={"switchboardIntegration": "zd-agentWorkspace"})
    ).status_code == 200
    assert await _state(api, conversation["id"]) == ("zd-answerBot", "zd-agentWorkspace")
    assert (await api.post(f"{base}/offerControl", json={"switchboardIntegration": "bot"})).status_code == 200
    assert await _state(api, conversation["id"]) == ("zd-answerBot", "bot")
    assert (await api.post(f"{base}/acceptControl", json={"metadata": {"by": "bot"}})).status_code == 200
    assert await _state(api, conversation["id"]) == ("bot", None)
    assert (await api.post(f"{base}/offerControl", json={"switchboardIntegration": "bot"})).status_code == 400
    assert [e.type for e in await _events(db, "switchboard:")] == [
        "switchboard:offerControl",
        "switchboard:offerControl",
        "switchboard:acceptControl",
    ]


async def test_release_returns_control_to_the_default_integration(api: httpx.AsyncClient) -> None:
    await _add_bot(api)
    await create_user(api)
    conversation = await create_conversation(api)
    base = f"conversations/{conversation['id']}"
    assert (await api.post(f"{base}/releaseControl", json={})).status_code == 403  # nobody is active yet
    await api.post(f"{base}/passControl", json={"switchboardIntegration": "bot"})
    assert (await api.post(f"{base}/releaseControl")).status_code == 200
    assert await _state(api, conversation["id"]) == ("zd-answerBot", None)


async def test_passing_to_the_workspace_creates_exactly_one_ticket(
    api: httpx.AsyncClient, db: Database
) -> None:
    await create_user(api)
    conversation = await create_conversation(api)
    base = f"conversations/{conversation['id']}"
    await api.post(f"{base}/passControl", json={"switchboardIntegration": "zd-answerBot"})
    response = await api.post(
        f"{base}/passControl",
        json={"switchboardIntegration": "zd-agentWorkspace", "metadata": {"subject": "Refund for order 12"}},
    )
    assert response.status_code == 200
    await api.post(f"{base}/passControl", json={"switchboardIntegration": "zd-agentWorkspace"})
    async with db.reading() as session:
        tickets = list(await session.scalars(select(Ticket)))
    assert [(t.subject, t.status, t.conversation_id) for t in tickets] == [
        ("Refund for order 12", "new", conversation["id"])
    ]


async def test_a_disabled_switchboard_refuses_control_actions(api: httpx.AsyncClient) -> None:
    switchboard, _ = await _switchboard(api)
    await api.patch(f"switchboards/{switchboard['id']}", json={"enabled": False})
    await create_user(api)
    conversation = await create_conversation(api)
    response = await api.post(
        f"conversations/{conversation['id']}/passControl", json={"switchboardIntegration": "zd-answerBot"}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "switchboard_disabled"


async def test_switchboard_integrations_are_updated_and_deleted_with_their_rules(
    api: httpx.AsyncClient,
) -> None:
    switchboard, sbis = await _switchboard(api)
    base = f"switchboards/{switchboard['id']}/switchboardIntegrations"
    default_delete = await api.delete(f"{base}/{sbis['zd-answerBot']['id']}")
    assert default_delete.status_code == 400
    assert "default" in default_delete.json()["errors"][0]["title"]
    next_delete = await api.delete(f"{base}/{sbis['zd-agentWorkspace']['id']}")
    assert next_delete.status_code == 400
    assert "next" in next_delete.json()["errors"][0]["title"]
    bot = await _add_bot(api)
    renamed = await api.patch(
        f"{base}/{bot['id']}",
        json={
            "name": "renamed",
            "deliverStandbyEvents": False,
            "nextSwitchboardIntegrationId": sbis["zd-agentWorkspace"]["id"],
        },
    )
    assert renamed.status_code == 200
    assert renamed.json()["switchboardIntegration"]["deliverStandbyEvents"] is False
    clash = await api.patch(f"{base}/{bot['id']}", json={"name": "zd-answerBot"})
    assert clash.status_code == 409
    await api.patch(f"{base}/{sbis['zd-answerBot']['id']}", json={"nextSwitchboardIntegrationId": bot["id"]})
    referenced = await api.delete(f"{base}/{bot['id']}")
    assert referenced.status_code == 400
    await api.patch(f"{base}/{sbis['zd-answerBot']['id']}", json={"nextSwitchboardIntegrationId": None})
    assert (await api.delete(f"{base}/{bot['id']}")).status_code == 200
    names = [s["name"] for s in (await api.get(base)).json()["switchboardIntegrations"]]
    assert sorted(names) == ["zd-agentWorkspace", "zd-answerBot"]


async def test_deleting_the_switchboard_clears_conversation_state(api: httpx.AsyncClient) -> None:
    await create_user(api)
    conversation = await create_conversation(api)
    await post_text(api, conversation["id"], "hi")
    switchboard, _ = await _switchboard(api)
    assert (await api.delete(f"switchboards/{switchboard['id']}")).status_code == 200
    assert await _state(api, conversation["id"]) == (None, None)
    assert (await api.get("switchboards")).json()["switchboards"] == []
    assert (await api.post("switchboards")).status_code == 201
