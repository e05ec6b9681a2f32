"""API shapes for conversations, participants, messages and activities.

Message content follows the Sunshine Conversations content types and their limits; validation
here is what makes "bad input changes nothing" hold for every field of a message.
"""

from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    model_validator,
)

from parlour.lib.schemas import StrictBody

TEXT_MAX = 4096
Title = Annotated[StrictStr, Field(min_length=1, max_length=128)]


def _http_url(value: str) -> str:
    """Only http(s) URLs: a `javascript:` or `data:` link from a message must never run."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("must be an http or https URL")
    return value


Url = Annotated[StrictStr, Field(max_length=2048), AfterValidator(_http_url)]


class Strict(StrictBody):
    """Refuses unknown fields and NUL characters."""


class LinkAction(Strict):
    type: Literal["link"]
    text: Title
    uri: Url
    default: StrictBool | None = None
    metadata: dict[str, Any] | None = None


class PostbackAction(Strict):
    type: Literal["postback"]
    text: Title
    payload: Annotated[StrictStr, Field(min_length=1, max_length=1000)]
    metadata: dict[str, Any] | None = None


class ReplyAction(Strict):
    """A quick reply."""

    type: Literal["reply"]
    text: Annotated[StrictStr, Field(min_length=1, max_length=128)]
    payload: Annotated[StrictStr, Field(min_length=1, max_length=1000)]
    iconUrl: Url | None = None
    metadata: dict[str, Any] | None = None


class WebviewAction(Strict):
    type: Literal["webview"]
    text: Title
    uri: Url
    fallback: Url
    size: Literal["compact", "tall", "full"] | None = None
    default: StrictBool | None = None
    metadata: dict[str, Any] | None = None


Action = Annotated[LinkAction | PostbackAction | ReplyAction | WebviewAction, Field(discriminator="type")]
CardAction = Annotated[LinkAction | PostbackAction | WebviewAction, Field(discriminator="type")]


class TextContent(Strict):
    type: Literal["text"]
    text: Annotated[StrictStr, Field(min_length=1, max_length=TEXT_MAX)]
    actions: Annotated[list[Action], Field(max_length=10)] | None = None
    payload: Annotated[StrictStr, Field(max_length=1000)] | None = None
    blockChatInput: StrictBool | None = None


class ImageContent(Strict):
    type: Literal["image"]
    mediaUrl: Url
    altText: Annotated[StrictStr, Field(max_length=128)] | None = None
    text: Annotated[StrictStr, Field(max_length=TEXT_MAX)] | None = None
    actions: Annotated[list[Action], Field(max_length=10)] | None = None
    blockChatInput: StrictBool | None = None


class FileContent(Strict):
    type: Literal["file"]
    mediaUrl: Url
    altText: Annotated[StrictStr, Field(max_length=128)] | None = None
    text: Annotated[StrictStr, Field(max_length=TEXT_MAX)] | None = None
    blockChatInput: StrictBool | None = None


class Item(Strict):
    title: Title
    description: Annotated[StrictStr, Field(max_length=128)] | None = None
    mediaUrl: Url | None = None
    mediaType: Annotated[StrictStr, Field(max_length=128)] | None = None
    altText: Annotated[StrictStr, Field(max_length=128)] | None = None
    size: Literal["compact", "large"] | None = None
    actions: Annotated[list[CardAction], Field(min_length=1, max_length=3)]
    metadata: dict[str, Any] | None = None


class CarouselContent(Strict):
    type: Literal["carousel"]
    items: Annotated[list[Item], Field(min_length=1, max_length=10)]
    displaySettings: dict[Literal["imageAspectRatio"], Literal["horizontal", "square"]] | None = None
    blockChatInput: StrictBool | None = None


class ListContent(Strict):
    type: Literal["list"]
    items: Annotated[list[Item], Field(min_length=1, max_length=10)]
    actions: Annotated[list[CardAction], Field(max_length=10)] | None = None
    blockChatInput: StrictBool | None = None


class SelectOption(Strict):
    name: Annotated[StrictStr, Field(min_length=1, max_length=128)]
    label: Annotated[StrictStr, Field(min_length=1, max_length=128)]


class FormField(Strict):
    type: Literal["text", "email", "select"]
    name: Annotated[StrictStr, Field(min_length=1, max_length=128)]
    label: Annotated[StrictStr, Field(min_length=1, max_length=128)]
    placeholder: Annotated[StrictStr, Field(max_length=128)] | None = None
    minSize: Annotated[StrictInt, Field(ge=1, le=256)] | None = None
    maxSize: Annotated[StrictInt, Field(ge=1, le=256)] | None = None
    options: Annotated[list[SelectOption], Field(min_length=1, max_length=20)] | None = None

    @model_validator(mode="after")
    def _select_needs_options(self) -> "FormField":
        if self.type == "select" and not self.options:
            raise ValueError("a select field needs options")
        return self


class FormContent(Strict):
    type: Literal["form"]
    fields: Annotated[list[FormField], Field(min_length=1, max_length=20)]
    blockChatInput: StrictBool | None = None


class FormResponseField(Strict):
    type: Literal["text", "email", "select"]
    name: Annotated[StrictStr, Field(min_length=1, max_length=128)]
    label: Annotated[StrictStr, Field(min_length=1, max_length=128)]
    text: Annotated[StrictStr, Field(max_length=256)] | None = None
    email: Annotated[StrictStr, Field(max_length=128)] | None = None
    select: Annotated[list[SelectOption], Field(max_length=20)] | None = None


class FormResponseContent(Strict):
    type: Literal["formResponse"]
    fields: Annotated[list[FormResponseField], Field(min_length=1, max_length=20)]
    quotedMessageId: Annotated[StrictStr, Field(max_length=24)] | None = None


Content = Annotated[
    TextContent
    | ImageContent
    | FileContent
    | CarouselContent
    | ListContent
    | FormContent
    | FormResponseContent,
    Field(discriminator="type"),
]

# What each side may send: customers do not send business widgets, businesses do not answer forms.
USER_CONTENT_TYPES = frozenset({"text", "image", "file", "formResponse"})
BUSINESS_CONTENT_TYPES = frozenset({"text", "image", "file", "carousel", "list", "form"})


class AuthorIn(Strict):
    type: Literal["user", "business"]
    subtypes: (
        Annotated[list[Literal["AI", "agent", "bot", "activity"]], Field(min_length=1, max_length=1)] | None
    ) = None
    userId: Annotated[StrictStr, Field(max_length=24)] | None = None
    userExternalId: Annotated[StrictStr, Field(max_length=1024)] | None = None
    displayName: Annotated[StrictStr, Field(max_length=128)] | None = None
    avatarUrl: Url | None = None

    @model_validator(mode="after")
    def _user_identified(self) -> "AuthorIn":
        if self.type == "user" and not (self.userId or self.userExternalId):
            raise ValueError("a user author needs userId or userExternalId")
        if self.type == "user" and self.userId and self.userExternalId:
            raise ValueError("give userId or userExternalId, not both")
        return self


class MessagePostBody(Strict):
    author: AuthorIn
    content: Content
    metadata: dict[str, Any] | None = None
    # Parlour: a client-chosen id that makes a resend return the first message, never a copy.
    clientMessageId: Annotated[StrictStr, Field(min_length=1, max_length=64)] | None = None


class ActivityAuthor(Strict):
    type: Literal["user", "business"]
    userId: Annotated[StrictStr, Field(max_length=24)] | None = None
    userExternalId: Annotated[StrictStr, Field(max_length=1024)] | None = None
    displayName: Annotated[StrictStr, Field(max_length=128)] | None = None
    avatarUrl: Url | None = None


class ActivityPostBody(Strict):
    author: ActivityAuthor
    type: Literal["conversation:read", "typing:start", "typing:stop"]


class ParticipantRef(Strict):
    userId: Annotated[StrictStr, Field(max_length=24)] | None = None
    userExternalId: Annotated[StrictStr, Field(max_length=1024)] | None = None
    subscribeSDKClient: StrictBool | None = None

    @model_validator(mode="after")
    def _one(self) -> "ParticipantRef":
        if bool(self.userId) == bool(self.userExternalId):
            raise ValueError("give exactly one of userId or userExternalId")
        return self


class ParticipantLeaveBody(Strict):
    userId: Annotated[StrictStr, Field(max_length=24)] | None = None
    userExternalId: Annotated[StrictStr, Field(max_length=1024)] | None = None
    participantId: Annotated[StrictStr, Field(max_length=24)] | None = None

    @model_validator(mode="after")
    def _one(self) -> "ParticipantLeaveBody":
        if sum(1 for v in (self.userId, self.userExternalId, self.participantId) if v) != 1:
            raise ValueError("give exactly one of userId, userExternalId or participantId")
        return self


class ConversationCreateBody(Strict):
    type: Literal["personal", "sdkGroup"]
    participants: Annotated[list[ParticipantRef], Field(max_length=10)] | None = None
    displayName: Annotated[StrictStr, Field(max_length=100)] | None = None
    description: Annotated[StrictStr, Field(max_length=100)] | None = None
    iconUrl: Url | None = None
    metadata: dict[str, Any] | None = None


class ConversationUpdateBody(Strict):
    displayName: Annotated[StrictStr, Field(max_length=100)] | None = None
    description: Annotated[StrictStr, Field(max_length=100)] | None = None
    iconUrl: Url | None = None
    metadata: dict[str, Any] | None = None
