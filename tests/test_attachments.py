"""Attachments: uploads obey the account's policy, and files are served so that they never run."""

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from parlour.accounts import queries as account_queries
from parlour.attachments import actions as attachment_actions
from parlour.attachments.errors import AttachmentsDisabled, AttachmentTooLarge, AttachmentTypeNotAllowed
from parlour.db import Database
from parlour.settings import get_settings
from parlour.widget import actions as widget_actions
from tests.conftest import AppClient, Tenant

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("PARLOUR_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


async def _set_widget(db: Database, tenant: Tenant, changes: dict[str, object]) -> None:
    async with db.transaction() as session:
        account = await account_queries.get_account_or_raise(session, tenant.app_id)
        await widget_actions.do_update_widget_settings(session, account, changes)


async def _customer(http: httpx.AsyncClient, tenant: Tenant) -> dict[str, str]:
    response = await http.post(f"/client/v1/apps/{tenant.app_id}/users")
    return {"Authorization": f"Client {response.json()['clientToken']}"}


async def test_a_customer_uploads_an_image_and_anyone_with_the_url_sees_it_inline(
    http: httpx.AsyncClient, tenant: Tenant, data_dir: Path
) -> None:
    auth = await _customer(http, tenant)
    response = await http.post(
        f"/client/v1/apps/{tenant.app_id}/attachments",
        headers=auth,
        files={"source": ("parcel photo.png", PNG, "image/png")},
    )
    assert response.status_code == 201, response.text
    attachment = response.json()["attachment"]
    assert attachment["mediaType"] == "image/png"
    assert attachment["mediaUrl"].endswith("/parcel%20photo.png")
    served = await http.get(attachment["mediaUrl"])
    assert served.status_code == 200
    assert served.content == PNG
    assert served.headers["content-type"] == "image/png"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert served.headers["content-disposition"].startswith("inline")
    assert "sandbox" in served.headers["content-security-policy"]
    stored = await asyncio.to_thread(lambda: [p.name for p in data_dir.rglob("*") if p.is_file()])
    assert len(stored) == 1 and stored[0] in attachment["mediaUrl"]


async def test_html_and_svg_are_downloaded_never_rendered(http: httpx.AsyncClient, tenant: Tenant) -> None:
    auth = await _customer(http, tenant)
    for name, body, kind in (
        ("page.html", b"<script>alert(1)</script>", "text/plain"),
        ("logo.svg", b"<svg onload='alert(1)'/>", "image/svg+xml"),
        ("fake.png", b"<html><script>alert(1)</script>", "image/png"),
    ):
        response = await http.post(
            f"/client/v1/apps/{tenant.app_id}/attachments", headers=auth, files={"source": (name, body, kind)}
        )
        assert response.status_code == 201, response.text
        served = await http.get(response.json()["attachment"]["mediaUrl"])
        assert served.headers["content-type"] == "application/octet-stream", name
        assert served.headers["content-disposition"].startswith("attachment"), name
        assert served.headers["x-content-type-options"] == "nosniff"


async def test_the_account_policy_refuses_with_a_clear_error(
    db: Database, http: httpx.AsyncClient, tenant: Tenant
) -> None:
    await _set_widget(db, tenant, {"maxAttachmentBytes": 2048, "allowedAttachmentTypes": ["image/*"]})
    auth = await _customer(http, tenant)
    url = f"/client/v1/apps/{tenant.app_id}/attachments"
    too_big = await http.post(url, headers=auth, files={"source": ("big.png", PNG * 40, "image/png")})
    assert too_big.status_code == 413
    assert too_big.json()["errors"][0]["code"] == "attachment_too_large"
    assert "2 KB" in too_big.json()["errors"][0]["title"]
    pdf = await http.post(url, headers=auth, files={"source": ("a.pdf", b"%PDF-1.4", "application/pdf")})
    assert pdf.status_code == 400
    assert pdf.json()["errors"] == [
        {"code": "attachment_type_not_allowed", "title": "Files of type application/pdf are not accepted"}
    ]
    empty = await http.post(url, headers=auth, files={"source": ("a.png", b"", "image/png")})
    assert empty.json()["errors"][0]["title"] == "The file is empty"
    not_multipart = await http.post(url, headers=auth, json={"source": "x"})
    assert not_multipart.status_code == 400

    await _set_widget(db, tenant, {"attachmentsEnabled": False})
    off = await http.post(url, headers=auth, files={"source": ("a.png", PNG, "image/png")})
    assert off.status_code == 403
    assert off.json()["errors"][0]["code"] == "attachments_disabled"


async def test_staff_and_the_api_may_upload_when_customers_may_not(db: Database, tenant: Tenant) -> None:
    await _set_widget(db, tenant, {"attachmentsEnabled": False})
    async with db.transaction() as session:
        account = await account_queries.get_account_or_raise(session, tenant.app_id)
        with pytest.raises(AttachmentsDisabled):
            await attachment_actions.do_store_attachment(
                session, account, filename="a.png", media_type="image/png", data=PNG, uploaded_by="user:x"
            )
        stored = await attachment_actions.do_store_attachment(
            session, account, filename="../../etc/notes.txt", media_type="", data=b"x", uploaded_by="staff:y"
        )
        assert (stored.filename, stored.media_type) == ("notes.txt", "text/plain")
        with pytest.raises(AttachmentTypeNotAllowed):
            await attachment_actions.do_store_attachment(
                session, account, filename="a.exe", media_type="", data=b"MZ", uploaded_by="staff:y"
            )
        with pytest.raises(AttachmentTooLarge):
            await attachment_actions.do_store_attachment(
                session,
                account,
                filename="a.png",
                media_type="image/png",
                data=PNG * 200_000,
                uploaded_by="staff:y",
            )


async def test_the_server_api_upload_has_the_sunshine_shape(api: AppClient, tenant: Tenant) -> None:
    response = await api.post("attachments", files={"source": ("a.jpg", b"\xff\xd8\xff\xe0", "image/jpeg")})
    assert response.status_code == 201, response.text
    assert set(response.json()["attachment"]) >= {"mediaUrl", "mediaType"}
    unauthenticated = await api.post(
        "attachments", headers={"Authorization": ""}, files={"source": ("a.jpg", b"x", "image/jpeg")}
    )
    assert unauthenticated.status_code == 401


async def test_another_accounts_credentials_cannot_upload(
    http: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    response = await http.post(
        f"/v2/apps/{tenant.app_id}/attachments",
        headers=other_tenant.auth_header,
        files={"source": ("a.png", PNG, "image/png")},
    )
    assert response.status_code == 404
    customer = await _customer(http, other_tenant)
    response = await http.post(
        f"/client/v1/apps/{tenant.app_id}/attachments",
        headers=customer,
        files={"source": ("a.png", PNG, "image/png")},
    )
    assert response.status_code == 401


async def test_unknown_files_are_not_found(http: httpx.AsyncClient) -> None:
    response = await http.get("/attachments/nope/a.png")
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "attachment_not_found"
