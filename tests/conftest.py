"""Test harness: every test runs against a real database, SQLite (`--db=sqlite`, the default) or
PostgreSQL (`--db=postgres`, at PARLOUR_TEST_POSTGRES_URL). The schema is built once per run by
the Alembic migrations, and every table is emptied after each test.

Without a reachable PostgreSQL the postgres run is skipped with a loud reason, unless CI=true,
where it fails.
"""

import asyncio
import base64
import os
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

os.environ.setdefault("PARLOUR_ENV", "test")
# The tests' webhook receivers listen on loopback (tests/receiver.py); refusing such targets is
# tested on its own in tests/test_webhook_targets.py.
os.environ.setdefault("PARLOUR_WEBHOOKS_ALLOW_PRIVATE_TARGETS", "true")

from parlour import migrate, wiring
from parlour.accounts import actions as account_actions
from parlour.accounts.models import Account
from parlour.app import create_app
from parlour.db import Database
from parlour.jobs.worker import Worker
from parlour.lib import clock
from parlour.models import metadata
from parlour.onboarding import actions as onboarding
from parlour.settings import Settings

DEFAULT_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
_skip_reason: str | None = None


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db", choices=("sqlite", "postgres"), default="sqlite", help="database backend to test on"
    )


def _postgres_url() -> str:
    return os.environ.get("PARLOUR_TEST_POSTGRES_URL") or DEFAULT_POSTGRES


async def _reachable(url: str) -> str | None:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    finally:
        await engine.dispose()
    return None


def pytest_configure(config: pytest.Config) -> None:
    global _skip_reason  # noqa: PLW0603
    if config.getoption("--db") != "postgres":
        return
    problem = asyncio.run(_reachable(_postgres_url()))
    if problem is None:
        return
    message = f"PostgreSQL at {_postgres_url()} is not reachable ({problem})"
    if os.environ.get("CI") == "true":
        raise pytest.UsageError(f"{message}; CI=true requires it")
    _skip_reason = message


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _skip_reason is None:
        return
    marker = pytest.mark.skip(reason=f"SKIPPED POSTGRESQL SUITE: {_skip_reason}")
    for item in items:
        item.add_marker(marker)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _skip_reason is not None:
        terminalreporter.write_line("")
        terminalreporter.write_line(
            f"!!! The PostgreSQL suite was SKIPPED: {_skip_reason}", red=True, bold=True
        )


@pytest.fixture(scope="session")
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.config.getoption("--db"))


@pytest.fixture(scope="session")
def database_url(backend: str) -> Iterator[str]:
    if backend == "postgres":
        url = _postgres_url()
        asyncio.run(_reset_postgres(url))
        migrate.upgrade(url)
        yield url
        return
    with tempfile.TemporaryDirectory(prefix="parlour-test-") as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'test.db'}"
        migrate.upgrade(url)
        yield url


async def _reset_postgres(url: str) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(env="test", database_url=database_url, run_jobs=False, job_poll_seconds=0.05)


@pytest.fixture
async def db(settings: Settings) -> AsyncIterator[Database]:
    wiring.install()
    database = Database(settings.database_url)
    try:
        yield database
    finally:
        clock.reset()
        await _empty_tables(database)
        await database.dispose()


async def _empty_tables(database: Database) -> None:
    tables = [t.name for t in reversed(metadata.sorted_tables)]
    async with database.transaction() as session:
        if database.is_sqlite:
            for table in tables:
                await session.execute(text(f'DELETE FROM "{table}"'))  # noqa: S608 - our own table names
        else:
            await session.execute(
                text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")
            )


@pytest.fixture
def worker(db: Database, settings: Settings) -> Iterator[Worker]:
    yield Worker(db, settings)


@dataclass
class Tenant:
    account: Account
    key_id: str
    secret: str

    @property
    def app_id(self) -> str:
        return self.account.id

    @property
    def auth_header(self) -> dict[str, str]:
        token = base64.b64encode(f"{self.key_id}:{self.secret}".encode()).decode()
        return {"Authorization": f"Basic {token}"}


async def make_tenant(db: Database, name: str, **settings: object) -> Tenant:
    async with db.transaction() as session:
        account = await onboarding.do_create_account(session, name=name)
        if settings:
            await account_actions.do_update_account(session, account, settings=dict(settings))
        key = await account_actions.do_create_api_key(session, account, display_name="test")
    return Tenant(account, key.key.id, key.secret)


@pytest.fixture
async def tenant(db: Database) -> Tenant:
    return await make_tenant(db, "acme")


@pytest.fixture
async def other_tenant(db: Database) -> Tenant:
    return await make_tenant(db, "globex")


@pytest.fixture
async def http(db: Database, settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client speaking to the real ASGI app (no network), without credentials."""
    app = create_app(settings, db=db)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://parlour.test"
    ) as client:
        yield client


class AppClient(httpx.AsyncClient):
    """Relative paths ("conversations", "" for the app itself) are resolved under /v2/apps/{appId}."""

    def __init__(self, app_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.app_root = f"/v2/apps/{app_id}"

    async def request(self, method: str, url: Any, **kwargs: Any) -> httpx.Response:  # type: ignore[override]
        if isinstance(url, str) and not url.startswith(("/", "http")):
            url = f"{self.app_root}/{url}" if url else self.app_root
        return await super().request(method, url, **kwargs)


@pytest.fixture
async def api(db: Database, settings: Settings, tenant: Tenant) -> AsyncIterator[AppClient]:
    """An HTTP client authenticated with `tenant`'s API key; relative paths are under its app."""
    app = create_app(settings, db=db)
    async with AppClient(
        tenant.app_id,
        transport=httpx.ASGITransport(app=app),
        base_url="http://parlour.test",
        headers=tenant.auth_header,
    ) as client:
        yield client
