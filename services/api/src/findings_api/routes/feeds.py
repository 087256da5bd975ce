"""Atom feeds for feed readers and alerting: reports as they are stored, and those with an
inadequate judgement."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any
from xml.etree import ElementTree

from fastapi import APIRouter, Request, Response

from findings_api.deps import RepositoryDep
from findings_api.repository import RecentReportRow

router = APIRouter()

ATOM = "http://www.w3.org/2005/Atom"
ENTRIES = 50
AS_ATOM: dict[int | str, dict[str, Any]] = {200: {"content": {"application/atom+xml": {}}}}
ElementTree.register_namespace("", ATOM)


def _child(
    parent: ElementTree.Element, tag: str, text: str | None = None, **attributes: str
) -> ElementTree.Element:
    element = ElementTree.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
    if text is not None:
        element.text = text
    return element


def atom_feed(request: Request, title: str, path: str, rows: list[RecentReportRow]) -> Response:
    base = str(request.base_url).rstrip("/")
    feed = ElementTree.Element(f"{{{ATOM}}}feed")
    _child(feed, "id", f"{base}{path}")
    _child(feed, "title", title)
    _child(feed, "link", rel="self", href=f"{base}{path}")
    updated = max((row.stored_at for row in rows), default=datetime(2018, 1, 1, tzinfo=UTC))
    _child(feed, "updated", updated.isoformat())
    _child(_child(feed, "author"), "name", "Findings")
    for row in rows:
        entry = _child(feed, "entry")
        link = f"{base}/reports/{row.report_id}"
        name = row.la_name or "An unrecognised authority"
        kind = row.report_type.replace("_", " ")
        _child(entry, "id", link)
        _child(entry, "title", row.title or f"{name}: {kind}")
        _child(entry, "link", rel="alternate", href=link)
        _child(entry, "link", rel="enclosure", href=f"{link}/file")
        _child(entry, "updated", row.stored_at.isoformat())
        if row.published:
            _child(entry, "published", datetime.combine(row.published, time(), UTC).isoformat())
        grades = ", ".join(
            f"{area.replace('_', ' ')}: {grade.replace('_', ' ')}"
            for area, grade in row.grades.items()
        )
        day = row.report_date.isoformat() if row.report_date else "undated"
        summary = f"{name}, {kind}, {day}. {grades or 'No grades.'} {row.finding_count} findings."
        _child(entry, "summary", summary)
    body = ElementTree.tostring(feed, encoding="unicode", xml_declaration=True)
    return Response(body, media_type="application/atom+xml")


@router.get("/feeds/reports.atom", response_class=Response, responses=AS_ATOM)
async def reports_feed(request: Request, repository: RepositoryDep) -> Response:
    """The 50 reports stored last, as an Atom feed."""
    rows = await repository.recent_reports(ENTRIES)
    return atom_feed(request, "Findings: new inspection reports", "/feeds/reports.atom", rows)


@router.get("/feeds/inadequate.atom", response_class=Response, responses=AS_ATOM)
async def inadequate_feed(request: Request, repository: RepositoryDep) -> Response:
    """The 50 reports with an inadequate judgement stored last, as an Atom feed."""
    rows = await repository.recent_reports(ENTRIES, inadequate=True)
    return atom_feed(
        request, "Findings: reports with an inadequate judgement", "/feeds/inadequate.atom", rows
    )
