"""The agent workspace's page: one HTML shell at /agent/{appId} (the app shows the sign-in form
when there is no session) and its bundle."""

import html
from pathlib import Path

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse, HTMLResponse

from parlour.accounts import queries as account_queries
from parlour.http import get_db

pages = APIRouter(include_in_schema=False)
BUNDLE = Path(__file__).resolve().parent.parent / "static" / "dist" / "workspace" / "app.js"

# The page runs only our bundle: no inline script, no third-party origin, no framing.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: blob: https: http:; media-src 'self' https: http:; "
        "connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


@pages.get("/agent/{appId}")
async def workspace_page(appId: str, request: Request) -> Response:
    async with get_db(request).reading() as session:
        account = await account_queries.get_account(session, appId)
    if account is None:
        return HTMLResponse("<!doctype html><title>Not found</title><p>No such account.</p>", status_code=404)
    name = html.escape(account.display_name or "Parlour")
    page = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Agent workspace · {name}</title>
</head>
<body>
<div id="app" data-app-id="{html.escape(account.id)}" data-account-name="{name}"></div>
<script src="/agent-assets/app.js" defer></script>
</body>
</html>"""
    return HTMLResponse(page, headers=SECURITY_HEADERS)


@pages.get("/agent-assets/app.js")
async def workspace_bundle() -> Response:
    if not BUNDLE.is_file():
        return Response("// run `make install` (or `cd web && node build.mjs`) to build the workspace", 404)
    return FileResponse(
        BUNDLE,
        media_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
    )
