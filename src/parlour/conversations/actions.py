"""The only writers of conversations, participants and messages."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import Table, bindparam, delete, exists, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from parlour.accounts import queries as account_queries
from parlour.accounts.models import Account
from parlour.conversations import events, listeners, queries
from parlour.conversations.errors import (
    AlreadyParticipant,
    ConversationFull,
    ConversationNotFound,
    DuplicateClientMessageId,
    InvalidMessage,
    MultiConversationsDisabled,
    ParticipantNotFound,
)
from parlour.conversations.models import Conversation, Message, Participant
from parlour.conversations.schemas import BUSINESS_CONTENT_TYPES, USER_CONTENT_TYPES, Content
from parlour.db import Prepared, UTCDateTime, adopt, loaded, row_values
from parlour.lib import clock, ids
from parlour.lib.errors import BadRequest
from parlour.lib.metadata import check_metadata
from parlour.outbox.recorder import record
from parlour.people import actions as people_actions
from parlour.people import queries as people_queries
from parlour.people.models import EndUser

MAX_MESSAGES = 30_000
ACTIVITIES = ("typing:start", "typing:stop", "conversation:read", "conversation:delivered")
MAX_GROUP_PARTICIPANTS = 10
_content = TypeAdapter(Content)


@dataclass(frozen=True)
class Author:
    type: str  # user | business
    user: EndUser | None = None
    subtype: str | None = None  # AI | agent | bot | activity, for business authors
    display_name: str | None = None
    avatar_url: str | None = None

    @classmethod
    def of_user(cls, user: EndUser) -> "Author":
        return cls(type="user", user=user, display_name=people_queries.display_name(user))


@dataclass(frozen=True)
class PostedMessage:
    message: Message
    created: bool  # False when a resend returned the message stored the first time
    # The message as the API shows it (`queries.message_json`), made once: the event's payload
    # holds the same, and a sender's answer shows it again. Not to be changed.
    json: dict[str, Any]


def _same_sender_or_raise(existing: Message, author: Author) -> Message:
    """A resend returns the first message, but only to the one who sent it."""
    same = existing.author_type == author.type and existing.author_user_id == (
        author.user.id if author.user else None
    )
    if not same:
        raise DuplicateClientMessageId()
    return existing


def check_content(author: Author, content: dict[str, Any]) -> dict[str, Any]:
    try:
        parsed = _content.validate_python(content)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InvalidMessage(f"Invalid message content at {where or 'content'}: {first['msg']}") from None
    allowed = USER_CONTENT_TYPES if author.type == "user" else BUSINESS_CONTENT_TYPES
    if parsed.type not in allowed:
        raise InvalidMessage(f"A {author.type} cannot send {parsed.type} messages")
    clean: dict[str, Any] = parsed.model_dump(mode="json", exclude_none=True)
    _check_nested_metadata(clean)
    return clean


def _check_nested_metadata(value: Any, path: str = "content") -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "metadata":
                check_metadata(item, field=f"{path}.metadata")
            else:
                _check_nested_metadata(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_nested_metadata(item, f"{path}[{index}]")


async def do_create_conversation(
    session: AsyncSession,
    account: Account,
    *,
    type: str,
    users: list[EndUser],
    display_name: str | None = None,
    description: str | None = None,
    icon_url: str | None = None,
    metadata: dict[str, Any] | None = None,
) -> Conversation:
    if type == "personal" and len(users) != 1:
        raise BadRequest("A personal conversation has exactly one user participant")
    if type == "sdkGroup" and not 1 <= len(users) <= MAX_GROUP_PARTICIPANTS:
        raise BadRequest(f"An sdkGroup conversation has 1 to {MAX_GROUP_PARTICIPANTS} participants")
    if len({user.id for user in users}) != len(users):
        raise BadRequest("A user appears twice in participants")
    owner = users[0]
    is_default = False
    if type == "personal":
        existing = await queries.count_personal_conversations(session, owner.id)
        if existing and not account_queries.settings_of(account)["multiConvoEnabled"]:
            raise MultiConversationsDisabled()
        is_default = existing == 0
    now = clock.now()
    conversation = Conversation(
        id=ids.new_id(),
        account_id=account.id,
        user_id=owner.id,
        type=type,
        is_default=is_default,
        display_name=display_name,
        description=description,
        icon_url=icon_url,
        metadata_=check_metadata(metadata),
        created_at=now,
        last_updated_at=now,
        message_count=0,
        last_seq=0,
    )
    session.add(conversation)
    await session.flush()
    for user in users:
        session.add(
            Participant(
                id=ids.new_id(),
                account_id=account.id,
                conversation_id=conversation.id,
                user_id=user.id,
                unread_count=0,
                joined_at=now,
            )
        )
    await session.flush()
    await record(
        session,
        account_id=account.id,
        type=events.CONVERSATION_CREATE,
        conversation_id=conversation.id,
        user_id=owner.id,
        payload={"conversation": queries.conversation_json(conversation), "user": {"id": owner.id}},
    )
    return conversation


async def do_get_or_create_default_conversation(
    session: AsyncSession, account: Account, user: EndUser
) -> Conversation:
    existing = await queries.get_default_conversation(session, user.id)
    if existing is not None:
        return existing
    return await do_create_conversation(session, account, type="personal", users=[user])


async def do_update_conversation(
    session: AsyncSession,
    conversation: Conversation,
    *,
    fields: dict[str, Any],
) -> Conversation:
    """`fields` holds only what the caller set: display_name, description, icon_url, metadata."""
    for name in ("display_name", "description", "icon_url"):
        if name in fields:
            setattr(conversation, name, fields[name])
    if "metadata" in fields:
        conversation.metadata_ = check_metadata(fields["metadata"])
    conversation.last_updated_at = clock.now()
    await session.flush()
    return conversation


async def do_delete_conversation(session: AsyncSession, conversation: Conversation) -> None:
    snapshot = queries.conversation_json(conversation)
    await session.delete(conversation)
    await session.flush()
    await record(
        session,
        account_id=conversation.account_id,
        type=events.CONVERSATION_REMOVE,
        conversation_id=conversation.id,
        payload={"conversation": snapshot},
    )


async def do_join(session: AsyncSession, conversation: Conversation, user: EndUser) -> Participant:
    if await queries.get_participant(session, conversation.id, user.id) is not None:
        raise AlreadyParticipant()
    if conversation.type == "personal":
        raise BadRequest("Personal conversations belong to one user; use an sdkGroup conversation")
    if len(await queries.participant_users(session, conversation.id)) >= MAX_GROUP_PARTICIPANTS:
        raise BadRequest(f"A conversation has at most {MAX_GROUP_PARTICIPANTS} participants")
    participant = Participant(
        id=ids.new_id(),
        account_id=conversation.account_id,
        conversation_id=conversation.id,
        user_id=user.id,
        unread_count=0,
        joined_at=clock.now(),
    )
    session.add(participant)
    await session.flush()
    await record(
        session,
        account_id=conversation.account_id,
        type=events.CONVERSATION_JOIN,
        conversation_id=conversation.id,
        user_id=user.id,
        payload={
            "conversation": {"id": conversation.id, "type": conversation.type},
            "user": {"id": user.id},
            "participant": {"id": participant.id},
        },
    )
    return participant


async def do_leave(session: AsyncSession, conversation: Conversation, participant: Participant) -> None:
    if conversation.type == "personal":
        raise BadRequest(
            "The owner of a personal conversation cannot leave it; delete the conversation instead"
        )
    await session.delete(participant)
    await session.flush()
    await record(
        session,
        account_id=conversation.account_id,
        type=events.CONVERSATION_LEAVE,
        conversation_id=conversation.id,
        user_id=participant.user_id,
        payload={
            "conversation": {"id": conversation.id, "type": conversation.type},
            "user": {"id": participant.user_id},
        },
    )


async def get_participant_for_leave(
    session: AsyncSession, conversation: Conversation, *, user: EndUser | None, participant_id: str | None
) -> Participant:
    participant: Participant | None
    if user is not None:
        participant = await queries.get_participant(session, conversation.id, user.id)
    else:
        participant = await session.get(Participant, participant_id or "")
        if participant is not None and participant.conversation_id != conversation.id:
            participant = None
    if participant is None:
        raise ParticipantNotFound()
    return participant


# Built once: a message is the hottest write there is, and building a statement costs about as
# much as running it. The conditional increment is the 30,000-message limit and the message order
# in one statement; it also serialises concurrent posts to one conversation on PostgreSQL.
# RETURNING gives the stored counters, so the conversation is not read back.
# Core statements on the table: the counters come back by RETURNING and are set on the loaded
# conversation below, so the ORM has nothing to synchronise.
_conversations = cast(Table, Conversation.__table__)
_COUNTED = {
    "message_count": _conversations.c.message_count + 1,
    "last_seq": _conversations.c.last_seq + 1,
    "last_updated_at": bindparam("now", type_=UTCDateTime()),
}
_COUNT_MESSAGE = Prepared(
    update(_conversations)
    .where(
        _conversations.c.id == bindparam("conversation"), _conversations.c.message_count < bindparam("limit")
    )
    .values(_COUNTED)
    .returning(_conversations.c.message_count, _conversations.c.last_seq)
)
# A customer's message: the same count, on condition that the conversation is of the account and
# the customer takes part in it; the whole conversation comes back, so it is not read first.
_participants = cast(Table, Participant.__table__)
_COUNT_CUSTOMER_MESSAGE = Prepared(
    update(_conversations)
    .where(
        _conversations.c.id == bindparam("conversation"),
        _conversations.c.account_id == bindparam("account"),
        _conversations.c.message_count < bindparam("limit"),
        exists().where(
            _participants.c.conversation_id == _conversations.c.id,
            _participants.c.user_id == bindparam("user"),
        ),
    )
    .values(_COUNTED)
    .returning(*_conversations.c)
)
_COUNT_AT = list(_conversations.c.keys()).index("message_count")
_SEQ_AT = list(_conversations.c.keys()).index("last_seq")
_UNCOUNT_MESSAGE = (
    update(_conversations)
    .where(_conversations.c.id == bindparam("conversation"))
    .values(message_count=_conversations.c.message_count - 1, last_seq=_conversations.c.last_seq - 1)
)
# A resend collides with the first copy on the client id (unique per conversation) and inserts
# nothing: found without a read before every insert, and without a savepoint to recover from.
_messages = cast(Table, Message.__table__)
_CLIENT_ID = ["conversation_id", "client_message_id"]
_INSERT_ONCE = {
    "sqlite": Prepared(sqlite_insert(_messages).on_conflict_do_nothing(index_elements=_CLIENT_ID)),
    "postgresql": Prepared(postgresql_insert(_messages).on_conflict_do_nothing(index_elements=_CLIENT_ID)),
}


@dataclass(frozen=True)
class _Draft:
    """A message checked and ready to store: what both ways of posting prepare the same way."""

    author: Author
    content: dict[str, Any]
    metadata: dict[str, Any] | None
    client_message_id: str | None
    source_type: str
    now: datetime

    @classmethod
    def checked(
        cls,
        author: Author,
        content: dict[str, Any],
        metadata: dict[str, Any] | None,
        client_message_id: str | None,
        source_type: str,
    ) -> "_Draft":
        clean = check_content(author, content)
        return cls(author, clean, check_metadata(metadata), client_message_id, source_type, clock.now())


async def do_post_message(
    session: AsyncSession,
    account: Account,
    conversation: Conversation,
    author: Author,
    content: dict[str, Any],
    *,
    metadata: dict[str, Any] | None = None,
    client_message_id: str | None = None,
    source_type: str = "api",
) -> PostedMessage:
    """Store a message once, however many times it is sent, then let the switchboard react."""
    draft = _Draft.checked(author, content, metadata, client_message_id, source_type)
    if author.type == "user":
        if author.user is None:
            raise BadRequest("A user author needs a user")
        if await queries.get_participant(session, conversation.id, author.user.id) is None:
            raise BadRequest("The author is not a participant of this conversation")
    stored = await _COUNT_MESSAGE.first(
        session, {"conversation": conversation.id, "now": draft.now, "limit": MAX_MESSAGES}
    )
    if stored is None:
        return await _resent_to_full(session, conversation, draft)
    return await _store(session, account, conversation, draft, stored)


async def do_post_customer_message(
    session: AsyncSession,
    account: Account,
    conversation_id: str,
    author: Author,
    content: dict[str, Any],
    *,
    metadata: dict[str, Any] | None = None,
    client_message_id: str | None = None,
    source_type: str = "web",
) -> PostedMessage:
    """A customer's message to a conversation of their account they take part in, as
    `do_post_message` stores it; any other conversation is not found (`ConversationNotFound`).

    One statement finds the conversation, checks the customer takes part and counts the message,
    where reading the conversation first cost a second statement on every message a customer
    sends. Only when it changes nothing is the conversation read, to tell a conversation that is
    not the customer's from a full one."""
    if author.type != "user" or author.user is None:
        raise BadRequest("A customer's message needs the customer as its author")
    draft = _Draft.checked(author, content, metadata, client_message_id, source_type)
    row = await _COUNT_CUSTOMER_MESSAGE.first(
        session,
        {
            "conversation": conversation_id,
            "account": account.id,
            "user": author.user.id,
            "now": draft.now,
            "limit": MAX_MESSAGES,
        },
    )
    if row is None:
        conversation = await queries.get_conversation_of_participant(
            session, account.id, conversation_id, author.user.id
        )
        if conversation is None:
            raise ConversationNotFound()
        return await _resent_to_full(session, conversation, draft)
    conversation = adopt(session, Conversation, row)
    return await _store(session, account, conversation, draft, (row[_COUNT_AT], row[_SEQ_AT]))


