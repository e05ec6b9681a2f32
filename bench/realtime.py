"""Benchmark: live delivery over WebSockets, from customers to agents.

Sets up a fresh database (a temporary SQLite file unless --database-url is given) with the
`parlour` CLI (an account and an admin), starts a real `parlour serve` process on a free port and
opens N conversations, each with a customer and an agent connected on WebSockets through
`parlour.client`. Every customer sends M messages over its stream, one after the other, each
waiting for its ack; the benchmark times each message from the customer's send to the moment
the conversation's agent stream receives its `conversation:message` event, and checks that
every message reached its agent exactly once.

    .venv/bin/python bench/realtime.py [--conversations 100] [--messages 20] [--json]
    .venv/bin/python bench/realtime.py --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/NAME
"""

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from api_messages import (
    Server,
    cli,
    collector_paused,
    machine,
    parlour_command,
    percentile,
    redact,
    start_server,
    stop_server,
    wait_ready,
)
from parlour.client import CustomerClient, StaffClient, Stream

SETUP_CONCURRENCY = 10
SETTLE_S = 1.0  # after every stream is open, before the start
DELIVERY_TIMEOUT_S = 60.0  # after the last ack, for the last deliveries
ACK_TIMEOUT_S = 60.0
DRAIN_QUIET_S = 3.0  # the fan-out to the other streams is complete once nothing arrived this long
ADMIN_PASSWORD = secrets.token_urlsafe(16)


@dataclass(frozen=True)
class Setup:
    app_id: str
    admin_email: str
    key_id: str
    secret: str


@dataclass
class Conversation:
    index: int
    conversation_id: str
    customer: Stream
    agent: Stream


@dataclass
class Tally:
    """What the agent streams received; filled in by one reader task per agent stream."""

    # clientMessageId → (conversation index, time of the send), written just before each send.
    sent: dict[str, tuple[int, float]] = field(default_factory=dict)
    # Deliveries of a conversation's message to that conversation's own agent.
    own: Counter[str] = field(default_factory=Counter)
    latencies_ms: list[float] = field(default_factory=list)
    last_own_at: float = 0.0
    finished: asyncio.Event = field(default_factory=asyncio.Event)  # every delivery in, or a stream lost
    expected_own: int = 0
    # Every frame of every agent stream, and the conversation:message ones among them.
    frames: int = 0
    message_frames: int = 0
    repeated: int = 0  # a stream receiving the same message twice
    last_frame_at: float = 0.0
    closed: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Result:
    conversations: int
    messages_per_conversation: int
    sent: int
    acked: int
    delivered_own: int
    exactly_once: bool
    fan_out_complete: bool
    agents: str
    expected_message_frames: int
    frames: int
    message_frames: int
    wall_s: float
    drain_s: float
    latencies_ms: list[float]
    ack_latencies_ms: list[float]
    server_cpu_s: float  # the server's processes, from the first message to the last delivery
    client_cpu_s: float  # this load generator, over the same span


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--conversations",
        type=int,
        default=100,
        help="conversations, each with a customer and an agent stream (default 100)",
    )
    parser.add_argument("--messages", type=int, default=20, help="messages each customer sends (default 20)")
    parser.add_argument(
        "--database-url",
        default=None,
        help="database to run against (default: a fresh temporary SQLite file); "
        "e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/NAME",
    )
    parser.add_argument(
        "--agents",
        choices=("pair", "account"),
        default="pair",
        help="pair (default): each agent stream is focused on its own conversation, as an agent "
        "following the ticket they work; account: every agent stream carries the whole account, so "
        "each message fans out to all N agent streams",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="server processes (`parlour serve --workers N`; above 1 needs --redis-url)",
    )
    parser.add_argument(
        "--redis-url", default=None, help="PARLOUR_REDIS_URL for the server, e.g. redis://127.0.0.1:6379/0"
    )
    parser.add_argument("--json", action="store_true", help="also print the results as one JSON line")
    args = parser.parse_args()
    if args.workers > 1 and not args.redis_url:
        parser.error("--workers above 1 needs --redis-url (events cross between the processes there)")
    if args.conversations < 1 or args.messages < 1:
        parser.error("--conversations and --messages must be at least 1")
    return args


def prepare_database(parlour: str, env: dict[str, str]) -> Setup:
    """Migrate, then create an account and an admin with the CLI."""
    cli(parlour, env, "migrate")
    name = f"bench-{secrets.token_hex(4)}"
    account = json.loads(cli(parlour, env, "create-account", name, "--display-name", "Benchmark"))
    email = f"admin-{name}@bench.parlour.test"
    cli(
        parlour,
        {**env, "PARLOUR_STAFF_PASSWORD": ADMIN_PASSWORD},
        *("create-staff", "--account", name, "--email", email, "--name", "Bench Admin", "--role", "admin"),
    )
    key = json.loads(cli(parlour, env, "create-api-key", "--account", name, "--display-name", "bench"))
    return Setup(app_id=account["app_id"], admin_email=email, key_id=key["key_id"], secret=key["secret"])


