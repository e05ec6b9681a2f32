"""Help-center articles through the server API, the public article page and the import command."""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from parlour.db import Database
from parlour.helpcenter import actions, importer, queries
from parlour.helpcenter.errors import InvalidImport
from tests.conftest import AppClient, Tenant

ARTICLE = {
    "title": "Resetting your password",
    "body": "Choose **Forgot password?** on the sign-in page.\n\nThe link works for one hour.",
    "section": "Your account",
    "labels": ["account", "password"],
}


async def create_article(api: httpx.AsyncClient, **fields: Any) -> dict[str, Any]:
    response = await api.post("helpcenter/articles", json={**ARTICLE, **fields})
    assert response.status_code == 201, response.text
    article: dict[str, Any] = response.json()["article"]
    return article


async def test_an_article_is_created_read_updated_and_deleted(api: AppClient, tenant: Tenant) -> None:
    article = await create_article(api)
    assert article["locale"] == "en"  # the account's locale
    assert article["draft"] is False and article["userSegment"] == "everyone"
    assert article["bodyHtml"] == (
        "<p>Choose <strong>Forgot password?</strong> on the sign-in page.</p>\n"
        "<p>The link works for one hour.</p>\n"
    )
    assert (await api.get(f"helpcenter/articles/{article['id']}")).json()["article"] == article

    updated = await api.patch(
        f"helpcenter/articles/{article['id']}", json={"title": "  Reset   your password ", "draft": True}
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["article"]["title"] == "Reset your password"
    assert updated.json()["article"]["draft"] is True
    assert updated.json()["article"]["body"] == ARTICLE["body"]

    assert (await api.delete(f"helpcenter/articles/{article['id']}")).status_code == 200
    missing = await api.get(f"helpcenter/articles/{article['id']}")
    assert missing.status_code == 404
    assert missing.json()["errors"][0]["code"] == "article_not_found"


async def test_html_is_sanitised_so_no_script_can_run(api: AppClient) -> None:
    article = await create_article(
        api,
        bodyFormat="html",
        body=(
            '<p onclick="steal()">Hello <a href="javascript:alert(1)">here</a> and '
            '<a href="https://example.com/help">there</a></p><script>alert(1)</script>'
            '<img src="x" onerror="alert(1)"><iframe src="https://evil.test"></iframe>'
        ),
    )
    html = article["bodyHtml"]
    for dangerous in ("onclick", "javascript:", "<script", "onerror", "<iframe", "alert("):
        assert dangerous not in html
    assert 'href="https://example.com/help"' in html
    markdown = await create_article(
        api, title="Markdown", body="[click](javascript:alert(1)) <script>x()</script>"
    )
    assert "href=" not in markdown["bodyHtml"] and "<script" not in markdown["bodyHtml"]


async def test_articles_are_listed_in_pages_and_filtered(api: AppClient) -> None:
    made = [await create_article(api, title=f"Article {n}", draft=n % 2 == 0) for n in range(5)]
    french = await create_article(api, title="Livraison", locale="fr-FR")
    first = await api.get("helpcenter/articles", params={"page[size]": "2"})
    body = first.json()
    assert [a["id"] for a in body["articles"]] == [m["id"] for m in made[:2]]
    assert body["meta"]["hasMore"] is True
    second = (await api.get(body["links"]["next"])).json()
    assert [a["id"] for a in second["articles"]] == [m["id"] for m in made[2:4]]
    drafts = (await api.get("helpcenter/articles", params={"filter[draft]": "true"})).json()["articles"]
    assert [a["id"] for a in drafts] == [made[0]["id"], made[2]["id"], made[4]["id"]]
    in_french = (await api.get("helpcenter/articles", params={"filter[locale]": "fr-fr"})).json()["articles"]
    assert [a["id"] for a in in_french] == [french["id"]]


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"title": "", "body": "x"}, "title"),
        ({"title": "   ", "body": "x"}, "blank"),
        ({"title": "t" * 256, "body": "x"}, "title"),
        ({"title": "t", "body": "x" * 60_001}, "body"),
        ({"title": "t", "body": 5}, "body"),
        ({"title": "t", "body": "x", "bodyFormat": "rtf"}, "bodyFormat"),
        ({"title": "t", "body": "x", "locale": "english!"}, "locale"),
        ({"title": "t", "body": "x", "labels": ["ok", ""]}, "labels"),
        ({"title": "t", "body": "x", "labels": ["l"] * 21}, "labels"),
        ({"title": "t", "body": "x", "userSegment": "admins"}, "userSegment"),
        ({"title": "t", "body": "x", "htmlUrl": "javascript:alert(1)"}, "htmlUrl"),
        ({"title": "t", "body": "x", "draft": "no"}, "draft"),
        ({"title": "t", "body": "x", "externalId": "x"}, "externalId"),
        ({"title": "t\u0000", "body": "x"}, "NUL"),
    ],
)
async def test_bad_articles_are_refused_and_nothing_is_stored(
    api: AppClient, db: Database, tenant: Tenant, body: dict[str, Any], says: str
) -> None:
    response = await api.post("helpcenter/articles", json=body)
    assert response.status_code == 400, response.text
    [error] = response.json()["errors"]
    assert error["code"] in ("bad_request", "invalid_article")
    assert says.lower() in error["title"].lower()
    async with db.reading() as session:
        assert await queries.count_published(session, tenant.app_id) == 0
        assert await queries.version_of(session, tenant.app_id) == 0


