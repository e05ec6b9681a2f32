"""create_app(): the ASGI application with its routers, middleware and background worker."""

import asyncio
import contextlib
import gc
import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import structlog
from fastapi import FastAPI

from parlour import __version__, wiring
from parlour.api import docs, errors
from parlour.api.metrics import RequestMetrics, loop_lag_watched
from parlour.api.router import router
from parlour.db import Database
from parlour.http import UPLOAD_OVERHEAD_BYTES, BodySizeLimit, ClientApiCors, RefuseNulInUrl
from parlour.jobs.worker import Worker
from parlour.realtime.channel import Heartbeat
from parlour.realtime.hub import Hub
from parlour.realtime.presence import Presence
from parlour.realtime.redis_bridge import RedisBridge
from parlour.settings import Settings, get_settings


def configure_logging(settings: Settings) -> None:
    level = getattr(logging, settings.log_level.upper())
    logging.basicConfig(level=level, stream=sys.stderr, format="%(message)s")
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if settings.log_format == "json"
        else structlog.dev.ConsoleRenderer()
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        cache_logger_on_first_use=True,
    )


# Allocations between young-generation collections (Python's default is 700).
GC_YOUNG_THRESHOLD = 20_000


def settle_heap() -> None:
    """Keep the garbage collector off what a server process holds for its whole life.

    Everything loaded at start-up (modules, SQLAlchemy's and pydantic's tables, the app) is
    moved out of the collector's reach, and young objects are collected less often. Measured with
    bench/realtime.py (100 conversations x 100 messages): the full collections took ~180 ms each,
    ten of them 12 % of the server's CPU and the whole p99 of delivery (~300 ms against a p95 of
    ~150 ms). Every message allocates a few hundred short-lived objects (ORM rows, frames) that
    die young either way, so a larger first generation costs little memory."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_YOUNG_THRESHOLD, 20, 20)


def create_app(settings: Settings | None = None, db: Database | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings)
    wiring.install()
    owns_db = db is None
    database = db or Database(settings.database_url, sqlite_busy_timeout_ms=settings.sqlite_busy_timeout_ms)
    # With several processes an event's announcement can be lost (Redis down): check stream heads.
    hub = Hub(database, resync_every=settings.realtime_resync_seconds if settings.redis_url else None)
    database.on_commit(hub.publish_rows)
    presence = Presence()
    bridge = (
        RedisBridge(
            settings.redis_url,
            hub,
            settings.redis_channel,
            presence,
            beat_seconds=settings.presence_beat_seconds,
        )
        if settings.redis_url
        else None
    )
    if bridge is not None:
        database.on_commit(bridge.publish_rows)
    worker = Worker(database, settings) if settings.run_jobs else None
    if worker is not None:
        database.on_commit(lambda _rows: worker.wake())

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        task = asyncio.create_task(worker.run(), name="parlour-worker") if worker else None
        hub.start()
        if bridge is not None:
            bridge.start()
        if owns_db:  # a server process, not an app inside a test
            settle_heap()
        try:
            async with loop_lag_watched():
                yield
        finally:
            if bridge is not None:
                await bridge.stop()
            await hub.stop()
            if worker is not None and task is not None:
                await worker.stop()
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            if owns_db:
                await database.dispose()

    app = FastAPI(
        title="Parlour API",
        version=__version__,
        description="Customer messaging. The server API follows Sunshine Conversations v2 under "
        "/v2/apps/{appId}.",
        lifespan=lifespan,
        docs_url=None,  # served by parlour.api.docs with local assets
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.settings = settings
    app.state.db = database
    app.state.hub = hub
    app.state.presence = presence
    app.state.heartbeat = Heartbeat(settings.ws_heartbeat_seconds, settings.ws_heartbeat_timeout_seconds)
    app.state.worker = worker
    errors.install(app)
    docs.install(app)
    app.include_router(router)
    app.add_middleware(RefuseNulInUrl)
    app.add_middleware(
        BodySizeLimit,
        max_bytes=settings.max_body_bytes,
        upload_max_bytes=settings.max_upload_bytes + UPLOAD_OVERHEAD_BYTES,
    )
    app.add_middleware(RequestMetrics)
    # Outermost, so that refusals (a body too large, say) also reach the widget on another site.
    app.add_middleware(ClientApiCors)
    return app
