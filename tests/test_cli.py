"""The `parlour` command, run as a user runs it: a separate process on a fresh database."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.backend_independent

COMMANDS = [
    "serve",
    "migrate",
    "demo",
    "create-account",
    "create-staff",
    "create-api-key",
    "ai",
    "helpcenter",
]


def _parlour(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PARLOUR_DATABASE_URL": f"sqlite+aiosqlite:///{cwd}/cli.db", **(env or {})}
    return subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "parlour", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_every_command_has_help(command: str | None, tmp_path: Path) -> None:
    result = _parlour(*([command] if command else []), "--help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Usage" in result.stdout
    if command is None:
        assert all(name in result.stdout for name in COMMANDS)


def test_an_account_gets_an_api_key_printed_as_json(tmp_path: Path) -> None:
    assert _parlour("migrate", cwd=tmp_path).returncode == 0
    created = _parlour("create-account", "shop", cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    key = json.loads(_parlour("create-api-key", "--account", "shop", cwd=tmp_path).stdout)
    assert set(key) == {"app_id", "key_id", "secret"}
    assert key["app_id"] == json.loads(created.stdout)["app_id"]
    staff = _parlour(
        "create-staff",
        "--account",
        "shop",
        "--email",
        "Ann@Shop.test",
        "--name",
        "Ann",
        "--role",
        "admin",
        cwd=tmp_path,
        env={"PARLOUR_STAFF_PASSWORD": "correct horse"},
    )
    assert json.loads(staff.stdout)["email"] == "ann@shop.test"
    missing = _parlour("create-api-key", "--account", "nope", cwd=tmp_path)
    assert missing.returncode == 1
    assert "no account named" in missing.stderr


def test_demo_prints_the_same_credentials_every_time(tmp_path: Path) -> None:
    first = _parlour("demo", cwd=tmp_path)
    second = _parlour("demo", cwd=tmp_path)
    assert first.returncode == second.returncode == 0, first.stderr
    assert "admin@demo.parlour.test / parlour-demo" in first.stdout
    secret_line = [line for line in first.stdout.splitlines() if "API secret" in line]
    assert secret_line and secret_line == [
        line for line in second.stdout.splitlines() if "API secret" in line
    ]
