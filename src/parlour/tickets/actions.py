"""The only writers of tickets.

Lifecycle: New → Open (accepted) → Pending / On-hold → Solved → Closed. A customer reply to a
Solved ticket reopens it; Solved tickets close after the account's delay (a durable job);
closing hands the conversation back to the default switchboard integration.
"""

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from parlour.accounts import queries as account_queries
from parlour.accounts.models import Account
from parlour.conversations import queries as conversation_queries
from parlour.conversations.models import Conversation
from parlour.jobs.queue import enqueue
from parlour.lib import clock, ids
from parlour.lib.metadata import check_metadata
from parlour.outbox.recorder import record
from parlour.people import queries as people_queries
from parlour.switchboard import actions as switchboard_actions
from parlour.switchboard import builtin
from parlour.tickets import events, queries
from parlour.tickets.errors import InvalidTicket, TicketClosed
from parlour.tickets.models import Ticket, TicketNote

STATUSES = ("new", "open", "pending", "on_hold", "solved", "closed")
PRIORITIES = ("low", "normal", "high", "urgent")
TRANSITIONS: dict[str, set[str]] = {
    "new": {"open", "pending", "on_hold", "solved"},
    "open": {"pending", "on_hold", "solved"},
    "pending": {"open", "on_hold", "solved"},
    "on_hold": {"open", "pending", "solved"},
    "solved": {"open", "closed"},
    "closed": set(),
}
CLOSE_SOLVED_JOB = "tickets.close_solved"
MAX_TAGS = 50
MAX_TAG_LENGTH = 80
MAX_NOTE_LENGTH = 8000
MAX_NOTE_ATTACHMENTS = 10
_UNSET: Any = object()


def check_tags(tags: list[str]) -> list[str]:
    clean: list[str] = []
    for raw in tags:
        if not isinstance(raw, str):
            raise InvalidTicket("Tags are strings")
        tag = raw.strip().lower()
        if not tag or len(tag) > MAX_TAG_LENGTH or any(c.isspace() for c in tag):
            raise InvalidTicket(f"A tag is 1-{MAX_TAG_LENGTH} characters without spaces")
        if tag not in clean:
            clean.append(tag)
    if len(clean) > MAX_TAGS:
        raise InvalidTicket(f"A ticket has at most {MAX_TAGS} tags")
    return clean


async def do_open_ticket(
    session: AsyncSession,
    account: Account,
    conversation: Conversation,
    *,
    subject: str | None = None,
    group_id: str | None = None,
    priority: str = "normal",
) -> Ticket:
    """The conversation's working ticket: the current one, or a new one in status New."""
    current = await queries.get_current_ticket(session, conversation.id)
    if current is not None:
        return current
    if priority not in PRIORITIES:
        raise InvalidTicket(f"priority must be one of {', '.join(PRIORITIES)}")
    if group_id is not None:
        await people_queries.get_group_or_raise(session, account.id, group_id)
    now = clock.now()
    # Numbers are per account. On PostgreSQL, openers in parallel take turns on the account row
    # (FOR NO KEY UPDATE: it does not block the foreign-key checks of other writes), so each
    # reads the number the previous one committed instead of all colliding on the same one.
    # SQLite renders no lock: its writers are already queued one at a time.
    await session.execute(select(Account.id).where(Account.id == account.id).with_for_update(key_share=True))
    for _attempt in range(5):
        ticket = Ticket(
            id=ids.new_id(),
            account_id=account.id,
            number=await queries.next_number(session, account.id),
            conversation_id=conversation.id,
            requester_id=conversation.user_id,
            subject=(subject or "Conversation with customer")[:200],
            status="new",
            priority=priority,
            group_id=group_id,
            assignee_id=None,
            tags=[],
            custom_fields={},
            via="messaging",
            created_at=now,
            updated_at=now,
            waiting_since=now,
        )
        try:
            async with session.begin_nested():
                session.add(ticket)
                await session.flush()
        except IntegrityError:
            continue  # another process took this number; take the next one
        await _record(session, ticket, events.TICKET_CREATED)
        return ticket
    raise RuntimeError("could not allocate a ticket number")


