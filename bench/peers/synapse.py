"""Peer benchmark: the customer -> agent workload of bench/realtime.py, run on Matrix Synapse.

Synapse is the most used Python messaging server; this runs the same workload on it, on the same
machine, so that Parlour's figures have something to be compared with.

    .venv/bin/python bench/peers/synapse.py [--pairs 10] [--messages 20] [--json] [--compare]

What it does, start to end:

1. Makes (once) a separate virtual environment, bench/peers/.synapse-venv, and installs
   matrix-synapse==SYNAPSE_VERSION into it from PyPI. Later runs reuse it while the pinned version
   is the installed one. The folder holds a `.gitignore` of its own (`*`).
2. Writes a Synapse config into a temporary data folder: one client listener on a free
   127.0.0.1 port, the default SQLite database, every rate limit that could refuse a request of
   this workload raised out of the way, registration through a shared secret only, logging at
   WARNING to a file. Generates the signing key, starts Synapse as a subprocess and waits until
   /_matrix/client/versions answers.
3. Registers 2 x N users through the shared-secret admin API (/_synapse/admin/v1/register, HMAC
   with a nonce), which returns an access token for each. For each pair the customer creates a
   private room inviting the agent, and the agent joins it.
4. Each agent makes an initial /sync (a filter that keeps room timelines only), then long-polls
   /sync with its `since` token. Once every agent is polling, every customer sends M text
   messages into its room (PUT /_matrix/client/v3/rooms/{room}/send/m.room.message/{txnId}),
   one after the other, each waiting for its 200.
5. End-to-end latency of a message: from just before the customer's PUT is sent to the moment
   the agent's /sync response that holds the event has arrived. Throughput: messages delivered
   to the agents / wall time (start of sending to the last delivery). The run fails if a message
   is not delivered within DELIVERY_TIMEOUT_S.
6. Stops Synapse, removes its data folder and prints the machine (CPU model, cores, Python),
   the Synapse version, N, M and the figures. `--json` adds them as one JSON line.
   `--compare` then runs bench/realtime.py with --conversations N --messages M and prints
   both throughputs and their ratio (Parlour msg/s / Synapse msg/s).
"""

import argparse
import asyncio
import gc
import hashlib
import hmac
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
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

SYNAPSE_VERSION = "1.163.2"
HERE = Path(__file__).resolve().parent
VENV_DIR = HERE / ".synapse-venv"
PARLOUR_BENCH = HERE.parent / "realtime.py"
HOST = "127.0.0.1"
SERVER_NAME = "bench.localhost"
SETUP_CONCURRENCY = 10
STARTUP_TIMEOUT_S = 180.0
REQUEST_TIMEOUT_S = 90.0
SYNC_TIMEOUT_MS = 30_000
DELIVERY_TIMEOUT_S = 600.0
# Before the start Synapse must be idle: under 10% of a core over half a second (or 30 s have passed).
SETTLE_WINDOW_S = 0.5
SETTLE_IDLE_SHARE = 0.1
SETTLE_MAX_S = 30.0
# High enough that no limiter refuses a request of this workload; (per second, burst).
UNLIMITED = {"per_second": 100_000, "burst_count": 100_000}
# Only the room timelines: no presence, account data, receipts or typing in the agent's /sync.
NOTHING = {"not_types": ["*"]}


@dataclass(frozen=True)
class Synapse:
    process: subprocess.Popen[bytes]
    base_url: str
    log_path: Path
    secret: str


@dataclass(frozen=True)
class Pair:
    index: int
    customer_id: str
    customer_token: str
    agent_id: str
    agent_token: str
    room_id: str


@dataclass(frozen=True)
class Result:
    pairs: int
    messages_per_pair: int
    total: int
    delivered: int
    wall_s: float
    latencies_ms: list[float]
    send_latencies_ms: list[float]
    syncs: int
    synapse_cpu_s: float
    client_cpu_s: float


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--pairs", type=int, default=10, help="customer + agent pairs, one room each (default 10)"
    )
    parser.add_argument("--messages", type=int, default=20, help="messages each customer sends (default 20)")
    parser.add_argument("--json", action="store_true", help="also print the results as one JSON line")
    parser.add_argument(
        "--compare",
        action="store_true",
        help="afterwards run bench/realtime.py with the same N and M and print both and their ratio",
    )
    args = parser.parse_args()
    if args.pairs < 1 or args.messages < 1:
        parser.error("--pairs and --messages must be at least 1")
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


