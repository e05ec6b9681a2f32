"""The agent workspace in a real browser: sign-in, status, views, the ticket page, two agents on
one ticket, and a network drop (PRODUCT §8)."""

import asyncio
import re

from playwright.async_api import Browser, Page, Route, expect

from parlour.db import Database
from tests.conftest import Tenant
from tests.e2e.conftest import shot
from tests.e2e.workspace_setup import PASSWORD, Customer, make_team, open_ticket_with, open_view, signed_in
from tests.live import LiveServer


async def test_sign_in_refuses_a_wrong_password_then_the_agent_sets_a_status_others_see(
    live: LiveServer, page: Page, browser: Browser, db: Database, tenant: Tenant
) -> None:
    await make_team(db, tenant)
    await page.goto(f"{live.url}/agent/{tenant.app_id}")
    await expect(page.get_by_role("heading", name="Sign in to the agent workspace")).to_be_visible()
    await shot(page, "workspace-sign-in")
    await page.get_by_label("Email").fill("sam@acme.test")
    await page.get_by_label("Password").fill("not the password")
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("alert")).to_have_text("The email or password is not right")
    await shot(page, "workspace-sign-in-refused")
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", name="My open tickets")).to_be_visible()
    await expect(page.locator(".conn-live")).to_be_visible()

    admin_context, admin = await signed_in(browser, live, tenant, "admin@acme.test")
    try:
        await expect(admin.get_by_role("link", name="Admin")).to_be_visible()
        await expect(page.get_by_role("link", name="Admin")).to_have_count(0)
        await page.get_by_label("My status").select_option("away")
        sam = admin.locator('[data-staff="sam@acme.test"] .dot')
        await expect(sam).to_have_class(re.compile("dot-away"), timeout=2000)
        await page.get_by_label("My status").select_option("transfers_only")
        await expect(sam).to_have_class(re.compile("dot-transfers_only"), timeout=2000)
        await page.get_by_label("My status").select_option("online")
        await expect(sam).to_have_class(re.compile("dot-online"), timeout=2000)
        await shot(admin, "workspace-team-status")
    finally:
        await admin_context.close()

    # The session survives a reload, and signing out ends it.
    await page.reload()
    await expect(page.get_by_role("heading", name="My open tickets")).to_be_visible()
    await page.get_by_role("button", name="Sign out").click()
    await expect(page.get_by_role("heading", name="Sign in to the agent workspace")).to_be_visible()
    await page.reload()
    await expect(page.get_by_role("heading", name="Sign in to the agent workspace")).to_be_visible()


async def test_views_update_live_and_sort_by_waiting_time(
    live: LiveServer, browser: Browser, db: Database, tenant: Tenant
) -> None:
    await make_team(db, tenant)
    context, page = await signed_in(browser, live, tenant, "sam@acme.test")
    first, second = Customer(live, tenant, "first"), Customer(live, tenant, "second")
    try:
        await open_view(page, "unassigned")
        await expect(page.locator('[data-count="unassigned"]')).to_have_text("0")
        await first.start("My order never arrived", givenName="Olivia", surname="First")
        await expect(page.locator('[data-count="unassigned"]')).to_have_text("1", timeout=2000)
        await second.start("How do I change my address?", givenName="Noah", surname="Second")
        await expect(page.locator('[data-count="unassigned"]')).to_have_text("2", timeout=2000)
        rows = page.locator("tr.clickable .subject-cell")
        await expect(rows).to_have_text(["My order never arrived", "How do I change my address?"])
        await shot(page, "workspace-view-unassigned")

        await open_ticket_with(page, "My order never arrived")
        await page.get_by_role("button", name="Take it").click()
        await expect(page.locator('[data-count="mine"]')).to_have_text("1", timeout=2000)
        await expect(page.locator('[data-count="unassigned"]')).to_have_text("1")
        await page.get_by_label("Reply to the customer").fill("Let me check that for you.")
        await page.get_by_role("button", name="Send reply").click()
        await expect(page.locator(".msg-out .msg-text")).to_have_text(["Let me check that for you."])
        await page.keyboard.press("Escape")
        await open_view(page, "open")
        # The second customer now waits longest: answered tickets sort last.
        await expect(rows).to_have_text(["How do I change my address?", "My order never arrived"])
        await shot(page, "workspace-view-open")
        for view in ("pending", "solved"):
            await open_view(page, view)
            await expect(page.get_by_text("Nothing here")).to_be_visible()
        await shot(page, "workspace-view-empty")
    finally:
        await first.aclose()
        await second.aclose()
        await context.close()


