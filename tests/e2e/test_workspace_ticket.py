"""The ticket page in a real browser: notes, macros, attachments, properties, end session,
assignment notifications, keyboard shortcuts and paging back through a long conversation
(PRODUCT §8)."""

import re
from pathlib import Path

from playwright.async_api import Browser, expect

from parlour.db import Database
from parlour.macros import actions as macro_actions
from parlour.people import actions as people_actions
from parlour.people import queries as people_queries
from parlour.tickets import actions as ticket_actions
from parlour.tickets import queries as ticket_queries
from tests.conftest import Tenant
from tests.e2e.conftest import shot
from tests.e2e.workspace_setup import Customer, make_team, open_ticket_with, open_view, signed_in
from tests.live import LiveServer


async def test_notes_macros_attachments_properties_and_end_session(
    live: LiveServer, browser: Browser, db: Database, tenant: Tenant, tmp_path: Path
) -> None:
    team = await make_team(db, tenant)
    async with db.transaction() as session:
        await macro_actions.do_create_macro(
            session,
            tenant.account,
            title="Refund issued",
            text="We have issued your refund; it arrives within 5 days.",
            actions={"status": "pending", "addTags": ["refund"]},
        )
    customer = Customer(live, tenant, "ada")
    await customer.start("I was charged twice", givenName="Ada", surname="Lovelace", email="ada@example.com")
    async with db.transaction() as session:
        user = await people_queries.get_user_or_raise(session, tenant.app_id, "ada")
        await people_actions.do_set_user_context(
            session, user, current_url="https://shop.example.com/orders/42", locale="fr-FR"
        )
    context, page = await signed_in(browser, live, tenant, "sam@acme.test")
    try:
        await open_view(page, "unassigned")
        await open_ticket_with(page, "I was charged twice")
        panel = page.get_by_role("region", name="Customer")
        await expect(panel).to_contain_text("Ada Lovelace")
        await expect(panel).to_contain_text("ada@example.com")
        await expect(panel).to_contain_text("fr-FR")
        await expect(panel.get_by_role("link", name="https://shop.example.com/orders/42")).to_be_visible()
        await page.get_by_role("button", name="Take it").click()
        await expect(page.get_by_label("Assignee")).to_have_value(team["sam@acme.test"])

        # An internal note (Alt+N), sent with Ctrl+Enter; the customer never sees it.
        await page.keyboard.press("Alt+n")
        await expect(page.get_by_label("Internal note")).to_be_focused()
        await page.get_by_label("Internal note").fill("Card ending 4242 was charged twice")
        await page.keyboard.press("Control+Enter")
        await expect(page.locator(".note .msg-text")).to_have_text(["Card ending 4242 was charged twice"])
        assert all("4242" not in str(m["content"]) for m in await customer.messages())

        # A macro: status and tags change, its text lands in the composer for review.
        await page.keyboard.press("Alt+r")
        await page.get_by_role("button", name="Macros").click()
        await shot(page, "workspace-macros")
        await page.locator('[data-macro="Refund issued"]').click()
        composer = page.get_by_label("Reply to the customer")
        await expect(composer).to_have_value("We have issued your refund; it arrives within 5 days.")
        await expect(page.get_by_label("Status", exact=True)).to_have_value("pending")
        await expect(page.locator(".tag")).to_have_text(["refund✕"])
        await page.get_by_role("button", name="Send reply").click()
        await expect(page.locator(".msg-out .msg-text")).to_have_text(
            ["We have issued your refund; it arrives within 5 days."]
        )
        # Saving a personal macro from the composer.
        await composer.fill("Anything else I can help with?")
        await page.get_by_role("button", name="Macros").click()
        await page.get_by_role("button", name="Save reply as macro").click()
        await page.get_by_label("Macro title").fill("Anything else")
        await page.get_by_role("button", name="Save", exact=True).click()
        await expect(page.locator('[data-macro="Anything else"]')).to_contain_text("Personal")
        await page.get_by_role("button", name="Close").click()
        await composer.fill("")

        # An attachment, sent as a file message.
        document = tmp_path / "receipt.pdf"
        document.write_bytes(b"%PDF-1.4 receipt")
        await page.get_by_label("Attach files").set_input_files(str(document))
        await expect(page.locator(".pending-files")).to_contain_text("receipt.pdf")
        await page.get_by_role("button", name="Send reply").click()
        await expect(page.locator(".msg-out .file-chip")).to_contain_text("receipt.pdf")
        assert any(m["content"]["type"] == "file" for m in await customer.messages())

        # Properties.
        await page.get_by_label("Priority").select_option("urgent")
        await page.get_by_label("Add tag").fill("vip")
        await page.get_by_label("Add tag").press("Enter")
        await expect(page.locator(".tag")).to_have_text(["refund✕", "vip✕"])
        await page.get_by_label("Field name").fill("order")
        await page.get_by_label("Field value").fill("A-42")
        await page.get_by_role("button", name="Add", exact=True).click()
        await expect(page.locator(".field-row")).to_contain_text("A-42")
        await shot(page, "workspace-ticket")

        # Ending the session closes the composer; the status stays.
        await page.get_by_role("button", name="End session").click()
        await expect(page.locator(".composer-closed")).to_be_visible()
        await expect(page.locator("[data-ticket-status]")).to_have_text("Pending")
        await shot(page, "workspace-session-ended")

        # Alt+S solves.
        await page.locator(".timeline").click()
        await page.keyboard.press("Alt+s")
        await expect(page.locator("[data-ticket-status]")).to_have_text("Solved")
    finally:
        await customer.aclose()
        await context.close()


