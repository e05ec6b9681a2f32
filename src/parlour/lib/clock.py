"""The one source of 'now'. Tests freeze or move it; nothing else calls datetime.now()."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

_frozen: datetime | None = None
_offset = timedelta(0)


def now() -> datetime:
    if _frozen is not None:
        return _frozen
    return datetime.now(UTC) + _offset


def iso(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with milliseconds and a Z, as Sunshine Conversations writes timestamps."""
    if value is None:
        return None
    # isoformat is C code; strftime and an f-string cost several times as much, on every message.
    if value.tzinfo is UTC:  # nearly always (`now()`, and what the database reads back)
        return value.isoformat(timespec="milliseconds")[:-6] + "Z"  # without its "+00:00"
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


@contextmanager
def frozen(at: datetime) -> Iterator[None]:
    global _frozen  # noqa: PLW0603 - the clock is process-wide by design
    previous = _frozen
    _frozen = at
    try:
        yield
    finally:
        _frozen = previous


def advance(delta: timedelta) -> None:
    """Move time forward (for a frozen clock, move the frozen instant)."""
    global _frozen, _offset  # noqa: PLW0603
    if _frozen is not None:
        _frozen = _frozen + delta
    else:
        _offset = _offset + delta


def reset() -> None:
    global _frozen, _offset  # noqa: PLW0603
    _frozen = None
    _offset = timedelta(0)
