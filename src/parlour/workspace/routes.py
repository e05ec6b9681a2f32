"""The workspace API under /workspace/v1/apps/{appId}: sign-in, replies and the staff stream."""

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Query, Request, Response, WebSocket
from sqlalchemy.ext.asyncio import AsyncSession

from parlour.accounts import queries as account_queries
from parlour.attachments import actions as attachment_actions
from parlour.attachments import queries as attachment_queries
from parlour.conversations import actions as conversation_actions
from parlour.conversations import queries as conversation_queries
from parlour.conversations.errors import ConversationNotFound
from parlour.conversations.models import Conversation
from parlour.db import Database
from parlour.http import get_db, page_links, page_meta, public_base_url, read_upload
from parlour.lib.errors import BadRequest, Forbidden, ParlourError, Unauthorized
from parlour.lib.pagination import check_page
from parlour.macros import actions as macro_actions
from parlour.macros import queries as macro_queries
from parlour.macros.errors import MacroNotFound
from parlour.macros.schemas import MacroBody, MacroPatch
from parlour.people import actions as people_actions
from parlour.people import queries as people_queries
from parlour.people.errors import InvalidSignIn
from parlour.realtime import channel
from parlour.realtime.hub import Subscriber
from parlour.realtime.presence import Key as PresenceKey
from parlour.realtime.presence import Presence
from parlour.settings import get_settings
from parlour.tickets import actions as ticket_actions
from parlour.tickets import queries as ticket_queries
from parlour.workspace import queries
from parlour.workspace.audience import StaffAudience, TicketRouting
from parlour.workspace.auth import (
    COOKIE,
    StaffAuth,
    StaffDep,
    authenticate_staff,
    csrf_token,
    same_origin,
    session_token,
)
from parlour.workspace.schemas import NoteBody, ReplyBody, SignInBody, StatusBody, TicketPatch
from parlour.workspace.viewers import Viewer, Viewers

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
    db = get_db(request)
    # The password is checked in a read, not in the write transaction (`do_sign_in` says why).
    async with db.reading() as session:
        account = await account_queries.get_account_or_raise(session, appId)
        await people_actions.check_sign_in_allowed(session, account, body.email)
        checked = await people_queries.check_staff_password(session, account.id, body.email, body.password)
    try:
        async with db.transaction() as session:
            signed_in = await people_actions.do_sign_in(session, account, checked)
            await people_actions.do_clear_sign_in_failures(session, account, body.email)
    except InvalidSignIn:
        # Kept in its own transaction: the refused attempt above was rolled back.
        async with db.transaction() as session:
            account = await account_queries.get_account_or_raise(session, appId)
            await people_actions.do_record_sign_in_failure(session, account, body.email)
        raise
    # Path "/": the admin center's pages and API use the same staff session.
    response.set_cookie(
        COOKIE, signed_in.token, httponly=True, samesite="strict", max_age=14 * 86400, path="/"
    )
    return {
        "staff": {"id": signed_in.staff.id, "name": signed_in.staff.name, "role": signed_in.staff.role},
        "token": signed_in.token,
        "csrfToken": csrf_token(signed_in.token),
    }


@router.delete("/session", summary="Sign out")
async def sign_out(request: Request, response: Response, auth: StaffDep) -> dict[str, Any]:
    token = session_token(request.headers.get("authorization"), request.cookies.get(COOKIE))
    async with get_db(request).transaction() as session:
        await people_actions.do_sign_out(session, token or "")
    response.delete_cookie(COOKIE, path="/")
    return {}


@router.put("/me/status", summary="Set my availability")
async def set_status(body: StatusBody, request: Request, auth: StaffDep) -> dict[str, Any]:
    async with get_db(request).transaction() as session:
        staff = await people_queries.get_staff_or_raise(session, auth.account.id, auth.staff.id)
        await people_actions.do_set_staff_status(session, staff, body.status)
    return {"status": body.status}