async def _resent_to_full(session: AsyncSession, conversation: Conversation, draft: _Draft) -> PostedMessage:
    """A full conversation still answers the resend of a message it holds."""
    resent = await _resent(session, conversation, draft.client_message_id, draft.author)
    if resent is None:
        raise ConversationFull()
    return resent


async def _store(
    session: AsyncSession,
    account: Account,
    conversation: Conversation,
    draft: _Draft,
    stored: tuple[Any, ...],
) -> PostedMessage:
    """The message, once it is counted in its conversation (`stored`: its message count and last
    sequence number after the count); its event; the switchboard's reaction."""
    author, clean, now = draft.author, draft.content, draft.now
    message = loaded(
        Message,
        dict(
            id=ids.new_id(),
            account_id=account.id,
            conversation_id=conversation.id,
            seq=stored[1],
            author_type=author.type,
            author_subtype=author.subtype,
            author_user_id=author.user.id if author.user else None,
            author_display_name=author.display_name,
            author_avatar_url=author.avatar_url,
            content_type=clean["type"],
            content=clean,
            metadata_=draft.metadata,
            source={"type": draft.source_type},
            client_message_id=draft.client_message_id,
            received=now,
        ),
    )
    inserted = await _INSERT_ONCE[session.get_bind().dialect.name].changed(session, row_values(message))
    if not inserted:
        # A resend: the first copy is stored (perhaps by a concurrent request a moment ago). The
        # count taken above is given back; this transaction still holds the conversation's row.
        await session.execute(_UNCOUNT_MESSAGE, {"conversation": conversation.id})
        _set_counted(conversation, stored[0] - 1, stored[1] - 1, now)
        resent = await _resent(session, conversation, draft.client_message_id, author)
        if resent is None:  # deleted since: the conflict is only ever on the client id
            raise DuplicateClientMessageId()
        return resent
    _set_counted(conversation, stored[0], stored[1], now)
    shown = queries.message_json(message)
    if author.type == "business":
        await session.execute(
            update(Participant)
            .where(Participant.conversation_id == conversation.id)
            .values(unread_count=Participant.unread_count + 1)
        )
    await record(
        session,
        account_id=account.id,
        type=events.CONVERSATION_MESSAGE,
        conversation_id=conversation.id,
        user_id=conversation.user_id,
        active_integration_id=conversation.active_switchboard_integration_id,
        payload={
            "conversation": {"id": conversation.id, "type": conversation.type},
            "message": shown,
        },
    )
    await listeners.notify(session, listeners.MessagePosted(account, conversation, message))
    return PostedMessage(message, created=True, json=shown)


