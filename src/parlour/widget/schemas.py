from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictStr


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
