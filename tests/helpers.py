"""Small builders for tests: set state up through the API or the actions, never raw rows."""

from typing import Any

import httpx


async def create_user(
    api: httpx.AsyncClient, external_id: str = "customer-1", **profile: Any
) -> dict[str, Any]:
    response = await api.post("users", json={"externalId": external_id, "profile": profile})
    assert response.status_code == 201, response.text
    user: dict[str, Any] = response.json()["user"]
    return user


async def create_conversation(api: httpx.AsyncClient, external_id: str = "customer-1") -> dict[str, Any]:
    response = await api.post(
        "conversations", json={"type": "personal", "participants": [{"userExternalId": external_id}]}
    )
    assert response.status_code == 201, response.text
    conversation: dict[str, Any] = response.json()["conversation"]
    return conversation


async def post_text(
    api: httpx.AsyncClient, conversation_id: str, text: str, *, user: str | None = "customer-1", **extra: Any
) -> httpx.Response:
    author: dict[str, Any] = {"type": "user", "userExternalId": user} if user else {"type": "business"}
    body = {"author": author, "content": {"type": "text", "text": text}, **extra}
    return await api.post(f"conversations/{conversation_id}/messages", json=body)


async def workspace_answers_first(api: httpx.AsyncClient) -> None:
    """New accounts answer with the AI agent first. Tests of what the AI agent plays no part in
    (message storage, tickets, webhooks) give the first word to the agent workspace, as before."""
    switchboard = (await api.get("switchboards")).json()["switchboards"][0]
    listed = (await api.get(f"switchboards/{switchboard['id']}/switchboardIntegrations")).json()
    workspace = next(s for s in listed["switchboardIntegrations"] if s["name"] == "zd-agentWorkspace")
    response = await api.patch(
        f"switchboards/{switchboard['id']}", json={"defaultSwitchboardIntegrationId": workspace["id"]}
    )
    assert response.status_code == 200, response.text


async def workspace_answers_first_in(db: Any, account_id: str) -> None:
    """`workspace_answers_first` for tests without a server-API client (`db` is a Database)."""
    from parlour.switchboard import actions as switchboard_actions  # noqa: PLC0415
    from parlour.switchboard import builtin  # noqa: PLC0415
    from parlour.switchboard import queries as switchboard_queries  # noqa: PLC0415

    async with db.transaction() as session:
        switchboard = await switchboard_queries.get_switchboard(session, account_id)
        assert switchboard is not None
        sbis = await switchboard_queries.list_switchboard_integrations(session, switchboard.id)
        workspace = next(s for s in sbis if s.integration_type == builtin.AGENT_WORKSPACE)
        await switchboard_actions.do_update_switchboard(
            session, switchboard, enabled=None, default_id=workspace.id
        )
