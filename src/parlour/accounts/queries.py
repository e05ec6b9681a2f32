"""Reads for accounts and their keys."""

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from parlour.accounts.errors import AppNotFound, KeyNotFound
from parlour.accounts.models import Account, ApiKey, SigningKey
from parlour.lib import clock, sealing
from parlour.settings import get_settings

DEFAULT_SETTINGS: dict[str, Any] = {
    "multiConvoEnabled": False,
    "echoPostback": False,
    "endSessionEnabled": True,
    "disableConversationReopen": False,
    "solvedTicketCloseSeconds": 4 * 86400,
    "forgetHistory": False,
    # Owned and validated by the widget and attachments domains (their actions write them).
    "widget": {},
    "attachments": {},
}


def settings_of(account: Account) -> dict[str, Any]:
    return {**DEFAULT_SETTINGS, **(account.settings or {})}


async def get_account(session: AsyncSession, account_id: str) -> Account | None:
    return await session.get(Account, account_id)


async def get_account_or_raise(session: AsyncSession, account_id: str) -> Account:
    account = await session.get(Account, account_id)
    if account is None:
        raise AppNotFound()
    return account


async def get_account_by_name(session: AsyncSession, name: str) -> Account | None:
    found: Account | None = await session.scalar(select(Account).where(Account.name == name))
    return found


async def get_api_key(session: AsyncSession, key_id: str) -> ApiKey | None:
    return await session.get(ApiKey, key_id)


async def list_api_keys(session: AsyncSession, account_id: str) -> list[ApiKey]:
    rows = await session.scalars(
        select(ApiKey).where(ApiKey.account_id == account_id).order_by(ApiKey.created_at, ApiKey.id)
    )
    return list(rows)


async def get_api_key_or_raise(session: AsyncSession, account_id: str, key_id: str) -> ApiKey:
    key = await session.get(ApiKey, key_id)
    if key is None or key.account_id != account_id:
        raise KeyNotFound()
    return key


async def count_api_keys(session: AsyncSession, account_id: str) -> int:
    return int(await session.scalar(select(func.count()).where(ApiKey.account_id == account_id)) or 0)


async def get_signing_key(session: AsyncSession, account_id: str, key_id: str) -> SigningKey | None:
    key = await session.get(SigningKey, key_id)
    return key if key is not None and key.account_id == account_id else None


async def list_signing_keys(session: AsyncSession, account_id: str) -> list[SigningKey]:
    rows = await session.scalars(
        select(SigningKey).where(SigningKey.account_id == account_id).order_by(SigningKey.created_at)
    )
    return list(rows)


def app_json(account: Account) -> dict[str, Any]:
    return {
        "id": account.id,
        "displayName": account.display_name,
        "settings": settings_of(account),
        "metadata": account.metadata_,
        "mode": account.mode,
        "locale": account.locale,
        "timeZone": account.time_zone,
        "createdAt": clock.iso(account.created_at),
    }


def key_json(key: ApiKey | SigningKey, secret: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"id": key.id, "displayName": key.display_name}
    if secret is not None:
        body["secret"] = secret
    return body


def secret_of(key: ApiKey | SigningKey) -> str:
    """The plain secret, for verifying a JWT signature or a Basic password."""
    return sealing.unseal(get_settings().secret_key, key.sealed_secret)
