"""Staff authentication by session token: `Authorization: Session <token>` or the
`parlour_session` cookie set at sign-in."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from parlour.accounts import queries as account_queries
from parlour.accounts.models import Account
from parlour.http import get_db
from parlour.lib.errors import Unauthorized
from parlour.people import queries as people_queries
from parlour.people.models import Staff

COOKIE = "parlour_session"


@dataclass(frozen=True)
class StaffAuth:
    account: Account
    staff: Staff
    group_ids: frozenset[str]

    @property
    def is_admin(self) -> bool:
        return self.staff.role == "admin"


def session_token(authorization: str | None, cookie: str | None) -> str | None:
    if authorization and authorization.lower().startswith("session "):
        return authorization[8:].strip()
    return cookie


async def authenticate_staff(session: AsyncSession, app_id: str, token: str | None) -> StaffAuth:
    if not token or len(token) > 256:
        raise Unauthorized("Sign in first")
    account = await account_queries.get_account_or_raise(session, app_id)
    staff = await people_queries.get_staff_by_session(session, account.id, token)
    if staff is None:
        raise Unauthorized("The session has ended: sign in again")
    groups = frozenset(await people_queries.groups_of_staff(session, staff.id))
    return StaffAuth(account, staff, groups)


async def require_staff(appId: str, request: Request) -> StaffAuth:
    token = session_token(request.headers.get("authorization"), request.cookies.get(COOKIE))
    async with get_db(request).reading() as session:
        return await authenticate_staff(session, appId, token)


StaffDep = Annotated[StaffAuth, Depends(require_staff)]
