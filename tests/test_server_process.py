"""The real server process: what it acknowledged survives SIGKILL, and queued webhook deliveries
go out after a restart."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.receiver import Receiver, start_receiver

pytestmark = pytest.mark.backend_independent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _cli(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "parlour", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout


def _start(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(  # noqa: S603 - our own command
        [sys.executable, "-m", "parlour", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the server did not become ready")


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = start_receiver()
    yield server
    server.close()


def test_acknowledged_messages_and_queued_webhooks_survive_sigkill(
    tmp_path: Path, receiver: Receiver
) -> None:
    env = {
        **os.environ,
        "PARLOUR_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/crash.db",
        "PARLOUR_LOG_LEVEL": "warning",
    }
    _cli(env, "migrate")
    _cli(env, "create-account", "shop")
    key = json.loads(_cli(env, "create-api-key", "--account", "shop"))
    port = _free_port()
    base = f"http://127.0.0.1:{port}/v2/apps/{key['app_id']}"
    auth = (key["key_id"], key["secret"])

    # First life: background jobs off, so the delivery can only be queued, never sent.
    server = _start({**env, "PARLOUR_RUN_JOBS": "false"}, port)
    try:
        with httpx.Client(base_url=base, auth=auth, timeout=10) as api:
            api.post(
                "/integrations",
                json={
                    "type": "custom",
                    "webhooks": [{"target": receiver.url, "triggers": ["conversation:message"]}],
                },
            ).raise_for_status()
            # The agent workspace answers first: one message, one delivery (no AI agent reply).
            switchboard = api.get("/switchboards").json()["switchboards"][0]
            path = f"/switchboards/{switchboard['id']}"
            sbis = api.get(f"{path}/switchboardIntegrations").json()["switchboardIntegrations"]
            workspace = next(s for s in sbis if s["name"] == "zd-agentWorkspace")
            api.patch(path, json={"defaultSwitchboardIntegrationId": workspace["id"]}).raise_for_status()
            api.post("/users", json={"externalId": "c1"}).raise_for_status()
            conversation = api.post(
                "/conversations", json={"type": "personal", "participants": [{"userExternalId": "c1"}]}
            ).json()["conversation"]
            posted = api.post(
                f"/conversations/{conversation['id']}/messages",
                json={
                    "author": {"type": "user", "userExternalId": "c1"},
                    "content": {"type": "text", "text": "ack'd"},
                },
            )
            assert posted.status_code == 201
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=10)
    assert receiver.deliveries == []

    # Second life: the message is there and the queued delivery goes out.
    server = _start(env, port)
    try:
        with httpx.Client(base_url=base, auth=auth, timeout=10) as api:
            messages = api.get(f"/conversations/{conversation['id']}/messages").json()["messages"]
            assert [m["content"]["text"] for m in messages] == ["ack'd"]
        deadline = time.monotonic() + 20
        while not receiver.deliveries and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert len(receiver.deliveries) == 1
    assert receiver.deliveries[0].json["events"][0]["payload"]["message"]["content"]["text"] == "ack'd"
