"""The admin center in a real browser: each section works, errors show next to their field, user
content is shown as text, and agents see no admin page."""

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from playwright.async_api import BrowserContext, Locator, Page, expect

from parlour.db import Database
from parlour.people import actions as people_actions
from tests.conftest import Tenant
from tests.e2e.conftest import shot
from tests.live import LiveServer

PASSWORD = "a-long-password"


@dataclass
class Admin:
    page: Page
    url: str
    tenant: Tenant

    async def open(self, section: str) -> None:
        await self.page.goto(f"{self.url}#/{section}")
        await expect(self.page.locator(".sidenav a.active")).to_be_visible()


async def staff_member(db: Database, tenant: Tenant, email: str, role: str, name: str) -> None:
    async with db.transaction() as session:
        await people_actions.do_create_staff(
            session, tenant.account, email=email, name=name, role=role, password=PASSWORD
        )


async def sign_in(context: BrowserContext, live: LiveServer, tenant: Tenant, email: str) -> None:
    """Through the API, from the browser context, which keeps the session cookie."""
    response = await context.request.post(
        f"{live.url}/workspace/v1/apps/{tenant.app_id}/session", data={"email": email, "password": PASSWORD}
    )
    assert response.status == 201, await response.text()


@pytest.fixture
async def admin(
    db: Database, live: LiveServer, tenant: Tenant, context: BrowserContext
) -> AsyncIterator[Admin]:
    await staff_member(db, tenant, "ada@acme.test", "admin", "Ada Admin")
    await staff_member(db, tenant, "alex@acme.test", "agent", "Alex Agent")
    await sign_in(context, live, tenant, "ada@acme.test")
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield Admin(page, f"{live.url}/admin/{tenant.app_id}", tenant)
    assert errors == [], errors


def field(scope: Page | Locator, name: str) -> Locator:
    """The form field `name` (its input, and its error once shown)."""
    return scope.locator(f'[data-field="{name}"]')


async def test_account_settings(admin: Admin) -> None:
    page = admin.page
    await admin.open("account")
    name = page.get_by_label("Account name")
    await expect(name).to_have_value("acme")
    await shot(page, "admin-account")
    await name.fill("")
    await page.get_by_role("button", name="Save changes").click()
    await expect(field(page, "displayName").locator(".field-error")).to_have_text("This field is required")
    await shot(page, "admin-account-error")
    await name.fill("Acme Support")
    await page.get_by_label("Time zone").select_option("Europe/Paris")
    await page.get_by_label("Mode").select_option("live_chat")
    await page.get_by_role("button", name="Save changes").click()
    await expect(page.get_by_text("✓ Saved")).to_be_visible()
    await page.reload()
    await expect(page.get_by_label("Account name")).to_have_value("Acme Support")
    await expect(page.get_by_label("Time zone")).to_have_value("Europe/Paris")
    await expect(page.get_by_label("Mode")).to_have_value("live_chat")


