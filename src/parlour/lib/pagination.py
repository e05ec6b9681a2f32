"""Cursor pagination in the Sunshine Conversations shape: `page[after]`, `page[before]`,
`page[size]` in; `meta.hasMore`, `meta.afterCursor`/`beforeCursor` and `links` out."""

from dataclasses import dataclass
from typing import Generic, TypeVar

from parlour.lib.errors import BadRequest
from parlour.lib.ids import is_id

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class PageRequest:
    after: str | None = None
    before: str | None = None
    size: int = DEFAULT_PAGE_SIZE


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    has_more: bool
    after_cursor: str | None
    before_cursor: str | None


def check_page(after: str | None, before: str | None, size: str | int | None) -> PageRequest:
    if after is not None and before is not None:
        raise BadRequest("Only one of page[after] or page[before] may be given")
    for name, cursor in (("page[after]", after), ("page[before]", before)):
        if cursor is not None and not is_id(cursor):
            raise BadRequest(f"{name} must be a record id (24 hexadecimal characters)")
    if size is None:
        return PageRequest(after, before, DEFAULT_PAGE_SIZE)
    try:
        parsed = int(size)
    except ValueError:
        raise BadRequest("page[size] must be an integer") from None
    if not 1 <= parsed <= MAX_PAGE_SIZE:
        raise BadRequest(f"page[size] must be between 1 and {MAX_PAGE_SIZE}")
    return PageRequest(after, before, parsed)