async def test_two_agents_see_each_other_and_each_others_changes_live(
    live: LiveServer, browser: Browser, db: Database, tenant: Tenant
) -> None:
    await make_team(db, tenant)
    customer = Customer(live, tenant, "ada")
    await customer.start(
        "Where is my <b>parcel</b>? <img src=x onerror=alert(1)>", givenName="Ada", email="ada@example.com"
    )
    sam_context, sam = await signed_in(browser, live, tenant, "sam@acme.test")
    kim_context, kim = await signed_in(browser, live, tenant, "kim@acme.test")
    try:
        for page in (sam, kim):
            await open_view(page, "unassigned")
            await open_ticket_with(page, "Where is my")
        # User content is text, never markup.
        await expect(sam.locator(".msg-in .msg-text")).to_have_text(
            "Where is my <b>parcel</b>? <img src=x onerror=alert(1)>"
        )
        await expect(sam.locator(".msg-in img")).to_have_count(0)
        await expect(sam.locator(".collision")).to_contain_text("Kim Support is also viewing", timeout=2000)
        await expect(kim.locator(".collision")).to_contain_text("Sam Support is also viewing")

        await kim.get_by_label("Reply to the customer").fill("I am on it")
        await expect(sam.locator(".collision-warn")).to_contain_text(
            "Kim Support is typing a reply", timeout=2000
        )
        await shot(sam, "workspace-collision-warning")

        await sam.get_by_label("Reply to the customer").fill("Your parcel left our warehouse today.")
        await sam.keyboard.press("Control+Enter")
        await expect(kim.locator(".msg-out .msg-text")).to_have_text(
            ["Your parcel left our warehouse today."], timeout=1000
        )
        texts = [m["content"].get("text") for m in await customer.messages()]
        assert "Your parcel left our warehouse today." in texts

        await customer.activity("typing:start")
        await expect(sam.get_by_text("Ada is typing…")).to_be_visible(timeout=2000)
        await shot(sam, "workspace-customer-typing")
        await customer.activity("conversation:read")
        await expect(sam.locator('[data-read="true"]')).to_be_visible(timeout=2000)

        await sam.get_by_label("Priority").select_option("high")
        await expect(kim.get_by_label("Priority")).to_have_value("high", timeout=1000)
        await sam.get_by_role("button", name="Solve", exact=True).click()
        await expect(kim.locator("[data-ticket-status]")).to_have_text("Solved", timeout=1000)
        await shot(kim, "workspace-ticket-solved-elsewhere")
        await kim.get_by_role("button", name="Back to the view").click()
        await expect(sam.locator(".collision")).to_have_count(0, timeout=2000)
    finally:
        await customer.aclose()
        await sam_context.close()
        await kim_context.close()


async def test_nothing_is_lost_across_a_network_drop(
    live: LiveServer, browser: Browser, db: Database, tenant: Tenant
) -> None:
    await make_team(db, tenant)
    customer = Customer(live, tenant, "drop")
    await customer.start("Hello?", givenName="Dora")
    context, page = await signed_in(browser, live, tenant, "sam@acme.test")
    try:
        await open_view(page, "unassigned")
        await open_ticket_with(page, "Hello?")
        await context.set_offline(True)
        await expect(page.locator(".conn-down")).to_be_visible(timeout=5000)
        await customer.say("Are you there?")
        await customer.say("I need help with my order")
        await shot(page, "workspace-offline")

        # The page reads the ticket again after reconnecting; its answer is held back so that a
        # live message arrives first: the late answer must not drop it.
        async def late_answer(route: Route) -> None:
            response = await route.fetch()
            await asyncio.sleep(2)
            await route.fulfill(response=response)

        await page.route(re.compile(r".*/tickets/[0-9a-f]{24}$"), late_answer)
        await context.set_offline(False)
        await expect(page.locator(".conn-live")).to_be_visible(timeout=15000)
        await expect(page.locator(".msg-in .msg-text")).to_have_text(
            ["Hello?", "Are you there?", "I need help with my order"], timeout=5000
        )
        await customer.say("Thanks")
        # Live, but the two cores are shared with the rest of the suite: allow for a busy moment.
        await expect(page.locator(".msg-in .msg-text")).to_have_text(
            ["Hello?", "Are you there?", "I need help with my order", "Thanks"], timeout=5000
        )
        await page.wait_for_timeout(2500)  # the held-back read has landed by now
        await expect(page.locator(".msg-in .msg-text")).to_have_text(
            ["Hello?", "Are you there?", "I need help with my order", "Thanks"]
        )
    finally:
        await customer.aclose()
        await context.close()