# --- the virtual environment -------------------------------------------------------------------


def venv_python() -> Path:
    return VENV_DIR / "bin" / "python"


def installed_synapse() -> str | None:
    python = venv_python()
    if not python.exists():
        return None
    done = subprocess.run(
        [str(python), "-c", "from importlib.metadata import version; print(version('matrix-synapse'))"],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() if done.returncode == 0 else None


def ensure_venv() -> Path:
    """The venv with the pinned Synapse: made and installed on the first run, reused afterwards."""
    if installed_synapse() == SYNAPSE_VERSION:
        return venv_python()
    print(f"installing matrix-synapse=={SYNAPSE_VERSION} into {VENV_DIR} ...", file=sys.stderr, flush=True)
    # --clear empties a venv left by an earlier pin or an interrupted install.
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV_DIR)], check=True)
    (VENV_DIR / ".gitignore").write_text("# made by bench/peers/synapse.py\n*\n")
    subprocess.run(
        [str(venv_python()), "-m", "pip", "install", "--quiet", f"matrix-synapse=={SYNAPSE_VERSION}"],
        check=True,
    )
    found = installed_synapse()
    if found != SYNAPSE_VERSION:
        sys.exit(f"matrix-synapse {SYNAPSE_VERSION} was installed, but the venv reports {found!r}")
    return venv_python()


# --- the server --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def write_config(data_dir: Path, port: int, secret: str) -> Path:
    """homeserver.yaml (written as JSON, which YAML reads) and its logging config."""
    log_config = data_dir / "log.config"
    log_config.write_text(
        json.dumps(
            {
                "version": 1,
                "formatters": {"plain": {"format": "%(asctime)s %(name)s %(levelname)s %(message)s"}},
                "handlers": {
                    "file": {
                        "class": "logging.FileHandler",
                        "formatter": "plain",
                        "filename": str(data_dir / "homeserver.log"),
                        "encoding": "utf8",
                    }
                },
                "root": {"level": "WARNING", "handlers": ["file"]},
                "disable_existing_loggers": False,
            }
        )
    )
    config = {
        "server_name": SERVER_NAME,
        "pid_file": str(data_dir / "homeserver.pid"),
        "listeners": [
            {
                "port": port,
                "bind_addresses": [HOST],
                "type": "http",
                "tls": False,
                "x_forwarded": False,
                "resources": [{"names": ["client"], "compress": False}],
            }
        ],
        "database": {"name": "sqlite3", "args": {"database": str(data_dir / "homeserver.db")}},
        "log_config": str(log_config),
        "media_store_path": str(data_dir / "media_store"),
        "signing_key_path": str(data_dir / "signing.key"),
        "report_stats": False,
        "enable_metrics": False,
        "trusted_key_servers": [],
        "suppress_key_server_warning": True,
        "enable_registration": False,
        "registration_shared_secret": secret,
        "macaroon_secret_key": secrets.token_hex(32),
        "form_secret": secrets.token_hex(32),
        # Only the 2 x N registrations before the measurement hash a password: keep them quick.
        "bcrypt_rounds": 4,
        "rc_message": UNLIMITED,
        "rc_registration": UNLIMITED,
        "rc_login": {"address": UNLIMITED, "account": UNLIMITED, "failed_attempts": UNLIMITED},
        "rc_joins": {"local": UNLIMITED, "remote": UNLIMITED},
        "rc_joins_per_room": UNLIMITED,
        "rc_invites": {"per_room": UNLIMITED, "per_user": UNLIMITED, "per_issuer": UNLIMITED},
        "rc_room_creation": UNLIMITED,
        "rc_admin_redaction": UNLIMITED,
        "rc_3pid_validation": UNLIMITED,
        "rc_key_requests": UNLIMITED,
        "rc_delayed_event_mgmt": UNLIMITED,
        "rc_user_directory": UNLIMITED,
        "rc_profile": UNLIMITED,
        "rc_reports": UNLIMITED,
        # rc_presence is left as it is: it never refuses a request, it only skips presence updates.
    }
    path = data_dir / "homeserver.yaml"
    path.write_text(json.dumps(config, indent=2))
    return path


