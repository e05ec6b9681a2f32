"""Reads and the shapes the admin pages show. Secrets appear only in the answer that creates them."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from parlour.accounts import queries as account_queries
from parlour.accounts.models import Account, ApiKey, SigningKey
from parlour.lib import clock
from parlour.people import queries as people_queries
from parlour.people.models import Group, Staff
from parlour.switchboard import queries as switchboard_queries
from parlour.webhooks import queries as webhook_queries
from parlour.webhooks.models import Webhook

CUSTOM = "custom"


def account_json(account: Account) -> dict[str, Any]:
    settings = account_queries.settings_of(account)
    return {
        "id": account.id,
        "name": account.name,
        "displayName": account.display_name,
        "locale": account.locale,
        "timeZone": account.time_zone,
        "mode": account.mode,
        "settings": {
            key: settings[key]
            for key in ("multiConvoEnabled", "forgetHistory", "endSessionEnabled", "solvedTicketCloseSeconds")
        },
    }


def staff_json(staff: Staff, group_ids: list[str]) -> dict[str, Any]:
    return {
        "id": staff.id,
        "name": staff.name,
        "email": staff.email,
        "role": staff.role,
        "active": staff.active,
        "status": staff.status,
        "groupIds": sorted(group_ids),
        "createdAt": clock.iso(staff.created_at),
    }


async def list_staff(session: AsyncSession, account_id: str) -> list[dict[str, Any]]:
    return [
        staff_json(staff, await people_queries.groups_of_staff(session, staff.id))
        for staff in await people_queries.list_staff(session, account_id)
    ]


async def group_json(session: AsyncSession, group: Group) -> dict[str, Any]:
    return {
        "id": group.id,
        "name": group.name,
        "description": group.description or "",
        "memberIds": sorted(await people_queries.group_member_ids(session, group.id)),
        "createdAt": clock.iso(group.created_at),
    }


async def list_groups(session: AsyncSession, account_id: str) -> list[dict[str, Any]]:
    return [await group_json(session, g) for g in await people_queries.list_groups(session, account_id)]


def key_json(key: ApiKey | SigningKey, secret: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": key.id,
        "displayName": key.display_name,
        "createdAt": clock.iso(key.created_at),
    }
    if secret is not None:
        body["secret"] = secret
    return body


async def webhook_json(
    session: AsyncSession, account_id: str, webhook: Webhook, *, secret: bool = False
) -> dict[str, Any]:
    integration = await switchboard_queries.get_integration_or_raise(
        session, account_id, webhook.integration_id
    )
    body: dict[str, Any] = {
        "id": webhook.id,
        "integrationId": integration.id,
        "name": integration.display_name or "",
        "target": webhook.target,
        "triggers": list(webhook.triggers),
        "includeFullUser": webhook.include_full_user,
        "createdAt": clock.iso(webhook.created_at),
    }
    if secret:
        body["secret"] = webhook_queries.secret_of(webhook)
    return body


async def list_webhooks(session: AsyncSession, account_id: str) -> list[dict[str, Any]]:
    shaped = []
    for integration in await switchboard_queries.list_integrations(session, account_id):
        if integration.type != CUSTOM:
            continue
        for webhook in await webhook_queries.list_webhooks(session, integration.id):
            shaped.append(await webhook_json(session, account_id, webhook))
    return shaped