@router.get("/me", summary="The signed-in staff member")
async def me(request: Request, auth: StaffDep) -> dict[str, Any]:
    token = session_token(request.headers.get("authorization"), request.cookies.get(COOKIE)) or ""
    return {"staff": _staff_json(auth), "csrfToken": csrf_token(token)}


@router.get("/staff", summary="The team, with each member's availability")
async def team(request: Request, auth: StaffDep) -> dict[str, Any]:
    async with get_db(request).reading() as session:
        staff = await people_queries.list_staff(session, auth.account.id)
        groups = await people_queries.list_groups(session, auth.account.id)
        members = {g.id: await people_queries.group_member_ids(session, g.id) for g in groups}
    return {
        "staff": [
            {
                "id": s.id,
                "name": s.name,
                "email": s.email,
                "role": s.role,
                "status": s.status,
                "groupIds": sorted(g for g, ids in members.items() if s.id in ids),
            }
            for s in staff
            if s.active
        ],
        "groups": [{"id": g.id, "name": g.name} for g in groups],
    }


@router.get("/views/{view}", summary="A view's tickets (longest waiting first) and every view's count")
async def view_tickets(view: str, request: Request, auth: StaffDep) -> dict[str, Any]:
    if view not in ticket_queries.VIEWS:
        raise BadRequest(f"view must be one of {', '.join(ticket_queries.VIEWS)}")
    async with get_db(request).reading() as session:
        return await queries.view_json(session, auth, view)


@router.get("/tickets/{ticketId}", summary="A ticket with its conversation, notes and customer")
async def ticket_detail(ticketId: str, request: Request, auth: StaffDep) -> dict[str, Any]:
    async with get_db(request).reading() as session:
        ticket = await queries.get_ticket_in_reach(session, auth, ticketId)
        return await queries.ticket_detail_json(session, auth, ticket)


_BEFORE = Query(default=None, alias="page[before]", max_length=64)


@router.get(
    "/tickets/{ticketId}/messages",
    summary="Earlier messages of the ticket's conversation, with the notes of their period",
)
async def earlier_messages(
    ticketId: str,
    request: Request,
    auth: StaffDep,
    before: str | None = _BEFORE,
) -> dict[str, Any]:
    if before is None:
        raise BadRequest("page[before] is required: the id of the earliest message shown")
    check_page(None, before, None)
    async with get_db(request).reading() as session:
        ticket = await queries.get_ticket_in_reach(session, auth, ticketId)
        page, notes = await queries.earlier_messages(session, auth, ticket, before)
    return {
        "messages": [conversation_queries.message_json(m) for m in page.items],
        "notes": [ticket_queries.note_json(n) for n in notes],
        "meta": page_meta(page),
        "links": page_links(request, page),
    }


_NOT_NULL = ("status", "priority", "tags", "customFields", "subject")


@router.patch("/tickets/{ticketId}", summary="Change status, priority, group, assignee, tags, fields")
async def update_ticket(ticketId: str, body: TicketPatch, request: Request, auth: StaffDep) -> dict[str, Any]:
    given = body.model_fields_set
    for name in _NOT_NULL:
        if name in given and getattr(body, name) is None:
            raise BadRequest(f"{name} cannot be null")
    async with get_db(request).transaction() as session:
        ticket = await queries.get_ticket_in_reach(session, auth, ticketId)
        changes: dict[str, Any] = {}
        for field, name in (
            ("status", "status"),
            ("priority", "priority"),
            ("group_id", "groupId"),
            ("assignee_id", "assigneeId"),
            ("tags", "tags"),
            ("custom_fields", "customFields"),
            ("subject", "subject"),
        ):
            if name in given:
                changes[field] = getattr(body, name)
        ticket = await ticket_actions.do_edit_ticket(session, auth.account, ticket, **changes)
        return {"ticket": ticket_queries.ticket_json(ticket)}


