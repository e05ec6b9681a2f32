"""The web widget in a real browser, on the demo shop page, against a real server.

The customer's side is driven through the page; the business's side through the server API.
Replies from whichever integration answers first (AI agent or none) do not matter: each test
looks for the messages it sent itself.
"""

import json
import re
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from playwright.async_api import Browser, BrowserContext, ConsoleMessage, Page, expect

from parlour.accounts import actions as account_actions
from parlour.db import Database
from parlour.settings import get_settings
from tests.conftest import Tenant, make_tenant
from tests.e2e.conftest import new_context, shot
from tests.live import LiveServer

WIDGET = "#parlour-widget"


@pytest.fixture
async def shop(db: Database) -> Tenant:
    # The /demo page shows the widget of the account named "demo".
    return await make_tenant(db, "demo")


@pytest.fixture
async def server_api(live: LiveServer, shop: Tenant) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        base_url=f"{live.url}/v2/apps/{shop.app_id}", headers=shop.auth_header, timeout=15
    ) as client:
        yield client


async def open_messenger(page: Page, live: LiveServer) -> None:
    await page.goto(f"{live.url}/demo")
    await page.locator(f"{WIDGET} .launcher").click()
    await expect(page.locator(f"{WIDGET} .panel")).to_be_visible()
    await expect(page.locator(f"{WIDGET} textarea")).to_be_focused()


async def send(page: Page, text: str) -> None:
    await page.locator(f"{WIDGET} textarea").fill(text)
    await page.locator(f"{WIDGET} textarea").press("Enter")


async def stored_state(page: Page, shop: Tenant) -> dict[str, Any]:
    raw = await page.evaluate(f"localStorage.getItem('parlour:{shop.app_id}')")
    state: dict[str, Any] = json.loads(raw or "{}")
    return state


async def conversation_id(page: Page, shop: Tenant) -> str:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        found = (await stored_state(page, shop)).get("conversationId")
        if found:
            return str(found)
        await page.wait_for_timeout(100)
    raise AssertionError("the widget made no conversation")


async def server_texts(server_api: httpx.AsyncClient, conversation: str) -> list[str]:
    response = await server_api.get(f"conversations/{conversation}/messages")
    assert response.status_code == 200, response.text
    return [m["content"].get("text", "") for m in response.json()["messages"]]


