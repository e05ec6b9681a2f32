"""The workspace API under /workspace/v1/apps/{appId}: sign-in, replies and the staff stream."""

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request, Response, WebSocket
from sqlalchemy.ext.asyncio import AsyncSession

from parlour.accounts import queries as account_queries
from parlour.conversations import actions as conversation_actions
from parlour.conversations import queries as conversation_queries
from parlour.conversations.errors import ConversationNotFound
from parlour.conversations.models import Conversation
from parlour.db import Database
from parlour.http import get_db
from parlour.lib.errors import ParlourError
from parlour.people import actions as people_actions
from parlour.people import queries as people_queries
from parlour.realtime import channel
from parlour.realtime.hub import Subscriber
from parlour.realtime.presence import Key as PresenceKey
from parlour.realtime.presence import Presence
from parlour.tickets import queries as ticket_queries
from parlour.workspace.audience import StaffAudience, TicketRouting
from parlour.workspace.auth import COOKIE, StaffAuth, StaffDep, authenticate_staff, session_token
from parlour.workspace.schemas import ReplyBody, SignInBody, StatusBody

router = APIRouter(prefix="/workspace/v1/apps/{appId}", tags=["Workspace"])


def _staff_json(auth: StaffAuth) -> dict[str, Any]:
    staff = auth.staff
    return {
        "id": staff.id,
        "email": staff.email,
        "name": staff.name,
        "role": staff.role,
        "status": staff.status,
        "groupIds": sorted(auth.group_ids),
    }


@router.post("/session", status_code=201, summary="Sign in")
async def sign_in(appId: str, body: SignInBody, request: Request, response: Response) -> dict[str, Any]:
    async with get_db(request).transaction() as session:
        account = await account_queries.get_account_or_raise(session, appId)
        signed_in = await people_actions.do_sign_in(
            session, account, email=body.email, password=body.password
        )
    response.set_cookie(
        COOKIE,
        signed_in.token,
        httponly=True,
        samesite="strict",
        max_age=14 * 86400,
        path=f"/workspace/v1/apps/{appId}",
    )
    return {
        "staff": {"id": signed_in.staff.id, "name": signed_in.staff.name, "role": signed_in.staff.role},
        "token": signed_in.token,
    }


@router.delete("/session", summary="Sign out")
async def sign_out(request: Request, response: Response, auth: StaffDep) -> dict[str, Any]:
    token = session_token(request.headers.get("authorization"), request.cookies.get(COOKIE))
    async with get_db(request).transaction() as session:
        await people_actions.do_sign_out(session, token or "")
    response.delete_cookie(COOKIE, path=f"/workspace/v1/apps/{auth.account.id}")
    return {}


@router.put("/me/status", summary="Set my availability")
async def set_status(body: StatusBody, request: Request, auth: StaffDep) -> dict[str, Any]:
    async with get_db(request).transaction() as session:
        staff = await people_queries.get_staff_or_raise(session, auth.account.id, auth.staff.id)
        await people_actions.do_set_staff_status(session, staff, body.status)
    return {"status": body.status}


@router.get("/me", summary="The signed-in staff member")
async def me(auth: StaffDep) -> dict[str, Any]:
    return {"staff": _staff_json(auth)}


async def _workable(session: AsyncSession, auth: StaffAuth, conversation_id: str) -> Conversation:
    """A conversation the staff member may work: admins any, agents those their audience shows."""
    conversation = await conversation_queries.get_conversation(session, auth.account.id, conversation_id)
    if conversation is None:
        raise ConversationNotFound()
    if auth.is_admin:
        return conversation
    ticket = await ticket_queries.get_current_ticket(session, conversation.id)
    audience = StaffAudience(auth.staff.id, False, auth.group_ids)
    if ticket is None or not audience.may_see(TicketRouting(ticket.group_id, ticket.assignee_id)):
        raise ConversationNotFound()
    return conversation


async def _reply(db: Database, auth: StaffAuth, conversation_id: str, body: ReplyBody) -> dict[str, Any]:
    async with db.transaction() as session:
        conversation = await _workable(session, auth, conversation_id)
        posted = await conversation_actions.do_post_message(
            session,
            auth.account,
            conversation,
            conversation_actions.Author(type="business", subtype="agent", display_name=auth.staff.name),
            body.content,
            client_message_id=body.clientMessageId,
            source_type="workspace",
        )
    return conversation_queries.message_json(posted.message)


@router.post("/conversations/{conversationId}/messages", status_code=201, summary="Reply to the customer")
async def reply(conversationId: str, body: ReplyBody, request: Request, auth: StaffDep) -> dict[str, Any]:
    return {"message": await _reply(get_db(request), auth, conversationId, body)}