async def test_a_bad_update_changes_nothing(api: AppClient) -> None:
    article = await create_article(api)
    for body in ({"title": None}, {"draft": None}, {"locale": "??"}, {"colour": "blue"}, {"labels": "a"}):
        response = await api.patch(f"helpcenter/articles/{article['id']}", json=body)
        assert response.status_code == 400, (body, response.text)
    assert (await api.get(f"helpcenter/articles/{article['id']}")).json()["article"] == article
    bad_filter = await api.get("helpcenter/articles", params={"filter[draft]": "maybe"})
    assert bad_filter.status_code == 400
    assert (await api.get("helpcenter/articles", params={"page[size]": "101"})).status_code == 400


async def test_another_accounts_articles_are_never_visible(
    api: AppClient, db: Database, other_tenant: Tenant, http: httpx.AsyncClient
) -> None:
    ours = await create_article(api)
    theirs = await create_article(
        AppClient(
            other_tenant.app_id,
            transport=api._transport,
            base_url=str(api.base_url),
            headers=other_tenant.auth_header,
        )
    )
    for method, body in (("GET", None), ("PATCH", {"title": "Mine now"}), ("DELETE", None)):
        response = await api.request(method, f"helpcenter/articles/{theirs['id']}", json=body)
        assert response.status_code == 404, response.text
        assert response.json()["errors"][0]["code"] == "article_not_found"
    listed = (await api.get("helpcenter/articles")).json()["articles"]
    assert [a["id"] for a in listed] == [ours["id"]]
    # The public page names the app: their article is not found under ours.
    page = await http.get(f"/hc/{api.app_root.rsplit('/', 1)[1]}/articles/{theirs['id']}")
    assert page.status_code == 404


async def test_the_public_page_shows_only_published_public_articles(
    api: AppClient, http: httpx.AsyncClient, tenant: Tenant
) -> None:
    public = await create_article(api, title="Shipping <times>", body="Three **days**.")
    draft = await create_article(api, title="Draft", draft=True)
    restricted = await create_article(api, title="Members only", userSegment="signed_in")
    page = await http.get(f"/hc/{tenant.app_id}/articles/{public['id']}")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert "<h1>Shipping &lt;times&gt;</h1>" in page.text
    assert "<strong>days</strong>" in page.text
    for hidden in (draft, restricted):
        assert (await http.get(f"/hc/{tenant.app_id}/articles/{hidden['id']}")).status_code == 404


# --- import --------------------------------------------------------------------------------------


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_folder_of_markdown_and_html_is_read_with_front_matter_or_first_heading(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "billing/refunds.md",
        "---\ntitle: Refund policy\nlocale: fr\nlabels: [billing, refund]\nsection: Billing\ndraft: true\n"
        "userSegment: signed_in\n---\nRefunds take **5 days**.\n",
    )
    _write(tmp_path, "shipping.md", "# Shipping times\n\nThree days.\n")
    _write(tmp_path, "contact.html", "<h1>Contact <em>us</em></h1><p>Email us.</p>")
    _write(tmp_path, "notes.txt", "ignored")
    items = {item.source: item for item in importer.read_source(tmp_path)}
    assert set(items) == {"billing/refunds.md", "shipping.md", "contact.html"}
    refunds = items["billing/refunds.md"].spec
    assert refunds is not None
    assert (refunds.title, refunds.locale, refunds.labels, refunds.section) == (
        "Refund policy",
        "fr",
        ["billing", "refund"],
        "Billing",
    )
    assert refunds.draft is True and refunds.user_segment == "signed_in"
    assert refunds.external_id == "file:billing/refunds.md"
    shipping = items["shipping.md"].spec
    assert shipping is not None and shipping.title == "Shipping times" and shipping.body == "Three days."
    contact = items["contact.html"].spec
    assert contact is not None and contact.title == "Contact us" and contact.body_format == "html"


