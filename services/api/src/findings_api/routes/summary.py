"""/summary: views over every authority at once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from operator import attrgetter
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request, status

from findings_api.cache import ReadCache, by_authority
from findings_api.deps import AcceptHeader, FormatParam, RepositoryDep, client_id
from findings_api.exports import Format, chosen_format, export
from findings_api.ofsted_layout import (
    OFSTED_COLUMNS,
    OUR_COLUMNS,
    LatestIlacs,
    latest_ilacs,
    ofsted_layout_rows,
)
from findings_api.repository import ReadRepository, TimelineRow
from findings_api.schemas import AuthorityGlance, LatestInspectionOut, NationalSummary, NextDue
from findings_api.views import national_summary_of
from findings_shared.events import ReportType
from findings_shared.local_authorities import current_local_authorities, local_authority_by_code

router = APIRouter()


async def _latest_ilacs(request: Request, repository: ReadRepository) -> list[LatestIlacs]:
    # Only each authority's latest ILACS report can be its latest inspection (or the one
    # that Ofsted's latest record is of): reading every report cost 0.8 s at 20,000.
    cache: ReadCache = request.app.state.cache
    codes = [a.la_code for a in current_local_authorities()]
    ilacs_type = ReportType.ILACS_INSPECTION.value
    reports = await cache.get(
        repository,
        ("latest ilacs",),
        lambda: repository.latest_inspected(codes, ilacs_type),
        by_authority(
            lambda after: repository.latest_inspected(codes, ilacs_type, changed_after=after),
            attrgetter("la_code"),
            repository.withdrawn_authorities,
        ),
    )
    ilacs: dict[str, list[TimelineRow]] = {r.la_code: [r] for r in reports if r.la_code}
    return latest_ilacs(current_local_authorities(), request.app.state.official, ilacs)


@router.get("/summary/authorities", response_model=list[AuthorityGlance])
async def authorities_at_a_glance(
    request: Request, repository: RepositoryDep
) -> list[AuthorityGlance]:
    """Every authority with its latest ILACS inspection (Ofsted's published record, or a
    report dropped since: `source`) and when its next is due: the national map's data."""
    today = date.today()
    return [
        AuthorityGlance(
            la_code=one.authority.la_code,
            ons_code=one.authority.ons_code,
            name=one.authority.name,
            region=one.authority.region,
            latest=LatestInspectionOut(
                kind=one.kind,
                source=one.source,
                inspection_date=one.inspection_date,
                published=one.published,
                report_id=one.report_id,
                grades=one.grades,
            )
            if one.source
            else None,
            next_inspection=NextDue(
                kind=one.due.kind,
                earliest=one.due.earliest,
                expected=one.due.expected,
                latest=one.due.latest,
                overdue=one.due.overdue(today),
                rule=one.due.rule,
            )
            if one.due
            else None,
        )
        for one in await _latest_ilacs(request, repository)
    ]


@router.get("/summary/national", response_model=NationalSummary)
async def national_summary(
    request: Request,
    repository: RepositoryDep,
    format: FormatParam = None,
    accept: AcceptHeader = None,
    layout: Annotated[
        Literal["judgements", "ofsted"],
        Query(
            description="ofsted: one row per authority in Ofsted's own table layout (its"
            " columns first, grades in its wording, the current framework), as csv or xlsx"
        ),
    ] = "judgements",
) -> Any:
    """The latest grade of every authority for every judgement, and the distribution of
    those grades; `format=xlsx` or `csv` for the spreadsheet; `layout=ofsted` for Ofsted's
    layout."""
    fmt = chosen_format(format, accept)
    if layout == "ofsted":
        if fmt is Format.JSON:
            raise HTTPException(
                status.HTTP_422_UNPROCESSABLE_CONTENT,
                "layout=ofsted is a spreadsheet: add format=csv or format=xlsx",
            )
        request.app.state.exports.enter(request, client_id(request))
        link = str(request.base_url).rstrip("/") + "/reports/{report_id}"
        cells = ofsted_layout_rows(await _latest_ilacs(request, repository), link)

        async def ofsted_table() -> AsyncIterator[list[Any]]:
            for row in cells:
                yield row

        header = OFSTED_COLUMNS + OUR_COLUMNS
        return await export(request, fmt, "ofsted-layout", header, ofsted_table())
    cache: ReadCache = request.app.state.cache
    rows = await cache.get(
        repository,
        ("latest grades",),
        repository.latest_grades,
        by_authority(
            repository.latest_grades,
            attrgetter("la_code", "area"),
            repository.withdrawn_authorities,
        ),
    )
    if fmt is not Format.JSON:
        request.app.state.exports.enter(request, client_id(request))
        header = ["la_code", "local_authority_name", "region", "area", "grade"]
        header += ["report_date", "report_type", "report_id"]

        async def table() -> AsyncIterator[list[Any]]:
            for row in rows:
                authority = local_authority_by_code(row.la_code)
                yield [
                    row.la_code,
                    authority.name if authority else row.la_name,
                    authority.region if authority else "",
                    row.area,
                    row.grade,
                    row.report_date,
                    row.report_type,
                    row.report_id,
                ]

        return await export(request, fmt, "national-summary", header, table())
    return national_summary_of(rows)
