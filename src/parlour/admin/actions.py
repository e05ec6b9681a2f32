"""What the admin center does that spans domains: each step is the owning domain's action."""

import secrets
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from parlour.accounts.models import Account
from parlour.people import actions as people_actions
from parlour.people import queries as people_queries
from parlour.people.models import Staff
from parlour.switchboard import actions as switchboard_actions
from parlour.switchboard import queries as switchboard_queries
from parlour.webhooks import actions as webhook_actions
from parlour.webhooks import queries as webhook_queries
from parlour.webhooks.models import Webhook


@dataclass(frozen=True)
class NewStaff:
    staff: Staff
    # Set when the admin left the password empty: shown once, never stored in clear.
    temporary_password: str | None


async def do_add_staff(
    session: AsyncSession,
    account: Account,
    *,
    name: str,
    email: str,
    role: str,
    password: str | None,
    group_ids: list[str],
) -> NewStaff:
    temporary = None if password else secrets.token_urlsafe(12)
    staff = await people_actions.do_create_staff(
        session, account, email=email, name=name, role=role, password=password or temporary or ""
    )
    for group_id in dict.fromkeys(group_ids):
        group = await people_queries.get_group_or_raise(session, account.id, group_id)
        await people_actions.do_add_group_member(session, group, staff)
    return NewStaff(staff, temporary)


async def do_add_webhook(
    session: AsyncSession,
    account: Account,
    *,
    name: str,
    spec: webhook_actions.WebhookSpec,
) -> Webhook:
    """A webhook in the admin center is a custom integration (named by the admin) with one webhook."""
    _, created = await webhook_actions.do_create_custom_integration(
        session, account, display_name=name, webhooks=[spec]
    )
    return created[0]


async def do_update_webhook(
    session: AsyncSession, account: Account, webhook: Webhook, *, name: str | None, fields: dict[str, object]
) -> Webhook:
    if name is not None:
        integration = await switchboard_queries.get_integration_or_raise(
            session, account.id, webhook.integration_id
        )
        await switchboard_actions.do_update_integration(session, integration, display_name=name)
    return await webhook_actions.do_update_webhook(session, webhook, fields=fields)


async def do_remove_webhook(session: AsyncSession, account: Account, webhook: Webhook) -> None:
    """Removes the webhook, and its integration once the integration has no webhook left."""
    integration = await switchboard_queries.get_integration_or_raise(
        session, account.id, webhook.integration_id
    )
    await webhook_actions.do_delete_webhook(session, webhook)
    if not await webhook_queries.list_webhooks(session, integration.id):
        await webhook_actions.do_delete_custom_integration(session, account, integration)