def start_synapse(python: Path, data_dir: Path) -> Synapse:
    port = free_port()
    secret = secrets.token_hex(32)
    config = write_config(data_dir, port, secret)
    homeserver = [str(python), "-m", "synapse.app.homeserver", "--config-path", str(config)]
    keys = subprocess.run([*homeserver, "--generate-keys"], capture_output=True, text=True, check=False)
    if keys.returncode != 0:
        sys.exit(f"synapse --generate-keys failed ({keys.returncode}):\n{keys.stderr}{keys.stdout}")
    log_path = data_dir / "stdout.log"
    with log_path.open("wb") as log:
        # Its own session: a Ctrl-C in the terminal reaches this script, which then stops Synapse.
        process = subprocess.Popen(
            homeserver, cwd=data_dir, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    return Synapse(process=process, base_url=f"http://{HOST}:{port}", log_path=log_path, secret=secret)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads) so far; 0 where /proc is missing."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # Fields 14 and 15 of stat(5); the split above starts at field 3.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def stop_synapse(synapse: Synapse) -> None:
    if synapse.process.poll() is not None:
        return
    synapse.process.send_signal(signal.SIGTERM)
    try:
        synapse.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        synapse.process.kill()
        synapse.process.wait()


def server_logs(data_dir: Path) -> str:
    parts = []
    for name in ("stdout.log", "homeserver.log"):
        path = data_dir / name
        if path.exists() and path.stat().st_size:
            parts.append(f"--- synapse {name} ---\n{path.read_text(errors='replace')[-4000:]}")
    return "\n".join(parts)


