"""The client API under /client/v1/apps/{appId}: what the widget and mobile SDKs call.

REST for state (history, sending) and one WebSocket for the live, resumable event stream.
See docs/client-api.md.
"""

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Query, Request, WebSocket
from fastapi.responses import FileResponse, HTMLResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from parlour.accounts import queries as account_queries
from parlour.attachments import actions as attachment_actions
from parlour.attachments import queries as attachment_queries
from parlour.conversations import actions as conversation_actions
from parlour.conversations import queries as conversation_queries
from parlour.conversations.errors import ConversationNotFound
from parlour.conversations.models import Conversation
from parlour.db import Database
from parlour.http import get_db, page_meta, public_base_url, read_upload
from parlour.lib.errors import ParlourError
from parlour.lib.pagination import check_page
from parlour.people import actions as people_actions
from parlour.people import queries as people_queries
from parlour.people.models import EndUser
from parlour.realtime import channel
from parlour.realtime.hub import Subscriber
from parlour.settings import get_settings
from parlour.widget import queries as widget_queries
from parlour.widget.audience import CustomerAudience
from parlour.widget.auth import Customer, CustomerDep, authenticate_customer
from parlour.widget.demo import demo_page
from parlour.widget.schemas import ClientActivityBody, ClientMessageBody, ContextBody, LoginBody

router = APIRouter(prefix="/client/v1/apps/{appId}", tags=["Client API"])
# The widget's scripts and the demo shop page, outside the API prefix.
pages = APIRouter(include_in_schema=False)
BUNDLES = Path(__file__).resolve().parent.parent / "static" / "dist" / "widget"
DEMO_ACCOUNT_NAME = "demo"  # the account `parlour demo` seeds


@router.get("/config", summary="The widget's public settings (no credentials)")
async def widget_config(appId: str, request: Request) -> dict[str, Any]:
    async with get_db(request).reading() as session:
        account = await account_queries.get_account_or_raise(session, appId)
    return widget_queries.widget_config_json(account)


@router.put("/me/context", summary="Report the customer's current page and language")
async def set_context(body: ContextBody, request: Request, customer: CustomerDep) -> dict[str, Any]:
    async with get_db(request).transaction() as session:
        user = await people_queries.get_user(session, customer.account.id, customer.user.id)
        if user is None:
            raise ConversationNotFound()
        await people_actions.do_set_user_context(
            session, user, current_url=body.currentUrl, locale=body.locale
        )
        return {"context": people_queries.user_context(user)}


@router.post("/attachments", status_code=201, summary="Upload a file to send as an image or file message")
async def upload_attachment(request: Request, customer: CustomerDep) -> dict[str, Any]:
    settings = get_settings()
    filename, media_type, data = await read_upload(request, "source", settings.max_upload_bytes)
    async with get_db(request).transaction() as session:
        account = await account_queries.get_account_or_raise(session, customer.account.id)
        attachment = await attachment_actions.do_store_attachment(
            session,
            account,
            filename=filename,
            media_type=media_type,
            data=data,
            uploaded_by=f"user:{customer.user.id}",
        )
    return {
        "attachment": attachment_queries.attachment_json(
            attachment, public_base_url(request, settings.public_url)
        )
    }


@pages.get("/widget/{bundle}")
async def widget_bundle(bundle: str) -> Response:
    """`snippet.js` (the launcher, on every page of the business's site) and `messenger.js`."""
    if bundle not in ("snippet.js", "messenger.js") or not (BUNDLES / bundle).is_file():
        return Response(status_code=404)
    return FileResponse(
        BUNDLES / bundle,
        media_type="text/javascript; charset=utf-8",
        # Revalidated on each page load so that a new release reaches every site at once.
        headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
    )


@pages.get("/demo", response_class=HTMLResponse)
async def demo(request: Request) -> HTMLResponse:
    async with get_db(request).reading() as session:
        account = await account_queries.get_account_by_name(session, DEMO_ACCOUNT_NAME)
    if account is None:
        return HTMLResponse("<p>No demo account yet: run <code>parlour demo</code>.</p>", status_code=404)
    return HTMLResponse(demo_page(account.id, account.display_name))


