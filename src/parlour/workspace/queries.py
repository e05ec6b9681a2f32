"""What the workspace pages read: views with their customers, and a ticket with everything an
agent needs beside it (conversation, notes, customer, previous tickets, read state)."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from parlour.conversations import queries as conversation_queries
from parlour.conversations.errors import ConversationNotFound
from parlour.lib import clock
from parlour.lib.pagination import PageRequest
from parlour.people import queries as people_queries
from parlour.people.models import EndUser
from parlour.tickets import queries as ticket_queries
from parlour.tickets.errors import TicketNotFound
from parlour.tickets.models import Ticket
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


async def ticket_detail_json(session: AsyncSession, auth: StaffAuth, ticket: Ticket) -> dict[str, Any]:
    conversation = await conversation_queries.get_conversation(
        session, auth.account.id, ticket.conversation_id
    )
    if conversation is None:
        raise ConversationNotFound()
    user = await people_queries.get_user(session, auth.account.id, ticket.requester_id)
    page = await conversation_queries.list_messages(session, conversation, PageRequest())
    notes = await ticket_queries.list_notes_of_conversation(session, conversation.id)
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
