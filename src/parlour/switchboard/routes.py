"""`/v2/apps/{appId}/switchboards…` and the four switchboard actions on a conversation."""

from typing import Any

from fastapi import APIRouter, Request

from parlour.accounts.auth import AppAuthDep
from parlour.conversations import queries as conversation_queries
from parlour.http import get_db
from parlour.switchboard import actions, queries
from parlour.switchboard.schemas import (
    ControlBody,
    MetadataBody,
    SwitchboardIntegrationCreateBody,
    SwitchboardIntegrationUpdateBody,
    SwitchboardUpdateBody,
)

router = APIRouter(prefix="/v2/apps/{appId}", tags=["Switchboards"])


@router.post("/switchboards", status_code=201, summary="Create switchboard")
async def create_switchboard(request: Request, auth: AppAuthDep) -> dict[str, Any]:
    async with get_db(request).transaction() as session:
        switchboard = await actions.do_create_switchboard(session, auth.account)
    return {"switchboard": queries.switchboard_json(switchboard)}


@router.get("/switchboards", summary="List switchboards")
async def list_switchboards(request: Request, auth: AppAuthDep) -> dict[str, Any]:
    async with get_db(request).reading() as session:
        switchboard = await queries.get_switchboard(session, auth.account.id)
    return {"switchboards": [queries.switchboard_json(switchboard)] if switchboard else []}


@router.patch("/switchboards/{switchboardId}", summary="Update switchboard")
async def update_switchboard(
    switchboardId: str,
    body: SwitchboardUpdateBody,
    request: Request,
    auth: AppAuthDep,
) -> dict[str, Any]:
    async with get_db(request).transaction() as session:
        switchboard = await queries.get_switchboard_or_raise(session, auth.account.id, switchboardId)
        await actions.do_update_switchboard(
            session, switchboard, enabled=body.enabled, default_id=body.defaultSwitchboardIntegrationId
        )
    return {"switchboard": queries.switchboard_json(switchboard)}


@router.delete("/switchboards/{switchboardId}", summary="Delete switchboard")
async def delete_switchboard(switchboardId: str, request: Request, auth: AppAuthDep) -> dict[str, Any]:
    async with get_db(request).transaction() as session:
        switchboard = await queries.get_switchboard_or_raise(session, auth.account.id, switchboardId)
        await actions.do_delete_switchboard(session, switchboard)
    return {}


@router.post(
    "/switchboards/{switchboardId}/switchboardIntegrations",
    status_code=201,
    summary="Create switchboard integration",
)
async def create_switchboard_integration(
    switchboardId: str,
    body: SwitchboardIntegrationCreateBody,
    request: Request,
    auth: AppAuthDep,
) -> dict[str, Any]:
    async with get_db(request).transaction() as session:
        switchboard = await queries.get_switchboard_or_raise(session, auth.account.id, switchboardId)
        sbi = await actions.do_create_switchboard_integration(
            session,
            auth.account,
            switchboard,
            name=body.name,
            integration_id=body.integrationId,
            integration_type=body.integrationType,
            deliver_standby_events=body.deliverStandbyEvents,
            next_id=body.nextSwitchboardIntegrationId,
            message_history_count=body.messageHistoryCount,
        )
    return {"switchboardIntegration": queries.switchboard_integration_json(sbi)}


@router.get("/switchboards/{switchboardId}/switchboardIntegrations", summary="List switchboard integrations")
async def list_switchboard_integrations(
    switchboardId: str,
    request: Request,
    auth: AppAuthDep,
) -> dict[str, Any]:
    async with get_db(request).reading() as session:
        switchboard = await queries.get_switchboard_or_raise(session, auth.account.id, switchboardId)
        sbis = await queries.list_switchboard_integrations(session, switchboard.id)
    return {"switchboardIntegrations": [queries.switchboard_integration_json(s) for s in sbis]}


@router.patch(
    "/switchboards/{switchboardId}/switchboardIntegrations/{switchboardIntegrationId}",
    summary="Update switchboard integration",
)
async def update_switchboard_integration(
    switchboardId: str,
    switchboardIntegrationId: str,
    body: SwitchboardIntegrationUpdateBody,
    request: Request,
    auth: AppAuthDep,
) -> dict[str, Any]:
    fields = {name: getattr(body, name) for name in body.model_fields_set}
    async with get_db(request).transaction() as session:
        switchboard = await queries.get_switchboard_or_raise(session, auth.account.id, switchboardId)
        sbi = await queries.get_switchboard_integration_or_raise(
            session, switchboard, switchboardIntegrationId
        )
        await actions.do_update_switchboard_integration(
            session, auth.account, switchboard, sbi, fields=fields
        )
    return {"switchboardIntegration": queries.switchboard_integration_json(sbi)}


@router.delete(
    "/switchboards/{switchboardId}/switchboardIntegrations/{switchboardIntegrationId}",
    summary="Delete switchboard integration",
)
async def delete_switchboard_integration(
    switchboardId: str,
    switchboardIntegrationId: str,
    request: Request,
    auth: AppAuthDep,
) -> dict[str, Any]:
    async with get_db(request).transaction() as session:
        switchboard = await queries.get_switchboard_or_raise(session, auth.account.id, switchboardId)
        sbi = await queries.get_switchboard_integration_or_raise(
            session, switchboard, switchboardIntegrationId
        )
        await actions.do_delete_switchboard_integration(session, switchboard, sbi)
    return {}


@router.post(
    "/conversations/{conversationId}/passControl", summary="Pass control", tags=["Switchboard Actions"]
)
async def pass_control(
    conversationId: str,
    body: ControlBody,
    request: Request,
    auth: AppAuthDep,
) -> dict[str, Any]:
    async with get_db(request).transaction() as session:
        conversation = await conversation_queries.get_conversation_or_raise(
            session, auth.account.id, conversationId
        )
        await actions.do_pass_control(
            session, auth.account, conversation, body.switchboardIntegration, metadata=body.metadata
        )
    return {}


@router.post(
    "/conversations/{conversationId}/offerControl", summary="Offer control", tags=["Switchboard Actions"]
)
async def offer_control(
    conversationId: str,
    body: ControlBody,
    request: Request,
    auth: AppAuthDep,
) -> dict[str, Any]:
    async with get_db(request).transaction() as session:
        conversation = await conversation_queries.get_conversation_or_raise(
            session, auth.account.id, conversationId
        )
        await actions.do_offer_control(
            session, auth.account, conversation, body.switchboardIntegration, metadata=body.metadata
        )
    return {}


@router.post(
    "/conversations/{conversationId}/acceptControl", summary="Accept control", tags=["Switchboard Actions"]
)
async def accept_control(
    conversationId: str,
    request: Request,
    auth: AppAuthDep,
    body: MetadataBody | None = None,
) -> dict[str, Any]:
    async with get_db(request).transaction() as session:
        conversation = await conversation_queries.get_conversation_or_raise(
            session, auth.account.id, conversationId
        )
        await actions.do_accept_control(
            session, auth.account, conversation, metadata=body.metadata if body else None
        )
    return {}


@router.post(
    "/conversations/{conversationId}/releaseControl", summary="Release control", tags=["Switchboard Actions"]
)
async def release_control(
    conversationId: str,
    request: Request,
    auth: AppAuthDep,
    body: MetadataBody | None = None,
) -> dict[str, Any]:
    async with get_db(request).transaction() as session:
        conversation = await conversation_queries.get_conversation_or_raise(
            session, auth.account.id, conversationId
        )
        await actions.do_release_control(
            session, auth.account, conversation, metadata=body.metadata if body else None
        )
    return {}
