"""Attachments: the server API's upload (Sunshine Conversations v2 shape) and the public file URLs.

The customer's upload is in the client API (`parlour.widget.routes`); the staff upload in the
workspace API. All of them call `actions.do_store_attachment`.
"""

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response

from parlour.accounts import queries as account_queries
from parlour.accounts.auth import AppAuthDep
from parlour.attachments import actions, queries
from parlour.attachments.errors import AttachmentNotFound
from parlour.attachments.schemas import UPLOAD_FIELD
from parlour.http import get_db, public_base_url, read_upload
from parlour.settings import get_settings

router = APIRouter(tags=["Attachments"])

# Served files never run: no scripts, no plugins, no frames, and never sniffed into HTML.
SAFE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; img-src 'self'; sandbox",
    "Referrer-Policy": "no-referrer",
    # The widget shows images on the business's own site, another origin.
    "Cross-Origin-Resource-Policy": "cross-origin",
    "Cache-Control": "private, max-age=31536000, immutable",
}


def base_url(request: Request) -> str:
    return public_base_url(request, get_settings().public_url)


@router.post("/v2/apps/{appId}/attachments", status_code=201, summary="Upload an attachment")
async def upload_attachment(request: Request, auth: AppAuthDep) -> dict[str, Any]:
    filename, media_type, data = await read_upload(request, UPLOAD_FIELD, get_settings().max_upload_bytes)
    async with get_db(request).transaction() as session:
        account = await account_queries.get_account_or_raise(session, auth.account.id)
        attachment = await actions.do_store_attachment(
            session,
            account,
            filename=filename,
            media_type=media_type,
            data=data,
            uploaded_by=f"api:{auth.key_id}",
        )
    return {"attachment": queries.attachment_json(attachment, base_url(request))}


@router.get("/attachments/{token}/{filename}", summary="An uploaded file", include_in_schema=False)
async def serve_attachment(token: str, filename: str, request: Request) -> Response:
    async with get_db(request).reading() as session:
        attachment = await queries.get_attachment_by_token(session, token) if len(token) <= 64 else None
    path = queries.path_of(attachment) if attachment is not None else None
    if attachment is None or path is None or not path.is_file():
        raise AttachmentNotFound()
    disposition = "inline" if attachment.inline else "attachment"
    headers = {
        **SAFE_HEADERS,
        "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(attachment.filename, safe='')}",
    }
    media_type = attachment.media_type if attachment.inline else "application/octet-stream"
    return FileResponse(path, media_type=media_type, headers=headers)
