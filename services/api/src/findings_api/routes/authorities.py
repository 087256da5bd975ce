"""/local-authorities: every authority, and one authority's inspection history."""

from __future__ import annotations

from datetime import UTC, date, datetime
from operator import attrgetter
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request, status

from findings_api.cache import ReadCache, by_authority
from findings_api.deps import LA_CODE, AuthorityDep, RepositoryDep
from findings_api.next_inspection import next_inspections
from findings_api.recurring import recurring
from findings_api.repository import TimelineRow
from findings_api.schemas import (
    LocalAuthorityDetail,
    LocalAuthorityOut,
    NextInspectionOut,
    RecurringWeakness,
    TimelineReport,
    WeaknessOut,
)
from findings_api.views import (
    from_row,
    grade_history,
    neighbour_latest,
    next_inspection_out,
    official_record,
    raised_before_out,
)
from findings_shared.events import ReportType
from findings_shared.local_authorities import all_local_authorities, local_authority_by_code
from findings_shared.official import OfficialRecords

router = APIRouter()


@router.get("/local-authorities", response_model=list[LocalAuthorityOut])
async def local_authorities() -> Any:
    """Every English local authority with its Ofsted URN, DfE and ONS codes."""
    return [from_row(LocalAuthorityOut, a) for a in all_local_authorities()]


@router.get(
    "/local-authorities/{la_code}", response_model=LocalAuthorityDetail, responses={404: {}}
)
async def local_authority(
    request: Request,
    repository: RepositoryDep,
    la_code: Annotated[str, Path(pattern=LA_CODE, description="DfE 3-digit code")],
) -> Any:
    """An authority's inspection timeline (every report, its grades), its grades per
    judgement over time, its statistical neighbours' latest grades, and its inspections and
    visits as Ofsted's published outcome tables record them."""
    found = local_authority_by_code(la_code)
    if found is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            f"No English local authority has DfE code {la_code}: see GET /local-authorities.",
        )
    rows = await repository.authority_reports([la_code])
    copies = await repository.copies_of([row.report_id for row in rows])
    reports = [
        from_row(TimelineReport, row, other_files=copies.get(row.report_id, [])) for row in rows
    ]
    official = request.app.state.official.of_authority(la_code)
    today = datetime.now(UTC).date()
    latest = {
        row.la_code: row
        for row in await repository.latest_graded_reports(list(found.stat_neighbours))
    }
    neighbours = []
    for code in found.stat_neighbours:
        neighbour = local_authority_by_code(code)
        name = neighbour.name if neighbour else code
        neighbours.append(neighbour_latest(code, name, latest.get(code)))
    return LocalAuthorityDetail(
        **dict(from_row(LocalAuthorityOut, found)),
        reports=reports,
        grade_history=grade_history(reports),
        neighbours=neighbours,
        next_inspections=[
            next_inspection_out(found, due, today) for due in next_inspections(official, rows)
        ],
        official_history=[official_record(inspection) for inspection in official],
    )


@router.get("/next-inspections", response_model=list[NextInspectionOut])
async def upcoming_inspections(
    request: Request,
    repository: RepositoryDep,
    authority: AuthorityDep,
    framework: Annotated[str | None, Query(pattern="^(ilacs|area_send)$")] = None,
) -> Any:
    """Every authority's next inspections, soonest first (those with no published interval
    last), each with the rule it follows: from Ofsted's published records and the latest
    reports dropped (an ILACS report newer than the records, an area SEND report's own
    words). The authority filters of /reports apply."""
    official: OfficialRecords = request.app.state.official
    cache: ReadCache = request.app.state.cache
    types = [ReportType.ILACS_INSPECTION.value, ReportType.AREA_SEND.value]
    rows = await cache.get(
        repository,
        ("latest of types",),
        lambda: repository.latest_of_types(types),
        by_authority(
            lambda after: repository.latest_of_types(types, changed_after=after),
            attrgetter("la_code", "report_type"),
            repository.withdrawn_authorities,
        ),
    )
    latest: dict[str, list[TimelineRow]] = {}
    for row in rows:
        latest.setdefault(row.la_code or "", []).append(row)
    today = datetime.now(UTC).date()
    due = [
        next_inspection_out(found, item, today)
        for found in all_local_authorities()
        if authority is None or found.la_code in authority
        for item in next_inspections(
            official.of_authority(found.la_code), latest.get(found.la_code, [])
        )
        if framework is None or item.framework == framework
    ]
    return sorted(due, key=lambda d: (d.expected or d.latest or date.max, d.la_code))


@router.get(
    "/local-authorities/{la_code}/recurring",
    response_model=list[RecurringWeakness],
    responses={404: {}},
)
async def recurring_weaknesses(
    repository: RepositoryDep,
    la_code: Annotated[str, Path(pattern=LA_CODE, description="DfE 3-digit code")],
) -> Any:
    """Each weakness the authority's reports list (improvements, priority actions, areas
    for development) that an earlier report of the same kind of service raised too: the
    earlier weaknesses sharing a theme and most of its content words (findings_api.recurring),
    most similar first; newest report first."""
    if local_authority_by_code(la_code) is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            f"No English local authority has DfE code {la_code}: see GET /local-authorities.",
        )
    grouped: dict[str, RecurringWeakness] = {}
    for link in recurring(await repository.authority_weaknesses(la_code)):
        later = link.later
        item = grouped.setdefault(
            later.finding_id,
            RecurringWeakness(weakness=from_row(WeaknessOut, later), raised_before=[]),
        )
        item.raised_before.append(raised_before_out(link))
    return sorted(
        grouped.values(),
        key=lambda item: (item.weakness.report_date or date.min, item.weakness.finding_id),
        reverse=True,
    )
