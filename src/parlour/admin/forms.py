"""Admin forms: a body that fails validation answers one error per field, in words a person reads
next to the field, instead of the server API's one-line summary."""

from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

from parlour.admin.errors import FieldError, InvalidFields

MAX_ERRORS = 20


def _field(location: Sequence[Any]) -> str | None:
    parts = [str(p) for p in location if p != "body"]
    return ".".join(parts) or None


def _message(error: dict[str, Any]) -> str:
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return "This field is required"
    if kind == "extra_forbidden":
        return "This field is not known"
    if kind == "string_too_short":
        return (
            "This field is required"
            if ctx.get("min_length") == 1
            else f"Use at least {ctx['min_length']} characters"
        )
    if kind == "string_too_long":
        return f"Use at most {ctx.get('max_length')} characters"
    if kind in ("too_short", "too_long"):
        return f"Give between {ctx.get('min_length', 0)} and {ctx.get('max_length', 'any')} items"
    if kind == "literal_error":
        return f"Choose one of {ctx.get('expected')}"
    if kind in ("string_type", "bool_type", "int_type", "list_type", "dict_type", "model_type"):
        return "This value has the wrong type"
    if kind == "greater_than_equal":
        return f"Give a number of at least {ctx.get('ge')}"
    if kind == "less_than_equal":
        return f"Give a number of at most {ctx.get('le')}"
    if kind == "json_invalid":
        return "The request body is not valid JSON"
    message = str(error.get("msg", "This value is not valid"))
    return message.removeprefix("Value error, ")


def field_errors(errors: Sequence[Any]) -> InvalidFields:
    found: list[FieldError] = []
    for error in list(errors)[:MAX_ERRORS]:
        field = _field(error.get("loc", ()))
        if error.get("type") == "json_invalid" or (error.get("type") == "missing" and field is None):
            field = None
        found.append(FieldError(field, _message(error)))
    return InvalidFields(found)


class FormRoute(APIRoute):
    """The route class of the admin router: validation errors become field errors."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as exc:
                raise field_errors(exc.errors()) from None

        return handle
