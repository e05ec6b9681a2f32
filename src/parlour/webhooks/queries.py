"""Reads for webhooks."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from parlour.lib import sealing
from parlour.settings import get_settings
from parlour.switchboard import queries as switchboard_queries
from parlour.switchboard.models import Integration
from parlour.webhooks.errors import WebhookNotFound
from parlour.webhooks.models import Webhook


async def list_webhooks(session: AsyncSession, integration_id: str) -> list[Webhook]:
    rows = await session.scalars(
        select(Webhook)
        .where(Webhook.integration_id == integration_id)
        .order_by(Webhook.created_at, Webhook.id)
    )
    return list(rows)


async def list_account_webhooks(session: AsyncSession, account_id: str) -> list[Webhook]:
    return list(await session.scalars(select(Webhook).where(Webhook.account_id == account_id)))


async def get_webhook_or_raise(session: AsyncSession, integration_id: str, webhook_id: str) -> Webhook:
    webhook = await session.get(Webhook, webhook_id)
    if webhook is None or webhook.integration_id != integration_id:
        raise WebhookNotFound()
    return webhook


async def get_account_webhook_or_raise(session: AsyncSession, account_id: str, webhook_id: str) -> Webhook:
    webhook = await session.get(Webhook, webhook_id)
    if webhook is None or webhook.account_id != account_id:
        raise WebhookNotFound()
    return webhook


def secret_of(webhook: Webhook) -> str:
    return sealing.unseal(get_settings().secret_key, webhook.sealed_secret)


def webhook_json(webhook: Webhook, *, with_secret: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": webhook.id,
        "version": "v2",
        "target": webhook.target,
        "triggers": webhook.triggers,
        "includeFullUser": webhook.include_full_user,
        "includeFullSource": webhook.include_full_source,
    }
    if with_secret:
        body["secret"] = secret_of(webhook)
    return body


async def integration_with_webhooks(session: AsyncSession, integration: Integration) -> dict[str, Any]:
    """The API shape of a custom integration, which always carries its `webhooks`."""
    shaped = switchboard_queries.integration_json(integration)
    shaped["webhooks"] = [
        webhook_json(w, with_secret=True) for w in await list_webhooks(session, integration.id)
    ]
    return shaped
