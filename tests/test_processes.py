"""Several server processes sharing the database and a Redis of their own: a message posted
through one reaches a client of another, a Redis restart loses nothing, and a client of a
process killed with SIGKILL resumes on another process with nothing lost or doubled."""

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from parlour.client import CustomerClient, StaffClient, Stream
from parlour.db import Database
from parlour.people import actions as people_actions
from parlour.settings import Settings
from tests.conftest import Tenant

pytestmark = pytest.mark.backend_independent
PASSWORD = "correct horse battery"
REDIS = shutil.which("redis-server")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class RedisServer:
    """A Redis of the test's own on a free port, so that it can be stopped and started again."""

    def __init__(self, folder: Path) -> None:
        self.port = _free_port()
        self.folder = folder
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        assert REDIS is not None
        self.process = subprocess.Popen(  # noqa: S603 - a fixed binary
            [
                REDIS,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


class ServerProcess:
    def __init__(self, env: dict[str, str]) -> None:
        self.port = _free_port()
        self.env = env
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - our own command
            [sys.executable, "-m", "parlour", "serve", "--no-migrate", "--port", str(self.port)],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("the server did not become ready")

    def kill(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
            self.process = None

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()  # never left running after the test: then say it did not stop
                self.process.wait()
                raise
            finally:
                self.process = None


@pytest.fixture
def redis(tmp_path: Path) -> Iterator[RedisServer]:
    if REDIS is None:
        if os.environ.get("CI") == "true":
            pytest.fail("redis-server is required with CI=true")
        pytest.skip("SKIPPED: redis-server is not installed on this machine")
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def cluster_env(settings: Settings, redis: RedisServer) -> dict[str, str]:
    return {
        **os.environ,
        "PARLOUR_DATABASE_URL": settings.database_url,
        "PARLOUR_REDIS_URL": redis.url,
        "PARLOUR_LOG_LEVEL": "warning",
        "PARLOUR_ENV": "test",
        # Short, so that a silent process is noticed quickly: three beats.
        "PARLOUR_PRESENCE_BEAT_SECONDS": "0.3",
    }


@pytest.fixture
def cluster(cluster_env: dict[str, str], tenant: Tenant) -> Iterator[list[ServerProcess]]:
    processes = [ServerProcess(cluster_env), ServerProcess(cluster_env)]
    for process in processes:
        process.start()
    yield processes
    for process in processes:
        process.stop()


@pytest.fixture
async def admin_email(db: Database, tenant: Tenant) -> str:
    async with db.transaction() as session:
        await people_actions.do_create_staff(
            session, tenant.account, email="admin@acme.test", name="Admin", role="admin", password=PASSWORD
        )
    return "admin@acme.test"


async def _texts(stream: Stream, count: int, within: float = 10) -> list[str]:
    texts: list[str] = []
    deadline = time.monotonic() + within
    while len(texts) < count and time.monotonic() < deadline:
        try:
            frame = await stream.next_event(timeout=max(0.05, deadline - time.monotonic()))
        except TimeoutError:
            break
        if frame["event"]["type"] == "conversation:message":
            texts.append(frame["event"]["payload"]["message"]["content"]["text"])
    return texts


async def test_a_message_posted_through_one_process_reaches_a_client_of_another(
    cluster: list[ServerProcess], tenant: Tenant, admin_email: str
) -> None:
    a, b = cluster
    customer = CustomerClient(a.url, tenant.app_id)
    await customer.start_anonymous()
    conversation = await customer.open_conversation()
    agent = StaffClient(b.url, tenant.app_id)
    await agent.sign_in(admin_email, PASSWORD)
    async with await customer.connect() as stream:
        for index in range(5):
            await agent.reply(conversation["id"], f"from B {index}")
        assert await _texts(stream, 5) == [f"from B {i}" for i in range(5)]
    await customer.aclose()
    await agent.aclose()


async def test_a_redis_restart_loses_nothing(
    cluster: list[ServerProcess], redis: RedisServer, tenant: Tenant, admin_email: str
) -> None:
    a, b = cluster
    customer = CustomerClient(a.url, tenant.app_id)
    await customer.start_anonymous()
    conversation = await customer.open_conversation()
    agent = StaffClient(b.url, tenant.app_id)
    await agent.sign_in(admin_email, PASSWORD)
    async with await customer.connect() as stream:
        await agent.reply(conversation["id"], "before")
        assert await _texts(stream, 1) == ["before"]
        redis.stop()
        for index in range(3):  # accepted by B while Redis is down
            await agent.reply(conversation["id"], f"during {index}")
        redis.start()
        await agent.reply(conversation["id"], "after")
        assert await _texts(stream, 4, within=20) == ["during 0", "during 1", "during 2", "after"]
    await customer.aclose()
    await agent.aclose()


async def test_clients_of_a_killed_process_resume_on_another_with_nothing_lost_or_doubled(
    cluster: list[ServerProcess], tenant: Tenant, admin_email: str
) -> None:
    a, b = cluster
    on_b = CustomerClient(b.url, tenant.app_id)
    await on_b.start_anonymous()
    conversation = await on_b.open_conversation()
    agent = StaffClient(a.url, tenant.app_id)
    await agent.sign_in(admin_email, PASSWORD)
    stream = await on_b.connect()
    received: list[str] = []

    async def talk() -> None:
        for index in range(30):
            await agent.reply(conversation["id"], f"m{index}")
            await asyncio.sleep(0.01)

    talking = asyncio.create_task(talk())
    received += await _texts(stream, 5)
    b.kill()  # mid-stream
    await stream.wait_closed()
    received += await _drain_texts(stream)
    on_a = CustomerClient(a.url, tenant.app_id, client_token=on_b.client_token)
    async with await on_a.connect(last_seq=stream.last_seq) as resumed:
        await talking
        received += await _texts(resumed, 30 - len(received), within=20)
    assert received == [f"m{i}" for i in range(30)]
    for client in (on_b, on_a, agent):
        await client.aclose()


async def _drain_texts(stream: Stream) -> list[str]:
    texts = []
    while stream.pending_events():
        frame = await stream.next_event(timeout=1)
        if frame["event"]["type"] == "conversation:message":
            texts.append(frame["event"]["payload"]["message"]["content"]["text"])
    return texts


async def _customer_online(stream: Stream, conversation_id: str) -> bool:
    answer = await stream.request({"type": "watch", "conversationId": conversation_id})
    assert answer["type"] == "presence", answer
    return bool(answer["customerOnline"])


async def test_customers_of_a_killed_process_go_offline_on_the_others(
    cluster: list[ServerProcess], tenant: Tenant, admin_email: str
) -> None:
    """A process killed with SIGKILL cannot say that its customers left: the others notice its
    silence (three beats) and tell the agents watching."""
    a, b = cluster
    customer = CustomerClient(b.url, tenant.app_id)
    await customer.start_anonymous()
    conversation = await customer.open_conversation()
    await customer.connect()
    admin = StaffClient(a.url, tenant.app_id)
    await admin.sign_in(admin_email, PASSWORD)
    async with await admin.connect() as watching:
        deadline = time.monotonic() + 10
        while not await _customer_online(watching, conversation["id"]):  # through Redis from b
            assert time.monotonic() < deadline, "process a never heard that the customer is on b"
            await asyncio.sleep(0.1)
        b.kill()
        change = await watching.next_frame_of("presence", timeout=10)
        assert (change["conversationId"], change["customerOnline"]) == (conversation["id"], False)
    await customer.aclose()
    await admin.aclose()


async def test_a_process_started_later_knows_who_is_connected_elsewhere(
    cluster: list[ServerProcess], cluster_env: dict[str, str], tenant: Tenant, admin_email: str
) -> None:
    """Presence changes said before a process subscribed are not replayed by Redis: a joining
    process asks the others for everything they hold."""
    a, _ = cluster
    customer = CustomerClient(a.url, tenant.app_id)
    await customer.start_anonymous()
    conversation = await customer.open_conversation()
    await customer.connect()
    late = ServerProcess(cluster_env)
    late.start()
    try:
        admin = StaffClient(late.url, tenant.app_id)
        await admin.sign_in(admin_email, PASSWORD)
        async with await admin.connect() as watching:
            deadline = time.monotonic() + 10
            while not await _customer_online(watching, conversation["id"]):
                assert time.monotonic() < deadline, "the late process never learnt of the customer"
                await asyncio.sleep(0.1)
        await admin.aclose()
    finally:
        late.stop()
        await customer.aclose()
