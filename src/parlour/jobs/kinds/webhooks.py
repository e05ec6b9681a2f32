"""Deliver one event to one webhook. Retried with backoff by the worker when it raises."""

from typing import Any

from parlour.jobs.kinds.base import JobContext
from parlour.lib import addresses
from parlour.outbox.models import EventRecord
from parlour.webhooks import delivery
from parlour.webhooks.actions import DELIVER_JOB
from parlour.webhooks.errors import WebhookDeliveryFailed
from parlour.webhooks.models import Webhook

KIND = DELIVER_JOB


async def deliver(ctx: JobContext, payload: dict[str, Any]) -> None:
    async with ctx.db.reading() as session:
        webhook = await session.get(Webhook, payload["webhook_id"])
        event = await session.get(EventRecord, payload["event_id"])
        if webhook is None or event is None:
            return  # the webhook (or its account) was deleted: nothing left to deliver to
        prepared = await delivery.prepare(session, webhook, event, payload["delivery_id"])
    if not ctx.settings.webhooks_allow_private_targets:
        # Checked again at each attempt: a name may point somewhere else than when it was saved.
        problem = await addresses.resolved_problem(prepared.target)
        if problem is not None:
            raise WebhookDeliveryFailed(f"refused: {problem}")
    await delivery.send(ctx.http, prepared)
