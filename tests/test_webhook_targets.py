"""Webhook targets on the server's own network are refused unless the operator allows them: an
account must not make the server call loopback, private ranges or cloud metadata addresses."""

from collections.abc import Iterator

import httpx
import pytest

from parlour.lib import addresses
from parlour.settings import get_settings


@pytest.fixture
def private_refused(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("PARLOUR_WEBHOOKS_ALLOW_PRIVATE_TARGETS", "false")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://0.0.0.0/hook",
    ],
)
async def test_a_private_target_is_refused_and_nothing_is_created(
    api: httpx.AsyncClient, private_refused: None, target: str
) -> None:
    response = await api.post(
        "integrations",
        json={"type": "custom", "displayName": "Bot", "webhooks": [{"target": target, "triggers": ["*"]}]},
    )
    assert response.status_code == 400, response.text
    assert "public address" in response.json()["errors"][0]["title"]
    assert (await api.get("integrations")).json()["integrations"] == []


async def test_a_public_target_is_accepted(api: httpx.AsyncClient, private_refused: None) -> None:
    response = await api.post(
        "integrations",
        json={
            "type": "custom",
            "displayName": "Bot",
            "webhooks": [{"target": "https://hooks.example.com/parlour", "triggers": ["*"]}],
        },
    )
    assert response.status_code == 201, response.text


async def test_at_delivery_the_resolved_addresses_are_checked_again() -> None:
    assert await addresses.resolved_problem("http://127.0.0.1:9/hook") is not None
    assert await addresses.resolved_problem("http://localhost./hook") is not None
    assert await addresses.resolved_problem("http://93.184.216.34/hook") is None  # a public literal
    assert addresses.literal_problem("https://hooks.example.com/x") is None  # names wait for delivery