async def open_conversations(server: Server, setup: Setup, count: int, agents: str) -> list[Conversation]:
    """Per conversation: an anonymous customer, its conversation handed to the agents (the AI
    agent answers new conversations first; this workload is the customer talking to an agent),
    its stream, then an agent stream.

    The agents are one admin signed in once, with one stream per conversation: focused on that
    conversation (`pair`), or carrying every conversation of the account (`account`).
    """
    gate = asyncio.Semaphore(SETUP_CONCURRENCY)

    async def customer(index: int) -> tuple[int, str, Stream]:
        async with gate:
            client = CustomerClient(server.base_url, setup.app_id)
            try:
                await client.start_anonymous()
                conversation = await client.open_conversation()
                handed = await server_api.post(
                    f"/v2/apps/{setup.app_id}/conversations/{conversation['id']}/passControl",
                    json={"switchboardIntegration": "zd-agentWorkspace"},
                )
                if handed.status_code != 200:
                    raise RuntimeError(f"passControl refused: {handed.status_code} {handed.text}")
                return index, conversation["id"], await client.connect()
            finally:
                await client.aclose()

    async with httpx.AsyncClient(
        base_url=server.base_url, auth=httpx.BasicAuth(setup.key_id, setup.secret), timeout=30
    ) as server_api:
        customers = await asyncio.gather(*(customer(i) for i in range(count)))
    staff = StaffClient(server.base_url, setup.app_id)
    try:
        await staff.sign_in(setup.admin_email, ADMIN_PASSWORD)

        async def agent(conversation_id: str) -> Stream:
            async with gate:
                return await staff.connect(conversations=[conversation_id] if agents == "pair" else None)

        streams = await asyncio.gather(*(agent(conversation_id) for _, conversation_id, _ in customers))
    finally:
        await staff.aclose()
    return [
        Conversation(index, conversation_id, stream, agent_stream)
        for (index, conversation_id, stream), agent_stream in zip(customers, streams, strict=True)
    ]


async def read_agent(conversation: Conversation, tally: Tally, running: asyncio.Event) -> None:
    """Everything one agent stream receives, until told to stop (cancelled)."""
    seen: set[str] = set()
    stream = conversation.agent
    while True:
        try:
            frame = await stream.next_event(timeout=1.0)
        except TimeoutError:
            if stream.connection.close_code is not None:
                tally.closed.append(
                    f"agent stream {conversation.index} closed: {stream.connection.close_code} "
                    f"{stream.connection.close_reason}"
                )
                tally.finished.set()
                return
            continue
        now = time.perf_counter()
        if not running.is_set():
            continue  # before the start
        tally.frames += 1
        tally.last_frame_at = now
        event = frame["event"]
        if event["type"] != "conversation:message":
            continue
        client_message_id = event["payload"]["message"].get("clientMessageId")
        origin = tally.sent.get(client_message_id or "")
        if origin is None:
            continue  # not one of the customers' messages
        tally.message_frames += 1
        if client_message_id in seen:
            tally.repeated += 1
        seen.add(client_message_id)
        index, sent_at = origin
        if index != conversation.index:
            continue
        tally.own[client_message_id] += 1
        tally.latencies_ms.append((now - sent_at) * 1000)
        tally.last_own_at = now
        if len(tally.latencies_ms) >= tally.expected_own:
            tally.finished.set()


async def send_messages(
    conversation: Conversation, count: int, tally: Tally, start: asyncio.Event, run: str
) -> list[float]:
    """One customer: M messages over its stream, each awaited to its ack."""
    ack_latencies: list[float] = []
    await start.wait()
    for index in range(count):
        client_message_id = f"{run}-{conversation.index}-{index}"
        began = time.perf_counter()
        tally.sent[client_message_id] = (conversation.index, began)
        # As Stream.send_text, with a longer wait for the ack than its 10 s: N senders queue up.
        ack = await conversation.customer.request(
            {
                "type": "message",
                "conversationId": conversation.conversation_id,
                "clientMessageId": client_message_id,
                "content": {"type": "text", "text": f"conversation {conversation.index} message {index}"},
            },
            timeout=ACK_TIMEOUT_S,
        )
        ack_latencies.append((time.perf_counter() - began) * 1000)
        if ack.get("type") != "ack":
            raise RuntimeError(f"conversation {conversation.index} message {index}: {ack}")
    return ack_latencies


