"""Reads for macros."""

from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from parlour.lib import clock
from parlour.macros.errors import MacroNotFound
from parlour.macros.models import Macro


async def get_macro_or_raise(session: AsyncSession, account_id: str, macro_id: str) -> Macro:
    macro = await session.get(Macro, macro_id)
    if macro is None or macro.account_id != account_id:
        raise MacroNotFound()
    return macro


async def list_macros(session: AsyncSession, account_id: str, *, staff_id: str | None) -> list[Macro]:
    """Shared macros, plus the staff member's personal ones when `staff_id` is given."""
    mine = Macro.owner_staff_id == staff_id if staff_id else Macro.owner_staff_id.is_(None)
    rows = await session.scalars(
        select(Macro)
        .where(Macro.account_id == account_id, or_(Macro.owner_staff_id.is_(None), mine))
        .order_by(Macro.title, Macro.id)
        .limit(1000)
    )
    return list(rows)


async def list_shared_macros(session: AsyncSession, account_id: str) -> list[Macro]:
    return await list_macros(session, account_id, staff_id=None)


def may_use(macro: Macro, staff_id: str) -> bool:
    return macro.owner_staff_id is None or macro.owner_staff_id == staff_id


def macro_json(macro: Macro) -> dict[str, Any]:
    return {
        "id": macro.id,
        "title": macro.title,
        "text": macro.text,
        "actions": macro.actions,
        "shared": macro.owner_staff_id is None,
        "ownerStaffId": macro.owner_staff_id,
        "createdAt": clock.iso(macro.created_at),
        "updatedAt": clock.iso(macro.updated_at),
    }


async def count_macros(session: AsyncSession, account_id: str, owner_staff_id: str | None) -> int:
    owner = Macro.owner_staff_id == owner_staff_id if owner_staff_id else Macro.owner_staff_id.is_(None)
    found = await session.scalar(
        select(func.count()).select_from(Macro).where(Macro.account_id == account_id, owner)
    )
    return int(found or 0)
