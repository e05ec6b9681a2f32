"""Reads for conversations, participants and messages, and their API shapes."""

from typing import Any, cast

from sqlalchemy import Table, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from parlour.conversations.errors import ConversationNotFound, MessageNotFound
from parlour.conversations.models import Conversation, Message, Participant
from parlour.db import Prepared, adopt
from parlour.lib import clock
from parlour.lib.pagination import Page, PageRequest

MESSAGES_PAGE = 100


async def get_conversation(
    session: AsyncSession, account_id: str, conversation_id: str
) -> Conversation | None:
    conversation = await session.get(Conversation, conversation_id)
    return conversation if conversation is not None and conversation.account_id == account_id else None


# Built once: every message a customer sends starts here.
_conversations = cast(Table, Conversation.__table__)
_participants = cast(Table, Participant.__table__)
_OF_PARTICIPANT = Prepared(
    select(*_conversations.c)
    .join(_participants, _participants.c.conversation_id == _conversations.c.id)
    .where(
        _conversations.c.id == bindparam("conversation"),
        _conversations.c.account_id == bindparam("account"),
        _participants.c.user_id == bindparam("user"),
    )
)


async def get_conversation_of_participant(
    session: AsyncSession, account_id: str, conversation_id: str, user_id: str
) -> Conversation | None:
    """The conversation, if `user_id` takes part in it: one query for both."""
    row = await _OF_PARTICIPANT.first(
        session, {"conversation": conversation_id, "account": account_id, "user": user_id}
    )
    return None if row is None else adopt(session, Conversation, row)


async def get_conversation_or_raise(
    session: AsyncSession, account_id: str, conversation_id: str
) -> Conversation:
    conversation = await get_conversation(session, account_id, conversation_id)
    if conversation is None:
        raise ConversationNotFound()
    return conversation


async def list_conversations_of_user(
    session: AsyncSession, account_id: str, user_id: str, page: PageRequest
) -> Page[Conversation]:
    base = (
        select(Conversation)
        .join(Participant, Participant.conversation_id == Conversation.id)
        .where(Participant.user_id == user_id, Conversation.account_id == account_id)
    )
    return await _page_by_id(session, base, Conversation.id, page)


async def count_personal_conversations(session: AsyncSession, user_id: str) -> int:
    return int(
        await session.scalar(
            select(func.count()).where(Conversation.user_id == user_id, Conversation.type == "personal")
        )
        or 0
    )


async def get_default_conversation(session: AsyncSession, user_id: str) -> Conversation | None:
    found: Conversation | None = await session.scalar(
        select(Conversation)
        .where(Conversation.user_id == user_id, Conversation.type == "personal")
        .order_by(Conversation.is_default.desc(), Conversation.created_at)
        .limit(1)
    )
    return found


async def list_participants(
    session: AsyncSession, conversation_id: str, page: PageRequest
) -> Page[Participant]:
    base = select(Participant).where(Participant.conversation_id == conversation_id)
    return await _page_by_id(session, base, Participant.id, page)


async def get_participant(session: AsyncSession, conversation_id: str, user_id: str) -> Participant | None:
    found: Participant | None = await session.scalar(
        select(Participant).where(
            Participant.conversation_id == conversation_id, Participant.user_id == user_id
        )
    )
    return found


async def participant_users(session: AsyncSession, conversation_id: str) -> list[str]:
    return list(
        await session.scalars(
            select(Participant.user_id).where(Participant.conversation_id == conversation_id)
        )
    )


async def get_message_or_raise(session: AsyncSession, conversation: Conversation, message_id: str) -> Message:
    message = await session.get(Message, message_id)
    if message is None or message.conversation_id != conversation.id:
        raise MessageNotFound()
    return message


async def get_message_by_client_id(
    session: AsyncSession, conversation_id: str, client_message_id: str
) -> Message | None:
    found: Message | None = await session.scalar(
        select(Message).where(
            Message.conversation_id == conversation_id, Message.client_message_id == client_message_id
        )
    )
    return found


