"""The API in-process (ASGI) or over HTTP, on a copy of the database the real pipeline filled
from the fixture corpus (`pipeline_corpus`)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from findings_api.app import create_app
from findings_api.settings import ApiSettings
from findings_cli.embedded import free_port, wait_for_port
from findings_shared.events import ReportParsed
from findings_shared.settings import DatabaseSettings
from tests.corpus import PipelineCorpus


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
    async with serving(create_app(settings)) as url:
        yield url


@contextlib.asynccontextmanager
async def serving(app: FastAPI) -> AsyncIterator[str]:
    """This app over real HTTP on a free port, in this event loop; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="warning"))
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


@pytest.fixture
async def stored(
    request: pytest.FixtureRequest,
    pipeline_corpus: PipelineCorpus,
    database_settings: DatabaseSettings,
) -> dict[str, ReportParsed]:
    """The test's database: the pipeline's, holding the reports its module lists in FILES."""
    files: list[str] = request.module.FILES
    return await pipeline_corpus.store_reports(database_settings, files)
