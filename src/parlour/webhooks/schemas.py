from typing import Annotated, Literal

from pydantic import Field, StrictBool, StrictStr

from parlour.lib.schemas import StrictBody

Target = Annotated[StrictStr, Field(min_length=1, max_length=2048)]
Triggers = Annotated[
    list[Annotated[StrictStr, Field(min_length=1, max_length=64)]], Field(min_length=1, max_length=30)
]


class Strict(StrictBody):
    """Refuses unknown fields and NUL characters."""


class WebhookCreateBody(Strict):
    target: Target
    triggers: Triggers
    includeFullUser: StrictBool = False
    includeFullSource: StrictBool = False


class WebhookUpdateBody(Strict):
    target: Target | None = None
    triggers: Triggers | None = None
    includeFullUser: StrictBool | None = None
    includeFullSource: StrictBool | None = None


class IntegrationCreateBody(Strict):
    type: Literal["custom"]
    displayName: Annotated[StrictStr, Field(max_length=100)] | None = None
    webhooks: Annotated[list[WebhookCreateBody], Field(max_length=10)] | None = None


class IntegrationUpdateBody(Strict):
    displayName: Annotated[StrictStr, Field(max_length=100)] | None = None
