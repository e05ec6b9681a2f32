"""Identifiers.

Public ids are 24 lowercase hex characters, the shape Sunshine Conversations clients expect
(they validate `page[after]` cursors at 24 characters). The first 4 bytes are the creation
second, so ids sort roughly by creation time; the rest is random so that several processes never
need to coordinate.
"""

import secrets
import time


def new_id() -> str:
    return f"{int(time.time()):08x}{secrets.token_hex(8)}"


def new_prefixed_id(prefix: str) -> str:
    """Ids that say what they are when seen in logs or config (`app_…` API keys)."""
    return f"{prefix}_{new_id()}"


def new_secret(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def is_id(value: str) -> bool:
    return len(value) == 24 and all(c in "0123456789abcdef" for c in value)
