"""The API in-process (ASGI) over a real PostgreSQL that the store's repository filled."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest
import uvicorn

from findings_api.app import create_app
from findings_api.settings import ApiSettings
from findings_cli.embedded import free_port, wait_for_port
from findings_parse.core.parser import parse_report
from findings_shared.database import make_engine, make_sessionmaker, migrate
from findings_shared.events import ReportParsed
from findings_shared.settings import DatabaseSettings
from findings_store.migrations_path import MIGRATIONS
from findings_store.repository import ReportRepository
from tests.conftest import REPORTS


async def store_reports(
    database_settings: DatabaseSettings, names: list[str]
) -> dict[str, ReportParsed]:
    """Parse fixture reports and store them as the store service does."""
    await migrate(MIGRATIONS, database_settings.url)
    engine = make_engine(database_settings)
    reports = {}
    async with make_sessionmaker(engine).begin() as session:
        for name in names:
            path = REPORTS / name
            report = parse_report(path.read_bytes(), name)
            await ReportRepository(session).replace_report(report, path.as_uri(), datetime.now(UTC))
            reports[name] = report
    await engine.dispose()
    return reports


@contextlib.asynccontextmanager
async def api_client(settings: ApiSettings) -> AsyncIterator[httpx.AsyncClient]:
    """The API app in this process, spoken to over ASGI."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
            yield client


@contextlib.asynccontextmanager
async def serving_api(settings: ApiSettings) -> AsyncIterator[str]:
    """The API over real HTTP on a free port, in this event loop; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings), port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    await asyncio.to_thread(wait_for_port, port, 30, None)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)


@pytest.fixture
async def client(database_settings: DatabaseSettings) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(ApiSettings(database=database_settings)) as client:
        yield client
