from datetime import datetime
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, StrictBool, StrictStr

from parlour.lib.schemas import StrictBody


class Strict(StrictBody):
    """Refuses unknown fields and NUL characters."""


def _iso_text(value: Any) -> Any:
    """A date-time arrives as ISO 8601 text: a bare number is not taken for seconds since 1970."""
    if not isinstance(value, str):
        raise ValueError("must be an ISO 8601 date-time such as 2026-01-01T12:00:00Z")
    return value


DateTime = Annotated[datetime, BeforeValidator(_iso_text)]


class ProfileIn(Strict):
    givenName: Annotated[StrictStr, Field(max_length=128)] | None = None
    surname: Annotated[StrictStr, Field(max_length=128)] | None = None
    email: Annotated[StrictStr, Field(max_length=128)] | None = None
    avatarUrl: Annotated[StrictStr, Field(max_length=2048, pattern=r"^https?://")] | None = None
    locale: Annotated[StrictStr, Field(max_length=64)] | None = None


PROFILE_NAMES = {
    "givenName": "given_name",
    "surname": "surname",
    "email": "email",
    "avatarUrl": "avatar_url",
    "locale": "locale",
}


class UserCreateBody(Strict):
    externalId: Annotated[StrictStr, Field(min_length=1, max_length=1024)]
    signedUpAt: DateTime | None = None
    toBeRetained: StrictBool | None = None
    profile: ProfileIn | None = None
    metadata: dict[str, Any] | None = None


class UserUpdateBody(Strict):
    signedUpAt: DateTime | None = None
    toBeRetained: StrictBool | None = None
    profile: ProfileIn | None = None
    metadata: dict[str, Any] | None = None
