"""Browser tests: Playwright (async API) drives Debian's Chromium against a real server.

`make test` installs Chromium when it is missing (`make browser`). Without it the browser tests
are skipped with a loud reason, unless CI=true, where they fail. They run once, in the SQLite
run: what they check is the pages, and the API underneath is tested on both databases.

Screenshots go to tests/e2e/artifacts/ (ignored by git): `await shot(page, "widget-open")`.
"""

import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from parlour.settings import Settings
from tests.live import LiveServer

ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM = os.environ.get("PARLOUR_TEST_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps trying to reach outside hosts.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Generous: the two cores are shared with the server under test and the other suite's workers.
TIMEOUT_MS = 15_000


def pytest_itemcollected(item: pytest.Item) -> None:
    if Path(str(item.path)).is_relative_to(Path(__file__).parent):
        item.add_marker(pytest.mark.backend_independent)
        if not Path(CHROMIUM).exists():
            reason = f"SKIPPED BROWSER TEST: no Chromium at {CHROMIUM} (run `make browser`)"
            if os.environ.get("CI") == "true":
                raise pytest.UsageError(f"{reason}; CI=true requires it")
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture
def live(db: object, settings: Settings) -> Iterator[LiveServer]:
    """A real uvicorn server with the background worker, on the test's database (`db` empties it
    afterwards)."""
    server = LiveServer(settings.model_copy(update={"run_jobs": True}))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
        )
        try:
            yield launched
        finally:
            await launched.close()


async def new_context(browser: Browser, **options: object) -> BrowserContext:
    """A fresh profile (cookies, storage) at 1280 x 800 unless told otherwise."""
    options.setdefault("viewport", {"width": 1280, "height": 800})
    context = await browser.new_context(**options)  # type: ignore[arg-type]
    context.set_default_timeout(TIMEOUT_MS)
    return context


@pytest.fixture
async def context(browser: Browser) -> AsyncIterator[BrowserContext]:
    ctx = await new_context(browser)
    try:
        yield ctx
    finally:
        await ctx.close()


@pytest.fixture
async def page(context: BrowserContext) -> Page:
    return await context.new_page()


async def shot(page: Page, name: str) -> Path:
    """Save a screenshot of the whole page under tests/e2e/artifacts/<name>.png."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path
