"""Every error leaves the server as `{"errors": [{"code", "title"}]}` with the right status.

This is the one place domain errors become HTTP responses.
"""

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from parlour.admin.errors import InvalidFields
from parlour.http import describe_validation_errors
from parlour.lib.errors import ParlourError

log = structlog.get_logger("parlour.api")

_HTTP_CODES = {
    # Raised by FastAPI when a body cannot be read at all (not UTF-8, nested too deep, …).
    400: ("bad_request", "The request body could not be read: send JSON encoded in UTF-8"),
    401: ("unauthorized", "Authorization is required"),
    403: ("forbidden", "Forbidden"),
    404: ("not_found", "Not found"),
    405: ("method_not_allowed", "This method is not allowed on this resource"),
    413: ("payload_too_large", "The request body is too large"),
    415: ("unsupported_media_type", "Send the body as JSON with Content-Type: application/json"),
}


def error_body(code: str, title: str) -> dict[str, Any]:
    return {"errors": [{"code": code, "title": title}]}


def install(app: FastAPI) -> None:
    @app.exception_handler(ParlourError)
    async def _domain(request: Request, exc: ParlourError) -> JSONResponse:
        # Only the server API takes Basic credentials; elsewhere the challenge would make browsers
        # pop up a password dialog over the staff pages' own sign-in.
        basic = exc.status == 401 and request.url.path.startswith("/v2/")
        headers = {"WWW-Authenticate": 'Basic realm="parlour"'} if basic else None
        # Admin forms name the field of each error, so the page can show it next to that field.
        body = (
            {"errors": exc.items()}
            if isinstance(exc, InvalidFields)
            else error_body(exc.instance_code, exc.title)
        )
        return JSONResponse(body, status_code=exc.status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(
            error_body("bad_request", describe_validation_errors(exc.errors())), status_code=400
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code, title = _HTTP_CODES.get(exc.status_code, ("error", str(exc.detail)))
        return JSONResponse(error_body(code, title), status_code=exc.status_code)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("request.failed", path=request.url.path)
        return JSONResponse(error_body("internal_error", "Something went wrong on our side"), status_code=500)
