"""The only writer of attachments: checks the account's policy, keeps the bytes, records the row."""

import asyncio
import mimetypes
import re
import secrets
import unicodedata
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from parlour.accounts.models import Account
from parlour.attachments import queries
from parlour.attachments.errors import (
    AttachmentsDisabled,
    AttachmentTooLarge,
    AttachmentTypeNotAllowed,
    InvalidAttachment,
)
from parlour.attachments.models import Attachment
from parlour.lib import clock, ids

MAX_FILENAME = 255
MEDIA_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]{0,62}/[a-z0-9][a-z0-9!#$&^_.+-]{0,62}$")
# Magic numbers of the image formats browsers show without running anything.
INLINE_SIGNATURES = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
}


def check_filename(filename: str) -> str:
    """A display name only (never a path on disk): no folders, control characters or blank."""
    name = unicodedata.normalize("NFC", filename).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip().strip(".")
    if not name:
        name = "file"
    if len(name) > MAX_FILENAME:
        stem, dot, ext = name.rpartition(".")
        name = (
            (stem[: MAX_FILENAME - len(ext) - 1] + dot + ext)
            if dot and len(ext) <= 16
            else name[:MAX_FILENAME]
        )
    return name


def check_media_type(media_type: str, filename: str) -> str:
    cleaned = media_type.split(";", 1)[0].strip().lower()
    if not cleaned or cleaned == "application/octet-stream":
        cleaned = (mimetypes.guess_type(filename, strict=False)[0] or "application/octet-stream").lower()
    if not MEDIA_TYPE.match(cleaned):
        raise InvalidAttachment(f"{media_type[:80]!r} is not a media type such as image/png")
    return cleaned


def is_inline_image(media_type: str, data: bytes) -> bool:
    if media_type == "image/webp":
        return data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    return any(data.startswith(signature) for signature in INLINE_SIGNATURES.get(media_type, ()))


async def do_store_attachment(
    session: AsyncSession,
    account: Account,
    *,
    filename: str,
    media_type: str,
    data: bytes,
    uploaded_by: str,
) -> Attachment:
    """`uploaded_by` names the uploader: `user:<id>` for customers (refused when the account turned
    customer attachments off), `staff:<id>`, or `api:<key id>`. Size and type limits apply to all."""
    policy = queries.policy_of(account)
    if uploaded_by.startswith("user:") and not policy.enabled:
        raise AttachmentsDisabled()
    name = check_filename(filename)
    kind = check_media_type(media_type, name)
    if not data:
        raise InvalidAttachment("The file is empty")
    if len(data) > policy.max_bytes:
        raise AttachmentTooLarge(f"The file is larger than the limit of {_megabytes(policy.max_bytes)}")
    if not policy.allows(kind):
        raise AttachmentTypeNotAllowed(f"Files of type {kind} are not accepted")
    attachment = Attachment(
        id=ids.new_id(),
        account_id=account.id,
        token=secrets.token_urlsafe(24),
        filename=name,
        media_type=kind,
        size=len(data),
        inline=is_inline_image(kind, data),
        uploaded_by=uploaded_by[:64],
        created_at=clock.now(),
    )
    # Written before the row commits: a rollback leaves an unreferenced file, never a row without one.
    await asyncio.to_thread(_write, queries.path_of(attachment), data)
    session.add(attachment)
    await session.flush()
    return attachment


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    partial.write_bytes(data)
    partial.replace(path)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB" if size >= 1024 * 1024 else f"{size // 1024} KB"
