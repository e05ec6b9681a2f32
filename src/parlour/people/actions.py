"""The only writers of staff, groups and end users."""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import jwt
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from parlour.accounts import queries as account_queries
from parlour.accounts.models import Account
from parlour.lib import clock, ids, sealing
from parlour.lib.errors import BadRequest
from parlour.lib.metadata import check_metadata
from parlour.outbox.recorder import record
from parlour.people import events, queries
from parlour.people.errors import (
    GroupNameTaken,
    InvalidSignIn,
    InvalidStaff,
    InvalidUserToken,
    LastAdmin,
    StaffEmailTaken,
    TooManySignIns,
    UserExists,
)
from parlour.people.models import EndUser, Group, GroupMembership, SignInFailure, Staff, StaffSession

ROLES = ("admin", "agent")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 10
LOCALE = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8}){0,4}$")
PROFILE_FIELDS = ("given_name", "surname", "email", "avatar_url", "locale")


@dataclass(frozen=True)
class Profile:
    given_name: str | None = None
    surname: str | None = None
    email: str | None = None
    avatar_url: str | None = None
    locale: str | None = None


@dataclass(frozen=True)
class AnonymousUser:
    user: EndUser
    client_token: str


def _check_email(email: str | None) -> str | None:
    if email is None:
        return None
    email = email.strip()
    if not EMAIL.match(email):
        raise BadRequest(f"{email!r} is not an email address")
    return email


def _apply_profile(user: EndUser, profile: Profile, given: set[str]) -> None:
    for field in PROFILE_FIELDS:
        if field in given:
            value = getattr(profile, field)
            setattr(user, field, _check_email(value) if field == "email" else value)


async def do_create_user(
    session: AsyncSession,
    account: Account,
    *,
    external_id: str | None,
    profile: Profile | None = None,
    profile_fields: set[str] | None = None,
    metadata: dict[str, Any] | None = None,
    signed_up_at: datetime | None = None,
) -> EndUser:
    if external_id is not None:
        if not external_id.strip():
            raise BadRequest("externalId must not be blank")
        if await queries.get_user_by_external_id(session, account.id, external_id) is not None:
            raise UserExists()
    user = EndUser(
        id=ids.new_id(),
        account_id=account.id,
        external_id=external_id,
        authenticated=False,
        email_verified=False,
        signed_up_at=signed_up_at or clock.now(),
        metadata_=check_metadata(metadata),
    )
    _apply_profile(
        user, profile or Profile(), profile_fields if profile_fields is not None else set(PROFILE_FIELDS)
    )
    session.add(user)
    await session.flush()
    return user


async def do_create_anonymous_user(session: AsyncSession, account: Account) -> AnonymousUser:
    """A device-bound customer: the client token is shown once and stored only as a digest."""
    token = ids.new_secret()
    user = await do_create_user(session, account, external_id=None)
    user.client_token_digest = sealing.digest(token)
    await session.flush()
    return AnonymousUser(user=user, client_token=token)


async def do_update_user(
    session: AsyncSession,
    user: EndUser,
    *,
    profile: Profile | None = None,
    profile_fields: set[str] | None = None,
    metadata: dict[str, Any] | None = None,
    metadata_given: bool = False,
    signed_up_at: datetime | None = None,
) -> EndUser:
    if profile is not None:
        _apply_profile(user, profile, profile_fields if profile_fields is not None else set(PROFILE_FIELDS))
    if metadata_given:
        user.metadata_ = check_metadata(metadata)
    if signed_up_at is not None:
        user.signed_up_at = signed_up_at
    await session.flush()
    await record(
        session,
        account_id=user.account_id,
        type=events.USER_UPDATE,
        user_id=user.id,
        payload={"user": queries.user_json(user)},
    )
    return user


MAX_CONTEXT_URL = 2048


def check_user_context(current_url: str | None, locale: str | None) -> None:
    if current_url is not None:
        parsed = urlsplit(current_url)
        if len(current_url) > MAX_CONTEXT_URL or parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise BadRequest(f"currentUrl must be an http(s) URL of at most {MAX_CONTEXT_URL} characters")
    if locale is not None and not LOCALE.match(locale):
        raise BadRequest("locale must be a language tag such as 'en' or 'fr-CA'")


