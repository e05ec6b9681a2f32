"""API shapes for apps and keys (Sunshine Conversations v2 field names)."""

from typing import Any, Literal

from pydantic import Field, StrictBool, StrictInt

from parlour.lib.schemas import StrictBody


class Strict(StrictBody):
    """Refuses unknown fields and NUL characters."""


class AppSettingsIn(Strict):
    multiConvoEnabled: StrictBool | None = None
    echoPostback: StrictBool | None = None
    endSessionEnabled: StrictBool | None = None
    disableConversationReopen: StrictBool | None = None
    # Parlour's own business policy.
    solvedTicketCloseSeconds: StrictInt | None = Field(default=None, ge=0, le=28 * 86400)
    forgetHistory: StrictBool | None = None


class AppUpdateBody(Strict):
    displayName: str | None = Field(default=None, min_length=1, max_length=100)
    settings: AppSettingsIn | None = None
    metadata: dict[str, Any] | None = None
    mode: Literal["live_chat", "messaging"] | None = None
    locale: str | None = Field(default=None, min_length=2, max_length=35)
    timeZone: str | None = Field(default=None, min_length=1, max_length=64)


class AppKeyCreateBody(Strict):
    displayName: str = Field(min_length=1, max_length=100)
