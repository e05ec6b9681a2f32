"""Errors of the admin center. A form's error names the field it concerns, so the page can show it
next to that field: `{"errors": [{"code", "title", "field"}]}` (`field` absent for the form as a whole)."""

from dataclasses import dataclass
from typing import Any

from parlour.lib.errors import Conflict, Forbidden, ParlourError


@dataclass(frozen=True)
class FieldError:
    field: str | None
    title: str
    code: str = "bad_request"

    def json(self) -> dict[str, Any]:
        item: dict[str, Any] = {"code": self.code, "title": self.title}
        if self.field is not None:
            item["field"] = self.field
        return item


class InvalidFields(ParlourError):
    """One or more fields of a form are wrong; nothing was changed."""

    status = 400
    code = "bad_request"
    title = "Some fields are not right"

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__(errors[0].title if errors else None, code=errors[0].code if errors else None)
        self.errors = errors

    @classmethod
    def of(cls, field: str | None, error: ParlourError) -> "InvalidFields":
        """A domain error shown next to the field that caused it (409 stays 409)."""
        made = FieldConflict if error.status == 409 else cls
        return made([FieldError(field, error.title, error.instance_code)])

    def items(self) -> list[dict[str, Any]]:
        return [error.json() for error in self.errors]


class FieldConflict(InvalidFields):
    status = 409
    code = "conflict"


class AdminOnly(Forbidden):
    code = "forbidden"
    title = "Only admins can use the admin center"


class CannotDeactivateSelf(Conflict):
    code = "conflict"
    title = "You cannot deactivate yourself; ask another admin"
