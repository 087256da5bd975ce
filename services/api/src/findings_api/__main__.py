"""`python -m findings_api`: serve the HTTP API."""

from __future__ import annotations

# isort: off
import findings_shared.early  # noqa: F401  (first: SIGTERM while starting)

# isort: on
import asyncio

import uvicorn

from findings_api.app import create_app
from findings_api.settings import ApiSettings
from findings_shared.health import QuietServer
from findings_shared.service import run_service


def server_config(settings: ApiSettings) -> uvicorn.Config:
    """h11, not httptools: it bounds what it reads of a request's line and headers
    (`max_header_bytes`), where httptools would read a 50 MB header whole."""
    return uvicorn.Config(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_config=None,
        http="h11",
        h11_max_incomplete_event_size=settings.max_header_bytes,
        # Connections beyond this get 503 at once: a crowd of slow clients (slowloris)
        # cannot exhaust the process's file descriptors.
        limit_concurrency=settings.max_connections,
    )


async def serve(settings: ApiSettings, stop: asyncio.Event) -> None:
    server = QuietServer(server_config(settings))
    serving = asyncio.create_task(server.serve())
    stopping = asyncio.create_task(stop.wait())
    await asyncio.wait({serving, stopping}, return_when=asyncio.FIRST_COMPLETED)
    server.should_exit = True
    await serving
    stopping.cancel()


def main() -> None:
    settings = ApiSettings()
    run_service("api", lambda stop: serve(settings, stop))


if __name__ == "__main__":
    main()
