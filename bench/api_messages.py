"""Benchmark: N concurrent clients posting messages through the server API.

Sets up a fresh database (a temporary SQLite file unless --database-url is given) with the
`parlour` CLI, starts a real `parlour serve` process on a free port, creates one user and one
conversation per client through the API, then lets every client post M text messages to its own
conversation, one after the other, each waiting for its 201. Afterwards every message is read
back through the API and counted, and the figures are printed.

    .venv/bin/python bench/api_messages.py [--clients 50] [--messages 40] [--json]
    .venv/bin/python bench/api_messages.py --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/NAME
"""

import argparse
import asyncio
import contextlib
import gc
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

HOST = "127.0.0.1"
SETUP_CONCURRENCY = 10
STARTUP_TIMEOUT_S = 60.0
REQUEST_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class Server:
    process: subprocess.Popen[bytes]
    base_url: str
    log_path: Path


@dataclass(frozen=True)
class Credentials:
    app_id: str
    key_id: str
    secret: str


@dataclass(frozen=True)
class Result:
    clients: int
    messages_per_client: int
    total: int
    persisted: int
    wall_s: float
    latencies_ms: list[float]


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """The load generator's garbage collector off while it measures (reference counting still
    frees nearly everything; the rest waits for the end). Its full collections stopped this whole
    process for 65-146 ms every few seconds in a 40,000-message run, measured with gc.callbacks,
    and every message in flight then counted the pause as the server's latency."""
    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.unfreeze()


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients (default 50)")
    parser.add_argument("--messages", type=int, default=40, help="messages each client posts (default 40)")
    parser.add_argument(
        "--database-url",
        default=None,
        help="database to run against (default: a fresh temporary SQLite file); "
        "e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/NAME",
    )
    parser.add_argument("--json", action="store_true", help="also print the results as one JSON line")
    args = parser.parse_args()
    if args.clients < 1 or args.messages < 1:
        parser.error("--clients and --messages must be at least 1")
    return args


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(terse=True),
    }


def parlour_command() -> str:
    beside = Path(sys.executable).parent / "parlour"
    found = str(beside) if beside.exists() else shutil.which("parlour")
    if found is None:
        sys.exit("the `parlour` command was not found: run `make install` first")
    return found


def cli(parlour: str, env: dict[str, str], *args: str) -> str:
    done = subprocess.run([parlour, *args], env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"`parlour {' '.join(args)}` failed ({done.returncode}):\n{done.stderr}{done.stdout}")
    return done.stdout