@router.websocket("/ws")
async def stream(websocket: WebSocket, appId: str) -> None:
    """First frame: {"type": "hello", "auth": "Session <token>", "lastSeq": n|null}."""
    await websocket.accept()
    app = websocket.app
    db: Database = app.state.db
    try:
        hello = await channel.receive_json(websocket, within=10)
        if hello.get("type") != "hello":
            raise ValueError("the first frame must be hello")
        auth_value = hello.get("auth")
        token = session_token(
            auth_value if isinstance(auth_value, str) else None, websocket.cookies.get(COOKIE)
        )
        async with db.reading() as session:
            auth = await authenticate_staff(session, appId, token)
            current = await ticket_queries.list_current_tickets(session, auth.account.id)
    except ParlourError as exc:
        await channel.refuse(websocket, channel.CLOSE_UNAUTHORIZED, exc.instance_code, exc.title)
        return
    except (ValueError, TimeoutError) as exc:
        await channel.refuse(websocket, channel.CLOSE_BAD_FRAME, "bad_frame", str(exc) or "expected hello")
        return
    try:
        focus = _focus(hello.get("conversations"))
    except ValueError as exc:
        await channel.refuse(websocket, channel.CLOSE_BAD_FRAME, "bad_frame", str(exc))
        return
    last_seq = await channel.resume_point(db, auth.account.id, hello.get("lastSeq"))
    audience = StaffAudience(
        auth.staff.id,
        auth.is_admin,
        auth.group_ids,
        {t.conversation_id: TicketRouting(t.group_id, t.assignee_id) for t in current},
        focus,
    )

    frames = StaffFrames(db, auth, Subscriber(auth.account.id, audience, last_seq), app.state.presence)
    try:
        await channel.serve(
            websocket,
            app.state.hub,
            frames.subscriber,
            frames.handle,
            {"lastSeq": last_seq, "staff": _staff_json(auth)},
            app.state.heartbeat,
        )
    finally:
        frames.close()


MAX_FOCUS = 100


def _focus(value: object) -> frozenset[str] | None:
    """hello `conversations`: absent or null for everything the staff member may see."""
    if value is None:
        return None
    if (
        not isinstance(value, list)
        or not 1 <= len(value) <= MAX_FOCUS
        or not all(isinstance(v, str) and 0 < len(v) <= 64 for v in value)
    ):
        raise ValueError(f"conversations must be a list of 1 to {MAX_FOCUS} conversation ids")
    return frozenset(value)


class StaffFrames:
    """What a staff member's socket may ask: reply, typing/read, availability, and watching a
    customer's presence while their conversation is open."""

    def __init__(self, db: Database, auth: StaffAuth, subscriber: Subscriber, presence: Presence) -> None:
        self.db, self.auth, self.subscriber, self.presence = db, auth, subscriber, presence
        self.watching: dict[str, tuple[PresenceKey, Callable[[bool], None]]] = {}

    def close(self) -> None:
        for key, notify in self.watching.values():
            self.presence.unwatch(key, notify)

    async def handle(self, frame: dict[str, Any]) -> dict[str, Any]:
        kind = frame.get("type")
        conversation_id = str(frame.get("conversationId", ""))
        try:
            if kind == "message":
                body = ReplyBody.model_validate(
                    {k: v for k, v in frame.items() if k in ("content", "clientMessageId")}
                )
                message = await _reply(self.db, self.auth, conversation_id, body)
                return {"type": "ack", "clientMessageId": body.clientMessageId, "message": message}
            if kind == "activity" and frame.get("activity") in (
                "typing:start",
                "typing:stop",
                "conversation:read",
            ):
                await self._activity(conversation_id, str(frame["activity"]))
                return {"type": "ack", "activity": frame["activity"]}
            if kind == "watch":
                return await self._watch(conversation_id)
            if kind == "unwatch":
                key, notify = self.watching.pop(conversation_id, (None, None))
                if key is not None and notify is not None:
                    self.presence.unwatch(key, notify)
                return {"type": "ack", "unwatched": conversation_id}
            if kind == "status":
                async with self.db.transaction() as session:
                    staff = await people_queries.get_staff_or_raise(
                        session, self.auth.account.id, self.auth.staff.id
                    )
                    await people_actions.do_set_staff_status(session, staff, str(frame.get("status", "")))
                return {"type": "ack", "status": frame.get("status")}
        except (ParlourError, ValueError) as exc:
            return channel.error_frame(frame, exc)
        return channel.error_frame(frame, None)

    async def _activity(self, conversation_id: str, activity: str) -> None:
        async with self.db.transaction() as session:
            conversation = await _workable(session, self.auth, conversation_id)
            author = conversation_actions.Author(
                type="business", subtype="agent", display_name=self.auth.staff.name
            )
            await conversation_actions.do_post_activity(session, conversation, author, activity)

    async def _watch(self, conversation_id: str) -> dict[str, Any]:
        async with self.db.reading() as session:
            conversation = await _workable(session, self.auth, conversation_id)
        key = (self.auth.account.id, conversation.user_id)
        if conversation_id not in self.watching:

            def notify(online: bool) -> None:
                self.subscriber.push_frame(
                    {"type": "presence", "conversationId": conversation_id, "customerOnline": online}
                )

            self.watching[conversation_id] = (key, notify)
            self.presence.watch(key, notify)
        return {
            "type": "presence",
            "conversationId": conversation_id,
            "customerOnline": self.presence.is_online(key),
        }
