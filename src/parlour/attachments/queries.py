"""Reads for attachments and the account's attachment policy."""

import fnmatch
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from parlour.accounts import queries as account_queries
from parlour.accounts.models import Account
from parlour.attachments.models import Attachment
from parlour.settings import get_settings

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_ALLOWED_TYPES = (
    "image/*",
    "application/pdf",
    "text/plain",
    "text/csv",
    "application/zip",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.*",
    "application/vnd.oasis.opendocument.*",
    "audio/*",
    "video/*",
)


@dataclass(frozen=True)
class Policy:
    """Who may upload what. `enabled` concerns customers; size and types concern every uploader."""

    enabled: bool
    max_bytes: int
    allowed_types: tuple[str, ...]

    def allows(self, media_type: str) -> bool:
        return any(fnmatch.fnmatchcase(media_type, pattern) for pattern in self.allowed_types)

    def as_settings(self) -> dict[str, Any]:
        return {"enabled": self.enabled, "maxBytes": self.max_bytes, "allowedTypes": list(self.allowed_types)}


def policy_of(account: Account) -> Policy:
    """The account's stored policy; anything missing or malformed falls back to the default."""
    stored = account_queries.settings_of(account).get("attachments")
    stored = stored if isinstance(stored, dict) else {}
    enabled = stored.get("enabled")
    max_bytes = stored.get("maxBytes")
    types = stored.get("allowedTypes")
    cap = get_settings().max_upload_bytes
    return Policy(
        enabled=enabled if isinstance(enabled, bool) else True,
        max_bytes=min(max_bytes if type(max_bytes) is int and max_bytes > 0 else DEFAULT_MAX_BYTES, cap),
        allowed_types=(
            tuple(t for t in types if isinstance(t, str))
            if isinstance(types, list)
            else DEFAULT_ALLOWED_TYPES
        ),
    )


async def get_attachment_by_token(session: AsyncSession, token: str) -> Attachment | None:
    found: Attachment | None = await session.scalar(select(Attachment).where(Attachment.token == token))
    return found


def path_of(attachment: Attachment) -> Path:
    return Path(get_settings().data_dir) / "attachments" / attachment.account_id / attachment.token


def media_url(attachment: Attachment, base_url: str) -> str:
    return f"{base_url.rstrip('/')}/attachments/{attachment.token}/{quote(attachment.filename, safe='')}"


def attachment_json(attachment: Attachment, base_url: str) -> dict[str, Any]:
    """The Sunshine Conversations v2 upload answer, plus what the widget shows."""
    return {
        "mediaUrl": media_url(attachment, base_url),
        "mediaType": attachment.media_type,
        "mediaSize": attachment.size,
        "altText": attachment.filename,
    }