def prepare_database(parlour: str, env: dict[str, str]) -> Credentials:
    """Migrate, then create an account and an API key with the CLI."""
    cli(parlour, env, "migrate")
    name = f"bench-{secrets.token_hex(4)}"
    account = json.loads(cli(parlour, env, "create-account", name, "--display-name", "Benchmark"))
    key = json.loads(cli(parlour, env, "create-api-key", "--account", name, "--display-name", "bench"))
    return Credentials(app_id=account["app_id"], key_id=key["key_id"], secret=key["secret"])


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def start_server(parlour: str, env: dict[str, str], workdir: Path, workers: int = 1) -> Server:
    port = free_port()
    log_path = workdir / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [parlour, "serve", "--host", HOST, "--port", str(port), "--no-migrate", f"--workers={workers}"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    return Server(process=process, base_url=f"http://{HOST}:{port}", log_path=log_path)


def stop_server(server: Server) -> None:
    if server.process.poll() is not None:
        return
    server.process.send_signal(signal.SIGINT)
    try:
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


async def wait_ready(server: Server) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    async with httpx.AsyncClient(base_url=server.base_url, timeout=2.0) as client:
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                raise RuntimeError(
                    f"the server exited ({server.process.returncode}):\n{server.log_path.read_text()}"
                )
            try:
                if (await client.get("/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError(f"the server was not ready after {STARTUP_TIMEOUT_S:.0f} s")


def expect(response: httpx.Response, status: int) -> dict[str, Any]:
    if response.status_code != status:
        raise RuntimeError(
            f"{response.request.method} {response.request.url.path} answered {response.status_code}, "
            f"not {status}: {response.text[:500]}"
        )
    body: dict[str, Any] = response.json()
    return body


async def create_conversations(
    client: httpx.AsyncClient, app: str, count: int, run: str
) -> list[tuple[str, str]]:
    """One user and one personal conversation per client, through the API: (user id, conversation id)."""
    gate = asyncio.Semaphore(SETUP_CONCURRENCY)

    async def one(index: int) -> tuple[str, str]:
        async with gate:
            user = expect(
                await client.post(f"/v2/apps/{app}/users", json={"externalId": f"{run}-{index}"}), 201
            )
            user_id = user["user"]["id"]
            conversation = expect(
                await client.post(
                    f"/v2/apps/{app}/conversations",
                    json={"type": "personal", "participants": [{"userId": user_id}]},
                ),
                201,
            )
            conversation_id = conversation["conversation"]["id"]
            # The AI agent answers new conversations first; this workload is messages to agents.
            expect(
                await client.post(
                    f"/v2/apps/{app}/conversations/{conversation_id}/passControl",
                    json={"switchboardIntegration": "zd-agentWorkspace"},
                ),
                200,
            )
            return user_id, conversation_id

    return list(await asyncio.gather(*(one(i) for i in range(count))))


def text_of(client_index: int, message_index: int) -> str:
    return f"client {client_index} message {message_index}"


async def post_messages(
    base_url: str,
    auth: httpx.BasicAuth,
    app: str,
    client_index: int,
    user_id: str,
    conversation_id: str,
    count: int,
    start: asyncio.Event,
) -> list[float]:
    """One client: its own keep-alive connection, M posts in a row, each awaited to its 201."""
    latencies: list[float] = []
    path = f"/v2/apps/{app}/conversations/{conversation_id}/messages"
    async with httpx.AsyncClient(
        base_url=base_url, auth=auth, timeout=REQUEST_TIMEOUT_S, limits=httpx.Limits(max_connections=1)
    ) as client:
        await start.wait()
        for index in range(count):
            body = {
                "author": {"type": "user", "userId": user_id},
                "content": {"type": "text", "text": text_of(client_index, index)},
            }
            began = time.perf_counter()
            response = await client.post(path, json=body)
            latencies.append((time.perf_counter() - began) * 1000)
            expect(response, 201)
    return latencies


async def count_persisted(
    client: httpx.AsyncClient, app: str, conversation_id: str, client_index: int, expected: int
) -> int:
    """Read the conversation's messages back (latest page first, then older pages) and check them."""
    texts: list[str] = []
    params: dict[str, str] = {}
    while True:
        page = expect(
            await client.get(f"/v2/apps/{app}/conversations/{conversation_id}/messages", params=params), 200
        )
        texts = [m["content"]["text"] for m in page["messages"]] + texts
        if not page["meta"]["hasMore"]:
            break
        params = {"page[before]": page["meta"]["beforeCursor"]}
    wanted = [text_of(client_index, i) for i in range(expected)]
    if texts != wanted:
        missing = sorted(set(wanted) - set(texts))[:3]
        raise RuntimeError(
            f"conversation {conversation_id}: {len(texts)} messages read back, {expected} posted "
            f"(first missing: {missing}, order kept: {sorted(texts) == sorted(wanted)})"
        )
    return len(texts)


async def run_benchmark(server: Server, credentials: Credentials, clients: int, messages: int) -> Result:
    await wait_ready(server)
    auth = httpx.BasicAuth(credentials.key_id, credentials.secret)
    app = credentials.app_id
    async with httpx.AsyncClient(base_url=server.base_url, auth=auth, timeout=REQUEST_TIMEOUT_S) as setup:
        pairs = await create_conversations(setup, app, clients, f"bench-{secrets.token_hex(4)}")

    start = asyncio.Event()
    tasks = [
        asyncio.create_task(
            post_messages(server.base_url, auth, app, i, user_id, conversation_id, messages, start)
        )
        for i, (user_id, conversation_id) in enumerate(pairs)
    ]
    await asyncio.sleep(0.2)  # every client task is waiting on the start line
    with collector_paused():
        began = time.perf_counter()
        start.set()
        per_client = await asyncio.gather(*tasks)
        wall = time.perf_counter() - began

    async with httpx.AsyncClient(base_url=server.base_url, auth=auth, timeout=REQUEST_TIMEOUT_S) as check:
        gate = asyncio.Semaphore(SETUP_CONCURRENCY)

        async def verify(index: int, conversation_id: str) -> int:
            async with gate:
                return await count_persisted(check, app, conversation_id, index, messages)

        persisted = sum(await asyncio.gather(*(verify(i, c) for i, (_, c) in enumerate(pairs))))

    return Result(
        clients=clients,
        messages_per_client=messages,
        total=clients * messages,
        persisted=persisted,
        wall_s=wall,
        latencies_ms=[latency for latencies in per_client for latency in latencies],
    )


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(fraction * len(ordered) + 0.5)))
    return ordered[rank - 1]


def report(result: Result, database: str, as_json: bool) -> None:
    info = machine()
    rate = result.persisted / result.wall_s
    p50, p95, p99 = (percentile(result.latencies_ms, f) for f in (0.50, 0.95, 0.99))
    print(
        f"machine:        {info['cpu']}, {info['cores']} cores, {info['implementation']} {info['python']}, "
        f"{info['platform']}"
    )
    print(f"database:       {database}")
    print(f"clients (N):    {result.clients}")
    print(f"messages (M):   {result.messages_per_client} per client")
    print(f"total messages: {result.total} posted, {result.persisted} persisted (verified through the API)")
    print(f"wall time:      {result.wall_s:.2f} s")
    print(f"throughput:     {rate:.1f} messages persisted/s")
    print(
        f"latency:        p50 {p50:.1f} ms, p95 {p95:.1f} ms, p99 {p99:.1f} ms "
        f"(max {max(result.latencies_ms):.1f} ms)"
    )
    if as_json:
        print(
            json.dumps(
                {
                    "machine": info,
                    "database": database,
                    "clients": result.clients,
                    "messages_per_client": result.messages_per_client,
                    "total_messages": result.total,
                    "persisted_messages": result.persisted,
                    "wall_s": round(result.wall_s, 3),
                    "messages_per_s": round(rate, 1),
                    "latency_ms": {
                        "p50": round(p50, 2),
                        "p95": round(p95, 2),
                        "p99": round(p99, 2),
                        "max": round(max(result.latencies_ms), 2),
                    },
                }
            )
        )


def redact(url: str) -> str:
    """The database URL without a password."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    userinfo, _, host = rest.rpartition("@")
    return f"{scheme}://{userinfo.split(':', 1)[0]}@{host}"


def main() -> None:
    args = parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="parlour-bench-"))
    database_url = args.database_url or f"sqlite+aiosqlite:///{workdir / 'bench.db'}"
    env = {**os.environ, "PARLOUR_DATABASE_URL": database_url, "PARLOUR_LOG_LEVEL": "warning"}
    parlour = parlour_command()
    # A plain `kill` still stops the server and removes the temporary files (via `finally`).
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(143))
    server: Server | None = None
    try:
        credentials = prepare_database(parlour, env)
        server = start_server(parlour, env, workdir)
        result = asyncio.run(run_benchmark(server, credentials, args.clients, args.messages))
        stop_server(server)
        if result.persisted != result.total:
            sys.exit(f"only {result.persisted} of {result.total} messages were persisted")
        backend = "SQLite (temporary file)" if args.database_url is None else redact(database_url)
        report(result, backend, args.json)
    except BaseException:
        if server is not None and server.log_path.exists() and server.log_path.stat().st_size:
            print(f"--- server log ---\n{server.log_path.read_text()[-4000:]}", file=sys.stderr)
        raise
    finally:
        if server is not None:
            stop_server(server)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
