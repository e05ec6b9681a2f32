"""`/v2/apps/{appId}/integrations` (custom integrations) and their webhooks."""

from typing import Any

from fastapi import APIRouter, Request

from parlour.accounts.auth import AppAuthDep
from parlour.http import get_db
from parlour.switchboard import actions as switchboard_actions
from parlour.switchboard import queries as switchboard_queries
from parlour.webhooks import actions, queries
from parlour.webhooks.schemas import (
    IntegrationCreateBody,
    IntegrationUpdateBody,
    WebhookCreateBody,
    WebhookUpdateBody,
)

router = APIRouter(prefix="/v2/apps/{appId}/integrations", tags=["Integrations", "Webhooks"])


def _spec(body: WebhookCreateBody) -> actions.WebhookSpec:
    return actions.WebhookSpec(
        target=body.target,
        triggers=body.triggers,
        include_full_user=body.includeFullUser,
        include_full_source=body.includeFullSource,
    )


@router.post("", status_code=201, summary="Create integration")
async def create_integration(
    body: IntegrationCreateBody, request: Request, auth: AppAuthDep
) -> dict[str, Any]:
    async with get_db(request).transaction() as session:
        integration, webhooks = await actions.do_create_custom_integration(
            session,
            auth.account,
            display_name=body.displayName,
            webhooks=[_spec(w) for w in body.webhooks or []],
        )
    shaped = switchboard_queries.integration_json(integration)
    shaped["webhooks"] = [queries.webhook_json(w, with_secret=True) for w in webhooks]
    return {"integration": shaped}


@router.get("", summary="List integrations")
async def list_integrations(request: Request, auth: AppAuthDep) -> dict[str, Any]:
    async with get_db(request).reading() as session:
        integrations = await switchboard_queries.list_integrations(session, auth.account.id)
        shaped = [await queries.integration_with_webhooks(session, i) for i in integrations]
    return {"integrations": shaped, "meta": {"hasMore": False}, "links": {}}


@router.get("/{integrationId}", summary="Get integration")
async def get_integration(integrationId: str, request: Request, auth: AppAuthDep) -> dict[str, Any]:
    async with get_db(request).reading() as session:
        integration = await switchboard_queries.get_integration_or_raise(
            session, auth.account.id, integrationId
        )
        shaped = await queries.integration_with_webhooks(session, integration)
    return {"integration": shaped}


@router.patch("/{integrationId}", summary="Update integration")
async def update_integration(
    integrationId: str,
    body: IntegrationUpdateBody,
    request: Request,
    auth: AppAuthDep,
) -> dict[str, Any]:
    async with get_db(request).transaction() as session:
        integration = await switchboard_queries.get_integration_or_raise(
            session, auth.account.id, integrationId
        )
        if "displayName" in body.model_fields_set:
            await switchboard_actions.do_update_integration(
                session, integration, display_name=body.displayName
            )
        shaped = await queries.integration_with_webhooks(session, integration)
    return {"integration": shaped}


@router.delete("/{integrationId}", summary="Delete integration")
async def delete_integration(integrationId: str, request: Request, auth: AppAuthDep) -> dict[str, Any]:
    async with get_db(request).transaction() as session:
        integration = await switchboard_queries.get_integration_or_raise(
            session, auth.account.id, integrationId
        )
        await actions.do_delete_custom_integration(session, auth.account, integration)
    return {}


@router.post("/{integrationId}/webhooks", status_code=201, summary="Create webhook")
async def create_webhook(
    integrationId: str,
    body: WebhookCreateBody,
    request: Request,
    auth: AppAuthDep,
) -> dict[str, Any]:
    async with get_db(request).transaction() as session:
        integration = await switchboard_queries.get_integration_or_raise(
            session, auth.account.id, integrationId
        )
        webhook = await actions.do_create_webhook(session, integration, _spec(body))
    return {"webhook": queries.webhook_json(webhook, with_secret=True)}


@router.get("/{integrationId}/webhooks", summary="List webhooks")
async def list_webhooks(integrationId: str, request: Request, auth: AppAuthDep) -> dict[str, Any]:
    async with get_db(request).reading() as session:
        integration = await switchboard_queries.get_integration_or_raise(
            session, auth.account.id, integrationId
        )
        webhooks = await queries.list_webhooks(session, integration.id)
    return {"webhooks": [queries.webhook_json(w, with_secret=True) for w in webhooks]}


@router.get("/{integrationId}/webhooks/{webhookId}", summary="Get webhook")
async def get_webhook(
    integrationId: str,
    webhookId: str,
    request: Request,
    auth: AppAuthDep,
) -> dict[str, Any]:
    async with get_db(request).reading() as session:
        integration = await switchboard_queries.get_integration_or_raise(
            session, auth.account.id, integrationId
        )
        webhook = await queries.get_webhook_or_raise(session, integration.id, webhookId)
    return {"webhook": queries.webhook_json(webhook, with_secret=True)}


@router.patch("/{integrationId}/webhooks/{webhookId}", summary="Update webhook")
async def update_webhook(
    integrationId: str,
    webhookId: str,
    body: WebhookUpdateBody,
    request: Request,
    auth: AppAuthDep,
) -> dict[str, Any]:
    fields = {name: getattr(body, name) for name in body.model_fields_set}
    async with get_db(request).transaction() as session:
        integration = await switchboard_queries.get_integration_or_raise(
            session, auth.account.id, integrationId
        )
        webhook = await queries.get_webhook_or_raise(session, integration.id, webhookId)
        await actions.do_update_webhook(session, webhook, fields=fields)
    return {"webhook": queries.webhook_json(webhook, with_secret=True)}


@router.delete("/{integrationId}/webhooks/{webhookId}", summary="Delete webhook")
async def delete_webhook(
    integrationId: str,
    webhookId: str,
    request: Request,
    auth: AppAuthDep,
) -> dict[str, Any]:
    async with get_db(request).transaction() as session:
        integration = await switchboard_queries.get_integration_or_raise(
            session, auth.account.id, integrationId
        )
        webhook = await queries.get_webhook_or_raise(session, integration.id, webhookId)
        await actions.do_delete_webhook(session, webhook)
    return {}