async def _own_conversation(session: AsyncSession, customer: Customer, conversation_id: str) -> Conversation:
    """A conversation the customer takes part in; any other id is simply not found."""
    conversation = await conversation_queries.get_conversation_of_participant(
        session, customer.account.id, conversation_id, customer.user.id
    )
    if conversation is None:
        raise ConversationNotFound()
    return conversation


@router.post("/users", status_code=201, summary="Start as an anonymous customer")
async def create_anonymous_user(appId: str, request: Request) -> dict[str, Any]:
    async with get_db(request).transaction() as session:
        account = await account_queries.get_account_or_raise(session, appId)
        anonymous = await people_actions.do_create_anonymous_user(session, account)
    return {"user": people_queries.user_json(anonymous.user), "clientToken": anonymous.client_token}


@router.post("/login", summary="Log in with a JWT signed by the business (merges anonymous history)")
async def login(appId: str, body: LoginBody, request: Request) -> dict[str, Any]:
    credential = request.headers.get("authorization")
    async with get_db(request).transaction() as session:
        account = await account_queries.get_account_or_raise(session, appId)
        anonymous: EndUser | None = None
        if credential and credential.lower().startswith("client "):
            anonymous = (await authenticate_customer(session, appId, credential)).user
        user = await conversation_actions.do_login_user(session, account, body.jwt, anonymous)
    return {"user": people_queries.user_json(user)}


@router.get("/me", summary="The signed-in customer")
async def me(customer: CustomerDep) -> dict[str, Any]:
    return {"user": people_queries.user_json(customer.user)}


@router.get("/conversations", summary="The customer's conversations")
async def list_conversations(request: Request, customer: CustomerDep) -> dict[str, Any]:
    async with get_db(request).reading() as session:
        page = await conversation_queries.list_conversations_of_user(
            session, customer.account.id, customer.user.id, check_page(None, None, 100)
        )
    return {"conversations": [conversation_queries.conversation_json(c) for c in page.items]}


@router.post("/conversations", status_code=201, summary="The default conversation (or a new one)")
async def open_conversation(request: Request, customer: CustomerDep, new: bool = False) -> dict[str, Any]:
    async with get_db(request).transaction() as session:
        if new:
            conversation = await conversation_actions.do_create_conversation(
                session, customer.account, type="personal", users=[customer.user]
            )
        else:
            conversation = await conversation_actions.do_get_or_create_default_conversation(
                session, customer.account, customer.user
            )
    return {"conversation": conversation_queries.conversation_json(conversation)}


@router.get("/conversations/{conversationId}/messages", summary="History, latest first page")
async def history(
    conversationId: str,
    request: Request,
    customer: CustomerDep,
    before: str | None = Query(default=None, alias="page[before]", max_length=64),
    after: str | None = Query(default=None, alias="page[after]", max_length=64),
) -> dict[str, Any]:
    page_request = check_page(after, before, None)
    async with get_db(request).reading() as session:
        conversation = await _own_conversation(session, customer, conversationId)
        page = await conversation_queries.list_messages(session, conversation, page_request)
    return {"messages": [conversation_queries.message_json(m) for m in page.items], "meta": page_meta(page)}


async def _send(
    db: Database,
    customer: Customer,
    conversation_id: str,
    body: ClientMessageBody,
    author: conversation_actions.Author | None = None,
) -> dict[str, Any]:
    """`author`: the customer as an author, when the caller has it already (a stream makes it once)."""
    as_author = author or conversation_actions.Author.of_user(customer.user)

    async def post(session: AsyncSession) -> dict[str, Any]:
        posted = await conversation_actions.do_post_customer_message(
            session,
            customer.account,
            conversation_id,
            as_author,
            body.content,
            metadata=body.metadata,
            client_message_id=body.clientMessageId,
            source_type="web",
        )
        return posted.json

    # Committed together with other customers' messages of the same moment (group commit).
    return await db.together(post)


