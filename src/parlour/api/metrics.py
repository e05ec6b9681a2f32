"""Request metrics and structured access logs, as a pure ASGI middleware (no body buffering);
the event loop's lag."""

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

import structlog
from prometheus_client import Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUESTS = Counter("parlour_http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram(
    "parlour_http_request_seconds",
    "HTTP request latency",
    ["method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
log = structlog.get_logger("parlour.http")

# How often the loop's lag is probed, and from what lag on a stall is logged.
LOOP_PROBE_SECONDS = 0.25
LOOP_STALL_LOGGED_SECONDS = 0.1
LOOP_LAG = Histogram(
    "parlour_event_loop_lag_seconds",
    "How much later than asked the event loop woke a probe timer: every request, stream and commit "
    "of the process waited as long",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)


async def watch_loop_lag() -> None:
    """Forever: sleep, then observe how late the loop woke. One process serves every stream on one
    thread, so anything that holds that thread (CPU work, a blocking call) delays them all: a
    password hash done on it once stopped every stream for 0.1 s at each staff sign-in. A stall
    of `LOOP_STALL_LOGGED_SECONDS` or more is also logged."""
    loop = asyncio.get_running_loop()
    while True:
        asked = loop.time() + LOOP_PROBE_SECONDS
        await asyncio.sleep(LOOP_PROBE_SECONDS)
        lag = max(0.0, loop.time() - asked)
        LOOP_LAG.observe(lag)
        if lag >= LOOP_STALL_LOGGED_SECONDS:
            log.warning("loop.stalled", ms=round(lag * 1000, 1))


class RequestMetrics:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route = scope.get("route")
            name = getattr(route, "path", "unmatched")
            elapsed = time.perf_counter() - started
            REQUESTS.labels(scope["method"], name, str(status)).inc()
            LATENCY.labels(scope["method"], name).observe(elapsed)
            log.debug(
                "request", method=scope["method"], route=name, status=status, ms=round(elapsed * 1000, 2)
            )


@contextlib.asynccontextmanager
async def loop_lag_watched() -> AsyncIterator[None]:
    """`watch_loop_lag` for as long as the block runs (a server process's lifespan)."""
    task = asyncio.create_task(watch_loop_lag(), name="parlour-loop-lag")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
