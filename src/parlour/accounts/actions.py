"""The only writers of accounts and keys."""

import re
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.ext.asyncio import AsyncSession

from parlour.accounts import queries
from parlour.accounts.errors import AccountNameTaken, InvalidSettings, TooManyKeys
from parlour.accounts.models import Account, ApiKey, SigningKey
from parlour.lib import clock, ids, sealing
from parlour.lib.errors import BadRequest
from parlour.lib.metadata import check_metadata
from parlour.outbox.recorder import open_stream
from parlour.settings import get_settings

MAX_KEYS = 10
ACCOUNT_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
LOCALE = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$")
MODES = ("live_chat", "messaging")


@dataclass(frozen=True)
class NewKey:
    key: ApiKey | SigningKey
    secret: str


def check_locale(locale: str) -> str:
    if not LOCALE.match(locale):
        raise InvalidSettings(f"locale {locale!r} is not a language tag such as 'en' or 'fr-CA'")
    return locale


def check_time_zone(time_zone: str) -> str:
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidSettings(
            f"time zone {time_zone!r} is not an IANA time zone such as 'Europe/Paris'"
        ) from None
    return time_zone


async def do_create_account(
    session: AsyncSession,
    *,
    name: str,
    display_name: str | None = None,
    mode: str = "messaging",
    locale: str = "en",
    time_zone: str = "UTC",
    settings: dict[str, Any] | None = None,
) -> Account:
    if not ACCOUNT_NAME.match(name):
        raise BadRequest("Account names are 1-63 lowercase letters, digits, '-' or '_'")
    if mode not in MODES:
        raise InvalidSettings(f"mode must be one of {', '.join(MODES)}")
    if await queries.get_account_by_name(session, name) is not None:
        raise AccountNameTaken()
    account = Account(
        id=ids.new_id(),
        name=name,
        display_name=display_name or name,
        mode=mode,
        locale=check_locale(locale),
        time_zone=check_time_zone(time_zone),
        settings=dict(settings or {}),
        metadata_=None,
        created_at=clock.now(),
    )
    session.add(account)
    await session.flush()
    await open_stream(session, account.id)
    return account


async def do_update_account(
    session: AsyncSession,
    account: Account,
    *,
    display_name: str | None = None,
    settings: dict[str, Any] | None = None,
    metadata: dict[str, Any] | None = None,
    metadata_given: bool = False,
    mode: str | None = None,
    locale: str | None = None,
    time_zone: str | None = None,
) -> Account:
    if display_name is not None:
        account.display_name = display_name
    if settings:
        unknown = set(settings) - set(queries.DEFAULT_SETTINGS)
        if unknown:
            raise InvalidSettings(f"Unknown settings: {', '.join(sorted(unknown))}")
        account.settings = {**(account.settings or {}), **settings}
    if metadata_given:
        account.metadata_ = check_metadata(metadata)
    if mode is not None:
        if mode not in MODES:
            raise InvalidSettings(f"mode must be one of {', '.join(MODES)}")
        account.mode = mode
    if locale is not None:
        account.locale = check_locale(locale)
    if time_zone is not None:
        account.time_zone = check_time_zone(time_zone)
    await session.flush()
    return account


async def do_create_api_key(session: AsyncSession, account: Account, *, display_name: str) -> NewKey:
    if await queries.count_api_keys(session, account.id) >= MAX_KEYS:
        raise TooManyKeys()
    secret = ids.new_secret()
    key = ApiKey(
        id=ids.new_prefixed_id("app"),
        account_id=account.id,
        display_name=display_name,
        sealed_secret=sealing.seal(get_settings().secret_key, secret),
        created_at=clock.now(),
    )
    session.add(key)
    await session.flush()
    return NewKey(key, secret)


async def do_delete_api_key(session: AsyncSession, key: ApiKey) -> None:
    await session.delete(key)
    await session.flush()


async def do_create_signing_key(session: AsyncSession, account: Account, *, display_name: str) -> NewKey:
    if len(await queries.list_signing_keys(session, account.id)) >= MAX_KEYS:
        raise TooManyKeys()
    secret = ids.new_secret()
    key = SigningKey(
        id=ids.new_prefixed_id("key"),
        account_id=account.id,
        display_name=display_name,
        sealed_secret=sealing.seal(get_settings().secret_key, secret),
        created_at=clock.now(),
    )
    session.add(key)
    await session.flush()
    return NewKey(key, secret)


async def do_delete_signing_key(session: AsyncSession, key: SigningKey) -> None:
    await session.delete(key)
    await session.flush()
