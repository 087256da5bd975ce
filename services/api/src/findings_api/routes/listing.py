"""What the listing routes (/reports, /findings) share: their filter on reports, and a
page of items or, when a spreadsheet is asked for, every matching row."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import TypeVar

from fastapi import Request, Response

from findings_api.deps import client_id, decoded_cursor
from findings_api.exports import ExportColumn, Format, PageQuery, export_query
from findings_api.paging import SortColumn
from findings_api.repository import ReadRepository, ReportFilter
from findings_api.schemas import Page
from findings_api.views import page
from findings_shared.events import Grade, JudgementArea, ReportType

RowT = TypeVar("RowT")
ItemT = TypeVar("ItemT")


def report_filter(
    authority: tuple[str, ...] | None,
    report_type: ReportType | None,
    published_from: date | None,
    published_to: date | None,
    judgement_area: JudgementArea | None,
    grade: Grade | None,
    needs_review: bool | None,
    changed_since: datetime | None = None,
    flagged: tuple[str, ...] = (),
) -> ReportFilter:
    return ReportFilter(
        la_codes=authority,
        report_type=report_type.value if report_type else None,
        published_from=published_from,
        published_to=published_to,
        judgement_area=judgement_area.value if judgement_area else None,
        grade=grade.value if grade else None,
        needs_review=needs_review,
        changed_since=changed_since,
        flagged=flagged,
    )


async def page_or_export(
    request: Request,
    repository: ReadRepository,
    fmt: Format,
    export: tuple[str, list[ExportColumn]],
    query: PageQuery[RowT],
    sort: tuple[str, list[SortColumn]],
    window: tuple[int, int, str | None],
    item: Callable[[RowT], ItemT],
    count: Callable[[], Awaitable[int]] | None = None,
) -> Page[ItemT] | Response:
    """`export`: the spreadsheet's name and columns; `sort`: its name and keys;
    `window`: limit, offset and cursor of the page asked for; `count`: every match's
    number, when the caller asked for the total."""
    name, header = export
    sort_name, columns = sort
    if fmt is not Format.JSON:
        return await export_query(request, fmt, name, header, query, columns, client_id(request))
    limit, offset, cursor = window
    rows = await query(repository, limit, offset, decoded_cursor(cursor, sort_name, columns))
    found = page([item(row) for row in rows], rows, limit, offset, sort_name, columns)
    if count is not None:
        found.total = await count()
    return found
