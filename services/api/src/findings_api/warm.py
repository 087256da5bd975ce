"""Questions a new API process answers as it starts, in the background, so that its first
visitors find them kept (findings_api.cache) instead of waiting for a whole count: 0.2-1.4
s each at 20,000 reports (docs/benchmarks.md)."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

import httpx
from fastapi import FastAPI

log = logging.getLogger("findings.api")
# httpx logs every request at INFO: the warm-up's own line says the same with its time.
logging.getLogger("httpx").setLevel(logging.WARNING)

# The home page's map, themes and latest reports (whose first list checks every report's
# grades against Ofsted's: findings_api.mismatch), and the national summary.
WARM_PATHS = (
    "/summary/authorities",
    "/findings/facets?group_by=theme&tone=concern",
    "/reports?limit=8",
    "/summary/national",
)
# The user agent of the warm-up's requests (the request spans of traces record it).
WARMING_AGENT = "findings-api-warm-up"


async def warm(app: FastAPI, paths: Sequence[str], key: str | None) -> None:
    """Ask `paths` of `app` itself, one at a time, through its routes and middleware
    (`key`: one the API accepts, if it asks for keys). A failure is logged and the next
    path asked: warming never stops the API."""
    if not paths:
        return
    headers = {"user-agent": WARMING_AGENT} | ({"x-api-key": key} if key else {})
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://warm-up", headers=headers, timeout=None
    ) as client:
        for path in paths:
            started = time.perf_counter()
            try:
                response = await client.get(path)
            except Exception:  # a warm-up's failure is no reason to stop serving
                log.warning("warming %s failed", path, exc_info=True)
                continue
            spent_ms = (time.perf_counter() - started) * 1000
            if response.is_success:
                log.info("warmed %s in %.0f ms", path, spent_ms)
            else:
                log.warning("warming %s answered %d", path, response.status_code)
