"""Identifiers.

Public ids are 24 lowercase hex characters, the shape Sunshine Conversations clients expect
(they validate `page[after]` cursors at 24 characters), laid out like a MongoDB ObjectId:
4 bytes of creation second, 5 random bytes fixed per process, a 3-byte counter. Ids made by one
process therefore sort in creation order (cursor pagination relies on it), and several processes
never need to coordinate.
"""

import itertools
import os
import secrets
import threading
import time

_PROCESS = secrets.token_hex(5)
# Starting below 2**23 leaves at least 8 million ids per second before the counter wraps.
_counter = itertools.count(secrets.randbelow(2**23))
_lock = threading.Lock()


def _reseed() -> None:
    """A forked worker must not share its parent's process bytes and counter."""
    global _PROCESS, _counter  # noqa: PLW0603
    _PROCESS = secrets.token_hex(5)
    _counter = itertools.count(secrets.randbelow(2**23))


os.register_at_fork(after_in_child=_reseed)


def new_id() -> str:
    with _lock:
        count = next(_counter) & 0xFFFFFF
    return f"{int(time.time()):08x}{_PROCESS}{count:06x}"


def new_prefixed_id(prefix: str) -> str:
    """Ids that say what they are when seen in logs or config (`app_…` API keys)."""
    return f"{prefix}_{new_id()}"


def new_secret(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def is_id(value: str) -> bool:
    return len(value) == 24 and all(c in "0123456789abcdef" for c in value)