async def do_update_ticket(
    session: AsyncSession,
    account: Account,
    ticket: Ticket,
    *,
    status: str = _UNSET,
    priority: str = _UNSET,
    group_id: str | None = _UNSET,
    assignee_id: str | None = _UNSET,
    tags: list[str] = _UNSET,
    custom_fields: dict[str, Any] = _UNSET,
    subject: str = _UNSET,
) -> Ticket:
    """Change what the caller passes; everything is checked before anything is written."""
    if ticket.status == "closed":
        raise TicketClosed()
    new_group = ticket.group_id if group_id is _UNSET else group_id
    new_assignee = ticket.assignee_id if assignee_id is _UNSET else assignee_id
    if group_id is not _UNSET and group_id is not None:
        await people_queries.get_group_or_raise(session, account.id, group_id)
    if assignee_id is not _UNSET and assignee_id is not None:
        staff = await people_queries.get_staff_or_raise(session, account.id, assignee_id)
        if not staff.active:
            raise InvalidTicket("The assignee is deactivated")
    changes_team = group_id is not _UNSET or assignee_id is not _UNSET
    if (
        changes_team
        and new_assignee is not None
        and new_group is not None
        and new_group not in await people_queries.groups_of_staff(session, new_assignee)
    ):
        raise InvalidTicket("The assignee is not a member of the ticket's group")
    if priority is not _UNSET and priority not in PRIORITIES:
        raise InvalidTicket(f"priority must be one of {', '.join(PRIORITIES)}")
    clean_tags = check_tags(tags) if tags is not _UNSET else None
    clean_fields = (
        check_metadata(custom_fields, field="customFields") if custom_fields is not _UNSET else None
    )
    if subject is not _UNSET and not 1 <= len(subject.strip()) <= 200:
        raise InvalidTicket("subject is 1-200 characters")

    target_status = ticket.status
    if status is not _UNSET:
        if status not in STATUSES:
            raise InvalidTicket(f"status must be one of {', '.join(STATUSES)}")
        if status != ticket.status and status not in TRANSITIONS[ticket.status]:
            raise InvalidTicket(f"A {ticket.status} ticket cannot become {status}")
        target_status = status
    elif ticket.status == "new" and assignee_id is not _UNSET and assignee_id is not None:
        target_status = "open"  # an agent accepting a new ticket opens it

    ticket.group_id = new_group
    ticket.assignee_id = new_assignee
    if priority is not _UNSET:
        ticket.priority = priority
    if clean_tags is not None:
        ticket.tags = clean_tags
    if custom_fields is not _UNSET:
        ticket.custom_fields = clean_fields or {}
    if subject is not _UNSET:
        ticket.subject = subject.strip()
    ticket.updated_at = clock.now()
    if target_status == "closed":
        await session.flush()
        await do_close_ticket(session, account, ticket, reason="closed")
        return ticket
    previous = ticket.status
    ticket.status = target_status
    await session.flush()
    await _record(session, ticket, events.TICKET_UPDATED)
    if target_status == "solved" and previous != "solved":
        await _schedule_close(session, account, ticket)
    return ticket


async def _schedule_close(session: AsyncSession, account: Account, ticket: Ticket) -> None:
    now = clock.now()
    ticket.solved_at = now
    await session.flush()
    delay = int(account_queries.settings_of(account)["solvedTicketCloseSeconds"])
    if delay == 0:
        await do_close_ticket(session, account, ticket, reason="solved")
        return
    solved_at = clock.iso(now)
    await enqueue(
        session,
        CLOSE_SOLVED_JOB,
        {"account_id": account.id, "ticket_id": ticket.id, "solved_at": solved_at},
        run_at=now + timedelta(seconds=delay),
        dedupe_key=f"{CLOSE_SOLVED_JOB}:{ticket.id}:{solved_at}",
    )


async def do_close_ticket(session: AsyncSession, account: Account, ticket: Ticket, *, reason: str) -> None:
    """Close for good and hand the conversation back to the default integration."""
    if ticket.status == "closed":
        return
    now = clock.now()
    ticket.status = "closed"
    ticket.closed_at = now
    ticket.updated_at = now
    await session.flush()
    await _record(session, ticket, events.TICKET_CLOSED)
    await _hand_back(session, account, ticket, reason=f"ticketClosed:{reason}")


async def do_close_if_still_solved(
    session: AsyncSession, account_id: str, ticket_id: str, solved_at: str
) -> bool:
    """The delayed job's work: close only if nothing reopened the ticket since it was solved."""
    account = await account_queries.get_account(session, account_id)
    ticket = await session.get(Ticket, ticket_id)
    if (
        account is None
        or ticket is None
        or ticket.status != "solved"
        or clock.iso(ticket.solved_at) != solved_at
    ):
        return False
    await do_close_ticket(session, account, ticket, reason="solved")
    return True


async def do_end_session(session: AsyncSession, account: Account, ticket: Ticket) -> None:
    """The agent ends the messaging session: status unchanged, the composer closes for this
    ticket, and the customer's next message starts a new ticket."""
    if ticket.session_ended_at is not None:
        return
    if ticket.status == "closed":
        raise TicketClosed()
    ticket.session_ended_at = clock.now()
    ticket.updated_at = ticket.session_ended_at
    await session.flush()
    await _record(session, ticket, events.TICKET_SESSION_ENDED)
    await _hand_back(session, account, ticket, reason="sessionEnded")


async def _hand_back(session: AsyncSession, account: Account, ticket: Ticket, *, reason: str) -> None:
    conversation = await conversation_queries.get_conversation(session, account.id, ticket.conversation_id)
    if conversation is not None:
        await switchboard_actions.release_by_type(
            session, account, conversation, builtin.AGENT_WORKSPACE, reason=reason
        )