async def test_staff_invite_edit_and_deactivate(admin: Admin) -> None:
    page = admin.page
    await admin.open("staff")
    table = page.get_by_test_id("staff-table")
    await expect(table.locator("tr[data-email]")).to_have_count(2)
    await page.get_by_role("button", name="+ Add member").click()
    dialog = page.get_by_role("dialog")
    await dialog.get_by_label("Full name").fill("Sam Support")
    await dialog.get_by_label("Email").fill("alex@acme.test")
    await dialog.get_by_role("button", name="Add member").click()
    await expect(field(dialog, "email").locator(".field-error")).to_contain_text("already exists")
    await dialog.get_by_label("Email").fill("not an email")
    await dialog.get_by_role("button", name="Add member").click()
    await expect(field(dialog, "email").locator(".field-error")).to_contain_text("email address")
    await shot(page, "admin-staff-add-error")
    await dialog.get_by_label("Email").fill("sam@acme.test")
    await dialog.get_by_label("Support").check()
    await dialog.get_by_role("button", name="Add member").click()
    secret = page.get_by_test_id("secret-once")
    await expect(secret).to_contain_text("Sam Support can now sign in")
    temporary = await secret.locator('[data-secret="Temporary password"]').inner_text()
    assert len(temporary) >= 12
    row = table.locator('tr[data-email="sam@acme.test"]')
    await expect(row).to_contain_text("Support")
    await shot(page, "admin-staff")
    # The temporary password works (checked outside the browser, which keeps Ada's session).
    async with httpx.AsyncClient() as client:
        login = await client.post(
            f"{admin.url.replace('/admin/', '/workspace/v1/apps/')}/session",
            json={"email": "sam@acme.test", "password": temporary},
        )
    assert login.status_code == 201, login.text
    await page.reload()
    await expect(page.get_by_test_id("secret-once")).to_have_count(0)
    # Promote, then deactivate.
    row = page.get_by_test_id("staff-table").locator('tr[data-email="alex@acme.test"]')
    await row.get_by_role("button", name="Edit").click()
    await page.get_by_role("dialog").get_by_label("Role").select_option("admin")
    await page.get_by_role("dialog").get_by_role("button", name="Save").click()
    await expect(row.locator(".badge-admin")).to_be_visible()
    await row.get_by_role("button", name="Deactivate").click()
    await page.get_by_role("dialog").get_by_role("button", name="Deactivate").click()
    await expect(row).to_contain_text("Deactivated")
    await expect(row.get_by_role("button", name="Reactivate")).to_be_visible()
    me = page.get_by_test_id("staff-table").locator('tr[data-email="ada@acme.test"]')
    await expect(me.get_by_role("button", name="Deactivate")).to_have_count(0)


async def test_groups_and_members(admin: Admin) -> None:
    page = admin.page
    await admin.open("groups")
    await page.get_by_role("button", name="+ New group").click()
    dialog = page.get_by_role("dialog")
    await dialog.get_by_label("Name").fill("Support")
    await dialog.get_by_role("button", name="Create group").click()
    await expect(field(dialog, "name").locator(".field-error")).to_contain_text("already exists")
    hostile = '<img src=x onerror="document.body.dataset.owned=1">Billing'
    await dialog.get_by_label("Name").fill(hostile)
    await dialog.get_by_label("Description").fill("Invoices & refunds")
    await dialog.get_by_role("button", name="Create group").click()
    card = page.locator(".group-card", has_text="Invoices & refunds")
    await expect(card.locator("h2")).to_have_text(hostile)  # shown as text, never run
    await card.get_by_label("Add a member to").select_option(label="Alex Agent (agent)")
    await card.get_by_role("button", name="Add", exact=True).click()
    await expect(card.locator(".chip")).to_contain_text("Alex Agent")
    await shot(page, "admin-groups")
    assert await page.evaluate("document.body.dataset.owned") is None
    await card.get_by_role("button", name="Remove Alex Agent").click()
    await expect(card).to_contain_text("No members yet.")
    await card.get_by_role("button", name="Delete").click()
    await page.get_by_role("dialog").get_by_role("button", name="Delete group").click()
    await expect(page.locator(".group-card")).to_have_count(1)


async def test_web_widget_settings_and_snippet(admin: Admin) -> None:
    page = admin.page
    await admin.open("widget")
    snippet = page.get_by_test_id("snippet")
    host = admin.url.split("/admin/")[0]
    await expect(snippet).to_have_text(
        f'<script src="{host}/widget/snippet.js" data-app-id="{admin.tenant.app_id}" async></script>'
    )
    primary = page.locator('input[name="theme.primary"]')
    await primary.fill("red")
    await page.get_by_role("button", name="Save changes").click()
    await expect(field(page, "theme.primary").locator(".field-error")).to_be_visible()
    await shot(page, "admin-widget-error")
    await primary.fill("#7a1fa2")
    await page.get_by_label("Business name").fill("Acme Shop")
    await page.get_by_label("Intro text").fill("We reply within minutes")
    await page.get_by_label("Launcher position").select_option("left")
    await page.get_by_label("Customers may send files and images").uncheck()
    preview = page.get_by_test_id("widget-preview")
    await expect(preview.locator(".pv-head")).to_have_css("background-color", "rgb(122, 31, 162)")
    await expect(preview).to_contain_text("Acme Shop")
    await page.get_by_role("button", name="Save changes").click()
    await expect(page.get_by_text("✓ Saved")).to_be_visible()
    await shot(page, "admin-widget")
    await page.reload()
    await expect(page.locator('input[name="theme.primary"]')).to_have_value("#7a1fa2")
    await expect(page.get_by_label("Launcher position")).to_have_value("left")
    await expect(page.get_by_label("Customers may send files and images")).not_to_be_checked()


