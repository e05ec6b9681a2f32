"""Authenticating server-API calls: HTTP Basic with an API key, or a Bearer JWT (scope app)
signed with one. A key only ever opens its own account: any other app id answers 404, the same
as an app that does not exist, so ids of other accounts are never confirmed."""

import base64
import binascii
from dataclasses import dataclass
from typing import Annotated

import jwt
from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from parlour.accounts import queries
from parlour.accounts.errors import AppNotFound
from parlour.accounts.models import Account, ApiKey
from parlour.http import get_db
from parlour.lib import sealing
from parlour.lib.errors import Unauthorized

MAX_CREDENTIAL_LENGTH = 8192


class InvalidCredentials(Unauthorized):
    code = "unauthorized"
    title = "Invalid credentials"


@dataclass(frozen=True)
class AppAuth:
    account: Account
    key_id: str


async def authenticate(session: AsyncSession, app_id: str, authorization: str | None) -> AppAuth:
    if not authorization:
        raise Unauthorized()
    if len(authorization) > MAX_CREDENTIAL_LENGTH:
        raise InvalidCredentials()
    scheme, _, value = authorization.partition(" ")
    scheme = scheme.lower()
    if scheme == "basic":
        key = await _basic(session, value.strip())
    elif scheme == "bearer":
        key = await _bearer(session, value.strip())
    else:
        raise Unauthorized("Use HTTP Basic with an API key, or a Bearer JWT")
    if key.account_id != app_id:
        raise AppNotFound()
    account = await queries.get_account_or_raise(session, app_id)
    return AppAuth(account=account, key_id=key.id)


async def _basic(session: AsyncSession, value: str) -> ApiKey:
    try:
        decoded = base64.b64decode(value, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise InvalidCredentials() from None
    key_id, sep, secret = decoded.partition(":")
    if not sep or "\x00" in key_id:  # no key id holds a NUL, and PostgreSQL cannot be asked for one
        raise InvalidCredentials()
    key = await queries.get_api_key(session, key_id)
    # Compare even when the key is unknown so that timing does not reveal which part was wrong.
    expected = queries.secret_of(key) if key is not None else "x" * len(secret)
    if not sealing.same(expected, secret) or key is None:
        raise InvalidCredentials()
    return key


async def _bearer(session: AsyncSession, token: str) -> ApiKey:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise InvalidCredentials("The JWT is malformed") from None
    kid = header.get("kid")
    if header.get("alg") != "HS256" or not isinstance(kid, str) or "\x00" in kid:
        raise InvalidCredentials("The JWT must be signed with HS256 and name its key in `kid`")
    key = await queries.get_api_key(session, kid)
    if key is None:
        raise InvalidCredentials()
    try:
        claims = jwt.decode(token, queries.secret_of(key), algorithms=["HS256"], options={"require": []})
    except jwt.ExpiredSignatureError:
        raise InvalidCredentials("The JWT has expired") from None
    except jwt.PyJWTError:
        raise InvalidCredentials() from None
    if claims.get("scope") != "app":
        raise InvalidCredentials("The JWT scope must be 'app'")
    return key


async def require_app(appId: str, request: Request) -> AppAuth:
    """FastAPI dependency for every `/v2/apps/{appId}/…` route."""
    async with get_db(request).reading() as session:
        return await authenticate(session, appId, request.headers.get("authorization"))


AppAuthDep = Annotated[AppAuth, Depends(require_app)]
