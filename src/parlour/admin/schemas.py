"""Admin forms. Each field is checked here, so that an error can be shown next to its field; the
domain actions check the same rules again as the only writers."""

from collections.abc import Callable
from typing import Annotated

from pydantic import Field, StrictBool, StrictInt, StrictStr, field_validator

from parlour.accounts import actions as account_actions
from parlour.lib.errors import ParlourError
from parlour.lib.schemas import StrictBody
from parlour.macros.schemas import MacroActions
from parlour.outbox.recorder import ALL_TRIGGERS, WEBHOOK_TRIGGERS
from parlour.people import actions as people_actions
from parlour.webhooks import actions as webhook_actions

Name = Annotated[StrictStr, Field(min_length=1, max_length=100)]
Id = Annotated[StrictStr, Field(min_length=1, max_length=40)]


class Strict(StrictBody):
    """Refuses unknown fields and NUL characters."""


def _blank_is_missing(value: str) -> str:
    if not value.strip():
        raise ValueError("This field is required")
    return value.strip()


class AccountSettingsIn(Strict):
    multiConvoEnabled: StrictBool | None = None
    forgetHistory: StrictBool | None = None
    endSessionEnabled: StrictBool | None = None
    solvedTicketCloseSeconds: Annotated[StrictInt, Field(ge=0, le=28 * 86400)] | None = None


class AccountUpdateBody(Strict):
    displayName: Name | None = None
    locale: Annotated[StrictStr, Field(min_length=2, max_length=35)] | None = None
    timeZone: Annotated[StrictStr, Field(min_length=1, max_length=64)] | None = None
    mode: Annotated[StrictStr, Field(pattern=r"^(live_chat|messaging)$")] | None = None
    settings: AccountSettingsIn | None = None

    @field_validator("displayName")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        return None if value is None else _blank_is_missing(value)

    @field_validator("locale")
    @classmethod
    def _locale(cls, value: str | None) -> str | None:
        return None if value is None else _domain_check(account_actions.check_locale, value)

    @field_validator("timeZone")
    @classmethod
    def _time_zone(cls, value: str | None) -> str | None:
        return None if value is None else _domain_check(account_actions.check_time_zone, value)


def _domain_check(check: Callable[[str], str], value: str) -> str:
    try:
        return check(value)
    except ParlourError as exc:
        raise ValueError(exc.title[:1].upper() + exc.title[1:]) from None


def _email(value: str) -> str:
    value = value.strip()
    if not people_actions.EMAIL.match(value):
        raise ValueError("Enter an email address such as ann@example.com")
    return value.lower()


class StaffCreateBody(Strict):
    name: Annotated[StrictStr, Field(min_length=1, max_length=128)]
    email: Annotated[StrictStr, Field(min_length=1, max_length=254)]
    role: Annotated[StrictStr, Field(pattern=r"^(admin|agent)$")]
    # Empty: Parlour makes a temporary password and shows it once, for the admin to pass on.
    password: Annotated[StrictStr, Field(max_length=1024)] | None = None
    groupIds: Annotated[list[Id], Field(max_length=100)] = []

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return _blank_is_missing(value)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return _email(value)

    @field_validator("password")
    @classmethod
    def _password(cls, value: str | None) -> str | None:
        if not value:
            return None
        if len(value) < people_actions.MIN_PASSWORD:
            raise ValueError(f"Use at least {people_actions.MIN_PASSWORD} characters")
        return value


class StaffUpdateBody(Strict):
    name: Annotated[StrictStr, Field(min_length=1, max_length=128)] | None = None
    role: Annotated[StrictStr, Field(pattern=r"^(admin|agent)$")] | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        return None if value is None else _blank_is_missing(value)


class GroupCreateBody(Strict):
    name: Name
    description: Annotated[StrictStr, Field(max_length=500)] | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return _blank_is_missing(value)


class GroupUpdateBody(Strict):
    name: Name | None = None
    description: Annotated[StrictStr, Field(max_length=500)] | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        return None if value is None else _blank_is_missing(value)


class KeyCreateBody(Strict):
    displayName: Name

    @field_validator("displayName")
    @classmethod
    def _name(cls, value: str) -> str:
        return _blank_is_missing(value)


def _target(value: str) -> str:
    value = value.strip()
    try:
        return webhook_actions.check_target(value)
    except ParlourError:
        raise ValueError("Enter an http:// or https:// URL") from None


def _triggers(value: list[str]) -> list[str]:
    unknown = [t for t in value if t != ALL_TRIGGERS and t not in WEBHOOK_TRIGGERS]
    if unknown:
        raise ValueError(f"Unknown triggers: {', '.join(unknown)}")
    return list(dict.fromkeys(value))


Triggers = Annotated[list[Annotated[StrictStr, Field(max_length=64)]], Field(min_length=1, max_length=30)]


class WebhookCreateBody(Strict):
    name: Name
    target: Annotated[StrictStr, Field(min_length=1, max_length=2048)]
    triggers: Triggers
    includeFullUser: StrictBool = False

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return _blank_is_missing(value)

    @field_validator("target")
    @classmethod
    def _target(cls, value: str) -> str:
        return _target(value)

    @field_validator("triggers")
    @classmethod
    def _triggers(cls, value: list[str]) -> list[str]:
        return _triggers(value)


class WebhookUpdateBody(Strict):
    name: Name | None = None
    target: Annotated[StrictStr, Field(min_length=1, max_length=2048)] | None = None
    triggers: Triggers | None = None
    includeFullUser: StrictBool | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        return None if value is None else _blank_is_missing(value)

    @field_validator("target")
    @classmethod
    def _target(cls, value: str | None) -> str | None:
        return None if value is None else _target(value)

    @field_validator("triggers")
    @classmethod
    def _triggers(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _triggers(value)


class MacroCreateBody(Strict):
    title: Annotated[StrictStr, Field(min_length=1, max_length=120)]
    text: Annotated[StrictStr, Field(max_length=4096)] = ""
    actions: MacroActions = MacroActions()

    @field_validator("title")
    @classmethod
    def _title(cls, value: str) -> str:
        return _blank_is_missing(value)


class MacroUpdateBody(Strict):
    title: Annotated[StrictStr, Field(min_length=1, max_length=120)] | None = None
    text: Annotated[StrictStr, Field(max_length=4096)] | None = None
    actions: MacroActions | None = None

    @field_validator("title")
    @classmethod
    def _title(cls, value: str | None) -> str | None:
        return None if value is None else _blank_is_missing(value)
