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


async def say_as_customer(
    session: Any,
    tenant: Any,
    user: Any,
    conversation_id: str,
    text: str,
    *,
    client_message_id: str | None = None,
) -> Any:
    """A customer's text message through the actions, in `session` (`tenant` is a conftest Tenant)."""
    from parlour.conversations import actions as conversation_actions  # noqa: PLC0415
    from parlour.conversations import queries as conversation_queries  # noqa: PLC0415

    conversation = await conversation_queries.get_conversation_or_raise(
        session, tenant.app_id, conversation_id
    )
    return await conversation_actions.do_post_message(
        session,
        tenant.account,
        conversation,
        conversation_actions.Author.of_user(user),
        {"type": "text", "text": text},
        client_message_id=client_message_id,
    )


async def customers_with_conversations(db: Any, tenant: Any, count: int) -> list[tuple[Any, str]]:
    """`count` new customers of `tenant`, each with a personal conversation: (user, conversation id)."""
    from parlour.conversations import actions as conversation_actions  # noqa: PLC0415
    from parlour.people import actions as people_actions  # noqa: PLC0415

    made = []
    async with db.transaction() as session:
        for _ in range(count):
            user = await people_actions.do_create_user(session, tenant.account, external_id=None)
            conversation = await conversation_actions.do_create_conversation(
                session, tenant.account, type="personal", users=[user]
            )
            made.append((user, conversation.id))
    return made
