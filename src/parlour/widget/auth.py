"""Who is this customer: `Authorization: Bearer <JWT signed by the business>` for identified
users, `Authorization: Client <client token>` for anonymous ones."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from parlour.accounts import queries as account_queries
from parlour.accounts.models import Account
from parlour.http import get_db
from parlour.lib.errors import Unauthorized
from parlour.people import actions as people_actions
from parlour.people import queries as people_queries
from parlour.people.models import EndUser

MAX_CREDENTIAL_LENGTH = 8192


@dataclass(frozen=True)
class Customer:
    account: Account
    user: EndUser


async def authenticate_customer(session: AsyncSession, app_id: str, credential: str | None) -> Customer:
    if not credential or len(credential) > MAX_CREDENTIAL_LENGTH:
        raise Unauthorized(
            "Send `Authorization: Bearer <user JWT>` or `Authorization: Client <client token>`"
        )
    account = await account_queries.get_account_or_raise(session, app_id)
    scheme, _, value = credential.partition(" ")
    user: EndUser | None = None
    if scheme.lower() == "bearer":
        claims = await people_actions.check_user_jwt(session, account, value.strip())
        user = await people_queries.get_user_by_external_id(session, account.id, claims.external_id)
        if user is None:
            raise Unauthorized("Log in first (POST /client/v1/apps/{appId}/login)")
    elif scheme.lower() == "client":
        user = await people_queries.get_user_by_client_token(session, account.id, value.strip())
    if user is None:
        raise Unauthorized("Unknown or expired client credentials")
    return Customer(account, user)


async def require_customer(appId: str, request: Request) -> Customer:
    async with get_db(request).looking_up() as session:
        return await authenticate_customer(session, appId, request.headers.get("authorization"))


CustomerDep = Annotated[Customer, Depends(require_customer)]
