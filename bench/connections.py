"""Benchmark: K idle customer WebSocket connections held by one server process, and its memory.

Sets up a fresh database (a temporary SQLite file unless --database-url is given) with the
`parlour` CLI, starts a real `parlour serve` process on a free port, creates K anonymous customers
through the client API, then opens one WebSocket stream per customer with `parlour.client` and
holds them all open. The server's resident memory (VmRSS of /proc/<pid>/status) is read before
the first connection and after the last, and the difference is divided by K.

    .venv/bin/python bench/connections.py [--connections 2000] [--hold 10] [--json]
    .venv/bin/python bench/connections.py --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/NAME
"""

import argparse
import asyncio
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from api_messages import (
    HOST,
    Server,
    cli,
    free_port,
    machine,
    parlour_command,
    redact,
    stop_server,
    wait_ready,
)
from parlour.client import CustomerClient, Stream
from realtime import code_version

SETUP_CONCURRENCY = 20  # customers created at once
CONNECT_CONCURRENCY = 100  # handshakes in flight at once (the server's accept backlog is 2048)
SETTLE_S = 3.0  # after the last connection, before memory is read
FDS_SPARE = 500  # files each process needs besides its sockets

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Result:
    connections: int
    opened: int
    failures: dict[str, int]
    still_open: int
    connect_s: float
    connect_cpu_s: tuple[float, float]  # CPU seconds used while connecting: server, client
    idle_cpu: tuple[float, float]  # share of one core used while holding: server, client
    hold_s: float
    rss_before_kib: int
    rss_after_kib: int
    rss_peak_kib: int
    rss_closed_kib: int
    fds_before: int
    fds_after: int
    fds_closed: int
    client_rss_kib: int
    fd_limit: int


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--connections", type=int, default=2000, help="customer WebSockets to open (default 2000)"
    )
    parser.add_argument("--hold", type=float, default=10.0, help="seconds to hold them all open (default 10)")
    parser.add_argument(
        "--database-url",
        default=None,
        help="database to run against (default: a fresh temporary SQLite file); "
        "e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/NAME",
    )
    parser.add_argument("--json", action="store_true", help="also print the results as one JSON line")
    args = parser.parse_args()
    if args.connections < 1 or args.hold < 0:
        parser.error("--connections must be at least 1 and --hold at least 0")
    return args


def raise_fd_limit(wanted: int) -> int:
    """Raise this process's soft limit on open files towards `wanted` (at most the hard limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if target > soft:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (ValueError, OSError):
            return soft
        return target
    return soft


def status_kib(pid: int, field: str) -> int:
    """A `kB` line of /proc/<pid>/status, e.g. VmRSS (resident now) or VmHWM (resident at peak)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/{pid}/status")


def cpu_s(pid: int) -> float:
    """CPU time (user + system) the process has used so far, all its threads."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def open_fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def prepare_database(parlour: str, env: dict[str, str]) -> str:
    """Migrate, then create an account with the CLI; its app id."""
    cli(parlour, env, "migrate")
    name = f"bench-{os.urandom(4).hex()}"
    account = json.loads(cli(parlour, env, "create-account", name, "--display-name", "Benchmark"))
    app_id: str = account["app_id"]
    return app_id


def start_server(parlour: str, env: dict[str, str], workdir: Path, fd_limit: int) -> Server:
    """`parlour serve` on a free port, allowed `fd_limit` open files."""
    port = free_port()
    log_path = workdir / "server.log"

    def allow_files() -> None:  # runs in the child, before it executes the server
        raise_fd_limit(fd_limit)

    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [parlour, "serve", "--host", HOST, "--port", str(port), "--no-migrate"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=allow_files,  # noqa: PLW1509 - only sets a limit, before any thread runs
        )
    return Server(process=process, base_url=f"http://{HOST}:{port}", log_path=log_path)


async def in_workers(
    items: Sequence[T], clients: Sequence[CustomerClient], work: Callable[[CustomerClient, T], Awaitable[R]]
) -> list[R]:
    """`work(client, item)` for every item, as many at a time as there are clients: each client
    serves one item after the other (a client per customer would cost more than the work:
    making one takes about 20 ms)."""
    results: dict[int, R] = {}
    pending = iter(enumerate(items))

    async def worker(client: CustomerClient) -> None:
        for index, item in pending:
            results[index] = await work(client, item)

    await asyncio.gather(*(worker(client) for client in clients[: len(items)]))
    return [results[i] for i in range(len(items))]


async def create_customer(client: CustomerClient, _index: int) -> str:
    client.client_token = None
    await client.start_anonymous()
    token = client.client_token
    if token is None:
        raise RuntimeError("no client token")
    return token


async def connect(client: CustomerClient, token: str) -> Stream | str:
    """One customer's stream, or what went wrong (counted, not raised: the run goes on)."""
    client.client_token = token
    try:
        return await client.connect()
    except Exception as exc:
        return f"{type(exc).__name__}: {str(exc)[:120]}"


