import re
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr, field_validator

from parlour.attachments import queries as attachment_queries
from parlour.lib.schemas import StrictBody


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginBody(Strict):
    jwt: Annotated[StrictStr, Field(min_length=1, max_length=8192)]


class ClientMessageBody(Strict):
    """`content` is checked by the conversations domain, like every message's."""

    content: dict[str, Any]
    clientMessageId: Annotated[StrictStr, Field(min_length=1, max_length=64)] | None = None
    metadata: dict[str, Any] | None = None


class ClientActivityBody(Strict):
    type: Literal["conversation:read", "conversation:delivered", "typing:start", "typing:stop"]


class ContextBody(StrictBody):
    """What the widget reports about the customer's browser (checked by the people domain)."""

    currentUrl: Annotated[StrictStr, Field(max_length=2048)] | None = None
    locale: Annotated[StrictStr, Field(max_length=64)] | None = None


Colour = Annotated[StrictStr, Field(pattern=r"^#[0-9a-fA-F]{6}$")]
LocaleTag = Annotated[StrictStr, Field(pattern=r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8}){0,4}$")]
TYPE_PATTERN = re.compile(r"^[a-z0-9*][a-z0-9!#$&^_.+*-]{0,62}/[a-z0-9*][a-z0-9!#$&^_.+*-]{0,126}$")
MIN_ATTACHMENT_BYTES = 1024


class Theme(StrictBody):
    """The messenger's colours (the PRODUCT §4 theme keys), each `#rrggbb`."""

    primary: Colour = "#1f5f5b"
    onPrimary: Colour = "#ffffff"
    message: Colour = "#1f5f5b"
    onMessage: Colour = "#ffffff"
    businessMessage: Colour = "#f0f2f4"
    onBusinessMessage: Colour = "#1d232a"
    action: Colour = "#1f5f5b"
    onAction: Colour = "#ffffff"
    background: Colour = "#ffffff"
    onBackground: Colour = "#1d232a"
    error: Colour = "#b3261e"
    onError: Colour = "#ffffff"
    notify: Colour = "#d6336c"
    onNotify: Colour = "#ffffff"


class WidgetSettings(StrictBody):
    """An account's web widget, as admins set it. Validated whole: one bad value refuses the change."""

    theme: Theme = Field(default_factory=Theme)
    businessName: Annotated[StrictStr, Field(min_length=1, max_length=100)] | None = None
    avatarUrl: Annotated[StrictStr, Field(max_length=2048)] | None = None
    introText: Annotated[StrictStr, Field(max_length=500)] | None = None
    position: Literal["left", "right"] = "right"
    attachmentsEnabled: StrictBool = True
    maxAttachmentBytes: Annotated[StrictInt, Field(ge=MIN_ATTACHMENT_BYTES)] = 10 * 1024 * 1024
    allowedAttachmentTypes: Annotated[list[StrictStr], Field(max_length=50)] = Field(
        default_factory=lambda: list(attachment_queries.DEFAULT_ALLOWED_TYPES)
    )
    forgetHistory: StrictBool = False
    # None: follow the host page's language (<html lang>), then the browser's.
    locale: LocaleTag | None = None

    @field_validator("avatarUrl")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None:
            parts = urlsplit(value)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ValueError("must be an http(s) URL")
        return value

    @field_validator("allowedAttachmentTypes")
    @classmethod
    def _media_patterns(cls, value: list[str]) -> list[str]:
        for pattern in value:
            if not TYPE_PATTERN.match(pattern):
                raise ValueError(
                    f"{pattern[:80]!r} is not a media type pattern such as image/* or application/pdf"
                )
        return value
