"""`/v2/apps/{appId}/conversations` with participants, messages and activity."""

from typing import Any

from fastapi import APIRouter, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession

from parlour.accounts.auth import AppAuthDep
from parlour.conversations import actions, queries
from parlour.conversations.schemas import (
    ActivityPostBody,
    ConversationCreateBody,
    ConversationUpdateBody,
    MessagePostBody,
    ParticipantLeaveBody,
    ParticipantRef,
)
from parlour.http import get_db, json_query_object, page_links, page_meta
from parlour.lib.errors import BadRequest
from parlour.lib.pagination import PageRequest, check_page
from parlour.people import queries as people_queries
from parlour.people.errors import UserNotFound
from parlour.people.models import EndUser
from parlour.switchboard import queries as switchboard_queries

router = APIRouter(prefix="/v2/apps/{appId}/conversations", tags=["Conversations"])

AFTER = Query(default=None, alias="page[after]", max_length=64)
BEFORE = Query(default=None, alias="page[before]", max_length=64)
SIZE = Query(default=None, alias="page[size]", max_length=8)


def _page(
    request: Request, after: str | None, before: str | None, size: str | None, *, sized: bool = True
) -> PageRequest:
    """`page[after]`, `page[before]`, `page[size]`, and the same fields as one JSON-encoded `page`
    (a `links.next` built from a JSON-paged request carries both; the bracketed fields win)."""
    fields = json_query_object(request, "page")
    if after is None and before is None:
        after, before = fields.get("after"), fields.get("before")
    if size is None and sized:
        size = fields.get("size")
    return check_page(after, before, size)


async def _user(
    session: AsyncSession, account_id: str, user_id: str | None, external_id: str | None
) -> EndUser:
    if user_id:
        user = await people_queries.get_user(session, account_id, user_id)
    else:
        user = await people_queries.get_user_by_external_id(session, account_id, external_id or "")
    if user is None:
        raise UserNotFound()
    return user


@router.post("", status_code=201, summary="Create conversation")
async def create_conversation(
    body: ConversationCreateBody, request: Request, auth: AppAuthDep
) -> dict[str, Any]:
    async with get_db(request).transaction() as session:
        users = [
            await _user(session, auth.account.id, p.userId, p.userExternalId) for p in body.participants or []
        ]
        conversation = await actions.do_create_conversation(
            session,
            auth.account,
            type=body.type,
            users=users,
            display_name=body.displayName,
            description=body.description,
            icon_url=body.iconUrl,
            metadata=body.metadata,
        )
        shaped = await switchboard_queries.conversation_with_control(session, conversation)
    return {"conversation": shaped}


@router.get("", summary="List conversations")
async def list_conversations(
    request: Request,
    auth: AppAuthDep,
    user_id: str | None = Query(default=None, alias="filter[userId]", max_length=24),
    external_id: str | None = Query(default=None, alias="filter[userExternalId]", max_length=1024),
    after: str | None = AFTER,
    before: str | None = BEFORE,
    size: str | None = SIZE,
) -> dict[str, Any]:
    if not user_id and not external_id:
        fields = json_query_object(request, "filter")
        user_id, external_id = fields.get("userId"), fields.get("userExternalId")
    if bool(user_id) == bool(external_id):
        raise BadRequest("Give exactly one of filter[userId] or filter[userExternalId]")
    page_request = _page(request, after, before, size)
    async with get_db(request).reading() as session:
        user = await _user(session, auth.account.id, user_id, external_id)
        page = await queries.list_conversations_of_user(session, auth.account.id, user.id, page_request)
        shaped = [await switchboard_queries.conversation_with_control(session, c) for c in page.items]
    return {"conversations": shaped, "meta": page_meta(page), "links": page_links(request, page)}


@router.get("/{conversationId}", summary="Get conversation")
async def get_conversation(conversationId: str, request: Request, auth: AppAuthDep) -> dict[str, Any]:
    async with get_db(request).reading() as session:
        conversation = await queries.get_conversation_or_raise(session, auth.account.id, conversationId)
        shaped = await switchboard_queries.conversation_with_control(session, conversation)
    return {"conversation": shaped}


_UPDATE_NAMES = {
    "displayName": "display_name",
    "description": "description",
    "iconUrl": "icon_url",
    "metadata": "metadata",
}


@router.patch("/{conversationId}", summary="Update conversation")
async def update_conversation(
    conversationId: str,
    body: ConversationUpdateBody,
    request: Request,
    auth: AppAuthDep,
) -> dict[str, Any]:
    fields = {_UPDATE_NAMES[name]: getattr(body, name) for name in body.model_fields_set}
    async with get_db(request).transaction() as session:
        conversation = await queries.get_conversation_or_raise(session, auth.account.id, conversationId)
        await actions.do_update_conversation(session, conversation, fields=fields)
        shaped = await switchboard_queries.conversation_with_control(session, conversation)
    return {"conversation": shaped}


@router.delete("/{conversationId}", summary="Delete conversation")
async def delete_conversation(conversationId: str, request: Request, auth: AppAuthDep) -> dict[str, Any]:
    async with get_db(request).transaction() as session:
        conversation = await queries.get_conversation_or_raise(session, auth.account.id, conversationId)
        await actions.do_delete_conversation(session, conversation)
    return {}