async def wait_ready(synapse: Synapse) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    async with httpx.AsyncClient(base_url=synapse.base_url, timeout=2.0) as client:
        while time.monotonic() < deadline:
            if synapse.process.poll() is not None:
                raise RuntimeError(f"synapse exited ({synapse.process.returncode}) while starting")
            try:
                if (await client.get("/_matrix/client/versions")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError(f"synapse did not answer within {STARTUP_TIMEOUT_S:.0f} s")


# --- the workload ------------------------------------------------------------------------------


def expect(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    if response.status_code != status:
        raise RuntimeError(
            f"{response.request.method} {response.request.url.path} answered {response.status_code}, "
            f"not {status}: {response.text[:500]}"
        )
    body: dict[str, Any] = response.json()
    return body


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def register(client: httpx.AsyncClient, secret: str, username: str) -> tuple[str, str]:
    """Shared-secret registration: (user id, access token)."""
    nonce = expect(await client.get("/_synapse/admin/v1/register"))["nonce"]
    password = secrets.token_urlsafe(16)
    mac = hmac.new(secret.encode(), digestmod=hashlib.sha1)
    mac.update(b"\x00".join([nonce.encode(), username.encode(), password.encode(), b"notadmin"]))
    body = expect(
        await client.post(
            "/_synapse/admin/v1/register",
            json={
                "nonce": nonce,
                "username": username,
                "password": password,
                "admin": False,
                "mac": mac.hexdigest(),
            },
        )
    )
    return body["user_id"], body["access_token"]


async def create_pairs(client: httpx.AsyncClient, secret: str, count: int, run: str) -> list[Pair]:
    """Per pair: a customer and an agent, and a private room that both have joined."""
    gate = asyncio.Semaphore(SETUP_CONCURRENCY)

    async def one(index: int) -> Pair:
        async with gate:
            customer_id, customer_token = await register(client, secret, f"{run}-customer-{index}")
            agent_id, agent_token = await register(client, secret, f"{run}-agent-{index}")
            room = expect(
                await client.post(
                    "/_matrix/client/v3/createRoom",
                    headers=bearer(customer_token),
                    json={"preset": "private_chat", "name": f"conversation {index}", "invite": [agent_id]},
                )
            )
            room_id = room["room_id"]
            expect(
                await client.post(
                    f"/_matrix/client/v3/join/{quote(room_id, safe='')}", headers=bearer(agent_token), json={}
                )
            )
            return Pair(index, customer_id, customer_token, agent_id, agent_token, room_id)

    return list(await asyncio.gather(*(one(i) for i in range(count))))


def sync_filter(messages: int) -> dict[str, Any]:
    """Room timelines only; a limit above M, so that no /sync leaves out ("limited") a message."""
    return {
        "presence": NOTHING,
        "account_data": NOTHING,
        "room": {
            "account_data": NOTHING,
            "ephemeral": NOTHING,
            "state": {"lazy_load_members": True},
            "timeline": {"limit": messages + 10},
        },
    }


async def initial_sync(client: httpx.AsyncClient, pair: Pair, messages: int) -> tuple[str, str]:
    """Uploads the agent's filter (as Matrix clients do) and makes its first /sync: (filter id, since)."""
    user = quote(pair.agent_id, safe="")
    uploaded = expect(await client.post(f"/_matrix/client/v3/user/{user}/filter", json=sync_filter(messages)))
    filter_id: str = uploaded["filter_id"]
    body = expect(await client.get("/_matrix/client/v3/sync", params={"filter": filter_id, "timeout": "0"}))
    if pair.room_id not in body.get("rooms", {}).get("join", {}):
        raise RuntimeError(f"agent {pair.agent_id} has not joined {pair.room_id}")
    since: str = body["next_batch"]
    return filter_id, since


async def agent(
    base_url: str,
    pair: Pair,
    messages: int,
    sent_at: dict[str, float],
    ready: asyncio.Event,
    deadline: float,
) -> tuple[list[float], float, int]:
    """Long-polls /sync until all M messages of its room were seen: (latencies ms, last seen, syncs)."""
    latencies: list[float] = []
    seen: set[str] = set()
    last = 0.0
    syncs = 0
    async with httpx.AsyncClient(
        base_url=base_url,
        headers=bearer(pair.agent_token),
        timeout=REQUEST_TIMEOUT_S,
        limits=httpx.Limits(max_connections=1),
    ) as client:
        filter_id, since = await initial_sync(client, pair, messages)
        ready.set()
        while len(seen) < messages and time.perf_counter() < deadline:
            response = await client.get(
                "/_matrix/client/v3/sync",
                params={"filter": filter_id, "since": since, "timeout": str(SYNC_TIMEOUT_MS)},
            )
            arrived = time.perf_counter()
            body = expect(response)
            syncs += 1
            since = body["next_batch"]
            room = body.get("rooms", {}).get("join", {}).get(pair.room_id)
            if room is None:
                continue
            for event in room.get("timeline", {}).get("events", []):
                if event.get("type") != "m.room.message" or event.get("sender") != pair.customer_id:
                    continue
                mark = event.get("content", {}).get("bench_id")
                if mark in sent_at and mark not in seen:
                    seen.add(mark)
                    latencies.append((arrived - sent_at[mark]) * 1000)
                    last = arrived
    return latencies, last, syncs


async def customer(
    base_url: str, pair: Pair, messages: int, run: str, sent_at: dict[str, float], start: asyncio.Event
) -> list[float]:
    """Sends M messages into its room, one after the other, each waiting for its 200: send latencies ms."""
    latencies: list[float] = []
    room = quote(pair.room_id, safe="")
    async with httpx.AsyncClient(
        base_url=base_url,
        headers=bearer(pair.customer_token),
        timeout=REQUEST_TIMEOUT_S,
        limits=httpx.Limits(max_connections=1),
    ) as client:
        await start.wait()
        for index in range(messages):
            mark = f"{pair.index}-{index}"
            body = {"msgtype": "m.text", "body": f"customer {pair.index} message {index}", "bench_id": mark}
            began = time.perf_counter()
            sent_at[mark] = began
            response = await client.put(
                f"/_matrix/client/v3/rooms/{room}/send/m.room.message/{run}-{mark}", json=body
            )
            latencies.append((time.perf_counter() - began) * 1000)
            expect(response)
    return latencies


async def settle(pid: int) -> None:
    """Waits until Synapse is idle: the work the setup queued (user directory, stats...) is done."""
    deadline = time.monotonic() + SETTLE_MAX_S
    await asyncio.sleep(SETTLE_WINDOW_S)
    while time.monotonic() < deadline:
        before = cpu_seconds(pid)
        await asyncio.sleep(SETTLE_WINDOW_S)
        if cpu_seconds(pid) - before <= SETTLE_IDLE_SHARE * SETTLE_WINDOW_S:
            return


async def run_benchmark(synapse: Synapse, pairs_count: int, messages: int) -> Result:
    await wait_ready(synapse)
    run = f"b{secrets.token_hex(4)}"
    async with httpx.AsyncClient(base_url=synapse.base_url, timeout=REQUEST_TIMEOUT_S) as setup:
        pairs = await create_pairs(setup, synapse.secret, pairs_count, run)

    sent_at: dict[str, float] = {}
    start = asyncio.Event()
    ready = [asyncio.Event() for _ in pairs]
    deadline = time.perf_counter() + DELIVERY_TIMEOUT_S
    agents = [
        asyncio.create_task(agent(synapse.base_url, p, messages, sent_at, r, deadline))
        for p, r in zip(pairs, ready, strict=True)
    ]
    customers = [
        asyncio.create_task(customer(synapse.base_url, p, messages, run, sent_at, start)) for p in pairs
    ]
    # Every agent has made its initial /sync and is long-polling (or about to) with its token.
    await asyncio.gather(*(r.wait() for r in ready))
    await settle(synapse.process.pid)
    # As Parlour's benchmarks do (bench/api_messages.py, `collector_paused`): this load generator's
    # garbage collector is off while it measures, so that its pauses are not counted as latency.
    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        cpu_before = cpu_seconds(synapse.process.pid)
        client_before = time.process_time()
        began = time.perf_counter()
        start.set()
        sends = await asyncio.gather(*customers)
        received = await asyncio.gather(*agents)
        cpu_used = cpu_seconds(synapse.process.pid) - cpu_before
        client_used = time.process_time() - client_before
    finally:
        gc.enable()
        gc.unfreeze()
    last = max((r[1] for r in received), default=began)
    return Result(
        pairs=pairs_count,
        messages_per_pair=messages,
        total=pairs_count * messages,
        delivered=sum(len(r[0]) for r in received),
        wall_s=max(last, began) - began,
        latencies_ms=[latency for r in received for latency in r[0]],
        send_latencies_ms=[latency for s in sends for latency in s],
        syncs=sum(r[2] for r in received),
        synapse_cpu_s=cpu_used,
        client_cpu_s=client_used,
    )


# --- the report --------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(fraction * len(ordered) + 0.5)))
    return ordered[rank - 1]


def spread(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    return {
        "p50": round(percentile(values, 0.50), 2),
        "p95": round(percentile(values, 0.95), 2),
        "p99": round(percentile(values, 0.99), 2),
        "max": round(max(values), 2),
    }


def summary(result: Result, load: tuple[float, float, float]) -> dict[str, Any]:
    rate = result.delivered / result.wall_s if result.wall_s > 0 else 0.0
    return {
        "server": "synapse",
        "synapse_version": SYNAPSE_VERSION,
        "machine": machine(),
        "load_average_before": [round(x, 2) for x in load],
        "database": "SQLite (temporary file)",
        "pairs": result.pairs,
        "messages_per_pair": result.messages_per_pair,
        "total_messages": result.total,
        "delivered_messages": result.delivered,
        "wall_s": round(result.wall_s, 3),
        "messages_per_s": round(rate, 1),
        "latency_ms": spread(result.latencies_ms),
        "send_latency_ms": spread(result.send_latencies_ms),
        "syncs": result.syncs,
        "synapse_cpu_s": round(result.synapse_cpu_s, 2),
        "synapse_cpu_ms_per_message": round(1000 * result.synapse_cpu_s / max(result.delivered, 1), 2),
        "load_generator_cpu_s": round(result.client_cpu_s, 2),
    }


def show(figures: dict[str, float]) -> str:
    return ", ".join(f"{key} {value:.1f} ms" for key, value in figures.items())


def report(result: Result, load: tuple[float, float, float], as_json: bool) -> dict[str, Any]:
    data = summary(result, load)
    info = data["machine"]
    print(
        f"machine:        {info['cpu']}, {info['cores']} cores, {info['implementation']} {info['python']}, "
        f"{info['platform']}"
    )
    print(f"load before:    {' '.join(f'{x:.2f}' for x in data['load_average_before'])} (1, 5, 15 min)")
    print(f"server:         Matrix Synapse {SYNAPSE_VERSION} (one process), SQLite (temporary file)")
    print(f"pairs (N):      {result.pairs} (customer + agent, one room each)")
    print(f"messages (M):   {result.messages_per_pair} per customer")
    print(f"total messages: {result.total} sent, {result.delivered} delivered to the agents' /sync")
    print(f"wall time:      {result.wall_s:.2f} s")
    print(f"throughput:     {data['messages_per_s']:.1f} messages delivered/s")
    print(f"latency:        {show(data['latency_ms'])} (customer send -> agent's /sync has it)")
    print(f"send latency:   {show(data['send_latency_ms'])} (PUT -> 200)")
    print(
        f"agent /syncs:   {result.syncs} ({result.delivered / max(result.syncs, 1):.2f} messages per /sync)"
    )
    print(
        f"synapse CPU:    {result.synapse_cpu_s:.2f} s in the wall time "
        f"({data['synapse_cpu_ms_per_message']:.1f} ms per message; 1 core = 1 s per s); "
        f"load generator {result.client_cpu_s:.2f} s"
    )
    if as_json:
        print(json.dumps(data))
    return data


# --- the comparison with Parlour ---------------------------------------------------------------


def find_rate(data: dict[str, Any]) -> float | None:
    """The throughput in bench/realtime.py's JSON line: `delivered_per_s` (or `messages_per_s`)."""
    for key in ("delivered_per_s", "messages_per_s", "delivered_messages_per_s"):
        value = data.get(key)
        if isinstance(value, int | float):
            return float(value)
    return None


def compare(synapse: dict[str, Any], pairs: int, messages: int) -> None:
    if not PARLOUR_BENCH.exists():
        sys.exit(f"--compare: {PARLOUR_BENCH} does not exist (yet)")
    command = [
        sys.executable,
        str(PARLOUR_BENCH),
        "--conversations",
        str(pairs),
        "--messages",
        str(messages),
        "--json",
    ]
    print(f"\n--- Parlour: {' '.join(command[1:])} ---", flush=True)
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    sys.stdout.write(done.stdout)
    sys.stderr.write(done.stderr)
    if done.returncode != 0:
        sys.exit(f"bench/realtime.py failed ({done.returncode})")
    parlour: dict[str, Any] | None = None
    for line in reversed(done.stdout.splitlines()):
        if line.startswith("{"):
            try:
                parlour = json.loads(line)
            except json.JSONDecodeError:
                continue
            break
    rate = find_rate(parlour) if parlour is not None else None
    if parlour is None or rate is None:
        sys.exit("--compare: no throughput (delivered_per_s) found in bench/realtime.py's JSON line")
    ours = float(synapse["messages_per_s"])
    print("\n--- comparison (same machine, same N and M, run one after the other) ---")
    print(f"N {pairs}, M {messages}")
    print(f"Synapse {SYNAPSE_VERSION}: {ours:.1f} messages/s, latency {show(synapse['latency_ms'])}")
    print(f"Parlour:         {rate:.1f} messages/s, latency {show(parlour.get('latency_ms', {}))}")
    ratio = rate / ours if ours > 0 else float("inf")
    print(f"ratio:           {ratio:.2f} (Parlour msg/s / Synapse msg/s)")
    print(
        json.dumps(
            {
                "pairs": pairs,
                "messages": messages,
                "synapse_messages_per_s": ours,
                "parlour_messages_per_s": rate,
                "ratio": round(ratio, 2),
            }
        )
    )


def main() -> None:
    args = parse_args()
    if args.compare and not PARLOUR_BENCH.exists():
        sys.exit(f"--compare: {PARLOUR_BENCH} does not exist (yet)")
    python = ensure_venv()
    # Other work on the machine changes the figures: the report shows how busy it was.
    load = os.getloadavg()
    data_dir = Path(tempfile.mkdtemp(prefix="synapse-bench-"))
    # A plain `kill` still stops Synapse and removes its data folder (via `finally`).
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(143))
    synapse: Synapse | None = None
    try:
        synapse = start_synapse(python, data_dir)
        result = asyncio.run(run_benchmark(synapse, args.pairs, args.messages))
        stop_synapse(synapse)
        data = report(result, load, args.json)
        if result.delivered != result.total:
            sys.exit(f"only {result.delivered} of {result.total} messages reached the agents")
    except BaseException:
        logs = server_logs(data_dir)
        if logs:
            print(logs, file=sys.stderr)
        raise
    finally:
        if synapse is not None:
            stop_synapse(synapse)
        shutil.rmtree(data_dir, ignore_errors=True)
    if args.compare:
        compare(data, args.pairs, args.messages)


if __name__ == "__main__":
    main()
