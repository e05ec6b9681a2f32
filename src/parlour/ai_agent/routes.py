"""`/v2/apps/{appId}/ai-agent`: settings, answer flows, automated resolutions, a search preview."""

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query, Request

from parlour.accounts.auth import AppAuthDep
from parlour.ai_agent import actions, knowledge, queries
from parlour.ai_agent.schemas import FlowCreateBody, FlowUpdateBody, SettingsUpdateBody
from parlour.conversations import queries as conversation_queries
from parlour.http import get_db, page_links, page_meta
from parlour.lib.errors import BadRequest
from parlour.lib.ids import is_id
from parlour.lib.pagination import check_page

router = APIRouter(prefix="/v2/apps/{appId}/ai-agent", tags=["AI agent"])

AFTER = Query(default=None, alias="page[after]", max_length=64)
BEFORE = Query(default=None, alias="page[before]", max_length=64)
SIZE = Query(default=None, alias="page[size]", max_length=8)
_NOT_NULL = ("name", "phrases", "reply", "locale", "enabled")


@router.get("/settings", summary="Get AI agent settings")
async def get_settings(request: Request, auth: AppAuthDep) -> dict[str, Any]:
    async with get_db(request).reading() as session:
        policy = await queries.policy_of(session, auth.account)
    return {"settings": queries.settings_json(auth.account, policy)}


@router.patch("/settings", summary="Update AI agent settings")
async def update_settings(body: SettingsUpdateBody, request: Request, auth: AppAuthDep) -> dict[str, Any]:
    given = body.model_fields_set
    if "inactivityHours" in given and body.inactivityHours is None:
        raise BadRequest("inactivityHours cannot be null")
    changes: dict[str, Any] = {}
    if "botName" in given:
        changes["bot_name"] = body.botName
    if "businessHours" in given:
        changes["business_hours"] = body.businessHours
    if "inactivityHours" in given:
        changes["inactivity_hours"] = body.inactivityHours
    async with get_db(request).transaction() as session:
        policy = await actions.do_update_settings(session, auth.account, **changes)
    return {"settings": queries.settings_json(auth.account, policy)}


@router.post("/flows", status_code=201, summary="Create answer flow")
async def create_flow(body: FlowCreateBody, request: Request, auth: AppAuthDep) -> dict[str, Any]:
    async with get_db(request).transaction() as session:
        flow = await actions.do_create_flow(
            session,
            auth.account,
            name=body.name,
            phrases=list(body.phrases),
            reply=body.reply.model_dump(),
            locale=body.locale,
            enabled=body.enabled,
        )
        shaped = queries.flow_json(flow)
    return {"flow": shaped}


@router.get("/flows", summary="List answer flows")
async def list_flows(
    request: Request,
    auth: AppAuthDep,
    after: str | None = AFTER,
    before: str | None = BEFORE,
    size: str | None = SIZE,
) -> dict[str, Any]:
    page_request = check_page(after, before, size)
    async with get_db(request).reading() as session:
        page = await queries.list_flows(session, auth.account.id, page_request)
        shaped = [queries.flow_json(f) for f in page.items]
    return {"flows": shaped, "meta": page_meta(page), "links": page_links(request, page)}


@router.get("/flows/{flowId}", summary="Get answer flow")
async def get_flow(flowId: str, request: Request, auth: AppAuthDep) -> dict[str, Any]:
    async with get_db(request).reading() as session:
        flow = await queries.get_flow_or_raise(session, auth.account.id, flowId)
        shaped = queries.flow_json(flow)
    return {"flow": shaped}


@router.patch("/flows/{flowId}", summary="Update answer flow")
async def update_flow(
    flowId: str, body: FlowUpdateBody, request: Request, auth: AppAuthDep
) -> dict[str, Any]:
    for name in body.model_fields_set & set(_NOT_NULL):
        if getattr(body, name) is None:
            raise BadRequest(f"{name} cannot be null")
    changes: dict[str, Any] = {name: getattr(body, name) for name in body.model_fields_set}
    if body.reply is not None:
        changes["reply"] = body.reply.model_dump()
    if body.phrases is not None:
        changes["phrases"] = list(body.phrases)
    async with get_db(request).transaction() as session:
        flow = await queries.get_flow_or_raise(session, auth.account.id, flowId)
        await actions.do_update_flow(session, auth.account, flow, changes=changes)
        shaped = queries.flow_json(flow)
    return {"flow": shaped}


@router.delete("/flows/{flowId}", summary="Delete answer flow")
async def delete_flow(flowId: str, request: Request, auth: AppAuthDep) -> dict[str, Any]:
    async with get_db(request).transaction() as session:
        flow = await queries.get_flow_or_raise(session, auth.account.id, flowId)
        await actions.do_delete_flow(session, auth.account, flow)
    return {}


def _instant(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BadRequest(f"{name} must be an ISO 8601 date-time such as 2026-01-31T00:00:00Z") from None
    if parsed.tzinfo is None:
        raise BadRequest(f"{name} must say its time zone (end it with Z for UTC)")
    return parsed


@router.get("/resolutions", summary="List automated resolutions")
async def list_resolutions(
    request: Request,
    auth: AppAuthDep,
    conversation_id: str | None = Query(default=None, alias="filter[conversationId]", max_length=24),
    since: str | None = Query(default=None, alias="filter[since]", max_length=40),
    until: str | None = Query(default=None, alias="filter[until]", max_length=40),
    revoked: str | None = Query(default=None, alias="filter[includeRevoked]", max_length=5),
    after: str | None = AFTER,
    before: str | None = BEFORE,
    size: str | None = SIZE,
) -> dict[str, Any]:
    """Conversations the AI agent resolved on its own, with the reason (confirmed | inactivity)."""
    if conversation_id is not None and not is_id(conversation_id):
        raise BadRequest("filter[conversationId] must be a conversation id")
    if revoked not in (None, "true", "false"):
        raise BadRequest("filter[includeRevoked] must be true or false")
    page_request = check_page(after, before, size)
    async with get_db(request).reading() as session:
        if conversation_id is not None:
            await conversation_queries.get_conversation_or_raise(session, auth.account.id, conversation_id)
        page = await queries.list_resolutions(
            session,
            auth.account.id,
            page_request,
            conversation_id=conversation_id,
            since=_instant(since, "filter[since]"),
            until=_instant(until, "filter[until]"),
            include_revoked=revoked == "true",
        )
        shaped = [queries.resolution_json(r) for r in page.items]
    return {"resolutions": shaped, "meta": page_meta(page), "links": page_links(request, page)}


@router.get("/search", summary="Preview which articles the AI agent would answer with")
async def search(
    request: Request,
    auth: AppAuthDep,
    query: str = Query(min_length=1, max_length=1000),
    locale: str | None = Query(default=None, max_length=35),
    signed_in: bool = Query(default=False, alias="signedIn"),
) -> dict[str, Any]:
    language = (locale or auth.account.locale).split("-")[0].lower()
    async with get_db(request).reading() as session:
        index = await knowledge.article_index(session, auth.account)
        hits = index.search(query, [language], signed_in=signed_in)
    return {
        "results": [
            {"articleId": h.article.id, "title": h.article.title, "score": round(h.score, 4)} for h in hits
        ]
    }
