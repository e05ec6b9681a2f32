"""Staff authentication by session token: `Authorization: Session <token>` or the
`parlour_session` cookie set at sign-in.

A cookie is sent by the browser on its own, so a cookie-authenticated request that changes
something must also prove it comes from our pages: the `X-CSRF-Token` header must hold the
session's CSRF token (returned at sign-in and by GET /me), which another site cannot read.
A request carrying the token in `Authorization` needs none: no browser adds that header by itself.
"""

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from parlour.accounts import queries as account_queries
from parlour.accounts.models import Account
from parlour.http import get_db
from parlour.lib import sealing
from parlour.lib.errors import Forbidden, Unauthorized
from parlour.people import queries as people_queries
from parlour.people.models import Staff

COOKIE = "parlour_session"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class CsrfRefused(Forbidden):
    code = "csrf_failed"
    title = "Missing or wrong X-CSRF-Token header: reload the page and try again"


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


def csrf_token(session_token: str) -> str:
    """Derived from the (secret, HttpOnly) session token: nothing to store, and unguessable
    without it."""
    return sealing.digest(f"parlour-csrf:{session_token}")


def same_origin(origin: str | None, host: str | None) -> bool:
    """True when a browser's Origin names the host it is talking to (or no Origin was sent:
    not a browser)."""
    if not origin:
        return True
    return bool(host) and urlsplit(origin).netloc.lower() == (host or "").lower()


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
    authorization = request.headers.get("authorization")
    token = session_token(authorization, request.cookies.get(COOKIE))
    async with get_db(request).looking_up() as session:
        auth = await authenticate_staff(session, appId, token)
    from_cookie = not (authorization and authorization.lower().startswith("session "))
    if from_cookie and request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER) or ""
        if not token or not sealing.same(sent, csrf_token(token)):
            raise CsrfRefused()
    return auth


StaffDep = Annotated[StaffAuth, Depends(require_staff)]