def test_a_zendesk_export_is_read_and_bad_files_are_named(tmp_path: Path) -> None:
    export = {
        "articles": [
            {
                "id": 360001,
                "title": "Zendesk article",
                "body": "<p>Hi</p>",
                "locale": "en-us",
                "section_id": 77,
                "label_names": ["a"],
                "draft": False,
                "user_segment_id": 9,
                "html_url": "https://help.example.com/hc/articles/360001",
            },
            {"id": 360002, "body": "no title"},
        ]
    }
    path = _write(tmp_path, "articles.json", json.dumps(export))
    good, bad = importer.read_source(path)
    assert good.spec is not None
    assert good.spec.external_id == "zendesk:360001"
    assert (good.spec.locale, good.spec.section, good.spec.user_segment) == ("en-us", "77", "signed_in")
    assert good.spec.html_url == "https://help.example.com/hc/articles/360001"
    assert bad.spec is None and bad.problem is not None and "360002" in bad.problem
    _write(tmp_path, "broken.json", "{nope")
    with pytest.raises(InvalidImport, match="not valid JSON"):
        importer.read_source(tmp_path / "broken.json")
    with pytest.raises(InvalidImport, match="does not exist"):
        importer.read_source(tmp_path / "missing")


async def test_importing_again_updates_what_changed_and_duplicates_nothing(
    db: Database, tenant: Tenant
) -> None:
    spec = actions.ArticleSpec(title="One", body="First", external_id="zendesk:1")
    async with db.transaction() as session:
        assert await actions.do_import_article(session, tenant.account, spec) == "created"
        assert await actions.do_import_article(session, tenant.account, spec) == "unchanged"
        version = await queries.version_of(session, tenant.app_id)
        changed = actions.ArticleSpec(title="One", body="Second", external_id="zendesk:1")
        assert await actions.do_import_article(session, tenant.account, changed) == "updated"
        assert await queries.version_of(session, tenant.app_id) == version + 1
        article = await queries.get_article_by_external_id(session, tenant.app_id, "zendesk:1")
        assert article is not None and article.body_text == "Second"
        assert await queries.count_published(session, tenant.app_id) == 1


@pytest.mark.backend_independent
def test_the_import_command_loads_a_folder_with_a_progress_bar_and_is_idempotent(tmp_path: Path) -> None:
    source = tmp_path / "articles"
    _write(source, "a.md", "# Alpha\n\nFirst article.")
    _write(source, "b.html", "<h1>Beta</h1><p>Second article.</p>")
    _write(
        source, "zendesk.json", json.dumps({"articles": [{"id": 5, "title": "Gamma", "body": "<p>3</p>"}]})
    )
    env = {**os.environ, "PARLOUR_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/cli.db"}

    def parlour(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603 - our own command
            [sys.executable, "-m", "parlour", *args],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    assert parlour("migrate").returncode == 0
    assert parlour("create-account", "shop").returncode == 0
    first = parlour("helpcenter", "import", "--account", "shop", str(source))
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout) == {"created": 3, "updated": 0, "unchanged": 0, "failed": 0}
    assert "Importing articles" in first.stderr
    _write(source, "a.md", "# Alpha\n\nFirst article, edited.")
    again = parlour("helpcenter", "import", "--account", "shop", str(source))
    assert json.loads(again.stdout) == {"created": 0, "updated": 1, "unchanged": 2, "failed": 0}
    _write(source, "c.md", "---\nlocale: not a locale\n---\n# Bad\n")
    partial = parlour("helpcenter", "import", "--account", "shop", str(source))
    assert partial.returncode == 1
    assert json.loads(partial.stdout)["failed"] == 1
    assert "c.md" in partial.stderr and "locale" in partial.stderr
    assert parlour("helpcenter", "import", "--account", "nobody", str(source)).returncode == 1
    assert parlour("helpcenter", "import", "--account", "shop", str(tmp_path / "missing")).returncode == 2
