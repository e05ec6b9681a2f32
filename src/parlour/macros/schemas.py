from typing import Annotated, Literal

from pydantic import Field, StrictStr

from parlour.lib.schemas import StrictBody

Tag = Annotated[StrictStr, Field(min_length=1, max_length=80)]


class MacroActions(StrictBody):
    status: Literal["open", "pending", "on_hold", "solved"] | None = None
    priority: Literal["low", "normal", "high", "urgent"] | None = None
    groupId: Annotated[StrictStr, Field(min_length=1, max_length=24)] | None = None
    addTags: Annotated[list[Tag], Field(max_length=20)] = []
    removeTags: Annotated[list[Tag], Field(max_length=20)] = []


class MacroBody(StrictBody):
    """Create a macro. `shared` (admins only) makes it the team's; otherwise it is yours."""

    title: Annotated[StrictStr, Field(min_length=1, max_length=120)]
    text: Annotated[StrictStr, Field(max_length=4096)] = ""
    actions: MacroActions = MacroActions()
    shared: bool = False


class MacroPatch(StrictBody):
    title: Annotated[StrictStr, Field(min_length=1, max_length=120)] | None = None
    text: Annotated[StrictStr, Field(max_length=4096)] | None = None
    actions: MacroActions | None = None
