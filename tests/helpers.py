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