def _set_counted(conversation: Conversation, message_count: int, last_seq: int, now: datetime) -> None:
    """The counters as the statements left them in the database: written by Core statements, so
    the loaded conversation is told, as loaded values (the ORM has nothing to write back)."""
    set_committed_value(conversation, "message_count", message_count)
    set_committed_value(conversation, "last_seq", last_seq)
    set_committed_value(conversation, "last_updated_at", now)


async def _resent(
    session: AsyncSession, conversation: Conversation, client_message_id: str | None, author: Author
) -> PostedMessage | None:
    if client_message_id is None:
        return None
    existing = await queries.get_message_by_client_id(session, conversation.id, client_message_id)
    if existing is None:
        return None
    first = _same_sender_or_raise(existing, author)
    return PostedMessage(first, created=False, json=queries.message_json(first))


async def do_delete_message(session: AsyncSession, conversation: Conversation, message: Message) -> None:
    await session.delete(message)
    conversation.message_count = max(0, conversation.message_count - 1)
    await session.flush()
    await record(
        session,
        account_id=conversation.account_id,
        type=events.MESSAGES_DELETED,
        conversation_id=conversation.id,
        payload={"conversation": {"id": conversation.id}, "messageIds": [message.id]},
    )


async def do_delete_all_messages(session: AsyncSession, conversation: Conversation) -> None:
    await session.execute(delete(Message).where(Message.conversation_id == conversation.id))
    conversation.message_count = 0
    await session.flush()
    await record(
        session,
        account_id=conversation.account_id,
        type=events.MESSAGES_DELETED,
        conversation_id=conversation.id,
        payload={"conversation": {"id": conversation.id}, "all": True},
    )


