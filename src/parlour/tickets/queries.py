"""Reads for tickets."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, and_, bindparam, false, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from parlour.db import Prepared
from parlour.lib import clock
from parlour.lib.errors import NotFound
from parlour.people import queries as people_queries
from parlour.tickets.errors import TicketNotFound
from parlour.tickets.models import Ticket, TicketNote

# Statuses of a ticket still being worked: a conversation has at most one at a time.
ACTIVE_STATUSES = ("new", "open", "pending", "on_hold", "solved")


async def get_ticket_or_raise(session: AsyncSession, account_id: str, ticket_id: str) -> Ticket:
    ticket = await session.get(Ticket, ticket_id)
    if ticket is None or ticket.account_id != account_id:
        raise TicketNotFound()
    return ticket


# Built once: every message to the agent workspace looks its ticket up.
_CURRENT = (
    select(Ticket)
    .where(Ticket.conversation_id == bindparam("conversation"), Ticket.status.in_(ACTIVE_STATUSES))
    .where(Ticket.session_ended_at.is_(None))
    .order_by(Ticket.created_at.desc())
    .limit(1)
)


async def get_current_ticket(session: AsyncSession, conversation_id: str) -> Ticket | None:
    """The conversation's ticket that is not closed and whose session was not ended."""
    found: Ticket | None = await session.scalar(_CURRENT, {"conversation": conversation_id})
    return found


@dataclass(frozen=True)
class CurrentTicket:
    """What a message needs to know of its conversation's current ticket to decide whether the
    ticket changes at all: usually it does not, and the whole row is not loaded."""

    id: str
    status: str
    waiting_since: datetime | None


# On the table, not the mapped class, and without an IN list: an ORM select and an expanding IN
# each cost more per execution than the read itself. Every status but closed is active.
_tickets = cast(Table, Ticket.__table__)
_CURRENT_BRIEF = Prepared(
    select(_tickets.c.id, _tickets.c.status, _tickets.c.waiting_since)
    .where(_tickets.c.conversation_id == bindparam("conversation"), _tickets.c.status != "closed")
    .where(_tickets.c.session_ended_at.is_(None))
    .order_by(_tickets.c.created_at.desc())
    .limit(1)
)


async def get_current_ticket_brief(session: AsyncSession, conversation_id: str) -> CurrentTicket | None:
    """`get_current_ticket`, only the columns that decide what a new message changes."""
    row = await _CURRENT_BRIEF.first(session, {"conversation": conversation_id})
    return None if row is None else CurrentTicket(*row)


async def get_ticket_by_id(session: AsyncSession, ticket_id: str) -> Ticket | None:
    return await session.get(Ticket, ticket_id)


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
        "waitingSince": clock.iso(ticket.waiting_since),
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


# The workspace's views. "Open" is what still needs an agent: new, open and on-hold tickets.
UNSOLVED = ("new", "open", "on_hold")
VIEWS = ("mine", "unassigned", "open", "pending", "solved")
VIEW_LIMIT = 200


@dataclass(frozen=True)
class Reach:
    """Which tickets a staff member may work: admins all; agents those assigned to them, in one
    of their groups, or in no group."""

    staff_id: str
    is_admin: bool
    group_ids: frozenset[str]

    def allows(self, ticket: Ticket) -> bool:
        return (
            self.is_admin
            or ticket.assignee_id == self.staff_id
            or ticket.group_id is None
            or ticket.group_id in self.group_ids
        )

    def condition(self) -> ColumnElement[bool]:
        if self.is_admin:
            return true()
        return or_(
            Ticket.assignee_id == self.staff_id,
            Ticket.group_id.is_(None),
            Ticket.group_id.in_(self.group_ids) if self.group_ids else false(),
        )


def _view_condition(view: str, reach: Reach) -> ColumnElement[bool]:
    if view == "mine":
        return and_(Ticket.assignee_id == reach.staff_id, Ticket.status.in_(UNSOLVED))
    if view == "unassigned":
        return and_(Ticket.assignee_id.is_(None), Ticket.status.in_(UNSOLVED), reach.condition())
    if view == "open":
        return and_(Ticket.status.in_(UNSOLVED), reach.condition())
    if view == "pending":
        return and_(Ticket.status == "pending", reach.condition())
    return and_(Ticket.status == "solved", reach.condition())


async def list_view(session: AsyncSession, account_id: str, view: str, reach: Reach) -> list[Ticket]:
    """The view's tickets, the customer waiting longest first (then the oldest ticket)."""
    rows = await session.scalars(
        select(Ticket)
        .where(Ticket.account_id == account_id, _view_condition(view, reach))
        .order_by(Ticket.waiting_since.is_(None), Ticket.waiting_since, Ticket.created_at)
        .limit(VIEW_LIMIT)
    )
    return list(rows)


async def count_views(session: AsyncSession, account_id: str, reach: Reach) -> dict[str, int]:
    counts: dict[str, int] = {}
    for view in VIEWS:
        found = await session.scalar(
            select(func.count())
            .select_from(Ticket)
            .where(Ticket.account_id == account_id, _view_condition(view, reach))
        )
        counts[view] = int(found or 0)
    return counts


async def list_tickets_of_requester(
    session: AsyncSession, account_id: str, requester_id: str
) -> list[Ticket]:
    rows = await session.scalars(
        select(Ticket)
        .where(Ticket.account_id == account_id, Ticket.requester_id == requester_id)
        .order_by(Ticket.number.desc())
        .limit(50)
    )
    return list(rows)


async def list_notes_of_conversation(session: AsyncSession, conversation_id: str) -> list[TicketNote]:
    rows = await session.scalars(
        select(TicketNote)
        .where(TicketNote.conversation_id == conversation_id)
        .order_by(TicketNote.created_at, TicketNote.id)
        .limit(1000)
    )
    return list(rows)


def note_json(note: TicketNote) -> dict[str, Any]:
    return {
        "id": note.id,
        "ticketId": note.ticket_id,
        "conversationId": note.conversation_id,
        "author": {"type": note.author_type, "staffId": note.author_staff_id, "name": note.author_name},
        "text": note.text,
        "attachments": note.attachments,
        "createdAt": clock.iso(note.created_at),
    }


async def group_exists(session: AsyncSession, account_id: str, group_id: str) -> bool:
    try:
        await people_queries.get_group_or_raise(session, account_id, group_id)
    except NotFound:
        return False
    return True
