from typing import Annotated, Any

from pydantic import Field, StrictBool, StrictInt, StrictStr

from parlour.lib.schemas import StrictBody

Name = Annotated[StrictStr, Field(min_length=1, max_length=128)]
RefId = Annotated[StrictStr, Field(min_length=1, max_length=64)]


class Strict(StrictBody):
    """Refuses unknown fields and NUL characters."""


class SwitchboardUpdateBody(Strict):
    enabled: StrictBool | None = None
    defaultSwitchboardIntegrationId: RefId | None = None


class SwitchboardIntegrationCreateBody(Strict):
    name: Name
    integrationId: RefId | None = None
    integrationType: RefId | None = None
    deliverStandbyEvents: StrictBool = True
    nextSwitchboardIntegrationId: RefId | None = None
    messageHistoryCount: Annotated[StrictInt, Field(ge=1, le=10)] | None = None


class SwitchboardIntegrationUpdateBody(Strict):
    name: Name | None = None
    integrationId: RefId | None = None
    integrationType: RefId | None = None
    deliverStandbyEvents: StrictBool | None = None
    nextSwitchboardIntegrationId: RefId | None = None
    messageHistoryCount: Annotated[StrictInt, Field(ge=1, le=10)] | None = None


class ControlBody(Strict):
    switchboardIntegration: Annotated[StrictStr, Field(min_length=1, max_length=128)]
    metadata: dict[str, Any] | None = None


class MetadataBody(Strict):
    metadata: dict[str, Any] | None = None