@pytest.mark.parametrize(
    ("section", "title", "shot_name"),
    [("authentication", "Signing key", "admin-signing-keys"), ("api-keys", "API key", "admin-api-keys")],
)
async def test_keys_show_their_secret_once_and_are_revoked(
    admin: Admin, section: str, title: str, shot_name: str
) -> None:
    page = admin.page
    await admin.open(section)
    await page.get_by_role("button", name="Create key").click()
    await expect(field(page, "displayName").locator(".field-error")).to_have_text("This field is required")
    await page.get_by_label("Key name").fill("Production website")
    await page.get_by_role("button", name="Create key").click()
    secret = page.get_by_test_id("secret-once")
    await expect(secret).to_contain_text(f"{title} “Production website” created")
    value = await secret.locator('[data-secret="Secret"]').inner_text()
    assert len(value) > 20
    table = page.get_by_test_id("keys-table")
    await expect(table).to_contain_text("Production website")
    await shot(page, shot_name)
    await page.reload()
    await expect(page.get_by_test_id("keys-table")).to_contain_text("Production website")
    assert value not in await page.content()
    row = page.get_by_test_id("keys-table").locator("tr", has_text="Production website")
    await row.get_by_role("button", name="Revoke").click()
    await page.get_by_role("dialog").get_by_role("button", name="Revoke key").click()
    await expect(page.get_by_test_id("keys-table")).not_to_contain_text("Production website")


async def test_webhooks(admin: Admin) -> None:
    page = admin.page
    await admin.open("webhooks")
    await page.get_by_role("button", name="+ Add webhook").click()
    dialog = page.get_by_role("dialog")
    await dialog.get_by_label("Name").fill("CRM sync")
    await dialog.get_by_label("Endpoint URL").fill("ftp://crm.example")
    await dialog.get_by_role("button", name="Add webhook").click()
    await expect(field(dialog, "target").locator(".field-error")).to_contain_text("http")
    await shot(page, "admin-webhooks-error")
    await dialog.get_by_label("Endpoint URL").fill("https://crm.example/parlour")
    await dialog.get_by_label("conversation:create").check()
    await dialog.get_by_role("button", name="Add webhook").click()
    await expect(page.get_by_test_id("secret-once")).to_contain_text("Signing secret")
    row = page.get_by_test_id("webhooks-table").locator('tr[data-webhook="CRM sync"]')
    await expect(row).to_contain_text("conversation:create")
    await expect(row).to_contain_text("conversation:message")
    await shot(page, "admin-webhooks")
    await row.get_by_role("button", name="Edit").click()
    await page.get_by_role("dialog").get_by_label("All events").check()
    await page.get_by_role("dialog").get_by_role("button", name="Save").click()
    await expect(row).to_contain_text("all events")
    await row.get_by_role("button", name="Delete").click()
    await page.get_by_role("dialog").get_by_role("button", name="Delete webhook").click()
    await expect(page.get_by_test_id("webhooks-table")).to_contain_text("No webhooks yet.")


