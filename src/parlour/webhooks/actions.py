"""The only writers of webhooks, and the fan-out of recorded events into delivery jobs."""

from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlsplit

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from parlour.accounts.models import Account
from parlour.conversations import queries as conversation_queries
from parlour.jobs.queue import enqueue
from parlour.lib import addresses, clock, ids, sealing
from parlour.outbox.models import EventRecord
from parlour.outbox.recorder import ALL_TRIGGERS, WEBHOOK_TRIGGERS, subscribe_webhooks
from parlour.settings import get_settings
from parlour.switchboard import actions as switchboard_actions
from parlour.switchboard import queries as switchboard_queries
from parlour.switchboard.models import Integration, SwitchboardIntegration
from parlour.webhooks import queries
from parlour.webhooks.errors import InvalidWebhook
from parlour.webhooks.models import Webhook

DELIVER_JOB = "webhooks.deliver"
MAX_WEBHOOKS_PER_INTEGRATION = 10


@dataclass(frozen=True)
class WebhookSpec:
    target: str
    triggers: list[str]
    include_full_user: bool = False
    include_full_source: bool = False


def check_target(target: str) -> str:
    parts = urlsplit(target)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidWebhook("target must be an http or https URL")
    problem = addresses.literal_problem(target)
    if problem is not None and not get_settings().webhooks_allow_private_targets:
        raise InvalidWebhook(
            f"target must be on a public address ({problem}); the server's operator may allow "
            "private addresses with PARLOUR_WEBHOOKS_ALLOW_PRIVATE_TARGETS=true"
        )
    return target


def check_triggers(triggers: list[str]) -> list[str]:
    unknown = [t for t in triggers if t != ALL_TRIGGERS and t not in WEBHOOK_TRIGGERS]
    if unknown:
        raise InvalidWebhook(
            f"Unknown triggers: {', '.join(unknown)}. Known: {', '.join(sorted(WEBHOOK_TRIGGERS))} or '*'"
        )
    return list(dict.fromkeys(triggers))


async def do_create_webhook(session: AsyncSession, integration: Integration, spec: WebhookSpec) -> Webhook:
    if len(await queries.list_webhooks(session, integration.id)) >= MAX_WEBHOOKS_PER_INTEGRATION:
        raise InvalidWebhook(f"An integration has at most {MAX_WEBHOOKS_PER_INTEGRATION} webhooks")
    webhook = Webhook(
        id=ids.new_id(),
        account_id=integration.account_id,
        integration_id=integration.id,
        target=check_target(spec.target),
        triggers=check_triggers(spec.triggers),
        sealed_secret=sealing.seal(get_settings().secret_key, ids.new_secret()),
        include_full_user=spec.include_full_user,
        include_full_source=spec.include_full_source,
        created_at=clock.now(),
    )
    session.add(webhook)
    await _subscribe(session, integration.account_id)
    return webhook


async def do_create_custom_integration(
    session: AsyncSession, account: Account, *, display_name: str | None, webhooks: list[WebhookSpec]
) -> tuple[Integration, list[Webhook]]:
    integration = await switchboard_actions.do_create_integration(session, account, display_name=display_name)
    created = [await do_create_webhook(session, integration, spec) for spec in webhooks]
    return integration, created


async def do_update_webhook(session: AsyncSession, webhook: Webhook, *, fields: dict[str, Any]) -> Webhook:
    if fields.get("target") is not None:
        webhook.target = check_target(fields["target"])
    if fields.get("triggers") is not None:
        webhook.triggers = check_triggers(fields["triggers"])
    if fields.get("includeFullUser") is not None:
        webhook.include_full_user = fields["includeFullUser"]
    if fields.get("includeFullSource") is not None:
        webhook.include_full_source = fields["includeFullSource"]
    await _subscribe(session, webhook.account_id)
    return webhook


async def do_delete_webhook(session: AsyncSession, webhook: Webhook) -> None:
    await session.delete(webhook)
    await _subscribe(session, webhook.account_id)


async def do_delete_custom_integration(
    session: AsyncSession, account: Account, integration: Integration
) -> None:
    """The integration and, with it, its webhooks."""
    await switchboard_actions.do_delete_integration(session, account, integration)
    await _subscribe(session, account.id)


