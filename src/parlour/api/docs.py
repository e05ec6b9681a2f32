"""The interactive API documentation, served with its assets from this server (no CDN), so that
it works on a self-hosted installation without internet access."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = "/docs/assets"
# fastapi-offline ships a current Swagger UI (OpenAPI 3.1, which FastAPI emits); only its files
# are used here.
ASSET_FOLDER = Path(fastapi_offline.__file__).parent / "static"


def _with_security(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """Declare the server API's credentials so that the docs' "Authorize" button can use them."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title, version=app.version, description=app.description, routes=app.routes
            )
            schema.setdefault("components", {})["securitySchemes"] = {
                "basicAuth": {"type": "http", "scheme": "basic", "description": "API key id and secret"},
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "HS256 JWT with scope app, kid = API key id",
                },
            }
            for path, operations in schema["paths"].items():
                if path.startswith("/v2/apps/"):
                    for operation in operations.values():
                        operation["security"] = [{"basicAuth": []}, {"bearerAuth": []}]
            app.openapi_schema = schema
        return app.openapi_schema

    return openapi


def install(app: FastAPI) -> None:
    app.openapi = _with_security(app)  # type: ignore[method-assign]
    app.mount(ASSETS, StaticFiles(directory=str(ASSET_FOLDER)), name="docs-assets")
    router = APIRouter(include_in_schema=False)

    @router.get("/docs")
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="Parlour API",
            swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS}/swagger-ui.css",
            swagger_favicon_url="data:,",
        )

    app.include_router(router)