async def close_all(conversations: list[Conversation]) -> None:
    streams = [s for c in conversations for s in (c.customer, c.agent)]
    await asyncio.gather(*(s.close() for s in streams), return_exceptions=True)


async def run_benchmark(server: Server, setup: Setup, count: int, messages: int, agents: str) -> Result:
    await wait_ready(server)
    conversations = await open_conversations(server, setup, count, agents)
    tally = Tally(expected_own=count * messages)
    running = asyncio.Event()
    readers = [asyncio.create_task(read_agent(c, tally, running)) for c in conversations]
    try:
        start = asyncio.Event()
        run = secrets.token_hex(4)
        senders = [asyncio.create_task(send_messages(c, messages, tally, start, run)) for c in conversations]
        await asyncio.sleep(SETTLE_S)  # the streams' first frames are in, every sender is waiting
        running.set()
        with collector_paused():
            server_cpu, client_cpu = process_tree_cpu(server.process.pid), time.process_time()
            began = time.perf_counter()
            start.set()
            acks = await asyncio.gather(*senders)
            with contextlib.suppress(TimeoutError):  # reported below as missing deliveries
                await asyncio.wait_for(tally.finished.wait(), DELIVERY_TIMEOUT_S)
            wall = (tally.last_own_at or time.perf_counter()) - began
            server_cpu = process_tree_cpu(server.process.pid) - server_cpu
            client_cpu = time.process_time() - client_cpu
        # Let the fan-out to the other agent streams finish: complete, or quiet for a while.
        expected_frames = (count if agents == "account" else 1) * count * messages
        while tally.message_frames < expected_frames and not tally.closed:
            if time.perf_counter() - max(tally.last_frame_at, began) > DRAIN_QUIET_S:
                break
            await asyncio.sleep(0.05)
        drain = max(tally.last_frame_at, began) - began
    finally:
        for reader in readers:
            reader.cancel()
        await asyncio.gather(*readers, return_exceptions=True)
        await close_all(conversations)

    for line in tally.closed:
        print(line, file=sys.stderr)
    wanted = set(tally.sent)
    exactly_once = set(tally.own) == wanted and all(n == 1 for n in tally.own.values())
    return Result(
        conversations=count,
        messages_per_conversation=messages,
        sent=len(tally.sent),
        acked=sum(len(a) for a in acks),
        delivered_own=sum(tally.own.values()),
        exactly_once=exactly_once,
        fan_out_complete=tally.message_frames == expected_frames and tally.repeated == 0,
        agents=agents,
        expected_message_frames=expected_frames,
        frames=tally.frames,
        message_frames=tally.message_frames,
        wall_s=wall,
        drain_s=drain,
        latencies_ms=tally.latencies_ms,
        ack_latencies_ms=[latency for latencies in acks for latency in latencies],
        server_cpu_s=server_cpu,
        client_cpu_s=client_cpu,
    )