@router.post("/tickets/{ticketId}/take", summary="Assign the ticket to me")
async def take_ticket(ticketId: str, request: Request, auth: StaffDep) -> dict[str, Any]:
    async with get_db(request).transaction() as session:
        ticket = await queries.get_ticket_in_reach(session, auth, ticketId)
        await ticket_actions.do_update_ticket(session, auth.account, ticket, assignee_id=auth.staff.id)
        return {"ticket": ticket_queries.ticket_json(ticket)}


@router.post("/tickets/{ticketId}/end-session", summary="End the customer's messaging session")
async def end_session(ticketId: str, request: Request, auth: StaffDep) -> dict[str, Any]:
    async with get_db(request).transaction() as session:
        ticket = await queries.get_ticket_in_reach(session, auth, ticketId)
        await ticket_actions.do_end_session(session, auth.account, ticket)
        return {"ticket": ticket_queries.ticket_json(ticket)}


@router.post("/tickets/{ticketId}/notes", status_code=201, summary="Add an internal note")
async def add_note(ticketId: str, body: NoteBody, request: Request, auth: StaffDep) -> dict[str, Any]:
    async with get_db(request).transaction() as session:
        ticket = await queries.get_ticket_in_reach(session, auth, ticketId)
        note = await ticket_actions.do_add_note(
            session,
            ticket,
            text=body.text,
            author_name=auth.staff.name,
            author_staff_id=auth.staff.id,
            attachments=[a.model_dump(exclude_none=True) for a in body.attachments],
        )
        return {"note": ticket_queries.note_json(note)}


@router.post("/attachments", status_code=201, summary="Upload a file to send in a reply or a note")
async def upload_attachment(request: Request, auth: StaffDep) -> dict[str, Any]:
    settings = get_settings()
    filename, media_type, data = await read_upload(request, "source", settings.max_upload_bytes)
    async with get_db(request).transaction() as session:
        account = await account_queries.get_account_or_raise(session, auth.account.id)
        attachment = await attachment_actions.do_store_attachment(
            session,
            account,
            filename=filename,
            media_type=media_type,
            data=data,
            uploaded_by=f"staff:{auth.staff.id}",
        )
    return {
        "attachment": attachment_queries.attachment_json(
            attachment, public_base_url(request, settings.public_url)
        )
    }


@router.get("/macros", summary="Shared macros and my personal ones")
async def list_macros(request: Request, auth: StaffDep) -> dict[str, Any]:
    async with get_db(request).reading() as session:
        macros = await macro_queries.list_macros(session, auth.account.id, staff_id=auth.staff.id)
    return {"macros": [macro_queries.macro_json(m) for m in macros]}


@router.post("/macros", status_code=201, summary="Save a macro (personal; shared needs an admin)")
async def create_macro(body: MacroBody, request: Request, auth: StaffDep) -> dict[str, Any]:
    if body.shared and not auth.is_admin:
        raise Forbidden("Only admins create shared macros")
    async with get_db(request).transaction() as session:
        macro = await macro_actions.do_create_macro(
            session,
            auth.account,
            title=body.title,
            text=body.text,
            actions=body.actions.model_dump(exclude_defaults=True),
            owner_staff_id=None if body.shared else auth.staff.id,
        )
        return {"macro": macro_queries.macro_json(macro)}


async def _editable_macro(session: AsyncSession, auth: StaffAuth, macro_id: str) -> Any:
    macro = await macro_queries.get_macro_or_raise(session, auth.account.id, macro_id)
    if not macro_queries.may_use(macro, auth.staff.id):
        raise MacroNotFound()
    if macro.owner_staff_id is None and not auth.is_admin:
        raise Forbidden("Only admins change shared macros")
    return macro


@router.patch("/macros/{macroId}", summary="Change one of my macros")
async def update_macro(macroId: str, body: MacroPatch, request: Request, auth: StaffDep) -> dict[str, Any]:
    async with get_db(request).transaction() as session:
        macro = await _editable_macro(session, auth, macroId)
        await macro_actions.do_update_macro(
            session,
            auth.account,
            macro,
            title=body.title,
            text=body.text,
            actions=body.actions.model_dump(exclude_defaults=True) if body.actions is not None else None,
        )
        return {"macro": macro_queries.macro_json(macro)}