async def test_a_new_assignment_notifies_the_agent_and_alt_j_walks_the_view(
    live: LiveServer, browser: Browser, db: Database, tenant: Tenant
) -> None:
    team = await make_team(db, tenant)
    first, second = Customer(live, tenant, "one"), Customer(live, tenant, "two")
    await first.start("First question")
    await second.start("Second question")
    admin_context, admin = await signed_in(browser, live, tenant, "admin@acme.test")
    sam_context, sam = await signed_in(browser, live, tenant, "sam@acme.test")
    try:
        await open_view(admin, "open")
        await open_ticket_with(admin, "Second question")
        await admin.get_by_label("Assignee").select_option(team["sam@acme.test"])
        await expect(sam.locator(".toast")).to_contain_text(
            "was assigned to you: Second question", timeout=2000
        )
        await expect(sam.locator('[data-count="mine"]')).to_have_text("1")
        await shot(sam, "workspace-assignment-notification")

        await open_view(sam, "open")
        await expect(sam.locator("tr.clickable")).to_have_count(2)
        await sam.keyboard.press("Alt+j")
        await expect(sam.locator("h1.subject")).to_have_text("First question")
        await sam.keyboard.press("Alt+j")
        await expect(sam.locator("h1.subject")).to_have_text("Second question")
        await sam.keyboard.press("Escape")
        await expect(sam.get_by_role("heading", name="All open")).to_be_visible()
        await sam.keyboard.press("?")
        await expect(sam.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
        await shot(sam, "workspace-shortcuts")
        await expect(sam.get_by_role("dialog")).to_contain_text(re.compile("Alt \\+ S"))
    finally:
        await first.aclose()
        await second.aclose()
        await admin_context.close()
        await sam_context.close()


async def test_show_earlier_messages_pages_back_to_the_first_message_keeping_the_scroll(
    live: LiveServer, browser: Browser, db: Database, tenant: Tenant
) -> None:
    await make_team(db, tenant)
    customer = Customer(live, tenant, "ada")
    await customer.start("Where is my order?", givenName="Ada", surname="Lovelace")
    for number in range(2, 131):
        if number % 4 == 0:
            reply = await customer.http.post(
                f"conversations/{customer.conversation_id}/messages",
                json={
                    "author": {"type": "business"},
                    "content": {"type": "text", "text": f"Message {number}"},
                },
            )
            assert reply.status_code == 201, reply.text
        else:
            await customer.say(f"Message {number}")
        if number == 5:
            async with db.transaction() as session:
                ticket = await ticket_queries.get_current_ticket(session, customer.conversation_id)
                assert ticket is not None
                await ticket_actions.do_add_note(
                    session, ticket, text="Customer called about this too", author_name="Sam Support"
                )
    context, page = await signed_in(browser, live, tenant, "sam@acme.test")
    try:
        await open_view(page, "unassigned")
        await open_ticket_with(page, "Where is my order?")
        timeline = page.get_by_label("Conversation")
        messages = timeline.locator("[data-message] .msg-text")
        await expect(messages).to_have_count(100)
        await expect(messages.first).to_have_text("Message 31")
        await expect(page.locator(".note")).to_have_count(0)

        more = page.get_by_role("button", name="Show earlier messages")
        await more.scroll_into_view_if_needed()
        oldest = timeline.get_by_text("Message 31", exact=True)
        top_before = (await oldest.bounding_box() or {})["y"]
        await more.click()
        await expect(messages).to_have_count(130)
        # Prepended above: what the agent was looking at stays where it was.
        assert abs((await oldest.bounding_box() or {})["y"] - top_before) < 2
        await expect(more).to_have_count(0)
        await expect(page.locator(".timeline-more")).to_have_text("Start of the conversation")
        # The earlier period's note, in its place between the messages written around it.
        texts = await timeline.locator("[data-message] .msg-text, .note .msg-text").all_inner_texts()
        assert texts[4:7] == ["Message 5", "Customer called about this too", "Message 6"]

        await timeline.evaluate("box => { box.scrollTop = 0; }")
        await expect(timeline.get_by_text("Where is my order?")).to_be_in_viewport()
        await shot(page, "workspace-earlier-messages")
    finally:
        await customer.aclose()
        await context.close()
