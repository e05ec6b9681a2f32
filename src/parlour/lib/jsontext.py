"""JSON text for the hot paths: every message is encoded several times (its stored content and
event, the frames on the streams) and every client frame decoded once. orjson does it in C, several
times faster than the standard library; the standard library takes over for what orjson refuses
(integers beyond 64 bits, keys that are not strings, NaN in text), so that nothing Python's json
accepts fails here. Unlike it, NaN and infinities are written as null: JSON has no such numbers.

The text is compact (no spaces) and UTF-8 (not ASCII-escaped), as the frames always were."""

import json
from typing import Any

import orjson


def dumps(value: Any) -> str:
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def loads(text: str | bytes) -> Any:
    """What Python's json reads (NaN and Infinity too, which rows written before may hold); a
    failure is a ValueError (`json.JSONDecodeError`)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)