async def run_benchmark(server: Server, app_id: str, count: int, hold: float, fd_limit: int) -> Result:
    await wait_ready(server)
    pid = server.process.pid
    clients = [CustomerClient(server.base_url, app_id) for _ in range(CONNECT_CONCURRENCY)]
    try:
        tokens = await in_workers(range(count), clients[:SETUP_CONCURRENCY], create_customer)
        await asyncio.sleep(SETTLE_S)
        rss_before, fds_before = status_kib(pid, "VmRSS"), open_fds(pid)
        began, cpu_began = time.perf_counter(), (cpu_s(pid), cpu_s(os.getpid()))
        outcomes = await in_workers(tokens, clients, connect)
        connect_s = time.perf_counter() - began
        connect_cpu = (cpu_s(pid) - cpu_began[0], cpu_s(os.getpid()) - cpu_began[1])
    finally:
        await asyncio.gather(*(client.aclose() for client in clients))
    streams: list[Stream] = [o for o in outcomes if isinstance(o, Stream)]
    failures = Counter(o for o in outcomes if isinstance(o, str))
    await asyncio.sleep(SETTLE_S)
    rss_after, fds_after = status_kib(pid, "VmRSS"), open_fds(pid)

    held, cpu_held = time.perf_counter(), (cpu_s(pid), cpu_s(os.getpid()))
    await asyncio.sleep(hold)
    idle_cpu = (
        (cpu_s(pid) - cpu_held[0]) / (time.perf_counter() - held),
        (cpu_s(os.getpid()) - cpu_held[1]) / (time.perf_counter() - held),
    )
    still_open = sum(1 for s in streams if s.connection.close_code is None)
    rss_peak = status_kib(pid, "VmHWM")
    client_rss = status_kib(os.getpid(), "VmRSS")
    for start in range(0, len(streams), CONNECT_CONCURRENCY):
        batch = streams[start : start + CONNECT_CONCURRENCY]
        await asyncio.gather(*(s.close() for s in batch), return_exceptions=True)
    await asyncio.sleep(SETTLE_S)
    rss_closed, fds_closed = status_kib(pid, "VmRSS"), open_fds(pid)
    return Result(
        connections=count,
        opened=len(streams),
        failures=dict(failures.most_common(5)),
        still_open=still_open,
        connect_s=connect_s,
        connect_cpu_s=connect_cpu,
        idle_cpu=idle_cpu,
        hold_s=hold,
        rss_before_kib=rss_before,
        rss_after_kib=rss_after,
        rss_peak_kib=rss_peak,
        rss_closed_kib=rss_closed,
        fds_before=fds_before,
        fds_after=fds_after,
        fds_closed=fds_closed,
        client_rss_kib=client_rss,
        fd_limit=fd_limit,
    )


def mib(kib: int) -> str:
    return f"{kib / 1024:.1f} MiB"


