"""The base of every domain error.

A domain raises a subclass with a stable `code` and a human-readable `title`; the API layer maps
`status` to the HTTP response in one place (`parlour.api.errors`). Codes follow the Sunshine
Conversations style (`conversation_not_found`, `bad_request`).
"""

from typing import ClassVar


class ParlourError(Exception):
    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"
    title: str = "Bad request"

    def __init__(self, title: str | None = None, *, code: str | None = None) -> None:
        if title is not None:
            self.title = title
        self.instance_code = code or self.code
        super().__init__(self.title)


class BadRequest(ParlourError):
    status = 400
    code = "bad_request"


class Unauthorized(ParlourError):
    status = 401
    code = "unauthorized"
    title = "Authorization is required"


class Forbidden(ParlourError):
    status = 403
    code = "forbidden"
    title = "Forbidden"


class NotFound(ParlourError):
    status = 404
    code = "not_found"
    title = "Not found"


class Conflict(ParlourError):
    status = 409
    code = "conflict"
    title = "Conflict"


class Locked(ParlourError):
    status = 423
    code = "locked"
    title = "Locked"
