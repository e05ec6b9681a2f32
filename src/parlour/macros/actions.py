"""The only writers of macros, and applying one to a ticket.

A macro's actions are checked when it is saved (the group exists, tags are valid) and applied
through the tickets domain, so a ticket's own rules still hold when a macro runs.
"""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from parlour.accounts.models import Account
from parlour.lib import clock, ids
from parlour.lib.errors import ParlourError
from parlour.macros import queries
from parlour.macros.errors import InvalidMacro
from parlour.macros.models import Macro
from parlour.people import queries as people_queries
from parlour.tickets import actions as ticket_actions
from parlour.tickets import queries as ticket_queries
from parlour.tickets.models import Ticket

ACTION_KEYS = ("status", "priority", "groupId", "addTags", "removeTags")
MAX_MACROS_PER_OWNER = 500


async def check_actions(session: AsyncSession, account: Account, actions: dict[str, Any]) -> dict[str, Any]:
    """Keep only set actions, in a stable shape; refuse unknown groups and invalid tags."""
    clean: dict[str, Any] = {}
    for key in ACTION_KEYS:
        value = actions.get(key)
        if value in (None, []):
            continue
        clean[key] = value
    unknown = set(actions) - set(ACTION_KEYS)
    if unknown:
        raise InvalidMacro(f"Unknown macro action: {sorted(unknown)[0]}")
    if "groupId" in clean:
        await people_queries.get_group_or_raise(session, account.id, str(clean["groupId"]))
    try:
        for key in ("addTags", "removeTags"):
            if key in clean:
                clean[key] = ticket_actions.check_tags(list(clean[key]))
    except ParlourError as exc:
        raise InvalidMacro(exc.title) from None
    if clean.get("status") is not None and clean["status"] not in ticket_actions.STATUSES:
        raise InvalidMacro("Unknown status")
    if clean.get("priority") is not None and clean["priority"] not in ticket_actions.PRIORITIES:
        raise InvalidMacro("Unknown priority")
    return clean


def _check_title(title: str) -> str:
    clean = title.strip()
    if not 1 <= len(clean) <= 120:
        raise InvalidMacro("A title is 1-120 characters")
    return clean


async def do_create_macro(
    session: AsyncSession,
    account: Account,
    *,
    title: str,
    text: str = "",
    actions: dict[str, Any] | None = None,
    owner_staff_id: str | None = None,
) -> Macro:
    """`owner_staff_id` None makes a shared macro (the admin center's); else a personal one."""
    clean_actions = await check_actions(session, account, actions or {})
    if not text.strip() and not clean_actions:
        raise InvalidMacro("A macro needs a reply text or at least one action")
    if owner_staff_id is not None:
        await people_queries.get_staff_or_raise(session, account.id, owner_staff_id)
    if await queries.count_macros(session, account.id, owner_staff_id) >= MAX_MACROS_PER_OWNER:
        raise InvalidMacro(f"At most {MAX_MACROS_PER_OWNER} macros per owner, and as many shared")
    now = clock.now()
    macro = Macro(
        id=ids.new_id(),
        account_id=account.id,
        owner_staff_id=owner_staff_id,
        title=_check_title(title),
        text=text.strip(),
        actions=clean_actions,
        created_at=now,
        updated_at=now,
    )
    session.add(macro)
    await session.flush()
    return macro


async def do_update_macro(
    session: AsyncSession,
    account: Account,
    macro: Macro,
    *,
    title: str | None = None,
    text: str | None = None,
    actions: dict[str, Any] | None = None,
) -> Macro:
    new_title = _check_title(title) if title is not None else macro.title
    new_text = text.strip() if text is not None else macro.text
    new_actions = await check_actions(session, account, actions) if actions is not None else macro.actions
    if not new_text and not new_actions:
        raise InvalidMacro("A macro needs a reply text or at least one action")
    macro.title, macro.text, macro.actions = new_title, new_text, new_actions
    macro.updated_at = clock.now()
    await session.flush()
    return macro


async def do_delete_macro(session: AsyncSession, macro: Macro) -> None:
    await session.delete(macro)
    await session.flush()


async def do_apply_macro(session: AsyncSession, account: Account, macro: Macro, ticket: Ticket) -> Ticket:
    """Run the macro's actions on the ticket (the reply text is the caller's to send)."""
    actions = macro.actions
    changes: dict[str, Any] = {}
    if actions.get("status"):
        changes["status"] = actions["status"]
    if actions.get("priority"):
        changes["priority"] = actions["priority"]
    # A group deleted since the macro was written is skipped: the macro's other actions still apply.
    # A move to another group is a transfer (tickets.actions.do_edit_ticket decides the assignee).
    if actions.get("groupId") and await ticket_queries.group_exists(
        session, account.id, str(actions["groupId"])
    ):
        changes["group_id"] = str(actions["groupId"])
    if actions.get("addTags") or actions.get("removeTags"):
        removed = set(actions.get("removeTags", []))
        tags = [t for t in ticket.tags if t not in removed]
        tags += [t for t in actions.get("addTags", []) if t not in tags]
        changes["tags"] = tags
    if not changes:
        return ticket
    return await ticket_actions.do_edit_ticket(session, account, ticket, **changes)
