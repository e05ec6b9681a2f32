"""Flat metadata, as Sunshine Conversations defines it: string keys, scalar values, ≤ 4 KB."""

import json
import math
from typing import Any

from parlour.lib.errors import BadRequest

METADATA_MAX_BYTES = 4096

Metadata = dict[str, str | int | float | bool | None]


def check_metadata(value: Any, *, field: str = "metadata") -> Metadata | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise BadRequest(f"{field} must be an object")
    for key, item in value.items():
        if not isinstance(key, str):
            raise BadRequest(f"{field} keys must be strings")
        if not _storable(key):
            raise BadRequest(f"{field} keys must be valid Unicode text")
        if item is not None and not isinstance(item, str | int | float | bool):
            raise BadRequest(f"{field}.{key} must be a string, number or boolean: {field} is flat")
        if isinstance(item, float) and not math.isfinite(item):
            raise BadRequest(f"{field}.{key} must be a finite number, not NaN or Infinity")
        if isinstance(item, str) and not _storable(item):
            raise BadRequest(f"{field}.{key} must be valid Unicode text")
    size = len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())
    if size > METADATA_MAX_BYTES:
        raise BadRequest(f"{field} is {size} bytes; the limit is {METADATA_MAX_BYTES} bytes")
    return value


def _storable(text: str) -> bool:
    """JSON may escape a lone UTF-16 surrogate (`"\\ud800"`); no database can store one."""
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True