async def do_post_activity(
    session: AsyncSession, conversation: Conversation, author: Author, activity: str
) -> None:
    """typing:start, typing:stop, conversation:read, or (from the customer's device)
    conversation:delivered: everything sent so far reached the device."""
    if activity not in ACTIVITIES:
        raise BadRequest(f"activity must be one of {', '.join(ACTIVITIES)}")
    if activity == "conversation:delivered" and author.type != "user":
        raise BadRequest("Only the customer's device reports delivery")
    now = clock.now()
    if author.type == "user":
        if author.user is None:
            raise BadRequest("A user author needs a user")
        participant = await queries.get_participant(session, conversation.id, author.user.id)
        if participant is None:
            raise BadRequest("The author is not a participant of this conversation")
        if activity == "conversation:read":
            participant.unread_count = 0
            participant.last_read = now
    elif activity == "conversation:read":
        conversation.business_last_read = now
    await session.flush()
    event_type = {
        "conversation:read": events.CONVERSATION_READ,
        "conversation:delivered": events.CONVERSATION_DELIVERED,
    }.get(activity, events.CONVERSATION_TYPING)
    payload: dict[str, Any] = {
        "conversation": {"id": conversation.id, "type": conversation.type},
        "activity": {"type": activity, "author": _author_json(author)},
    }
    if event_type == events.CONVERSATION_TYPING:
        payload["activity"]["typing"] = activity == "typing:start"
    await record(
        session,
        account_id=conversation.account_id,
        type=event_type,
        conversation_id=conversation.id,
        user_id=conversation.user_id,
        payload=payload,
        active_integration_id=conversation.active_switchboard_integration_id,
    )


