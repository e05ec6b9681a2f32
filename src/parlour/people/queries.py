"""Reads for staff, groups and end users."""

import asyncio
from datetime import datetime
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from parlour.lib import clock, sealing
from parlour.people.errors import GroupNotFound, StaffNotFound, UserNotFound
from parlour.people.models import EndUser, Group, GroupMembership, SignInFailure, Staff, StaffSession

hasher = PasswordHasher()
# Verifying against this when the email is unknown keeps both failures equally slow.
_DUMMY_HASH = hasher.hash("not-a-real-password")


# argon2 costs about 0.1 s of CPU by design. On the event loop's thread that stopped every stream
# of the process for as long at each staff sign-in; argon2-cffi releases the GIL, so a thread of
# its own lets the loop go on meanwhile.
async def hash_password(password: str) -> str:
    return await asyncio.to_thread(hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether `password` matches; with no hash (an unknown email), as slowly as with one."""
    try:
        return await asyncio.to_thread(hasher.verify, password_hash or _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return False


async def get_user(session: AsyncSession, account_id: str, user_id: str) -> EndUser | None:
    user = await session.get(EndUser, user_id)
    return user if user is not None and user.account_id == account_id else None


async def get_user_by_external_id(session: AsyncSession, account_id: str, external_id: str) -> EndUser | None:
    found: EndUser | None = await session.scalar(
        select(EndUser).where(EndUser.account_id == account_id, EndUser.external_id == external_id)
    )
    return found


async def get_user_or_raise(session: AsyncSession, account_id: str, id_or_external_id: str) -> EndUser:
    """The server API addresses users by id or by external id, id first."""
    user = await get_user(session, account_id, id_or_external_id)
    if user is None:
        user = await get_user_by_external_id(session, account_id, id_or_external_id)
    if user is None:
        raise UserNotFound()
    return user


async def get_user_by_client_token(session: AsyncSession, account_id: str, token: str) -> EndUser | None:
    found: EndUser | None = await session.scalar(
        select(EndUser).where(
            EndUser.client_token_digest == sealing.digest(token), EndUser.account_id == account_id
        )
    )
    return found


async def list_users_by_email(session: AsyncSession, account_id: str, email: str) -> list[EndUser]:
    rows = await session.scalars(
        select(EndUser)
        .where(EndUser.account_id == account_id, EndUser.email == email)
        .order_by(EndUser.id)
        .limit(100)
    )
    return list(rows)


def user_json(user: EndUser) -> dict[str, Any]:
    identities = []
    if user.email:
        identities.append(
            {
                "type": "email",
                "value": user.email,
                "verification": "verified" if user.email_verified else "unverified",
            }
        )
    return {
        "id": user.id,
        "externalId": user.external_id,
        "authenticated": user.authenticated,
        "signedUpAt": clock.iso(user.signed_up_at),
        "toBeRetained": False,
        "profile": {
            "givenName": user.given_name,
            "surname": user.surname,
            "email": user.email,
            "avatarUrl": user.avatar_url,
            "locale": user.locale,
        },
        "metadata": user.metadata_ or {},
        "identities": identities,
    }


def user_context(user: EndUser) -> dict[str, Any]:
    """What the widget last reported about the customer (None until it reports)."""
    return {
        "currentUrl": user.current_url,
        "locale": user.browser_locale,
        "updatedAt": clock.iso(user.context_updated_at),
    }


def display_name(user: EndUser) -> str:
    name = " ".join(part for part in (user.given_name, user.surname) if part)
    return name or user.email or "Customer"


async def get_staff(session: AsyncSession, account_id: str, staff_id: str) -> Staff | None:
    staff = await session.get(Staff, staff_id)
    return staff if staff is not None and staff.account_id == account_id else None


async def get_staff_or_raise(session: AsyncSession, account_id: str, staff_id: str) -> Staff:
    staff = await get_staff(session, account_id, staff_id)
    if staff is None:
        raise StaffNotFound()
    return staff


async def get_staff_by_email(session: AsyncSession, account_id: str, email: str) -> Staff | None:
    found: Staff | None = await session.scalar(
        select(Staff).where(Staff.account_id == account_id, Staff.email == email.strip().lower())
    )
    return found


async def list_staff(session: AsyncSession, account_id: str) -> list[Staff]:
    return list(
        await session.scalars(select(Staff).where(Staff.account_id == account_id).order_by(Staff.name))
    )


async def check_staff_password(
    session: AsyncSession, account_id: str, email: str, password: str
) -> Staff | None:
    """The staff member if the email and password match an active account member, else None."""
    staff = await get_staff_by_email(session, account_id, email)
    matches = await verify_password(staff.password_hash if staff is not None else None, password)
    if not matches or staff is None or not staff.active:
        return None
    return staff


async def get_group_or_raise(session: AsyncSession, account_id: str, group_id: str) -> Group:
    group = await session.get(Group, group_id)
    if group is None or group.account_id != account_id:
        raise GroupNotFound()
    return group


async def list_groups(session: AsyncSession, account_id: str) -> list[Group]:
    return list(
        await session.scalars(select(Group).where(Group.account_id == account_id).order_by(Group.name))
    )


async def group_member_ids(session: AsyncSession, group_id: str) -> list[str]:
    rows = await session.scalars(select(GroupMembership.staff_id).where(GroupMembership.group_id == group_id))
    return list(rows)


async def groups_of_staff(session: AsyncSession, staff_id: str) -> list[str]:
    rows = await session.scalars(select(GroupMembership.group_id).where(GroupMembership.staff_id == staff_id))
    return list(rows)


async def get_staff_by_session(session: AsyncSession, account_id: str, token: str) -> Staff | None:
    """The active staff member a live session token belongs to, or None."""
    found = await session.scalar(
        select(StaffSession).where(StaffSession.token_digest == sealing.digest(token))
    )
    if found is None or found.account_id != account_id or found.expires_at <= clock.now():
        return None
    staff = await session.get(Staff, found.staff_id)
    return staff if staff is not None and staff.active else None


async def recent_sign_in_failures(
    session: AsyncSession, account_id: str, email: str, *, since: datetime
) -> list[datetime]:
    """When the email's refused sign-ins since `since` happened, oldest first."""
    rows = await session.scalars(
        select(SignInFailure.created_at)
        .where(
            SignInFailure.account_id == account_id,
            SignInFailure.email == email,
            SignInFailure.created_at >= since,
        )
        .order_by(SignInFailure.created_at)
    )
    return list(rows)


async def get_users(session: AsyncSession, account_id: str, user_ids: list[str]) -> dict[str, EndUser]:
    """The account's users among `user_ids`, by id (one query for a whole list)."""
    if not user_ids:
        return {}
    rows = await session.scalars(
        select(EndUser).where(EndUser.account_id == account_id, EndUser.id.in_(set(user_ids)))
    )
    return {user.id: user for user in rows}
