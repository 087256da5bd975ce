"""GET /events: newly stored reports and their findings as Server-Sent Events."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse

from findings_api import live
from findings_api.deps import AuthorityDep, client_id
from findings_api.repository import ReportFilter
from findings_api.views import report_summary
from findings_shared.events import FindingCategory, ReportType

router = APIRouter()


@router.get(
    "/events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}, 422: {}},
)
async def live_events(
    request: Request,
    authority: AuthorityDep,
    report_type: ReportType | None = None,
    category: Annotated[
        FindingCategory | None, Query(description="Only findings of this category")
    ] = None,
    last_event_id: Annotated[str | None, Header(max_length=200)] = None,
) -> StreamingResponse:
    """Server-Sent Events: `finding` events, then a `report` event, for every report
    stored from now on (or after `Last-Event-ID`), filtered like /findings."""
    where = ReportFilter(la_codes=authority, report_type=report_type.value if report_type else None)
    request.app.state.streams.enter(request, client_id(request))
    events = live.stream(
        request,
        request.app.state.sessions,
        where,
        category.value if category else None,
        live.position_of(last_event_id),
        lambda row: report_summary(row, operator=False).model_dump(mode="json"),
    )
    return StreamingResponse(
        events,
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
