"""Widget settings: validated whole, stored in the account, published by the public config."""

import httpx
import pytest

from parlour.accounts import queries as account_queries
from parlour.db import Database
from parlour.widget import actions as widget_actions
from parlour.widget import queries as widget_queries
from parlour.widget.errors import InvalidWidgetSettings
from tests.conftest import Tenant


async def _update(db: Database, tenant: Tenant, changes: dict[str, object]) -> None:
    async with db.transaction() as session:
        account = await account_queries.get_account_or_raise(session, tenant.app_id)
        await widget_actions.do_update_widget_settings(session, account, changes)


async def test_the_config_starts_from_defaults_and_shows_what_admins_set(
    db: Database, http: httpx.AsyncClient, tenant: Tenant
) -> None:
    config = (await http.get(f"/client/v1/apps/{tenant.app_id}/config")).json()
    assert config["settings"]["businessName"] == tenant.account.display_name
    assert config["settings"]["position"] == "right"
    assert config["settings"]["theme"]["primary"] == "#1f5f5b"
    assert config["multiConvoEnabled"] is False

    await _update(
        db,
        tenant,
        {
            "theme": {"primary": "#112233"},
            "businessName": "Acme Support",
            "position": "left",
            "introText": "We answer within minutes.",
            "locale": "fr",
            "forgetHistory": True,
        },
    )
    config = (await http.get(f"/client/v1/apps/{tenant.app_id}/config")).json()
    settings = config["settings"]
    assert settings["theme"]["primary"] == "#112233"
    assert settings["theme"]["onPrimary"] == "#ffffff"  # the other colours are kept
    assert (settings["businessName"], settings["position"], settings["locale"]) == (
        "Acme Support",
        "left",
        "fr",
    )
    assert settings["forgetHistory"] is True
    async with db.reading() as session:
        account = await account_queries.get_account_or_raise(session, tenant.app_id)
        assert account_queries.settings_of(account)["forgetHistory"] is True


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"theme": {"primary": "#112233", "onPrimary": "red"}}, "theme.onPrimary"),
        ({"theme": {"sparkle": "#112233"}}, "theme.sparkle"),
        ({"position": "top"}, "position"),
        ({"avatarUrl": "javascript:alert(1)"}, "avatarUrl"),
        ({"maxAttachmentBytes": 10}, "maxAttachmentBytes"),
        ({"maxAttachmentBytes": 10**12}, "maxAttachmentBytes"),
        ({"allowedAttachmentTypes": ["not a type"]}, "allowedAttachmentTypes"),
        ({"locale": "<script>"}, "locale"),
        ({"colour": "#000000"}, "colour"),
        ({"attachmentsEnabled": "yes"}, "attachmentsEnabled"),
    ],
)
async def test_invalid_settings_are_refused_whole_and_change_nothing(
    db: Database, tenant: Tenant, changes: dict[str, object], named: str
) -> None:
    async with db.reading() as session:
        before = widget_queries.get_widget_settings(
            await account_queries.get_account_or_raise(session, tenant.app_id)
        )
    with pytest.raises(InvalidWidgetSettings) as refused:
        await _update(db, tenant, {"businessName": "Changed", **changes})
    assert named in refused.value.title
    async with db.reading() as session:
        after = widget_queries.get_widget_settings(
            await account_queries.get_account_or_raise(session, tenant.app_id)
        )
    assert after == before


async def test_the_config_of_an_unknown_app_is_not_found(http: httpx.AsyncClient) -> None:
    response = await http.get("/client/v1/apps/0123456789abcdef01234567/config")
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "app_not_found"


async def test_the_widget_reports_the_customer_context_for_agents(
    http: httpx.AsyncClient, tenant: Tenant
) -> None:
    created = (await http.post(f"/client/v1/apps/{tenant.app_id}/users")).json()
    auth = {"Authorization": f"Client {created['clientToken']}"}
    url = f"/client/v1/apps/{tenant.app_id}/me/context"
    response = await http.put(
        url, headers=auth, json={"currentUrl": "https://shop.example/cart", "locale": "fr-CA"}
    )
    assert response.status_code == 200, response.text
    context = response.json()["context"]
    assert (context["currentUrl"], context["locale"]) == ("https://shop.example/cart", "fr-CA")
    for bad in (
        {"currentUrl": "javascript:alert(1)"},
        {"currentUrl": "https://x.example/" + "a" * 2048},
        {"locale": "not a locale"},
        {"unknown": 1},
    ):
        refused = await http.put(url, headers=auth, json=bad)
        assert refused.status_code == 400, bad
    assert (await http.put(url, json={"locale": "en"})).status_code == 401


async def test_the_widget_scripts_and_the_demo_page_are_served(http: httpx.AsyncClient, db: Database) -> None:
    missing_demo = await http.get("/demo")
    assert missing_demo.status_code == 404
    assert (await http.get("/widget/other.js")).status_code == 404