@router.post("/{conversationId}/join", status_code=201, summary="Join conversation")
async def join(
    conversationId: str,
    body: ParticipantRef,
    request: Request,
    auth: AppAuthDep,
) -> dict[str, Any]:
    async with get_db(request).transaction() as session:
        conversation = await queries.get_conversation_or_raise(session, auth.account.id, conversationId)
        user = await _user(session, auth.account.id, body.userId, body.userExternalId)
        participant = await actions.do_join(session, conversation, user)
    return {"participant": queries.participant_json(participant, user.external_id)}


@router.post("/{conversationId}/leave", summary="Leave conversation")
async def leave(
    conversationId: str,
    body: ParticipantLeaveBody,
    request: Request,
    auth: AppAuthDep,
) -> dict[str, Any]:
    async with get_db(request).transaction() as session:
        conversation = await queries.get_conversation_or_raise(session, auth.account.id, conversationId)
        user = None
        if body.userId or body.userExternalId:
            user = await _user(session, auth.account.id, body.userId, body.userExternalId)
        participant = await actions.get_participant_for_leave(
            session, conversation, user=user, participant_id=body.participantId
        )
        await actions.do_leave(session, conversation, participant)
    return {}


@router.get("/{conversationId}/participants", summary="List participants")
async def list_participants(
    conversationId: str,
    request: Request,
    auth: AppAuthDep,
    after: str | None = AFTER,
    before: str | None = BEFORE,
    size: str | None = SIZE,
) -> dict[str, Any]:
    page_request = _page(request, after, before, size)
    async with get_db(request).reading() as session:
        conversation = await queries.get_conversation_or_raise(session, auth.account.id, conversationId)
        page = await queries.list_participants(session, conversation.id, page_request)
        shaped = []
        for participant in page.items:
            user = await people_queries.get_user(session, auth.account.id, participant.user_id)
            shaped.append(queries.participant_json(participant, user.external_id if user else None))
    return {"participants": shaped, "meta": page_meta(page), "links": page_links(request, page)}


async def _author(
    session: AsyncSession, account_id: str, body: MessagePostBody | ActivityPostBody
) -> actions.Author:
    author = body.author
    if author.type == "user":
        user = await _user(session, account_id, author.userId, author.userExternalId)
        return actions.Author.of_user(user)
    subtypes = getattr(author, "subtypes", None)
    return actions.Author(
        type="business",
        subtype=subtypes[0] if subtypes else None,
        display_name=author.displayName,
        avatar_url=author.avatarUrl,
    )


@router.post("/{conversationId}/messages", status_code=201, summary="Post message")
async def post_message(
    conversationId: str,
    body: MessagePostBody,
    request: Request,
    auth: AppAuthDep,
) -> dict[str, Any]:
    async def post(session: AsyncSession) -> dict[str, Any]:
        conversation = await queries.get_conversation_or_raise(session, auth.account.id, conversationId)
        author = await _author(session, auth.account.id, body)
        posted = await actions.do_post_message(
            session,
            auth.account,
            conversation,
            author,
            body.content.model_dump(mode="json", exclude_none=True),
            metadata=body.metadata,
            client_message_id=body.clientMessageId,
        )
        return posted.json

    # Committed together with other messages of the same moment (group commit).
    return {"messages": [await get_db(request).together(post)]}


@router.get("/{conversationId}/messages", summary="List messages")
async def list_messages(
    conversationId: str,
    request: Request,
    auth: AppAuthDep,
    after: str | None = AFTER,
    before: str | None = BEFORE,
) -> dict[str, Any]:
    page_request = _page(request, after, before, None, sized=False)  # messages come a fixed 100 a page
    async with get_db(request).reading() as session:
        conversation = await queries.get_conversation_or_raise(session, auth.account.id, conversationId)
        page = await queries.list_messages(session, conversation, page_request)
    return {
        "messages": [queries.message_json(m) for m in page.items],
        "meta": page_meta(page),
        "links": page_links(request, page),
    }


@router.delete("/{conversationId}/messages", summary="Delete all messages")
async def delete_all_messages(conversationId: str, request: Request, auth: AppAuthDep) -> dict[str, Any]:
    async with get_db(request).transaction() as session:
        conversation = await queries.get_conversation_or_raise(session, auth.account.id, conversationId)
        await actions.do_delete_all_messages(session, conversation)
    return {}


@router.delete("/{conversationId}/messages/{messageId}", summary="Delete message")
async def delete_message(
    conversationId: str,
    messageId: str,
    request: Request,
    auth: AppAuthDep,
) -> dict[str, Any]:
    async with get_db(request).transaction() as session:
        conversation = await queries.get_conversation_or_raise(session, auth.account.id, conversationId)
        message = await queries.get_message_or_raise(session, conversation, messageId)
        await actions.do_delete_message(session, conversation, message)
    return {}


@router.post("/{conversationId}/activity", summary="Post activity")
async def post_activity(
    conversationId: str,
    body: ActivityPostBody,
    request: Request,
    auth: AppAuthDep,
) -> dict[str, Any]:
    async with get_db(request).transaction() as session:
        conversation = await queries.get_conversation_or_raise(session, auth.account.id, conversationId)
        author = await _author(session, auth.account.id, body)
        await actions.do_post_activity(session, conversation, author, body.type)
    return {}
