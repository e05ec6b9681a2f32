"""The API documentation renders in a real browser from local assets (no CDN reachable here)."""

from playwright.async_api import Page, expect

from tests.e2e.conftest import shot
from tests.live import LiveServer


async def test_swagger_ui_lists_the_server_api(live: LiveServer, page: Page) -> None:
    await page.goto(f"{live.url}/docs")
    await expect(page.get_by_role("heading", name="Parlour API")).to_be_visible()
    await expect(page.get_by_text("/v2/apps/{appId}/conversations").first).to_be_visible()
    await shot(page, "api-docs")
