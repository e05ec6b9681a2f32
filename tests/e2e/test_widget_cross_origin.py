"""The snippet on the business's own site: the widget talks to Parlour from another origin."""

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from playwright.async_api import Page, expect

from tests.conftest import Tenant
from tests.e2e.conftest import shot
from tests.e2e.test_widget import WIDGET, bubbles, send, server_api, server_texts, shop  # noqa: F401
from tests.live import LiveServer


@pytest.fixture
def shop_site(live: LiveServer, shop: Tenant) -> Iterator[str]:  # noqa: F811
    """The business's own site: another origin (another port), with only the snippet on it."""
    html = (
        '<!doctype html><html lang="en"><head><title>Example shop</title></head><body>'
        "<h1>Example shop</h1><p>Hand-thrown mugs.</p>"
        f'<script src="{live.url}/widget/snippet.js" data-app-id="{shop.app_id}" async></script>'
        "</body></html>"
    ).encode()

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(html)))
            self.end_headers()
            self.wfile.write(html)

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


async def test_the_widget_works_on_a_page_of_another_site(
    page: Page,
    shop_site: str,
    shop: Tenant,  # noqa: F811
    server_api: httpx.AsyncClient,  # noqa: F811
) -> None:
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    await page.goto(f"{shop_site}/product")
    await page.locator(f"{WIDGET} .launcher").click()
    await expect(page.locator(f"{WIDGET} .panel")).to_be_visible()
    await send(page, "Hello from another site")
    await expect(bubbles(page).filter(has_text="Hello from another site")).to_have_count(1)
    await shot(page, "widget-cross-origin")
    state = json.loads(await page.evaluate(f"localStorage.getItem('parlour:{shop.app_id}')") or "{}")
    texts = await server_texts(server_api, state["conversationId"])
    assert texts.count("Hello from another site") == 1
    assert errors == []
