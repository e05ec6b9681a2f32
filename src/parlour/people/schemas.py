from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


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
    signedUpAt: datetime | None = None
    toBeRetained: StrictBool | None = None
    profile: ProfileIn | None = None
    metadata: dict[str, Any] | None = None


class UserUpdateBody(Strict):
    signedUpAt: datetime | None = None
    toBeRetained: StrictBool | None = None
    profile: ProfileIn | None = None
    metadata: dict[str, Any] | None = None