def process_tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by a process and all its descendants (Linux):
    with --workers, uvicorn's worker processes are the server's children."""
    tick = os.sysconf("SC_CLK_TCK")
    stats: dict[int, tuple[int, float]] = {}  # pid -> (parent, cpu seconds)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        # After the command: state, ppid, ..., utime (11th) and stime (12th).
        stats[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)
    total, wanted = 0.0, {pid}
    while wanted:
        current = wanted.pop()
        total += stats.get(current, (0, 0.0))[1]
        wanted.update(child for child, (parent, _cpu) in stats.items() if parent == current)
    return total


def code_version() -> str:
    """The commit the server runs, and whether src/ has changes not committed yet."""
    git = shutil.which("git")
    root = Path(__file__).resolve().parent.parent
    if git is None:
        return "unknown"
    head = subprocess.run(
        [git, "-C", str(root), "rev-parse", "--short", "HEAD"], check=False, capture_output=True, text=True
    )
    changed = subprocess.run(
        [git, "-C", str(root), "status", "--porcelain", "--", "src"],
        check=False,
        capture_output=True,
        text=True,
    )
    if head.returncode != 0:
        return "unknown"
    dirty = " + uncommitted changes in src/" if changed.stdout.strip() else ""
    return f"{head.stdout.strip()}{dirty}"


def quantiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"p50": float("nan"), "p95": float("nan"), "p99": float("nan"), "max": float("nan")}
    return {
        "p50": percentile(values, 0.50),
        "p95": percentile(values, 0.95),
        "p99": percentile(values, 0.99),
        "max": max(values),
    }


def report(result: Result, database: str, as_json: bool) -> None:
    info = machine()
    code = code_version()
    n, m = result.conversations, result.messages_per_conversation
    rate = result.delivered_own / result.wall_s
    frame_rate = result.frames / result.drain_s
    latency, ack = quantiles(result.latencies_ms), quantiles(result.ack_latencies_ms)
    print(
        f"machine:            {info['cpu']}, {info['cores']} cores, {info['implementation']} "
        f"{info['python']}, {info['platform']}"
    )
    print(f"database:           {database}")
    print(f"code:               {code}")
    print(f"conversations (N):  {n} (a customer stream and an agent stream each: {2 * n} WebSockets)")
    scope = (
        "each agent stream focused on its own conversation"
        if result.agents == "pair"
        else "every agent stream carries the whole account"
    )
    print(f"agents:             {result.agents} ({scope})")
    print(f"messages (M):       {m} per customer")
    print(
        f"messages:           {result.sent} sent, {result.acked} acked, {result.delivered_own} received "
        f"by their own agent ({'each exactly once' if result.exactly_once else 'NOT exactly once'})"
    )
    print(f"wall time:          {result.wall_s:.2f} s (start to the last message at its own agent)")
    print(f"throughput:         {rate:.1f} messages delivered/s (received by their own agent / wall time)")
    print(
        f"latency:            p50 {latency['p50']:.1f} ms, p95 {latency['p95']:.1f} ms, "
        f"p99 {latency['p99']:.1f} ms (max {latency['max']:.1f} ms), customer send to agent receipt"
    )
    print(
        f"ack latency:        p50 {ack['p50']:.1f} ms, p95 {ack['p95']:.1f} ms, p99 {ack['p99']:.1f} ms "
        f"(max {ack['max']:.1f} ms), customer send to ack"
    )
    per_message = 1e6 / max(1, result.sent)
    print(
        f"cpu:                server {result.server_cpu_s:.2f} s ({result.server_cpu_s * per_message:.0f} us "
        f"per message), load generator {result.client_cpu_s:.2f} s "
        f"({result.client_cpu_s * per_message:.0f} us per message), over the wall time"
    )
    print(
        f"fan-out:            {result.frames} event frames on the {n} agent streams in "
        f"{result.drain_s:.2f} s ({frame_rate:.0f} frames/s); {result.message_frames} of them these "
        f"messages, {result.expected_message_frames} expected: "
        f"{'complete, none twice' if result.fan_out_complete else 'INCOMPLETE or repeated'}"
    )
    if as_json:
        print(
            json.dumps(
                {
                    "machine": info,
                    "database": database,
                    "code": code,
                    "conversations": n,
                    "messages_per_conversation": m,
                    "sent": result.sent,
                    "acked": result.acked,
                    "delivered_own": result.delivered_own,
                    "exactly_once": result.exactly_once,
                    "fan_out_complete": result.fan_out_complete,
                    "wall_s": round(result.wall_s, 3),
                    "delivered_per_s": round(rate, 1),
                    "latency_ms": {k: round(v, 2) for k, v in latency.items()},
                    "ack_latency_ms": {k: round(v, 2) for k, v in ack.items()},
                    "frames": result.frames,
                    "message_frames": result.message_frames,
                    "expected_message_frames": result.expected_message_frames,
                    "agents": result.agents,
                    "fan_out_s": round(result.drain_s, 3),
                    "frames_per_s": round(frame_rate, 1),
                    "server_cpu_s": round(result.server_cpu_s, 3),
                    "client_cpu_s": round(result.client_cpu_s, 3),
                }
            )
        )


def main() -> None:
    args = parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="parlour-bench-"))
    database_url = args.database_url or f"sqlite+aiosqlite:///{workdir / 'bench.db'}"
    env = {**os.environ, "PARLOUR_DATABASE_URL": database_url, "PARLOUR_LOG_LEVEL": "warning"}
    if args.redis_url:
        env["PARLOUR_REDIS_URL"] = args.redis_url
    parlour = parlour_command()
    # A plain `kill` still stops the server and removes the temporary files (via `finally`).
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(143))
    server: Server | None = None
    try:
        setup = prepare_database(parlour, env)
        server = start_server(parlour, env, workdir, args.workers)
        result = asyncio.run(run_benchmark(server, setup, args.conversations, args.messages, args.agents))
        stop_server(server)
        backend = "SQLite (temporary file)" if args.database_url is None else redact(database_url)
        backend += f"; {args.workers} server process{'es' if args.workers > 1 else ''}"
        backend += f", Redis at {redact(args.redis_url)}" if args.redis_url else ", in-process bus"
        report(result, backend, args.json)
        if not result.exactly_once or result.acked != result.sent:
            sys.exit(
                f"{result.delivered_own} deliveries to their own agent for {result.sent} messages sent "
                f"({result.acked} acked): not every message reached its agent exactly once"
            )
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
