"""The widget runs on the business's own site: the client API answers other origins, and
nothing else does."""

import httpx

from tests.conftest import Tenant

SHOP = "https://shop.example"


async def test_the_client_api_answers_a_preflight_and_a_request_from_the_shops_site(
    http: httpx.AsyncClient, tenant: Tenant
) -> None:
    root = f"/client/v1/apps/{tenant.app_id}"
    preflight = await http.options(
        f"{root}/conversations",
        headers={
            "Origin": SHOP,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "authorization" in preflight.headers["access-control-allow-headers"].lower()
    assert "access-control-allow-credentials" not in preflight.headers

    created = await http.post(f"{root}/users", headers={"Origin": SHOP})
    assert created.status_code == 201
    assert created.headers["access-control-allow-origin"] == "*"
    refused = await http.get(f"{root}/me", headers={"Origin": SHOP})
    assert refused.status_code == 401
    assert refused.headers["access-control-allow-origin"] == "*"


async def test_the_server_api_and_the_workspace_keep_the_same_origin_rule(
    http: httpx.AsyncClient, tenant: Tenant
) -> None:
    for path in (f"/v2/apps/{tenant.app_id}", f"/workspace/v1/apps/{tenant.app_id}/me"):
        answer = await http.get(path, headers={"Origin": SHOP})
        assert "access-control-allow-origin" not in answer.headers, path
        preflight = await http.options(
            path, headers={"Origin": SHOP, "Access-Control-Request-Method": "DELETE"}
        )
        assert "access-control-allow-origin" not in preflight.headers, path