async def test_shared_macros(admin: Admin) -> None:
    page = admin.page
    await admin.open("macros")
    await page.get_by_role("button", name="+ New macro").click()
    dialog = page.get_by_role("dialog")
    await dialog.get_by_label("Title").fill("Refund issued")
    await dialog.get_by_role("button", name="Create macro").click()
    await expect(dialog.locator(".alert-error")).to_contain_text("reply text or at least one action")
    await dialog.get_by_label("Reply").fill("Your refund is on its way.")
    await dialog.get_by_label("Set status").select_option("solved")
    await dialog.get_by_label("Set group").select_option(label="Support")
    await dialog.get_by_label("Add tags").fill("refund, billing")
    await dialog.get_by_role("button", name="Create macro").click()
    row = page.get_by_test_id("macros-table").locator('tr[data-macro="Refund issued"]')
    await expect(row).to_contain_text("status → solved")
    await expect(row).to_contain_text("group → Support")
    await expect(row).to_contain_text("+refund, +billing")
    await shot(page, "admin-macros")
    await row.get_by_role("button", name="Delete").click()
    await page.get_by_role("dialog").get_by_role("button", name="Delete macro").click()
    await expect(page.get_by_test_id("macros-table")).to_contain_text("No shared macros yet.")


async def test_agents_and_strangers_see_no_admin_center(
    db: Database, live: LiveServer, tenant: Tenant, context: BrowserContext
) -> None:
    page = await context.new_page()
    await page.goto(f"{live.url}/admin/{tenant.app_id}")
    link = page.get_by_test_id("sign-in-link")
    await expect(link).to_have_attribute("href", f"/agent/{tenant.app_id}")
    await shot(page, "admin-signed-out")
    await staff_member(db, tenant, "alex@acme.test", "agent", "Alex Agent")
    await sign_in(context, live, tenant, "alex@acme.test")
    await page.reload()
    await expect(page.get_by_role("heading", name="Admins only")).to_be_visible()
    await expect(page.locator(".sidenav")).to_have_count(0)
    await shot(page, "admin-agent-refused")
    response = await page.request.get(f"{live.url}/workspace/v1/apps/{tenant.app_id}/admin/staff")
    assert response.status == 403


async def test_ai_agent_articles_and_answer_flows(admin: Admin) -> None:
    page = admin.page
    await admin.open("articles")
    await page.get_by_role("button", name="+ New article").click()
    dialog = page.get_by_role("dialog")
    await dialog.get_by_role("button", name="Create article").click()
    await expect(field(dialog, "title").locator(".field-error")).to_be_visible()
    await dialog.get_by_label("Title").fill("How long does shipping take?")
    await dialog.get_by_label("Body (Markdown)").fill("Orders ship within **2 days** and arrive in 3-5 days.")
    await dialog.get_by_label("Section").fill("Shipping")
    await dialog.get_by_role("button", name="Create article").click()
    row = page.get_by_test_id("articles-table").locator("tr", has_text="How long does shipping take?")
    await expect(row).to_contain_text("Published")
    await shot(page, "admin-articles")
    await row.get_by_role("button", name="Edit").click()
    await page.get_by_role("dialog").get_by_label("Published — the AI agent answers with it").uncheck()
    await page.get_by_role("dialog").get_by_role("button", name="Save").click()
    await expect(row).to_contain_text("Draft")

    await admin.open("flows")
    await page.get_by_role("button", name="+ New flow").click()
    dialog = page.get_by_role("dialog")
    await dialog.get_by_label("Name").fill("Order status")
    await dialog.get_by_label("Reply").fill(
        "You can track your order from the link in your confirmation email."
    )
    await dialog.get_by_role("button", name="Create flow").click()
    await expect(field(dialog, "phrases").locator(".field-error")).to_be_visible()
    await dialog.get_by_label("Training phrases").fill("where is my order\ntrack my parcel\norder status")
    await dialog.get_by_role("button", name="Create flow").click()
    row = page.get_by_test_id("flows-table").locator('tr[data-flow="Order status"]')
    await expect(row).to_contain_text("where is my order · track my parcel · +1")
    await shot(page, "admin-flows")
    await row.get_by_role("button", name="Delete").click()
    await page.get_by_role("dialog").get_by_role("button", name="Delete flow").click()
    await expect(page.get_by_test_id("flows-table")).to_contain_text("No answer flows yet.")
