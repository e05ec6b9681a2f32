"""Transport helpers shared by every domain's routes: the per-process Database, body-size limit
and the wording of validation errors. No business rule lives in this module."""

import json
from collections.abc import Sequence
from typing import Any
from urllib.parse import unquote_to_bytes

from fastapi import Request
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from parlour.db import Database
from parlour.lib.errors import BadRequest
from parlour.lib.pagination import Page

MAX_JSON_QUERY_CHARS = 4096


def get_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def json_query_object(request: Request, name: str) -> dict[str, str]:
    """A `style: deepObject` query parameter (`filter[userId]=…`, `page[after]=…`) sent the way the
    official generated clients send it: the whole object JSON-encoded in one parameter
    (`filter={"userId": "…"}`). Empty when absent; routes prefer the `name[field]` form."""
    raw = request.query_params.get(name)
    if raw is None:
        return {}
    problem = f"{name} must be given as {name}[field]=value or as a flat JSON object"
    if len(raw) > MAX_JSON_QUERY_CHARS:
        raise BadRequest(problem)
    try:
        decoded = json.loads(raw)
    except ValueError:
        raise BadRequest(problem) from None
    if not isinstance(decoded, dict) or not all(
        isinstance(value, str | int) and not isinstance(value, bool) for value in decoded.values()
    ):
        raise BadRequest(problem)
    fields = {str(key): str(value) for key, value in decoded.items()}
    # JSON escapes can carry what the URL check cannot see: a NUL, or a lone surrogate (`\ud800`).
    text = "".join((*fields, *fields.values()))
    if "\x00" in text or text.encode("utf-8", "replace").decode() != text:
        raise BadRequest(f"{name} must hold valid Unicode text without the NUL character")
    return fields


def describe_validation_errors(errors: Sequence[Any]) -> str:
    parts = []
    for error in list(errors)[:5]:
        location = [str(p) for p in error.get("loc", ()) if p != "body"]
        where = ".".join(location) or "body"
        kind = error.get("type", "")
        if kind == "extra_forbidden":
            message = "is not a known field"
        elif kind == "json_invalid":
            where, message = "body", "is not valid JSON"
        elif kind == "missing" and where == "body":
            message = "a JSON body is required"
        else:
            message = str(error.get("msg", "is invalid"))
        parts.append(f"{where}: {message}")
    return "Invalid request: " + "; ".join(parts)


class BodySizeLimit:
    """Refuse request bodies over the limit before they are read into memory (413). Attachment
    uploads (`POST …/attachments`) get the larger `upload_max_bytes`."""

    def __init__(self, app: ASGIApp, max_bytes: int, upload_max_bytes: int | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.upload_max_bytes = upload_max_bytes or max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_upload = scope.get("method") == "POST" and scope["path"].endswith("/attachments")
        limit = self.upload_max_bytes if is_upload else self.max_bytes
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _too_large(send, limit)
            return
        seen = 0

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge()
            return message

        try:
            await self.app(scope, limited_receive, send)
        except BodyTooLarge:
            await _too_large(send, limit)


# Multipart framing around an uploaded file: boundaries and part headers.
UPLOAD_OVERHEAD_BYTES = 16 * 1024


async def read_upload(request: Request, field: str, max_bytes: int) -> tuple[str, str, bytes]:
    """(filename, declared media type, at most `max_bytes` + 1 bytes) of one multipart file field."""
    problem = f"Send the file as multipart/form-data in a field named {field!r}"
    if not request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        raise BadRequest(problem)
    form = await request.form(max_files=1, max_fields=5)
    upload = form.get(field)
    if not isinstance(upload, UploadFile):
        raise BadRequest(problem)
    try:
        data = await upload.read(max_bytes + 1)
    finally:
        await upload.close()
    return upload.filename or "file", upload.content_type or "", data


def public_base_url(request: Request, public_url: str | None) -> str:
    """Where links the server hands out point: the configured public URL, else this request's host."""
    return public_url or str(request.base_url)


class BodyTooLarge(HTTPException):
    """Raised while a body without a declared length is read. An HTTPException, because FastAPI's
    body parsing passes those on (it answers any other exception with 400)."""

    def __init__(self) -> None:
        super().__init__(status_code=413)


async def _too_large(send: Send, limit: int) -> None:
    await _refuse(send, 413, "payload_too_large", f"The request body is larger than {limit} bytes")


class RefuseNulInUrl:
    """Refuse a NUL character in the URL's path or query (400): PostgreSQL text cannot hold one,
    so it would otherwise fail deep inside a query instead of being named as bad input."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (
            "\x00" in scope["path"] or b"\x00" in unquote_to_bytes(scope["query_string"])
        ):
            await _refuse(send, 400, "bad_request", "The URL must not contain the NUL character (%00)")
            return
        await self.app(scope, receive, send)


async def _refuse(send: Send, status: int, code: str, title: str) -> None:
    body = json.dumps({"errors": [{"code": code, "title": title}]}, separators=(",", ":")).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


def page_meta(page: Page[Any]) -> dict[str, Any]:
    meta: dict[str, Any] = {"hasMore": page.has_more}
    if page.after_cursor:
        meta["afterCursor"] = page.after_cursor
    if page.before_cursor:
        meta["beforeCursor"] = page.before_cursor
    return meta


def page_links(request: Request, page: Page[Any]) -> dict[str, str]:
    """`next` while more records follow; `prev` once the client has paged away from the start."""
    links: dict[str, str] = {}
    base = str(request.url.remove_query_params(["page[after]", "page[before]"]))
    joiner = "&" if "?" in base else "?"
    if page.has_more and page.after_cursor and "page[before]" not in request.query_params:
        links["next"] = f"{base}{joiner}page[after]={page.after_cursor}"
    if page.before_cursor and (
        "page[after]" in request.query_params or "page[before]" in request.query_params
    ):
        links["prev"] = f"{base}{joiner}page[before]={page.before_cursor}"
    return links


class ClientApiCors:
    """The widget runs on the business's own site, so the client API answers every origin.

    It is safe to: the client API reads no cookie (customers send their credential in the
    Authorization header), so another site can only act with a credential it already holds.
    Everything else (server API, workspace, admin center) keeps the browser's same-origin rule.
    """

    PREFIX = "/client/v1/"

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.cors = CORSMiddleware(
            app,
            allow_origins=["*"],
            allow_methods=["GET", "POST", "PUT", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
            allow_credentials=False,
            max_age=600,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and str(scope.get("path", "")).startswith(self.PREFIX):
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)
