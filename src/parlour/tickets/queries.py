"""Reads for tickets."""

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from parlour.lib import clock
from parlour.tickets.errors import TicketNotFound
from parlour.tickets.models import Ticket

# Statuses of a ticket still being worked: a conversation has at most one at a time.
ACTIVE_STATUSES = ("new", "open", "pending", "on_hold", "solved")


async def get_ticket_or_raise(session: AsyncSession, account_id: str, ticket_id: str) -> Ticket:
    ticket = await session.get(Ticket, ticket_id)
    if ticket is None or ticket.account_id != account_id:
        raise TicketNotFound()
    return ticket


async def get_current_ticket(session: AsyncSession, conversation_id: str) -> Ticket | None:
    """The conversation's ticket that is not closed and whose session was not ended."""
    found: Ticket | None = await session.scalar(
        select(Ticket)
        .where(Ticket.conversation_id == conversation_id, Ticket.status.in_(ACTIVE_STATUSES))
        .where(Ticket.session_ended_at.is_(None))
        .order_by(Ticket.created_at.desc())
        .limit(1)
    )
    return found


async def list_tickets_of_conversation(session: AsyncSession, conversation_id: str) -> list[Ticket]:
    rows = await session.scalars(
        select(Ticket).where(Ticket.conversation_id == conversation_id).order_by(Ticket.number)
    )
    return list(rows)


async def next_number(session: AsyncSession, account_id: str) -> int:
    current = await session.scalar(select(func.max(Ticket.number)).where(Ticket.account_id == account_id))
    return int(current or 0) + 1


def ticket_json(ticket: Ticket) -> dict[str, Any]:
    return {
        "id": ticket.id,
        "number": ticket.number,
        "conversationId": ticket.conversation_id,
        "requesterId": ticket.requester_id,
        "subject": ticket.subject,
        "status": ticket.status,
        "priority": ticket.priority,
        "groupId": ticket.group_id,
        "assigneeId": ticket.assignee_id,
        "tags": ticket.tags,
        "customFields": ticket.custom_fields,
        "via": ticket.via,
        "createdAt": clock.iso(ticket.created_at),
        "updatedAt": clock.iso(ticket.updated_at),
        "solvedAt": clock.iso(ticket.solved_at),
        "closedAt": clock.iso(ticket.closed_at),
        "sessionEndedAt": clock.iso(ticket.session_ended_at),
    }


async def list_current_tickets(session: AsyncSession, account_id: str, limit: int = 20_000) -> list[Ticket]:
    """Tickets still being worked in the account (what an agent's live view is made of)."""
    rows = await session.scalars(
        select(Ticket)
        .where(Ticket.account_id == account_id, Ticket.status.in_(ACTIVE_STATUSES))
        .where(Ticket.session_ended_at.is_(None))
        .order_by(Ticket.created_at)
        .limit(limit)
    )
    return list(rows)