def _author_json(author: Author) -> dict[str, Any]:
    body: dict[str, Any] = {"type": author.type}
    if author.user is not None:
        body["userId"] = author.user.id
    if author.display_name:
        body["displayName"] = author.display_name
    return body


async def do_set_control(
    session: AsyncSession, conversation: Conversation, *, active: str | None, pending: str | None
) -> None:
    """Switchboard state of a conversation; only the switchboard domain calls this."""
    conversation.active_switchboard_integration_id = active
    conversation.pending_switchboard_integration_id = pending
    await session.flush()


async def do_merge_users(session: AsyncSession, account: Account, source: EndUser, target: EndUser) -> None:
    """Fold an anonymous user's history into the identified user they logged in as.

    With multi-conversations the source's conversations simply change owner. Without, the
    target keeps one continuous conversation, so the source's messages are appended to it in
    their original order.
    """
    if source.id == target.id:
        return
    multi = account_queries.settings_of(account)["multiConvoEnabled"]
    target_default = await queries.get_default_conversation(session, target.id)
    source_conversations = list(
        await session.scalars(
            select(Conversation).where(Conversation.user_id == source.id).order_by(Conversation.created_at)
        )
    )
    for conversation in source_conversations:
        if conversation.type == "personal" and not multi and target_default is not None:
            await _append_history(session, conversation, target_default)
            await session.delete(conversation)
            continue
        conversation.user_id = target.id
        if conversation.type == "personal":
            conversation.is_default = target_default is None
            target_default = target_default or conversation
    await session.execute(
        update(Participant).where(Participant.user_id == source.id).values(user_id=target.id)
    )
    await session.execute(
        update(Message).where(Message.author_user_id == source.id).values(author_user_id=target.id)
    )
    await session.flush()
    await people_actions.do_remove_merged_user(session, source, target)


async def _append_history(session: AsyncSession, source: Conversation, target: Conversation) -> None:
    messages = list(
        await session.scalars(
            select(Message).where(Message.conversation_id == source.id).order_by(Message.seq)
        )
    )
    room = MAX_MESSAGES - target.message_count
    for message in messages[-room:] if room > 0 else []:
        target.last_seq += 1
        target.message_count += 1
        message.conversation_id = target.id
        message.seq = target.last_seq
        # Keep resend protection without colliding with the target's own client ids.
        if message.client_message_id is not None:
            message.client_message_id = f"merged:{message.client_message_id}"[:64]
    target.last_updated_at = clock.now()
    await session.flush()


async def do_login_user(
    session: AsyncSession, account: Account, token: str, anonymous: EndUser | None
) -> EndUser:
    """Verify the business-signed JWT, switch to the identified user and merge anonymous history."""
    claims = await people_actions.check_user_jwt(session, account, token)
    target = await people_actions.do_identify_user(session, account, claims)
    if anonymous is not None and anonymous.external_id is None and anonymous.id != target.id:
        await do_merge_users(session, account, anonymous, target)
    return target
