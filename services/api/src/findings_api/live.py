"""Server-Sent Events: newly stored reports and their findings, for consumers without Kafka.

The stream polls the store (the API reads, it does not consume Kafka): every report stored
or replaced after the client's position is sent as its `finding` events (filtered) and
then one `report` event whose `id` is the position, so `Last-Event-ID` resumes after the
last whole report. Without one the stream starts at the newest report stored.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import asdict
from datetime import datetime
from typing import Any

from fastapi import HTTPException, Request, status
from sqlalchemy.ext.asyncio import AsyncSession

from findings_api.repository import ReadRepository, ReportFilter, ReportRow

POLL_S = 1.0
HEARTBEAT_S = 15.0
BATCH = 20  # reports read per poll: their events are held until sent


def position_of(last_event_id: str | None) -> tuple[datetime, str] | None:
    if not last_event_id:
        return None
    try:
        stored_at, report_id = last_event_id.rsplit("|", 1)
        return datetime.fromisoformat(stored_at), report_id
    except ValueError as error:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            "Last-Event-ID is not an id this stream sent: reconnect without it.",
        ) from error


def _event(kind: str, data: dict[str, Any], event_id: str | None = None) -> str:
    lines = [f"event: {kind}"]
    if event_id:
        lines.append(f"id: {event_id}")
    lines.append("data: " + json.dumps(data, default=str, separators=(",", ":")))
    return "\n".join(lines) + "\n\n"


async def stream(
    request: Request,
    sessions: Callable[[], AbstractAsyncContextManager[AsyncSession]],
    where: ReportFilter,
    category: str | None,
    after: tuple[datetime, str] | None,
    summarise: Callable[[ReportRow], dict[str, Any]],
) -> AsyncIterator[str]:
    if after is None:
        async with sessions() as session:
            after = await ReadRepository(session).last_stored()
    yield "retry: 3000\n\n"
    quiet_since = time.monotonic()
    while not await request.is_disconnected():
        # Read first, then send: the connection goes back to the pool before the client,
        # however slow, is written to.
        events: list[str] = []
        async with sessions() as session:
            repository = ReadRepository(session)
            reports = await repository.stored_after(after, where, BATCH)
            for report in reports:
                for finding in await repository.findings_of(report.report_id):
                    if category is None or finding.category == category:
                        events.append(
                            _event("finding", {"report_id": report.report_id, **asdict(finding)})
                        )
                after = (report.stored_at, report.report_id)
                event_id = f"{after[0].isoformat()}|{after[1]}"
                events.append(_event("report", summarise(report), event_id))
        for event in events:
            yield event
        if reports:
            quiet_since = time.monotonic()
            continue
        if time.monotonic() - quiet_since >= HEARTBEAT_S:
            yield ": still here\n\n"  # keeps proxies from closing an idle stream
            quiet_since = time.monotonic()
        await asyncio.sleep(POLL_S)