async def do_reopen_on_customer_reply(session: AsyncSession, ticket: Ticket) -> None:
    if ticket.status != "solved":
        return
    ticket.status = "open" if ticket.assignee_id else "new"
    ticket.solved_at = None  # the pending close job sees this and does nothing
    ticket.updated_at = clock.now()
    await session.flush()
    await _record(session, ticket, events.TICKET_UPDATED)


async def _record(session: AsyncSession, ticket: Ticket, event_type: str) -> None:
    await record(
        session,
        account_id=ticket.account_id,
        type=event_type,
        conversation_id=ticket.conversation_id,
        user_id=ticket.requester_id,
        payload={"ticket": queries.ticket_json(ticket)},
    )


async def do_track_waiting(
    session: AsyncSession, ticket: Ticket, *, from_customer: bool, at: datetime
) -> None:
    """The customer waits from their first unanswered message until an agent's public reply."""
    if from_customer and ticket.waiting_since is None:
        ticket.waiting_since = at
    elif not from_customer and ticket.waiting_since is not None:
        ticket.waiting_since = None
    else:
        return
    await session.flush()


async def do_follow_message(
    session: AsyncSession,
    current: queries.CurrentTicket,
    *,
    from_customer: bool,
    agent_reply: bool,
    at: datetime,
) -> None:
    """What a new message in the conversation changes on its current ticket: a customer's reply
    reopens a Solved ticket and starts the wait for an answer; an agent's public reply ends it.

    Decided on the ticket's brief (`queries.get_current_ticket_brief`): the common case (a
    customer's next message while they already wait) changes nothing, and the ticket is then not
    loaded at all."""
    if from_customer:
        if current.status != "solved" and current.waiting_since is not None:
            return
    elif not agent_reply or current.waiting_since is None:
        return
    ticket = await queries.get_ticket_by_id(session, current.id)
    if ticket is None:
        return
    if from_customer:
        await do_reopen_on_customer_reply(session, ticket)
    await do_track_waiting(session, ticket, from_customer=from_customer, at=at)


def check_note(
    text: str, attachments: list[dict[str, Any]] | None = None
) -> tuple[str, list[dict[str, Any]]]:
    clean = text.strip()
    files = list(attachments or [])
    if not clean and not files:
        raise InvalidTicket("A note needs text or an attachment")
    if len(clean) > MAX_NOTE_LENGTH:
        raise InvalidTicket(f"A note is at most {MAX_NOTE_LENGTH} characters")
    if len(files) > MAX_NOTE_ATTACHMENTS:
        raise InvalidTicket(f"A note has at most {MAX_NOTE_ATTACHMENTS} attachments")
    return clean, files


async def do_add_note(
    session: AsyncSession,
    ticket: Ticket,
    *,
    text: str,
    author_name: str,
    author_staff_id: str | None = None,
    author_type: str = "staff",
    attachments: list[dict[str, Any]] | None = None,
) -> TicketNote:
    """An internal note on the ticket: recorded for staff streams only (never the customer's
    stream, never webhooks: `ticket:note` is in neither list)."""
    if ticket.status == "closed":
        raise TicketClosed()
    clean, files = check_note(text, attachments)
    note = TicketNote(
        id=ids.new_id(),
        account_id=ticket.account_id,
        ticket_id=ticket.id,
        conversation_id=ticket.conversation_id,
        author_type=author_type,
        author_staff_id=author_staff_id,
        author_name=author_name[:128],
        text=clean,
        attachments=files,
        created_at=clock.now(),
    )
    session.add(note)
    await session.flush()
    await record(
        session,
        account_id=ticket.account_id,
        type=events.TICKET_NOTE,
        conversation_id=ticket.conversation_id,
        user_id=ticket.requester_id,
        payload={"note": queries.note_json(note), "ticket": {"id": ticket.id, "number": ticket.number}},
    )
    return note


async def do_edit_ticket(session: AsyncSession, account: Account, ticket: Ticket, **changes: Any) -> Ticket:
    """An agent's edit of the ticket's fields (those of do_update_ticket). A new group without a
    named assignee is a transfer: the assignee stays only if the new group is theirs (do_transfer)."""
    if "group_id" in changes and "assignee_id" not in changes:
        ticket = await do_transfer(
            session, account, ticket, group_id=changes.pop("group_id"), assignee_id=None
        )
    if changes:
        ticket = await do_update_ticket(session, account, ticket, **changes)
    return ticket


async def do_transfer(
    session: AsyncSession, account: Account, ticket: Ticket, *, group_id: str | None, assignee_id: str | None
) -> Ticket:
    """Move the ticket to a group and/or agent. Without an agent, the current assignee keeps it
    when they belong to the new group, or when the ticket leaves every group; otherwise it goes
    back to the group's queue."""
    if assignee_id is None and ticket.assignee_id is not None:
        keeps = group_id is None or group_id in await people_queries.groups_of_staff(
            session, ticket.assignee_id
        )
        assignee_id = ticket.assignee_id if keeps else None
    return await do_update_ticket(session, account, ticket, group_id=group_id, assignee_id=assignee_id)
