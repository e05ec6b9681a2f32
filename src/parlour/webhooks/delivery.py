"""Building, signing and sending one webhook delivery (HTTP happens outside any transaction).

Each request carries:
- `X-Parlour-Delivery`: the delivery id, the same on every retry, so receivers can drop repeats;
- `X-Parlour-Timestamp` and `X-Parlour-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`;
- `X-API-Key`: the webhook secret itself, as Sunshine Conversations sends it, for existing receivers.
"""

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from parlour.lib import clock
from parlour.outbox.models import EventRecord
from parlour.people import queries as people_queries
from parlour.webhooks import queries
from parlour.webhooks.errors import WebhookDeliveryFailed
from parlour.webhooks.models import Webhook


@dataclass(frozen=True)
class PreparedDelivery:
    target: str
    body: bytes
    headers: dict[str, str]


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"v1={mac}"


async def prepare(
    session: AsyncSession, webhook: Webhook, event: EventRecord, delivery_id: str
) -> PreparedDelivery:
    payload: dict[str, Any] = dict(event.payload)
    if webhook.include_full_user and event.user_id:
        user = await people_queries.get_user(session, event.account_id, event.user_id)
        if user is not None:
            payload["user"] = people_queries.user_json(user)
    body = json.dumps(
        {
            "app": {"id": event.account_id},
            "webhook": {"id": webhook.id, "version": "v2"},
            "events": [
                {
                    "id": str(event.id),
                    "type": event.type,
                    "createdAt": clock.iso(event.created_at),
                    "payload": payload,
                }
            ],
        },
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode()
    secret = queries.secret_of(webhook)
    timestamp = str(int(clock.now().timestamp()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Parlour-Webhooks/1",
        "X-Parlour-Delivery": delivery_id,
        "X-Parlour-Timestamp": timestamp,
        "X-Parlour-Signature": sign(secret, timestamp, body),
        "X-API-Key": secret,
    }
    return PreparedDelivery(target=webhook.target, body=body, headers=headers)


async def send(client: httpx.AsyncClient, delivery: PreparedDelivery) -> int:
    try:
        response = await client.post(delivery.target, content=delivery.body, headers=delivery.headers)
    except httpx.HTTPError as exc:
        raise WebhookDeliveryFailed(f"{type(exc).__name__}: {exc}") from exc
    if not 200 <= response.status_code < 300:
        raise WebhookDeliveryFailed(f"HTTP {response.status_code} from {delivery.target}")
    return response.status_code