@router.post("/conversations/{conversationId}/messages", status_code=201, summary="Send a message")
async def send_message(
    conversationId: str,
    body: ClientMessageBody,
    request: Request,
    customer: CustomerDep,
) -> dict[str, Any]:
    return {"message": await _send(get_db(request), customer, conversationId, body)}


@router.post("/conversations/{conversationId}/activity", summary="Typing or read")
async def activity(
    conversationId: str,
    body: ClientActivityBody,
    request: Request,
    customer: CustomerDep,
) -> dict[str, Any]:
    async with get_db(request).transaction() as session:
        conversation = await _own_conversation(session, customer, conversationId)
        await conversation_actions.do_post_activity(
            session, conversation, conversation_actions.Author.of_user(customer.user), body.type
        )
    return {}


@router.websocket("/ws")
async def stream(websocket: WebSocket, appId: str) -> None:
    """First frame: {"type": "hello", "auth": "Bearer <jwt>" | "Client <token>", "lastSeq": n|null}."""
    await websocket.accept()
    app = websocket.app
    db = app.state.db
    try:
        hello = await channel.receive_json(websocket, within=10)
        if hello.get("type") != "hello":
            raise ValueError("the first frame must be hello")
        async with db.looking_up() as session:
            customer = await authenticate_customer(session, appId, _str(hello.get("auth")))
            conversations = await conversation_queries.list_conversations_of_user(
                session, customer.account.id, customer.user.id, check_page(None, None, 100)
            )
    except ParlourError as exc:
        await channel.refuse(websocket, channel.CLOSE_UNAUTHORIZED, exc.instance_code, exc.title)
        return
    except (ValueError, TimeoutError) as exc:
        await channel.refuse(websocket, channel.CLOSE_BAD_FRAME, "bad_frame", str(exc) or "expected hello")
        return
    last_seq = await channel.resume_point(db, customer.account.id, hello.get("lastSeq"))
    audience = CustomerAudience(customer.user.id, {c.id for c in conversations.items})
    subscriber = Subscriber(customer.account.id, audience, last_seq)

    # The customer as of the hello, as `customer` itself is: made once, not for every message.
    author = conversation_actions.Author.of_user(customer.user)

    async def handle(frame: dict[str, Any]) -> dict[str, Any]:
        return await _handle_customer_frame(db, customer, author, frame)

    presence_key = (customer.account.id, customer.user.id)
    app.state.presence.connected(presence_key)
    try:
        await channel.serve(
            websocket,
            app.state.hub,
            subscriber,
            handle,
            {"lastSeq": last_seq, "user": people_queries.user_json(customer.user)},
            app.state.heartbeat,
        )
    finally:
        app.state.presence.disconnected(presence_key)


async def _handle_customer_frame(
    db: Database, customer: Customer, author: conversation_actions.Author, frame: dict[str, Any]
) -> dict[str, Any]:
    """`message` frames send (answered by `ack`), `activity` frames type or read."""
    kind = frame.get("type")
    try:
        if kind == "message":
            body = ClientMessageBody.model_validate(
                {k: v for k, v in frame.items() if k in ("content", "clientMessageId", "metadata")}
            )
            message = await _send(db, customer, _str(frame.get("conversationId")), body, author)
            return {"type": "ack", "clientMessageId": body.clientMessageId, "message": message}
        if kind == "activity":
            activity_body = ClientActivityBody.model_validate({"type": frame.get("activity")})

            async def act(session: AsyncSession) -> None:
                conversation = await _own_conversation(session, customer, _str(frame.get("conversationId")))
                await conversation_actions.do_post_activity(
                    session,
                    conversation,
                    author,
                    activity_body.type,
                )

            await db.together(act)
            return {"type": "ack", "activity": activity_body.type}
    except (ParlourError, ValueError) as exc:
        return channel.error_frame(frame, exc)
    return channel.error_frame(frame, None)


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""