async def do_set_user_context(
    session: AsyncSession, user: EndUser, *, current_url: str | None, locale: str | None
) -> EndUser:
    """The customer's page and language as the widget sees them, for the agents' customer panel.
    No event: it changes on every page view, and agents read it when they open the ticket."""
    check_user_context(current_url, locale)
    user.current_url = current_url
    user.browser_locale = locale
    user.context_updated_at = clock.now()
    await session.flush()
    return user


async def do_delete_user(session: AsyncSession, user: EndUser) -> None:
    """Deletes the user; their conversations and messages go with them (foreign keys cascade)."""
    snapshot = queries.user_json(user)
    await session.delete(user)
    await session.flush()
    await record(
        session,
        account_id=user.account_id,
        type=events.USER_REMOVE,
        user_id=user.id,
        payload={"user": snapshot},
    )


@dataclass(frozen=True)
class UserClaims:
    external_id: str
    name: str | None
    email: str | None
    email_verified: bool


async def check_user_jwt(session: AsyncSession, account: Account, token: str) -> UserClaims:
    """Verify a JWT that the business's backend signed for one of its customers."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise InvalidUserToken("The user's JWT is malformed") from None
    kid = header.get("kid")
    if header.get("alg") != "HS256" or not isinstance(kid, str):
        raise InvalidUserToken("The user's JWT must be signed with HS256 and name its key in `kid`")
    key = await account_queries.get_signing_key(session, account.id, kid)
    if key is None:
        raise InvalidUserToken("The user's JWT names a key this account does not have")
    try:
        claims = jwt.decode(token, account_queries.secret_of(key), algorithms=["HS256"])
    except jwt.ExpiredSignatureError:
        raise InvalidUserToken("The user's JWT has expired") from None
    except jwt.PyJWTError:
        raise InvalidUserToken("The user's JWT signature is not valid") from None
    external_id = claims.get("external_id")
    if claims.get("scope") != "user":
        raise InvalidUserToken("The user's JWT scope must be 'user'")
    if not isinstance(external_id, str) or not external_id or len(external_id) > 1024:
        raise InvalidUserToken("The user's JWT must carry an external_id")
    name, email = claims.get("name"), claims.get("email")
    return UserClaims(
        external_id=external_id,
        name=name if isinstance(name, str) else None,
        email=email if isinstance(email, str) else None,
        email_verified=claims.get("email_verified") is True,
    )


async def do_identify_user(session: AsyncSession, account: Account, claims: UserClaims) -> EndUser:
    """The identified user for verified claims, created on first login, profile refreshed."""
    user = await queries.get_user_by_external_id(session, account.id, claims.external_id)
    if user is None:
        user = await do_create_user(session, account, external_id=claims.external_id)
    user.authenticated = True
    if claims.name:
        given, _, surname = claims.name.strip().partition(" ")
        user.given_name, user.surname = given[:128], (surname[:128] or None)
    if claims.email:
        user.email = _check_email(claims.email[:128])
        user.email_verified = claims.email_verified
    await session.flush()
    return user


async def do_remove_merged_user(session: AsyncSession, source: EndUser, target: EndUser) -> None:
    """Last step of a merge, after the conversations domain moved the source's history."""
    await session.delete(source)
    await session.flush()
    await record(
        session,
        account_id=target.account_id,
        type=events.USER_MERGE,
        user_id=target.id,
        payload={
            "surviving": {"id": target.id, "externalId": target.external_id},
            "discarded": {"id": source.id, "externalId": source.external_id},
        },
    )


