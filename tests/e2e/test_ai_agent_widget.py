"""The AI agent in the web widget: on the demo shop page, with the demo's articles and flows, a
customer asks, gets an answer with a link, says it did not help and is handed to the agents."""

import json
from urllib.parse import urlsplit

import httpx
from playwright.async_api import Page, expect

from parlour.ai_agent import actions as ai_agent_actions
from parlour.db import Database
from tests.conftest import make_tenant
from tests.e2e.conftest import shot
from tests.live import LiveServer

WIDGET = "#parlour-widget"


async def test_the_ai_agent_answers_in_the_widget_and_hands_off_on_request(
    page: Page, live: LiveServer, db: Database
) -> None:
    shop = await make_tenant(db, "demo")  # the /demo page shows the widget of the account "demo"
    async with db.transaction() as session:
        await ai_agent_actions.do_seed_demo_content(session, shop.account)
    await page.goto(f"{live.url}/demo")
    await page.locator(f"{WIDGET} .launcher").click()
    panel = page.locator(f"{WIDGET} .panel")
    await expect(panel).to_be_visible()

    await page.locator(f"{WIDGET} textarea").fill("How long will shipping take?")
    await page.locator(f"{WIDGET} textarea").press("Enter")
    answer = panel.get_by_text("Orders placed before 2 pm ship the same working day.", exact=False)
    await expect(answer).to_be_visible()
    await expect(panel.locator("a", has_text="Read the article")).to_be_visible()
    await expect(panel.get_by_text("Did this answer your question?")).to_be_visible()
    await expect(panel.locator(".chip")).to_have_count(2)
    await shot(page, "ai-agent-answer")

    await panel.locator(".chip", has_text="No").click()
    await expect(panel.get_by_text("Would you like to talk to a member of our team?")).to_be_visible()
    await panel.locator(".chip", has_text="Talk to a human").click()
    await expect(panel.get_by_text("I'm passing you to a member of our team.", exact=False)).to_be_visible()
    await shot(page, "ai-agent-handoff")

    async with httpx.AsyncClient(
        base_url=f"{live.url}/v2/apps/{shop.app_id}", headers=shop.auth_header, timeout=15
    ) as api:
        stored = await page.evaluate(f"localStorage.getItem('parlour:{shop.app_id}')")
        conversation = (await api.get(f"conversations/{json.loads(stored)['conversationId']}")).json()
        assert conversation["conversation"]["activeSwitchboardIntegration"]["name"] == "zd-agentWorkspace"
        resolutions = (await api.get("ai-agent/resolutions")).json()["resolutions"]
        assert resolutions == []  # the customer asked for a human: not resolved by the AI agent
        link = await panel.locator("a", has_text="Read the article").first.get_attribute("href")
        assert link is not None
        # Links use PARLOUR_PUBLIC_URL; the test server listens elsewhere: follow the path there.
        article_page = await api.get(f"{live.url}{urlsplit(link).path}")
        assert article_page.status_code == 200
        assert "How long does shipping take?" in article_page.text
