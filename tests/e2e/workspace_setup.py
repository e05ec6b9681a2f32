"""Shared set-up of the workspace's browser tests: a team, customers writing through the live
server (so that its real-time hub sees every event), and signing in through the page."""

import re
from typing import Any

import httpx
from playwright.async_api import BrowserContext, Page, expect

from parlour.db import Database
from parlour.people import actions as people_actions
from parlour.people import queries as people_queries
from tests.conftest import Tenant
from tests.e2e.conftest import new_context
from tests.live import LiveServer

PASSWORD = "correct horse battery"


async def make_team(db: Database, tenant: Tenant) -> dict[str, str]:
    async with db.transaction() as session:
        ids: dict[str, str] = {}
        for email, name, role in (
            ("admin@acme.test", "Ada Admin", "admin"),
            ("sam@acme.test", "Sam Support", "agent"),
            ("kim@acme.test", "Kim Support", "agent"),
        ):
            staff = await people_actions.do_create_staff(
                session, tenant.account, email=email, name=name, role=role, password=PASSWORD
            )
            ids[email] = staff.id
        group = await people_actions.do_create_group(session, tenant.account, name="Frontline")
        for email in ("sam@acme.test", "kim@acme.test"):
            await people_actions.do_add_group_member(
                session, group, await people_queries.get_staff_or_raise(session, tenant.app_id, ids[email])
            )
        ids["group"] = group.id
    return ids


class Customer:
    """A customer writing through the live server's API, as the widget's backend would."""

    def __init__(self, live: LiveServer, tenant: Tenant, external_id: str) -> None:
        self.http = httpx.AsyncClient(
            base_url=f"{live.url}/v2/apps/{tenant.app_id}/", headers=tenant.auth_header, timeout=10
        )
        self.external_id = external_id
        self.conversation_id = ""

    async def start(self, text: str, **profile: Any) -> str:
        created = await self.http.post("users", json={"externalId": self.external_id, "profile": profile})
        assert created.status_code == 201, created.text
        conversation = await self.http.post(
            "conversations", json={"type": "personal", "participants": [{"userExternalId": self.external_id}]}
        )
        assert conversation.status_code == 201, conversation.text
        self.conversation_id = conversation.json()["conversation"]["id"]
        # The AI agent answers first by default: hand the conversation to the agents.
        handed = await self.http.post(
            f"conversations/{self.conversation_id}/passControl",
            json={"switchboardIntegration": "zd-agentWorkspace", "metadata": {"subject": text[:200]}},
        )
        assert handed.status_code == 200, handed.text
        await self.say(text)
        return self.conversation_id

    async def say(self, text: str) -> dict[str, Any]:
        response = await self.http.post(
            f"conversations/{self.conversation_id}/messages",
            json={
                "author": {"type": "user", "userExternalId": self.external_id},
                "content": {"type": "text", "text": text},
            },
        )
        assert response.status_code == 201, response.text
        message: dict[str, Any] = response.json()["messages"][0]
        return message

    async def activity(self, kind: str) -> None:
        response = await self.http.post(
            f"conversations/{self.conversation_id}/activity",
            json={"author": {"type": "user", "userExternalId": self.external_id}, "type": kind},
        )
        assert response.status_code == 200, response.text

    async def messages(self) -> list[dict[str, Any]]:
        response = await self.http.get(f"conversations/{self.conversation_id}/messages")
        return list(response.json()["messages"])

    async def aclose(self) -> None:
        await self.http.aclose()


async def signed_in(
    browser: Any, live: LiveServer, tenant: Tenant, email: str
) -> tuple[BrowserContext, Page]:
    context = await new_context(browser)
    page = await context.new_page()
    await page.goto(f"{live.url}/agent/{tenant.app_id}")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("navigation", name="Views")).to_be_visible()
    await expect(page.locator(".conn-live")).to_be_visible()
    return context, page


async def open_view(page: Page, view: str) -> None:
    await page.locator(f'[data-view="{view}"]').click()


async def open_ticket_with(page: Page, subject: str) -> None:
    await page.locator("tr.clickable", has_text=subject).click()
    await expect(page.locator("h1.subject")).to_have_text(re.compile(re.escape(subject)))
