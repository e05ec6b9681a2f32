"""What the workspace pages read: views with their customers, and a ticket with everything an
agent needs beside it (conversation, notes, customer, previous tickets, read state)."""

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from parlour.conversations import queries as conversation_queries
from parlour.conversations.errors import ConversationNotFound
from parlour.conversations.models import Conversation, Message
from parlour.lib import clock
from parlour.lib.pagination import Page, PageRequest
from parlour.people import queries as people_queries
from parlour.people.models import EndUser
from parlour.tickets import queries as ticket_queries
from parlour.tickets.errors import TicketNotFound
from parlour.tickets.models import Ticket, TicketNote
from parlour.workspace.auth import StaffAuth


def reach_of(auth: StaffAuth) -> ticket_queries.Reach:
    return ticket_queries.Reach(auth.staff.id, auth.is_admin, auth.group_ids)


async def get_ticket_in_reach(session: AsyncSession, auth: StaffAuth, ticket_id: str) -> Ticket:
    """The ticket if this staff member may work it; other accounts' and out-of-reach ids look
    the same: not found."""
    ticket = await ticket_queries.get_ticket_or_raise(session, auth.account.id, ticket_id)
    reach = reach_of(auth)
    if not reach.allows(ticket):
        raise TicketNotFound()
    # A ticket shows its whole conversation, so an earlier ticket must not open a conversation
    # that is now another group's: its current ticket decides.
    current = await ticket_queries.get_current_ticket(session, ticket.conversation_id)
    if current is not None and current.id != ticket.id and not reach.allows(current):
        raise TicketNotFound()
    return ticket


def requester_json(user: EndUser | None) -> dict[str, Any]:
    if user is None:
        return {"id": None, "name": "Deleted customer", "email": None}
    return {
        "id": user.id,
        "name": people_queries.display_name(user),
        "email": user.email,
        "emailVerified": user.email_verified,
        "authenticated": user.authenticated,
    }


async def view_json(session: AsyncSession, auth: StaffAuth, view: str) -> dict[str, Any]:
    reach = reach_of(auth)
    tickets = await ticket_queries.list_view(session, auth.account.id, view, reach)
    users = await people_queries.get_users(session, auth.account.id, [t.requester_id for t in tickets])
    return {
        "view": view,
        "tickets": [
            {**ticket_queries.ticket_json(t), "requester": requester_json(users.get(t.requester_id))}
            for t in tickets
        ],
        "counts": await ticket_queries.count_views(session, auth.account.id, reach),
    }


async def _conversation_of(session: AsyncSession, auth: StaffAuth, ticket: Ticket) -> Conversation:
    conversation = await conversation_queries.get_conversation(
        session, auth.account.id, ticket.conversation_id
    )
    if conversation is None:
        raise ConversationNotFound()
    return conversation


async def _notes_between(
    session: AsyncSession, conversation_id: str, page: Page[Message], until: datetime | None
) -> list[TicketNote]:
    """The notes written in the period a page of messages covers: from its first message (from the
    start when no earlier page exists) to the first message of the page after it (`until`). The
    periods of successive pages meet without overlapping, so every note shows once, in its place."""
    since = page.items[0].received if page.has_more and page.items else None
    return [
        note
        for note in await ticket_queries.list_notes_of_conversation(session, conversation_id)
        if (since is None or note.created_at >= since) and (until is None or note.created_at < until)
    ]


async def earlier_messages(
    session: AsyncSession, auth: StaffAuth, ticket: Ticket, before: str
) -> tuple[Page[Message], list[TicketNote]]:
    """The page of messages before message `before` of the ticket's conversation, with the notes of
    that period."""
    conversation = await _conversation_of(session, auth, ticket)
    anchor = await conversation_queries.get_message_or_raise(session, conversation, before)
    page = await conversation_queries.list_messages(session, conversation, PageRequest(before=before))
    return page, await _notes_between(session, conversation.id, page, anchor.received)


async def ticket_detail_json(session: AsyncSession, auth: StaffAuth, ticket: Ticket) -> dict[str, Any]:
    conversation = await _conversation_of(session, auth, ticket)
    user = await people_queries.get_user(session, auth.account.id, ticket.requester_id)
    page = await conversation_queries.list_messages(session, conversation, PageRequest())
    # Notes of earlier periods come with the earlier messages (GET .../messages?page[before]=).
    notes = await _notes_between(session, conversation.id, page, None)
    participant = await conversation_queries.get_participant(session, conversation.id, ticket.requester_id)
    reach = reach_of(auth)
    history = await ticket_queries.list_tickets_of_requester(session, auth.account.id, ticket.requester_id)
    current = await ticket_queries.get_current_ticket(session, conversation.id)
    return {
        "ticket": ticket_queries.ticket_json(ticket),
        "conversation": {
            "id": conversation.id,
            "businessLastRead": clock.iso(conversation.business_last_read),
            "customerLastRead": clock.iso(participant.last_read if participant else None),
            "hasEarlierMessages": page.has_more,
            # Replies go to the conversation's current ticket; an ended session or a closed
            # ticket closes the composer here.
            "composerOpen": current is not None and current.id == ticket.id,
        },
        "messages": [conversation_queries.message_json(m) for m in page.items],
        "notes": [ticket_queries.note_json(n) for n in notes],
        "requester": {
            **requester_json(user),
            "user": people_queries.user_json(user) if user else None,
            "context": people_queries.user_context(user) if user else None,
        },
        "previousTickets": [
            {
                "id": t.id,
                "number": t.number,
                # Another group's ticket is listed (it is the same customer) but not described.
                "subject": t.subject if reach.allows(t) else None,
                "status": t.status,
                "createdAt": clock.iso(t.created_at),
                "inReach": reach.allows(t),
            }
            for t in history
            if t.id != ticket.id
        ],
    }
