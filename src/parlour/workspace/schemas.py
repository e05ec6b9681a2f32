from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictStr


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SignInBody(Strict):
    email: Annotated[StrictStr, Field(min_length=3, max_length=254)]
    password: Annotated[StrictStr, Field(min_length=1, max_length=1024)]


class ReplyBody(Strict):
    """A public reply from the signed-in agent; `content` is checked like every message's."""

    content: dict[str, Any]
    clientMessageId: Annotated[StrictStr, Field(min_length=1, max_length=64)] | None = None


class StatusBody(Strict):
    status: Literal["online", "away", "transfers_only", "offline"]