def report(result: Result, database: str, as_json: bool) -> None:
    info = machine()
    code = code_version()
    grown = result.rss_after_kib - result.rss_before_kib
    per_connection = grown / result.opened if result.opened else float("nan")
    print(
        f"machine:            {info['cpu']}, {info['cores']} cores, {info['implementation']} "
        f"{info['python']}, {info['platform']}"
    )
    print(f"database:           {database}")
    print(f"code:               {code}")
    print(f"open-file limit:    {result.fd_limit} (this process and the server)")
    print(
        f"connections (K):    {result.connections} asked, {result.opened} opened in "
        f"{result.connect_s:.1f} s ({result.opened / result.connect_s:.0f}/s), {result.still_open} still "
        f"open after {result.hold_s:.0f} s"
    )
    for error, times in result.failures.items():
        print(f"  failed {times}x:     {error}")
    print(
        f"CPU while opening:  server {result.connect_cpu_s[0]:.1f} s, client {result.connect_cpu_s[1]:.1f} s "
        f"(of {result.connect_s:.1f} s)"
    )
    print(
        f"CPU while holding:  server {100 * result.idle_cpu[0]:.1f}% of a core, "
        f"client {100 * result.idle_cpu[1]:.1f}% (keepalive pings of idle connections)"
    )
    print(
        f"server open files:  {result.fds_before} before, {result.fds_after} with the connections, "
        f"{result.fds_closed} {SETTLE_S:.0f} s after closing them"
    )
    print(f"server memory:      VmRSS {mib(result.rss_before_kib)} before, {mib(result.rss_after_kib)} after")
    print(f"per connection:     {per_connection:.1f} KiB ({mib(grown)} / {result.opened})")
    print(
        f"after closing all:  VmRSS {mib(result.rss_closed_kib)} (peak VmHWM {mib(result.rss_peak_kib)}); "
        f"client process VmRSS {mib(result.client_rss_kib)} with the connections"
    )
    if as_json:
        print(
            json.dumps(
                {
                    "machine": info,
                    "database": database,
                    "code": code,
                    "fd_limit": result.fd_limit,
                    "connections": result.connections,
                    "opened": result.opened,
                    "failures": result.failures,
                    "still_open": result.still_open,
                    "connect_s": round(result.connect_s, 3),
                    "hold_s": result.hold_s,
                    "connect_cpu_s": {
                        "server": round(result.connect_cpu_s[0], 2),
                        "client": round(result.connect_cpu_s[1], 2),
                    },
                    "idle_cpu_share": {
                        "server": round(result.idle_cpu[0], 3),
                        "client": round(result.idle_cpu[1], 3),
                    },
                    "server_fds_before": result.fds_before,
                    "server_fds_after": result.fds_after,
                    "server_fds_closed": result.fds_closed,
                    "rss_before_kib": result.rss_before_kib,
                    "rss_after_kib": result.rss_after_kib,
                    "rss_per_connection_kib": round(per_connection, 2),
                    "rss_closed_kib": result.rss_closed_kib,
                    "rss_peak_kib": result.rss_peak_kib,
                    "client_rss_kib": result.client_rss_kib,
                }
            )
        )


def main() -> None:
    args = parse_args()
    fd_limit = raise_fd_limit(args.connections + FDS_SPARE)
    if fd_limit < args.connections + FDS_SPARE:
        print(
            f"warning: at most {fd_limit} open files are allowed (hard limit): "
            f"{args.connections} connections will not all open",
            file=sys.stderr,
        )
    workdir = Path(tempfile.mkdtemp(prefix="parlour-bench-"))
    database_url = args.database_url or f"sqlite+aiosqlite:///{workdir / 'bench.db'}"
    env = {**os.environ, "PARLOUR_DATABASE_URL": database_url, "PARLOUR_LOG_LEVEL": "warning"}
    parlour = parlour_command()
    # A plain `kill` still stops the server and removes the temporary files (via `finally`).
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(143))
    server: Server | None = None
    try:
        app_id = prepare_database(parlour, env)
        server = start_server(parlour, env, workdir, fd_limit)
        result = asyncio.run(run_benchmark(server, app_id, args.connections, args.hold, fd_limit))
        stop_server(server)
        backend = "SQLite (temporary file)" if args.database_url is None else redact(database_url)
        report(result, backend, args.json)
        if result.opened != result.connections or result.still_open != result.opened:
            sys.exit(
                f"{result.opened} of {result.connections} connections opened, "
                f"{result.still_open} still open after {result.hold_s:.0f} s"
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
