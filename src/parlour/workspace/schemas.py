from typing import Annotated, Any, Literal

from pydantic import Field, StrictStr

from parlour.lib.schemas import StrictBody

Strict = StrictBody  # kept for the routes that named it first


class SignInBody(StrictBody):
    email: Annotated[StrictStr, Field(min_length=3, max_length=254)]
    password: Annotated[StrictStr, Field(min_length=1, max_length=1024)]


class ReplyBody(StrictBody):
    """A public reply from the signed-in agent; `content` is checked like every message's."""

    content: dict[str, Any]
    clientMessageId: Annotated[StrictStr, Field(min_length=1, max_length=64)] | None = None


class StatusBody(StrictBody):
    status: Literal["online", "away", "transfers_only", "offline"]


Id = Annotated[StrictStr, Field(min_length=1, max_length=24)]


class TicketPatch(StrictBody):
    """Only the fields sent change. `groupId` without `assigneeId` is a transfer to the group:
    the assignee keeps the ticket only if they belong to it."""

    status: Literal["open", "pending", "on_hold", "solved"] | None = None
    priority: Literal["low", "normal", "high", "urgent"] | None = None
    groupId: Id | None = None
    assigneeId: Id | None = None
    tags: Annotated[list[Annotated[StrictStr, Field(max_length=80)]], Field(max_length=50)] | None = None
    customFields: dict[str, Any] | None = None
    subject: Annotated[StrictStr, Field(min_length=1, max_length=200)] | None = None


class Attachment(StrictBody):
    mediaUrl: Annotated[StrictStr, Field(min_length=1, max_length=2048)]
    mediaType: Annotated[StrictStr, Field(max_length=128)] | None = None
    mediaSize: Annotated[int, Field(ge=0)] | None = None
    altText: Annotated[StrictStr, Field(max_length=255)] | None = None


class NoteBody(StrictBody):
    text: Annotated[StrictStr, Field(max_length=8000)] = ""
    attachments: Annotated[list[Attachment], Field(max_length=10)] = []
