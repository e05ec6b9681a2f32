"""The admin center's single page at /admin/{appId} and its bundle (web/admin → dist/admin/app.js).
The page holds no data: the app reads everything through the admin API once signed in."""

import html
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse, Response

BUNDLE = Path(__file__).resolve().parent.parent / "static" / "dist" / "admin" / "app.js"
# Everything the page runs comes from this server; user content is rendered as text by Preact,
# and this policy stops any injected script or inline handler even if something slipped through.
POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)

router = APIRouter(tags=["Pages"], include_in_schema=False)


@router.get("/admin/assets/app.js")
async def bundle() -> Response:
    if not BUNDLE.exists():
        return Response("The admin bundle is missing: run `make install` (cd web && node build.mjs).", 503)
    return FileResponse(BUNDLE, media_type="text/javascript", headers={"Cache-Control": "no-cache"})


@router.get("/admin/{appId}", response_class=HTMLResponse)
async def page(appId: str) -> HTMLResponse:
    app_id = html.escape(appId, quote=True)
    body = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Admin center · Parlour</title>
</head>
<body>
<div id="admin" data-app-id="{app_id}"></div>
<script src="/admin/assets/app.js" defer></script>
</body>
</html>
"""
    return HTMLResponse(
        body,
        headers={
            "Content-Security-Policy": POLICY,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin",
            "Cache-Control": "no-store",
        },
    )
