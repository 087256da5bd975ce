"""`GET /health` for the services that have no HTTP API of their own (ingest, parse,
store): 200 while ok or degraded (retrying an outage), 503 when unhealthy, so that a
Kubernetes probe or `findings status` sees a stopped consumer; and `GET /metrics` for
Prometheus (findings_shared.metrics)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, MutableMapping
from typing import Any

import uvicorn

from findings_shared.metrics import latest
from findings_shared.reliability import Health
from findings_shared.settings import ConsumerServiceSettings

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


def health_app(health: Health) -> Callable[[Scope, Receive, Send], Awaitable[None]]:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        content_type = "application/json"
        if scope["path"] == "/health":
            snapshot = health.snapshot()
            status, body = (503 if snapshot["status"] == "unhealthy" else 200), json.dumps(snapshot)
        elif scope["path"] == "/metrics":
            status, (exposition, content_type) = 200, latest()
            body = exposition.decode()
        else:
            status, body = 404, json.dumps({"detail": "only /health and /metrics are served here"})
        headers = [(b"content-type", content_type.encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body.encode()})

    return app


class QuietServer(uvicorn.Server):
    """A uvicorn server that leaves the signals to the service (findings_shared.service):
    uvicorn would otherwise install its own SIGINT/SIGTERM handlers while it serves."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@contextlib.asynccontextmanager
async def serving_health(health: Health, settings: ConsumerServiceSettings) -> AsyncIterator[None]:
    """Serve /health for the duration; nothing when no `health_port` is set."""
    port = settings.health_port
    if port is None:
        yield
        return
    config = uvicorn.Config(
        health_app(health),
        host=settings.health_host,
        port=port,
        log_level="warning",
        lifespan="off",
    )
    server = QuietServer(config)
    task = asyncio.create_task(server.serve())
    try:
        yield
    finally:
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, 5)
        logging.getLogger("findings").debug("health endpoint on :%s stopped", port)
