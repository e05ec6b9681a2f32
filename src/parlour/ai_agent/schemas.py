"""API shapes for the AI agent: settings, answer flows."""

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, StrictBool, StrictInt, StrictStr

from parlour.lib.schemas import StrictBody

MAX_PHRASES = 50
PHRASE_MAX = 200
REPLY_TEXT_MAX = 4000


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


Name = Annotated[StrictStr, Field(min_length=1, max_length=100), AfterValidator(_not_blank)]
Phrase = Annotated[StrictStr, Field(min_length=1, max_length=PHRASE_MAX), AfterValidator(_not_blank)]
Phrases = Annotated[list[Phrase], Field(min_length=1, max_length=MAX_PHRASES)]
Locale = Annotated[StrictStr, Field(min_length=2, max_length=35)]
ReplyText = Annotated[StrictStr, Field(min_length=1, max_length=REPLY_TEXT_MAX), AfterValidator(_not_blank)]
QuickReply = Annotated[StrictStr, Field(min_length=1, max_length=128), AfterValidator(_not_blank)]


class Link(StrictBody):
    text: Annotated[StrictStr, Field(min_length=1, max_length=128)]
    uri: Annotated[StrictStr, Field(min_length=1, max_length=2048)]


class TextReply(StrictBody):
    type: Literal["text"]
    text: ReplyText
    quickReplies: Annotated[list[QuickReply], Field(max_length=5)] = []
    links: Annotated[list[Link], Field(max_length=5)] = []


class HandoffReply(StrictBody):
    """Hand the conversation to the agents, optionally to one group (its id)."""

    type: Literal["handoff"]
    text: ReplyText | None = None
    groupId: Annotated[StrictStr, Field(min_length=1, max_length=24)] | None = None


Reply = Annotated[TextReply | HandoffReply, Field(discriminator="type")]


class FlowCreateBody(StrictBody):
    name: Name
    phrases: Phrases
    reply: Reply
    locale: Locale | None = None
    enabled: StrictBool = True


class FlowUpdateBody(StrictBody):
    name: Name | None = None
    phrases: Phrases | None = None
    reply: Reply | None = None
    locale: Locale | None = None
    enabled: StrictBool | None = None


class SettingsUpdateBody(StrictBody):
    botName: Annotated[StrictStr, Field(min_length=1, max_length=128), AfterValidator(_not_blank)] | None = (
        None
    )
    # Checked by hours.check_schedule (precise messages for every mistake).
    businessHours: dict[str, Any] | None = None
    inactivityHours: Annotated[StrictInt, Field(ge=1, le=24 * 30)] | None = None