async def _subscribe(session: AsyncSession, account_id: str) -> None:
    """Events are queued for the fan-out only for the triggers the account's webhooks name now."""
    await session.flush()
    hooks = await queries.list_account_webhooks(session, account_id)
    await subscribe_webhooks(session, account_id, [hook.triggers for hook in hooks])


@dataclass(frozen=True)
class _Pending:
    """What the fan-out needs of an event: never its payload, which the delivery job reads."""

    id: int
    account_id: str
    type: str
    conversation_id: str | None
    active_integration_id: str | None


_events = cast(Table, EventRecord.__table__)
# Built once: the worker runs this after every commit that recorded events.
_PENDING = (
    select(
        _events.c.id,
        _events.c.account_id,
        _events.c.type,
        _events.c.conversation_id,
        _events.c.active_integration_id,
    )
    .where(_events.c.webhooks_pending.is_(True))
    .order_by(_events.c.id)
    .limit(bindparam("batch"))
)


_ANY_PENDING = select(_events.c.id).where(_events.c.webhooks_pending.is_(True)).limit(1)


async def any_pending(session: AsyncSession) -> bool:
    """Whether `do_fan_out` has events to take: a read, so that a worker with nothing to fan out
    takes no write transaction."""
    return await session.scalar(_ANY_PENDING) is not None


async def do_fan_out(
    session: AsyncSession, *, max_attempts: int = 8, batch: int = 200, skip_locked: bool = False
) -> int:
    """Turn recorded events into one delivery job per subscribed webhook. Returns events handled.

    The events table is the durable queue: an event stays `webhooks_pending` until the
    transaction that enqueued its deliveries commits, so a crash in between only repeats work
    that the delivery jobs' dedupe keys make harmless.
    """
    query = _PENDING.with_for_update(skip_locked=True) if skip_locked else _PENDING
    pending = [_Pending(*row) for row in await session.execute(query, {"batch": batch})]
    if not pending:
        return 0
    hooks_by_account: dict[str, list[Webhook]] = {}
    for event in pending:
        if event.account_id not in hooks_by_account:
            hooks_by_account[event.account_id] = await queries.list_account_webhooks(
                session, event.account_id
            )
        for webhook in hooks_by_account[event.account_id]:
            if not _subscribed(webhook, event.type):
                continue
            if not await _in_control_or_standby_wanted(session, webhook, event):
                continue
            await enqueue(
                session,
                DELIVER_JOB,
                {"webhook_id": webhook.id, "event_id": event.id, "delivery_id": ids.new_id()},
                dedupe_key=f"{DELIVER_JOB}:{webhook.id}:{event.id}",
                max_attempts=max_attempts,
            )
    await session.execute(
        update(_events).where(_events.c.id.in_([e.id for e in pending])).values(webhooks_pending=False)
    )
    return len(pending)


def _subscribed(webhook: Webhook, event_type: str) -> bool:
    return ALL_TRIGGERS in webhook.triggers or event_type in webhook.triggers


async def _in_control_or_standby_wanted(session: AsyncSession, webhook: Webhook, event: _Pending) -> bool:
    """Switchboard rule: an integration in standby gets conversation events only if it asked to."""
    if event.conversation_id is None or event.type.startswith("switchboard:"):
        return True
    switchboard = await switchboard_queries.get_switchboard(session, event.account_id)
    if switchboard is None or not switchboard.enabled:
        return True
    linked = await session.scalar(
        select(SwitchboardIntegration).where(
            SwitchboardIntegration.switchboard_id == switchboard.id,
            SwitchboardIntegration.integration_id == webhook.integration_id,
        )
    )
    if linked is None:
        return True  # not on the switchboard: it receives everything
    active_id = event.active_integration_id
    if active_id is None and event.type != "conversation:message":
        conversation = await conversation_queries.get_conversation(
            session, event.account_id, event.conversation_id
        )
        active_id = conversation.active_switchboard_integration_id if conversation else None
    # Nobody in control yet: the default integration is about to take the conversation.
    active_id = active_id or switchboard.default_switchboard_integration_id
    return active_id == linked.id or linked.deliver_standby_events
