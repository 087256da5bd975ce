"""Composition root of the HTTP API (FastAPI): settings, the database engine's lifespan,
limits, middleware, exception handlers and the routers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI, Request, status
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from prometheus_fastapi_instrumentator import Instrumentator, metrics
from sqlalchemy.exc import DataError, DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from findings_api.cache import ReadCache
from findings_api.deps import require_read
from findings_api.hardening import QueryGuard, SecurityHeaders, add_offline_docs
from findings_api.limits import ClientGuard, Gate
from findings_api.mismatch import OfficialMismatches
from findings_api.routes import (
    authorities,
    events,
    feeds,
    files,
    findings,
    health,
    reports,
    summary,
)
from findings_api.settings import ApiSettings
from findings_api.uploads import UploadTarget
from findings_api.warm import warm
from findings_shared.database import make_engine, make_sessionmaker
from findings_shared.lifetime import frozen_start_up
from findings_shared.metrics import watch_pool
from findings_shared.official import OfficialRecords
from findings_shared.telemetry import tracing_on

WEB = Path(__file__).parent / "web"
# The requests' metrics, registered once per process, whatever apps it makes (the tests
# make many): http_requests_total and http_request_duration_seconds by route template.
# Streams (/events) count until their first byte, not for as long as they stay open.
HTTP_METRICS = metrics.default(should_exclude_streaming_duration=True)
RETRY_AFTER_S = 5
# A pooled connection idle this long is checked before a request uses it; one returned a
# moment ago is not (findings_shared.database.make_engine).
PING_AFTER_IDLE_S = 1.0


def query_settings(settings: ApiSettings) -> dict[str, str]:
    """The planner's settings each of the API's connections starts with (those not left to
    the server)."""
    chosen = {
        "max_parallel_workers_per_gather": settings.query_parallel_workers,
        "random_page_cost": settings.query_random_page_cost,
        "work_mem": settings.query_work_mem,
    }
    return {name: str(value) for name, value in chosen.items() if value is not None}


def create_app(settings: ApiSettings | None = None) -> FastAPI:
    settings = settings or ApiSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(
            settings.database, query_settings(settings), ping_after_idle_s=PING_AFTER_IDLE_S
        )
        # A request's reads see one snapshot: a page and its total, an export's chunks, and
        # the change counter with the kept answers built on it (findings_api.cache). The
        # API only reads, and read-only transactions never fail to serialize.
        app.state.sessions = make_sessionmaker(
            engine.execution_options(isolation_level="REPEATABLE READ")
        )
        watch_pool(engine)
        keys = settings.read_keys or settings.write_keys
        key = keys[0].get_secret_value() if keys else None
        app.state.warming = asyncio.create_task(warm(app, settings.warm_paths, key))
        # p99 55 ms against a p50 of 9 ms at 20,000 reports without it; 14 ms with it.
        with frozen_start_up():
            yield
        app.state.warming.cancel()
        await engine.dispose()

    app = FastAPI(
        title="Findings API",
        version="0.1.0",
        summary="Findings of Ofsted inspections of English local authorities' children's services.",
        lifespan=lifespan,
        dependencies=[Depends(require_read)],
        docs_url=None,  # served from the package's own assets: add_offline_docs
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.exports = Gate(
        "exports", settings.max_exports, settings.max_exports_per_client, retry_after_s=10
    )
    app.state.streams = Gate(
        "live streams", settings.max_streams, settings.max_streams_per_client, retry_after_s=30
    )
    app.state.official = OfficialRecords.published_tables(settings.reference_dir)
    app.state.mismatches = OfficialMismatches(app.state.official)
    app.state.cache = ReadCache()
    app.state.uploads = UploadTarget(settings)  # the API's settings name ingest's bucket
    # In this order: it is the order of the OpenAPI document.
    for resource in (health, reports, findings, events, files, authorities, summary, feeds):
        app.include_router(resource.router)
    add_offline_docs(app)
    app.mount("/static", StaticFiles(directory=WEB), name="static")
    # Requests by route template, status and latency, on /metrics (open, as /health is).
    Instrumentator(
        should_group_status_codes=False,
        excluded_handlers=["/metrics", "/static", "/health"],
    ).add(HTTP_METRICS).instrument(app).expose(app, include_in_schema=False)
    # Server spans for every request, where traces are on (findings_shared.telemetry).
    if tracing_on():
        FastAPIInstrumentor.instrument_app(app, excluded_urls="health,metrics,static")

    @app.get("/", include_in_schema=False)
    async def web_page() -> FileResponse:
        """The web page: search, reports, authorities (plain JavaScript over this API)."""
        return FileResponse(WEB / "index.html")

    @app.exception_handler(DataError)
    async def bad_input(request: Request, error: DataError) -> JSONResponse:
        # Input the database cannot take that the parameters' checks did not catch: still
        # the caller's, never the database's fault.
        return JSONResponse(
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
            content={"detail": "A parameter holds a value the database cannot take."},
        )

    @app.exception_handler(DBAPIError)
    async def database_error(request: Request, error: DBAPIError) -> JSONResponse:
        # Before store's first migration, or while PostgreSQL is down: say so, not 500.
        return database_unavailable()

    @app.exception_handler(OSError)
    async def database_unreachable(request: Request, error: OSError) -> JSONResponse:
        # A refused or reset connection (asyncpg raises these unwrapped while connecting).
        return database_unavailable()

    @app.exception_handler(TimeoutError)
    @app.exception_handler(PoolTimeout)
    async def database_busy(request: Request, error: Exception) -> JSONResponse:
        # No connection in time (from the pool, or a connection attempt timed out).
        return database_unavailable()

    app.add_middleware(QueryGuard, max_upload_bytes=settings.max_upload_bytes)
    app.add_middleware(SecurityHeaders)
    # Outermost: places at the gates are given back however a response ends.
    app.add_middleware(ClientGuard, send_timeout_s=settings.send_timeout_s)
    return app


def database_unavailable() -> JSONResponse:
    return JSONResponse(
        status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
        content={"detail": "The database is not available yet; retry shortly."},
        headers={"Retry-After": str(RETRY_AFTER_S)},
    )