@router.delete("/macros/{macroId}", summary="Delete one of my macros")
async def delete_macro(macroId: str, request: Request, auth: StaffDep) -> dict[str, Any]:
    async with get_db(request).transaction() as session:
        macro = await _editable_macro(session, auth, macroId)
        await macro_actions.do_delete_macro(session, macro)
    return {}


@router.post("/tickets/{ticketId}/macros/{macroId}", summary="Apply a macro's actions to the ticket")
async def apply_macro(ticketId: str, macroId: str, request: Request, auth: StaffDep) -> dict[str, Any]:
    """Answers with the changed ticket and the reply text for the composer (not sent: the agent
    reviews it first)."""
    async with get_db(request).transaction() as session:
        ticket = await queries.get_ticket_in_reach(session, auth, ticketId)
        macro = await macro_queries.get_macro_or_raise(session, auth.account.id, macroId)
        if not macro_queries.may_use(macro, auth.staff.id):
            raise MacroNotFound()
        await macro_actions.do_apply_macro(session, auth.account, macro, ticket)
        return {"ticket": ticket_queries.ticket_json(ticket), "text": macro.text}


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
    return posted.json


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
        header = auth_value if isinstance(auth_value, str) else None
        token = session_token(header, websocket.cookies.get(COOKIE))
        from_cookie = token is not None and token == websocket.cookies.get(COOKIE)
        # The browser sends the cookie with any site's upgrade request: only our own pages may use it.
        if from_cookie and not same_origin(websocket.headers.get("origin"), websocket.headers.get("host")):
            raise Unauthorized("Cross-site WebSocket refused: connect from the workspace's own origin")
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

    frames = StaffFrames(
        db, auth, Subscriber(auth.account.id, audience, last_seq), app.state.presence, _viewers(app)
    )

    async def recheck() -> None:
        # Signed out, deactivated, demoted or moved between groups since the hello: the stream
        # follows (or ends) instead of keeping the rights it started with.
        async with db.looking_up() as session:
            frames.auth = await authenticate_staff(session, appId, token)
        audience.is_admin, audience.group_ids = frames.auth.is_admin, frames.auth.group_ids

    try:
        await channel.serve(
            websocket,
            app.state.hub,
            frames.subscriber,
            frames.handle,
            {"lastSeq": last_seq, "staff": _staff_json(auth)},
            app.state.heartbeat,
            recheck,
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

    def __init__(
        self, db: Database, auth: StaffAuth, subscriber: Subscriber, presence: Presence, viewers: Viewers
    ) -> None:
        self.db, self.auth, self.subscriber, self.presence = db, auth, subscriber, presence
        self.viewers = viewers
        self.watching: dict[str, tuple[PresenceKey, Callable[[bool], None]]] = {}

    def close(self) -> None:
        for key, notify in self.watching.values():
            self.presence.unwatch(key, notify)
        self.viewers.leave_all(id(self))

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
            if kind == "view":
                async with self.db.reading() as session:
                    await _workable(session, self.auth, conversation_id)
                viewer = Viewer(self.auth.staff.id, self.auth.staff.name, self.subscriber.push_frame)
                self.viewers.view(conversation_id, id(self), viewer)
                return self.viewers.frame(conversation_id)
            if kind == "unview":
                self.viewers.leave(conversation_id, id(self))
                return {"type": "ack", "unviewed": conversation_id}
            if kind == "composing":
                mode = frame.get("composing")
                if mode not in ("reply", "note", None):
                    raise ValueError("composing must be reply, note or null")
                if not self.viewers.compose(conversation_id, id(self), mode):
                    raise ValueError("view the conversation first")
                return {"type": "ack", "composing": mode}
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


def _viewers(app: Any) -> Viewers:
    """One registry per application (per server process)."""
    viewers: Viewers | None = getattr(app.state, "workspace_viewers", None)
    if viewers is None:
        viewers = Viewers()
        app.state.workspace_viewers = viewers
    return viewers
