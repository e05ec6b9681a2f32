"""The whole product in three browsers: a customer in the widget on /demo, an agent in the
workspace, an admin in the admin center. They exchange messages, the agent solves the ticket, and
the admin's new widget colour reaches the customer's page."""

import json
import time

import httpx
from playwright.async_api import Browser, BrowserContext, Page, expect

from parlour.db import Database
from parlour.people import actions as people_actions
from parlour.people import queries as people_queries
from tests.conftest import Tenant, make_tenant
from tests.e2e.conftest import new_context, shot
from tests.live import LiveServer

PASSWORD = "a-long-password"
WIDGET = "#parlour-widget"


async def staffed_demo_account(db: Database) -> Tenant:
    """The /demo page shows the widget of the account named "demo"."""
    tenant = await make_tenant(db, "demo")
    async with db.transaction() as session:
        await people_actions.do_create_staff(
            session, tenant.account, email="ada@demo.test", name="Ada Admin", role="admin", password=PASSWORD
        )
        agent = await people_actions.do_create_staff(
            session,
            tenant.account,
            email="alex@demo.test",
            name="Alex Agent",
            role="agent",
            password=PASSWORD,
        )
        [support] = await people_queries.list_groups(session, tenant.app_id)
        await people_actions.do_add_group_member(session, support, agent)
    return tenant


async def signed_in(
    browser: Browser, live: LiveServer, tenant: Tenant, email: str
) -> tuple[BrowserContext, Page]:
    """A fresh browser whose staff session was opened through the API (the context keeps the cookie)."""
    context = await new_context(browser)
    response = await context.request.post(
        f"{live.url}/workspace/v1/apps/{tenant.app_id}/session", data={"email": email, "password": PASSWORD}
    )
    assert response.status == 201, await response.text()
    return context, await context.new_page()


async def widget_conversation(page: Page, tenant: Tenant) -> str:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        raw = await page.evaluate(f"localStorage.getItem('parlour:{tenant.app_id}')")
        found = json.loads(raw or "{}").get("conversationId")
        if found:
            return str(found)
        await page.wait_for_timeout(100)
    raise AssertionError("the widget made no conversation")


async def send(customer: Page, text: str) -> None:
    await customer.locator(f"{WIDGET} textarea").fill(text)
    await customer.locator(f"{WIDGET} textarea").press("Enter")
    await expect(
        customer.locator(f"{WIDGET} .row.mine:not(.pending) .bubble").filter(has_text=text)
    ).to_have_count(1)


async def test_a_customer_and_an_agent_talk_the_agent_solves_and_the_admin_recolours_the_widget(
    browser: Browser, live: LiveServer, db: Database
) -> None:
    tenant = await staffed_demo_account(db)
    customer_context = await new_context(browser)
    customer = await customer_context.new_page()
    agent_context, agent = await signed_in(browser, live, tenant, "alex@demo.test")
    admin_context, admin = await signed_in(browser, live, tenant, "ada@demo.test")
    try:
        # The customer writes from the shop's page.
        await customer.goto(f"{live.url}/demo")
        await customer.locator(f"{WIDGET} .launcher").click()
        await expect(customer.locator(f"{WIDGET} .panel")).to_be_visible()
        await send(customer, "Hello, where is my parcel?")
        conversation = await widget_conversation(customer, tenant)
        # The AI agent answers first; the conversation is handed to the agents, as the AI agent
        # does when it cannot help.
        async with httpx.AsyncClient(
            base_url=f"{live.url}/v2/apps/{tenant.app_id}", headers=tenant.auth_header, timeout=15
        ) as server_api:
            handed = await server_api.post(
                f"conversations/{conversation}/passControl",
                json={
                    "switchboardIntegration": "zd-agentWorkspace",
                    "metadata": {"subject": "Where is my parcel?"},
                },
            )
            assert handed.status_code == 200, handed.text
        await send(customer, "Can a person help me?")

        # The agent takes the ticket and answers in real time.
        await agent.goto(f"{live.url}/agent/{tenant.app_id}")
        await expect(agent.get_by_role("navigation", name="Views")).to_be_visible()
        await expect(agent.get_by_role("link", name="Admin")).to_have_count(0)
        await agent.locator('[data-view="unassigned"]').click()
        row = agent.locator("tr.clickable", has_text="Where is my parcel?")
        await expect(row).to_be_visible(timeout=5000)
        await row.click()
        await expect(
            agent.locator(".msg-in .msg-text").filter(has_text="Can a person help me?")
        ).to_be_visible()
        await agent.get_by_role("button", name="Take it").click()
        await agent.get_by_label("Reply to the customer").fill("Hi, I am Alex. Your parcel ships today.")
        await agent.get_by_role("button", name="Send reply").click()
        theirs = customer.locator(f"{WIDGET} .row.theirs .bubble")
        await expect(theirs.filter(has_text="Your parcel ships today.")).to_be_visible(timeout=5000)
        await send(customer, "Great, thank you!")
        await expect(agent.locator(".msg-in .msg-text").filter(has_text="Great, thank you!")).to_be_visible(
            timeout=5000
        )
        await shot(customer, "e2e-customer")
        await agent.get_by_role("button", name="Solve", exact=True).click()
        await expect(agent.locator("[data-ticket-status]")).to_have_text("Solved", timeout=5000)
        await shot(agent, "e2e-agent-solved")

        # The admin recolours the widget; the customer's next page load shows it.
        await admin.goto(f"{live.url}/admin/{tenant.app_id}#/widget")
        await admin.locator('input[name="theme.primary"]').fill("#aa2244")
        await admin.get_by_role("button", name="Save changes").click()
        await expect(admin.get_by_text("✓ Saved")).to_be_visible()
        await shot(admin, "e2e-admin-widget")
        await customer.goto(f"{live.url}/demo")
        await expect(customer.locator(f"{WIDGET} .launcher")).to_have_css(
            "background-color", "rgb(170, 34, 68)", timeout=5000
        )
        await shot(customer, "e2e-customer-recoloured")
    finally:
        for context in (customer_context, agent_context, admin_context):
            await context.close()