async def reply(server_api: httpx.AsyncClient, conversation: str, content: dict[str, Any]) -> None:
    response = await server_api.post(
        f"conversations/{conversation}/messages",
        json={"author": {"type": "business", "displayName": "Sam from the shop"}, "content": content},
    )
    assert response.status_code == 201, response.text


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("PARLOUR_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def bubbles(page: Page, who: str = "mine") -> Any:
    return page.locator(f"{WIDGET} .row.{who}:not(.pending) .bubble")


async def test_a_customer_opens_sends_gets_a_reply_and_finds_the_history_after_a_reload(
    page: Page, live: LiveServer, shop: Tenant, server_api: httpx.AsyncClient
) -> None:
    await page.goto(f"{live.url}/demo")
    await expect(page.locator(f"{WIDGET} .launcher")).to_be_visible()
    await shot(page, "widget-launcher")
    await open_messenger(page, live)
    await send(page, "Hello, where is my order?")
    await expect(bubbles(page).filter(has_text="Hello, where is my order?")).to_have_count(1)
    conversation = await conversation_id(page, shop)
    assert (await server_texts(server_api, conversation)).count("Hello, where is my order?") == 1

    await reply(server_api, conversation, {"type": "text", "text": "It ships tomorrow."})
    await expect(bubbles(page, "theirs").filter(has_text="It ships tomorrow.")).to_be_visible()
    await shot(page, "widget-conversation")

    await page.reload()
    await page.locator(f"{WIDGET} .launcher").click()
    await expect(bubbles(page).filter(has_text="Hello, where is my order?")).to_have_count(1)
    await expect(bubbles(page, "theirs").filter(has_text="It ships tomorrow.")).to_be_visible()


async def test_messages_typed_offline_are_delivered_once_when_the_connection_returns(
    context: BrowserContext, page: Page, live: LiveServer, shop: Tenant, server_api: httpx.AsyncClient
) -> None:
    await open_messenger(page, live)
    await send(page, "first, online")
    await expect(bubbles(page).filter(has_text="first, online")).to_have_count(1)
    conversation = await conversation_id(page, shop)

    await context.set_offline(True)
    await page.evaluate("window.dispatchEvent(new Event('offline'))")
    await expect(page.locator(f"{WIDGET} .banner")).to_be_visible()
    await send(page, "typed while offline")
    await expect(
        page.locator(f"{WIDGET} .row.pending").filter(has_text="typed while offline")
    ).to_be_visible()
    await reply(server_api, conversation, {"type": "text", "text": "sent while you were away"})
    await shot(page, "widget-offline")

    await context.set_offline(False)
    await expect(bubbles(page).filter(has_text="typed while offline")).to_have_count(1)
    await expect(page.locator(f"{WIDGET} .row.pending")).to_have_count(0)
    await expect(bubbles(page, "theirs").filter(has_text="sent while you were away")).to_have_count(1)
    await page.wait_for_timeout(1500)  # a late duplicate would show up by now
    texts = await server_texts(server_api, conversation)
    assert texts.count("typed while offline") == 1
    assert texts.count("first, online") == 1
    await expect(bubbles(page).filter(has_text="typed while offline")).to_have_count(1)


async def test_logging_in_with_a_jwt_merges_the_anonymous_history(
    db: Database, page: Page, live: LiveServer, shop: Tenant, server_api: httpx.AsyncClient
) -> None:
    async with db.transaction() as session:
        key = await account_actions.do_create_signing_key(session, shop.account, display_name="web")
    token = jwt.encode(
        {"scope": "user", "external_id": "crm-42", "name": "Jane Doe", "exp": int(time.time()) + 600},
        key.secret,
        algorithm="HS256",
        headers={"kid": key.key.id},
    )
    await open_messenger(page, live)
    await send(page, "asked before logging in")
    await expect(bubbles(page).filter(has_text="asked before logging in")).to_have_count(1)

    await page.evaluate("jwt => parlour('messenger', 'loginUser', callback => callback(jwt))", token)
    await page.wait_for_function(
        f"(JSON.parse(localStorage.getItem('parlour:{shop.app_id}') || '{{}}').auth || '')"
        ".startsWith('Bearer')"
    )
    await expect(bubbles(page).filter(has_text="asked before logging in")).to_have_count(1)
    await send(page, "asked after logging in")
    await expect(bubbles(page).filter(has_text="asked after logging in")).to_have_count(1)

    user = (await server_api.get("users/crm-42")).json()["user"]
    conversations = (await server_api.get("conversations", params={"filter[userId]": user["id"]})).json()
    texts = await server_texts(server_api, conversations["conversations"][0]["id"])
    assert texts.count("asked before logging in") == 1
    assert texts.count("asked after logging in") == 1

    await page.evaluate("parlour('messenger', 'logoutUser')")
    assert await stored_state(page, shop) == {}
    await expect(bubbles(page).filter(has_text="asked before logging in")).to_have_count(0)


async def test_every_content_type_is_rendered_and_hostile_input_stays_text(
    page: Page, live: LiveServer, shop: Tenant, server_api: httpx.AsyncClient
) -> None:
    hostile = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'
    await open_messenger(page, live)
    await send(page, f"me {hostile}")
    conversation = await conversation_id(page, shop)
    png = f"{live.url}/attachments/none/x.png"
    card_action = {"type": "link", "text": "View", "uri": "https://example.com/mug"}
    await reply(
        server_api,
        conversation,
        {
            "type": "text",
            "text": f"See https://example.com/track {hostile}",
            "actions": [
                {"type": "reply", "text": "Yes please", "payload": "YES"},
                {"type": "reply", "text": "No thanks", "payload": "NO"},
            ],
        },
    )
    await expect(page.locator(f"{WIDGET} .chip")).to_have_count(2)
    for content in (
        {"type": "image", "mediaUrl": png, "altText": "a mug"},
        {"type": "file", "mediaUrl": f"{live.url}/attachments/none/invoice.pdf", "altText": f"{hostile}.pdf"},
        {
            "type": "carousel",
            "items": [
                {
                    "title": f"Mug {hostile}",
                    "description": "Ember glaze",
                    "mediaUrl": png,
                    "actions": [card_action],
                },
                {
                    "title": "Bowl",
                    "description": "Moss glaze",
                    "actions": [{"type": "postback", "text": "Tell me more", "payload": "BOWL"}],
                },
            ],
        },
        {
            "type": "list",
            "items": [{"title": "Order #1042", "description": "Shipped", "actions": [card_action]}],
        },
        {
            "type": "text",
            "text": "Links and buttons",
            "actions": [card_action, {"type": "postback", "text": "Track it", "payload": "TRACK"}],
        },
        {
            "type": "form",
            "fields": [
                {"type": "text", "name": "name", "label": "Your name"},
                {"type": "email", "name": "email", "label": "Email"},
                {
                    "type": "select",
                    "name": "topic",
                    "label": "Topic",
                    "options": [{"name": "order", "label": "An order"}, {"name": "other", "label": "Other"}],
                },
            ],
        },
    ):
        await reply(server_api, conversation, content)
    panel = page.locator(f"{WIDGET} .panel")
    await expect(panel.locator(".carousel .card")).to_have_count(2)
    await expect(panel.locator(".list .card")).to_have_count(1)
    await expect(panel.locator(".image img")).to_have_attribute("alt", "a mug")
    await expect(panel.locator(".file .file-name")).to_have_text(f"{hostile}.pdf")
    await expect(panel.locator("a[href='https://example.com/track']")).to_be_visible()
    await expect(panel.get_by_text(f"Mug {hostile}")).to_be_visible()
    await expect(panel.locator(".chip")).to_have_count(0)  # quick replies belong to the last message only
    await shot(page, "widget-content-types")

    await panel.locator(".form input[name=name]").fill(f"Jane {hostile}")
    await panel.locator(".form input[name=email]").fill("jane@example.com")
    await panel.locator(".form select").select_option("order")
    await panel.locator(".form button[type=submit]").click()
    await expect(panel.locator(".form-response")).to_be_visible()
    await expect(panel.locator(".form button[type=submit]")).to_be_disabled()
    await panel.get_by_role("button", name="Track it").click()
    await expect(bubbles(page).filter(has_text="Track it")).to_have_count(1)
    await shot(page, "widget-form-response")

    assert await page.evaluate("window.__pwned") is None
    assert (
        await page.evaluate(
            f"document.querySelector('{WIDGET}').shadowRoot.querySelectorAll('script').length"
        )
        == 0
    )
    messages = (await server_api.get(f"conversations/{conversation}/messages")).json()["messages"]
    form_response = next(m for m in messages if m["content"]["type"] == "formResponse")
    assert form_response["content"]["fields"][2]["select"] == [{"name": "order", "label": "An order"}]
    postback = next(m for m in messages if m["content"].get("payload") == "TRACK")
    assert postback["author"]["type"] == "user"


async def test_the_javascript_api_opens_listens_sets_and_refuses_bad_values(
    page: Page, live: LiveServer, shop: Tenant, server_api: httpx.AsyncClient
) -> None:
    errors: list[str] = []
    page.on("console", lambda message: _keep_errors(message, errors))
    # Calls made before the snippet loads are queued by the one-line stub on the page.
    await page.add_init_script(
        "window.parlour = function () { (parlour.q = parlour.q || []).push(arguments); };"
        "window.events = [];"
        "parlour('messenger:on', 'open', () => events.push('open'));"
        "parlour('messenger:on', 'close', () => events.push('close'));"
        "parlour('messenger:on', 'unreadMessages', n => events.push('unread:' + n));"
    )
    await page.goto(f"{live.url}/demo")
    await expect(page.locator(f"{WIDGET} .launcher")).to_be_visible()
    await page.evaluate("parlour('messenger', 'open')")
    await expect(page.locator(f"{WIDGET} .panel")).to_be_visible()
    await page.evaluate("parlour('messenger', 'close')")
    await expect(page.locator(f"{WIDGET} .panel")).to_be_hidden()
    assert await page.evaluate("events.filter(e => !e.startsWith('unread'))") == ["open", "close"]

    await page.evaluate("parlour('messenger', 'hide')")
    await expect(page.locator(f"{WIDGET} .launcher")).to_be_hidden()
    await page.evaluate("parlour('messenger', 'show')")
    await expect(page.locator(f"{WIDGET} .launcher")).to_be_visible()

    await page.evaluate("parlour('messenger:set', 'zIndex', 4242)")
    assert await page.evaluate(f"getComputedStyle(document.querySelector('{WIDGET}')).zIndex") == "4242"
    await page.evaluate("parlour('messenger:set', 'customization', {theme: {primary: '#aa0000'}})")
    launcher = f"document.querySelector('{WIDGET}').shadowRoot.querySelector('.launcher')"
    colour = f"getComputedStyle({launcher}).backgroundColor"
    assert await page.evaluate(colour) == "rgb(170, 0, 0)"
    await page.evaluate("parlour('messenger:set', 'conversationTags', ['vip', 'mugs'])")
    await page.evaluate("parlour('messenger:set', 'conversationFields', [{id: 'order', value: '1042'}])")

    for bad in (
        "parlour('messenger:set', 'zIndex', 'high')",
        "parlour('messenger:set', 'customization', {theme: {primary: 'red'}})",
        "parlour('messenger:set', 'customization', {theme: {primary: '#00ff00', sparkle: '#000000'}})",
        "parlour('messenger:set', 'locale', '<b>')",
        "parlour('messenger:set', 'conversationTags', 'vip')",
        "parlour('messenger', 'explode')",
        "parlour('messenger:on', 'explode', () => {})",
        "parlour('messenger', 'sendMessage', {content: ''})",
        "parlour('messenger', 'loginUser', 'not a function')",
    ):
        before = len(errors)
        await page.evaluate(bad)
        assert len(errors) == before + 1, bad
    assert await page.evaluate(colour) == "rgb(170, 0, 0)"  # the bad theme changed nothing
    assert await page.evaluate(f"getComputedStyle(document.querySelector('{WIDGET}')).zIndex") == "4242"

    await page.evaluate(
        "parlour('messenger', 'sendMessage', {content: 'sent by the page', metadata: {cart: 3}})"
    )
    conversation = await conversation_id(page, shop)
    for _ in range(50):
        if "sent by the page" in await server_texts(server_api, conversation):
            break
        await page.wait_for_timeout(100)
    messages = (await server_api.get(f"conversations/{conversation}/messages")).json()["messages"]
    sent = next(m for m in messages if m["content"].get("text") == "sent by the page")
    assert sent["metadata"]["cart"] == 3
    assert sent["metadata"]["parlour:conversationTags"] == "vip mugs"
    assert json.loads(sent["metadata"]["parlour:conversationFields"]) == [{"id": "order", "value": "1042"}]

    # A reply while the messenger is closed: the badge counts it and the page hears about it.
    await reply(server_api, conversation, {"type": "text", "text": "Thanks for your order!"})
    # (An AI agent may have greeted the customer too: count at least this reply.)
    await expect(page.locator(f"{WIDGET} .badge")).to_have_text(re.compile(r"^[1-9]$"))
    await page.wait_for_function(
        f"(() => {{ const n = {launcher}.parentNode.querySelector('.badge').textContent;"
        "return events.at(-1) === 'unread:' + n && document.title === `(${n}) demo · Parlour demo`; })()"
    )
    await shot(page, "widget-unread-badge")
    await page.locator(f"{WIDGET} .launcher").click()
    await expect(page.locator(f"{WIDGET} .badge")).to_be_hidden()
    await page.wait_for_function("events.includes('unread:0')")


def _keep_errors(message: ConsoleMessage, errors: list[str]) -> None:
    if message.type == "error" and "[parlour]" in message.text:
        errors.append(message.text)


async def test_the_messenger_speaks_french_and_fits_a_phone(
    browser: Browser, live: LiveServer, shop: Tenant
) -> None:
    context = await new_context(browser, viewport={"width": 390, "height": 760}, locale="fr-FR")
    try:
        page = await context.new_page()
        await page.add_init_script(
            "window.parlour = function () { (parlour.q = parlour.q || []).push(arguments); };"
            "parlour('messenger:set', 'locale', 'fr');"
        )
        await page.goto(f"{live.url}/demo")
        launcher = page.locator(f"{WIDGET} .launcher")
        await expect(launcher).to_have_attribute("aria-label", "Ouvrir la messagerie")
        await launcher.click()
        await expect(page.locator(f"{WIDGET} textarea")).to_have_attribute(
            "placeholder", "Écrivez un message"
        )
        await page.wait_for_timeout(300)  # the panel's opening animation
        box = await page.locator(f"{WIDGET} .panel").bounding_box()
        assert box is not None
        assert [round(box[k]) for k in ("x", "y", "width", "height")] == [0, 0, 390, 760]
        await shot(page, "widget-mobile-fr")
        await page.keyboard.press("Escape")
        await expect(page.locator(f"{WIDGET} .panel")).to_be_hidden()
        await expect(launcher).to_be_focused()
    finally:
        await context.close()


async def test_an_attachment_is_uploaded_and_refused_over_the_limit(
    data_dir: Path, page: Page, live: LiveServer, shop: Tenant, server_api: httpx.AsyncClient
) -> None:
    await open_messenger(page, live)
    png = b"\x89PNG\r\n\x1a\n" + bytes(200)
    await page.locator(f"{WIDGET} input[type=file]").set_input_files(
        {"name": "receipt.png", "mimeType": "image/png", "buffer": png}
    )
    await expect(page.locator(f"{WIDGET} .row.mine .image img")).to_have_count(1)
    await page.locator(f"{WIDGET} input[type=file]").set_input_files(
        {"name": "huge.pdf", "mimeType": "application/pdf", "buffer": b"%PDF" + bytes(11 * 1024 * 1024)}
    )
    await expect(page.locator(f"{WIDGET} .notice.error")).to_contain_text("10 MB")
    conversation = await conversation_id(page, shop)
    messages = (await server_api.get(f"conversations/{conversation}/messages")).json()["messages"]
    assert [m["content"]["type"] for m in messages if m["author"]["type"] == "user"] == ["image"]