async def list_messages(
    session: AsyncSession, conversation: Conversation, page: PageRequest
) -> Page[Message]:
    """Messages in order. Without a cursor: the latest page; `before` goes back, `after` forward."""
    size = MESSAGES_PAGE
    base = select(Message).where(Message.conversation_id == conversation.id)
    if page.after is not None:
        anchor = await _seq_of(session, conversation.id, page.after)
        rows = list(
            await session.scalars(base.where(Message.seq > anchor).order_by(Message.seq).limit(size + 1))
        )
        has_more = len(rows) > size
        rows = rows[:size]
    else:
        query = base
        if page.before is not None:
            query = query.where(Message.seq < await _seq_of(session, conversation.id, page.before))
        rows = list(await session.scalars(query.order_by(Message.seq.desc()).limit(size + 1)))
        has_more = len(rows) > size
        rows = list(reversed(rows[:size]))
    return Page(
        items=rows,
        has_more=has_more,
        after_cursor=rows[-1].id if rows else None,
        before_cursor=rows[0].id if rows else None,
    )


async def _seq_of(session: AsyncSession, conversation_id: str, message_id: str) -> int:
    seq = await session.scalar(
        select(Message.seq).where(Message.id == message_id, Message.conversation_id == conversation_id)
    )
    if seq is None:
        raise MessageNotFound("The message named by the page cursor is not in this conversation")
    return int(seq)


async def _page_by_id(session: AsyncSession, base: Any, id_column: Any, page: PageRequest) -> Page[Any]:
    if page.before is not None:
        rows = list(
            await session.scalars(
                base.where(id_column < page.before).order_by(id_column.desc()).limit(page.size + 1)
            )
        )
        has_more = len(rows) > page.size
        rows = list(reversed(rows[: page.size]))
    else:
        query = base.where(id_column > page.after) if page.after is not None else base
        rows = list(await session.scalars(query.order_by(id_column).limit(page.size + 1)))
        has_more = len(rows) > page.size
        rows = rows[: page.size]
    return Page(
        items=rows,
        has_more=has_more,
        after_cursor=rows[-1].id if rows else None,
        before_cursor=rows[0].id if rows else None,
    )


def conversation_json(
    conversation: Conversation,
    active: dict[str, Any] | None = None,
    pending: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "id": conversation.id,
        "type": conversation.type,
        "isDefault": conversation.is_default,
        "displayName": conversation.display_name,
        "description": conversation.description,
        "iconUrl": conversation.icon_url,
        "metadata": conversation.metadata_ or {},
        "businessLastRead": clock.iso(conversation.business_last_read),
        "lastUpdatedAt": clock.iso(conversation.last_updated_at or conversation.created_at),
        "createdAt": clock.iso(conversation.created_at),
        "activeSwitchboardIntegration": active,
        "pendingSwitchboardIntegration": pending,
    }


def participant_json(participant: Participant, external_id: str | None) -> dict[str, Any]:
    return {
        "id": participant.id,
        "userId": participant.user_id,
        "userExternalId": external_id,
        "unreadCount": participant.unread_count,
        "lastRead": clock.iso(participant.last_read),
        "clientAssociations": [],
    }


def message_json(message: Message) -> dict[str, Any]:
    author: dict[str, Any] = {"type": message.author_type}
    if message.author_subtype:
        author["subtypes"] = [message.author_subtype]
    if message.author_user_id:
        author["userId"] = message.author_user_id
    if message.author_display_name:
        author["displayName"] = message.author_display_name
    if message.author_avatar_url:
        author["avatarUrl"] = message.author_avatar_url
    body: dict[str, Any] = {
        "id": message.id,
        "received": clock.iso(message.received),
        "author": author,
        "content": message.content,
        "source": message.source,
        "metadata": message.metadata_,
    }
    if message.client_message_id:
        body["clientMessageId"] = message.client_message_id
    return body
