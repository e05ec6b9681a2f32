"""Apps (accounts), their API keys and server-API authentication."""

import base64
import time

import httpx
import jwt

from parlour.db import Database
from tests.conftest import Tenant


async def test_the_app_is_shown_to_its_own_key(api: httpx.AsyncClient, tenant: Tenant) -> None:
    response = await api.get("")
    assert response.status_code == 200
    app = response.json()["app"]
    assert app["id"] == tenant.app_id
    assert app["settings"]["multiConvoEnabled"] is False
    assert app["mode"] == "messaging"


async def test_updating_the_app_changes_only_what_is_sent(api: httpx.AsyncClient) -> None:
    response = await api.patch(
        "",
        json={"displayName": "Acme Inc", "settings": {"multiConvoEnabled": True}, "timeZone": "Europe/Paris"},
    )
    assert response.status_code == 200, response.text
    app = (await api.get("")).json()["app"]
    assert app["displayName"] == "Acme Inc"
    assert app["settings"]["multiConvoEnabled"] is True
    assert app["timeZone"] == "Europe/Paris"
    assert app["locale"] == "en"


async def test_an_invalid_time_zone_is_refused_and_changes_nothing(api: httpx.AsyncClient) -> None:
    response = await api.patch("", json={"displayName": "Changed", "timeZone": "Mars/Olympus"})
    assert response.status_code == 400
    assert "time zone" in response.json()["errors"][0]["title"]
    assert (await api.get("")).json()["app"]["displayName"] == "acme"


async def test_api_keys_are_created_listed_and_revoked(
    api: httpx.AsyncClient, http: httpx.AsyncClient
) -> None:
    created = await api.post("keys", json={"displayName": "Zapier"})
    assert created.status_code == 201
    key = created.json()["key"]
    assert key["secret"]
    listed = (await api.get("keys")).json()["keys"]
    assert key["id"] in [k["id"] for k in listed]
    assert all("secret" not in k for k in listed)
    basic = base64.b64encode(f"{key['id']}:{key['secret']}".encode()).decode()
    assert (await api.get("", headers={"Authorization": f"Basic {basic}"})).status_code == 200
    assert (await api.delete(f"keys/{key['id']}")).status_code == 200
    assert (await api.get("", headers={"Authorization": f"Basic {basic}"})).status_code == 401


async def test_an_account_has_at_most_ten_api_keys(api: httpx.AsyncClient) -> None:
    for index in range(9):  # the tenant already has one
        assert (await api.post("keys", json={"displayName": f"k{index}"})).status_code == 201
    refused = await api.post("keys", json={"displayName": "eleventh"})
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["code"] == "too_many_keys"


async def test_an_app_scoped_jwt_signed_with_an_api_key_is_accepted(
    http: httpx.AsyncClient, tenant: Tenant
) -> None:
    token = jwt.encode({"scope": "app"}, tenant.secret, algorithm="HS256", headers={"kid": tenant.key_id})
    response = await http.get(f"/v2/apps/{tenant.app_id}", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


async def test_bad_jwts_are_refused(http: httpx.AsyncClient, tenant: Tenant) -> None:
    cases = {
        "wrong secret": jwt.encode(
            {"scope": "app"}, "x" * 32, algorithm="HS256", headers={"kid": tenant.key_id}
        ),
        "user scope": jwt.encode(
            {"scope": "user"}, tenant.secret, algorithm="HS256", headers={"kid": tenant.key_id}
        ),
        "expired": jwt.encode(
            {"scope": "app", "exp": int(time.time()) - 10},
            tenant.secret,
            algorithm="HS256",
            headers={"kid": tenant.key_id},
        ),
        "no kid": jwt.encode({"scope": "app"}, tenant.secret, algorithm="HS256"),
        "unknown kid": jwt.encode(
            {"scope": "app"}, tenant.secret, algorithm="HS256", headers={"kid": "app_nope"}
        ),
        "not a jwt": "abc.def",
    }
    for name, token in cases.items():
        response = await http.get(f"/v2/apps/{tenant.app_id}", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, name
        assert response.json()["errors"][0]["code"] == "unauthorized", name


async def test_a_key_never_opens_another_account(
    http: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    response = await http.get(f"/v2/apps/{other_tenant.app_id}", headers=tenant.auth_header)
    assert response.status_code == 404
    assert response.json()["errors"][0] == {"code": "app_not_found", "title": "App not found"}
    missing = await http.get("/v2/apps/000000000000000000000000", headers=tenant.auth_header)
    assert missing.status_code == 404
    assert missing.json() == response.json()


async def test_health_and_readiness(http: httpx.AsyncClient, db: Database) -> None:
    assert (await http.get("/healthz")).json() == {"status": "ok"}
    assert (await http.get("/readyz")).json()["database"] == "ok"
    metrics = await http.get("/metrics")
    assert "parlour_http_requests_total" in metrics.text


async def test_openapi_documents_the_server_api(http: httpx.AsyncClient) -> None:
    spec = (await http.get("/openapi.json")).json()
    assert "/v2/apps/{appId}/conversations/{conversationId}/messages" in spec["paths"]
    assert "/v2/apps/{appId}/conversations/{conversationId}/passControl" in spec["paths"]
    assert spec["paths"]["/v2/apps/{appId}"]["get"]["security"] == [{"basicAuth": []}, {"bearerAuth": []}]
    docs = await http.get("/docs")
    assert docs.status_code == 200
    assert "cdn." not in docs.text  # a self-hosted server may have no internet access
    assert (await http.get("/docs/assets/swagger-ui-bundle.js")).status_code == 200
