"""The base of every request body the API reads."""

from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator
from pydantic_core import PydanticCustomError


class StrictBody(BaseModel):
    """Unknown fields are refused, and so is the NUL character in any string or key: JSON can
    escape it (`"\\u0000"`) but PostgreSQL text cannot store it."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _refuse_nul(cls, data: Any) -> Any:
        where = _nul_in(data, "")
        if where is not None:
            # Keys are echoed: neither a NUL nor a lone surrogate in one may break the response.
            shown = where.encode("utf-8", "backslashreplace").decode().replace("\x00", "\\u0000")
            raise PydanticCustomError(
                "nul_character",
                "{where} must not contain the NUL character (\\u0000)",
                {"where": shown or "body"},
            )
        return data


def _nul_in(value: Any, path: str) -> str | None:
    """The path of the first string or key holding a NUL character, or None."""
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            inner = f"{path}.{key}" if path else str(key)
            if "\x00" in str(key):
                return inner
            found = _nul_in(item, inner)
            if found is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _nul_in(item, f"{path}[{index}]")
            if found is not None:
                return found
    return None