async def do_create_staff(
    session: AsyncSession, account: Account, *, email: str, name: str, role: str, password: str
) -> Staff:
    if role not in ROLES:
        raise InvalidStaff(f"role must be one of {', '.join(ROLES)}")
    clean_email = (_check_email(email) or "").lower()
    if not name.strip() or len(name) > 128:
        raise InvalidStaff("name must be 1-128 characters")
    if len(password) < MIN_PASSWORD:
        raise InvalidStaff(f"password must be at least {MIN_PASSWORD} characters")
    if await queries.get_staff_by_email(session, account.id, clean_email) is not None:
        raise StaffEmailTaken()
    staff = Staff(
        id=ids.new_id(),
        account_id=account.id,
        email=clean_email,
        name=name.strip(),
        role=role,
        password_hash=await queries.hash_password(password),
        active=True,
        status="offline",
        created_at=clock.now(),
    )
    session.add(staff)
    await session.flush()
    return staff


async def do_set_staff_password(session: AsyncSession, staff: Staff, password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidStaff(f"password must be at least {MIN_PASSWORD} characters")
    staff.password_hash = await queries.hash_password(password)
    await session.flush()


async def _check_not_last_admin(session: AsyncSession, staff: Staff) -> None:
    """An account always keeps one active admin, or nobody could manage it any more."""
    if staff.role == "admin" and staff.active:
        # Row locks (PostgreSQL) keep two admins from demoting each other at the same moment.
        admins = await session.scalars(
            select(Staff.id)
            .where(Staff.account_id == staff.account_id, Staff.role == "admin", Staff.active.is_(True))
            .with_for_update()
        )
        if len(list(admins)) <= 1:
            raise LastAdmin()


async def do_update_staff(
    session: AsyncSession, staff: Staff, *, name: str | None = None, role: str | None = None
) -> Staff:
    if name is not None:
        if not name.strip() or len(name) > 128:
            raise InvalidStaff("name must be 1-128 characters")
        staff.name = name.strip()
    if role is not None and role != staff.role:
        if role not in ROLES:
            raise InvalidStaff(f"role must be one of {', '.join(ROLES)}")
        await _check_not_last_admin(session, staff)
        staff.role = role
    await session.flush()
    return staff


async def do_deactivate_staff(session: AsyncSession, staff: Staff) -> None:
    """The member can no longer sign in, and every session they hold ends now."""
    await _check_not_last_admin(session, staff)
    staff.active = False
    staff.status = "offline"
    await session.execute(delete(GroupMembership).where(GroupMembership.staff_id == staff.id))
    await session.execute(delete(StaffSession).where(StaffSession.staff_id == staff.id))
    await session.flush()


async def do_reactivate_staff(session: AsyncSession, staff: Staff) -> None:
    staff.active = True
    await session.flush()


async def do_create_group(
    session: AsyncSession, account: Account, *, name: str, description: str | None = None
) -> Group:
    if not name.strip() or len(name) > 100:
        raise BadRequest("A group name is 1-100 characters")
    existing = [g for g in await queries.list_groups(session, account.id) if g.name == name.strip()]
    if existing:
        raise GroupNameTaken()
    group = Group(
        id=ids.new_id(),
        account_id=account.id,
        name=name.strip(),
        description=description,
        created_at=clock.now(),
    )
    session.add(group)
    await session.flush()
    return group


async def do_update_group(
    session: AsyncSession, group: Group, *, name: str | None = None, description: str | None = None
) -> Group:
    if name is not None:
        if not name.strip() or len(name) > 100:
            raise BadRequest("A group name is 1-100 characters")
        taken = [g for g in await queries.list_groups(session, group.account_id) if g.name == name.strip()]
        if any(g.id != group.id for g in taken):
            raise GroupNameTaken()
        group.name = name.strip()
    if description is not None:
        group.description = description or None
    await session.flush()
    return group


async def do_delete_group(session: AsyncSession, group: Group) -> None:
    """Members stay staff; tickets of the group keep their history and lose the group (SET NULL)."""
    await session.execute(delete(GroupMembership).where(GroupMembership.group_id == group.id))
    await session.delete(group)
    await session.flush()


async def do_add_group_member(session: AsyncSession, group: Group, staff: Staff) -> None:
    if staff.account_id != group.account_id:
        raise BadRequest("Staff and group belong to different accounts")
    if not staff.active:
        raise InvalidStaff("A deactivated staff member cannot join a group")
    if staff.id in await queries.group_member_ids(session, group.id):
        return
    session.add(GroupMembership(group_id=group.id, staff_id=staff.id, account_id=group.account_id))
    await session.flush()


async def do_remove_group_member(session: AsyncSession, group: Group, staff: Staff) -> None:
    await session.execute(
        delete(GroupMembership).where(
            GroupMembership.group_id == group.id, GroupMembership.staff_id == staff.id
        )
    )
    await session.flush()


SESSION_LIFETIME = timedelta(days=14)


@dataclass(frozen=True)
class SignedIn:
    staff: Staff
    token: str


async def do_sign_in(session: AsyncSession, account: Account, checked: Staff | None) -> SignedIn:
    """A new session for the staff member whose password `queries.check_staff_password` accepted
    (None: it refused), or InvalidSignIn that never says which part was wrong.

    The password is checked before the write transaction, in a read: argon2 takes about 0.1 s, and
    a write transaction holds the database's writer all along (on SQLite, every customer's message
    would wait). The member is read again here, so one deactivated in between gets no session."""
    staff = None if checked is None else await session.get(Staff, checked.id)
    if staff is None or staff.account_id != account.id or not staff.active:
        raise InvalidSignIn()
    token = ids.new_secret()
    now = clock.now()
    session.add(
        StaffSession(
            id=ids.new_id(),
            account_id=account.id,
            staff_id=staff.id,
            token_digest=sealing.digest(token),
            created_at=now,
            expires_at=now + SESSION_LIFETIME,
        )
    )
    await session.flush()
    return SignedIn(staff, token)


async def do_sign_out(session: AsyncSession, token: str) -> None:
    await session.execute(delete(StaffSession).where(StaffSession.token_digest == sealing.digest(token)))
    await session.flush()


# Sign-in slowing: past FREE_FAILURES refused attempts for one email within FAILURE_WINDOW, each
# further attempt must wait twice as long after the last failure (15 s, 30 s, … up to the window).
FREE_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
FIRST_WAIT = timedelta(seconds=15)


async def check_sign_in_allowed(session: AsyncSession, account: Account, email: str) -> None:
    """Raise TooManySignIns while the email is cooling down, whether or not it belongs to anyone."""
    now = clock.now()
    failures = await queries.recent_sign_in_failures(
        session, account.id, email.strip().lower(), since=now - FAILURE_WINDOW
    )
    if len(failures) < FREE_FAILURES:
        return
    wait = min(FIRST_WAIT * 2 ** (len(failures) - FREE_FAILURES), FAILURE_WINDOW)
    retry_at = failures[-1] + wait
    if now < retry_at:
        seconds = max(1, int((retry_at - now).total_seconds()) + 1)
        raise TooManySignIns(f"Too many failed sign-ins: try again in {seconds} seconds")


async def do_record_sign_in_failure(session: AsyncSession, account: Account, email: str) -> None:
    now = clock.now()
    await session.execute(
        delete(SignInFailure).where(
            SignInFailure.account_id == account.id, SignInFailure.created_at < now - FAILURE_WINDOW
        )
    )
    email = email.strip().lower()[:254]
    session.add(SignInFailure(id=ids.new_id(), account_id=account.id, email=email, created_at=now))
    await session.flush()


async def do_clear_sign_in_failures(session: AsyncSession, account: Account, email: str) -> None:
    await session.execute(
        delete(SignInFailure).where(
            SignInFailure.account_id == account.id, SignInFailure.email == email.strip().lower()
        )
    )


STAFF_STATUSES = ("online", "away", "transfers_only", "offline")


async def do_set_staff_status(session: AsyncSession, staff: Staff, status: str) -> None:
    """The agent's availability, shown to the rest of the team (an event only staff receive)."""
    if status not in STAFF_STATUSES:
        raise InvalidStaff(f"status must be one of {', '.join(STAFF_STATUSES)}")
    if staff.status == status:
        return
    staff.status = status
    await session.flush()
    await record(
        session,
        account_id=staff.account_id,
        type=events.STAFF_STATUS,
        payload={"staff": {"id": staff.id, "name": staff.name, "status": status}},
    )
