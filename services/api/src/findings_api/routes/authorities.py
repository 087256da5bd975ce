"""/local-authorities: every authority, and one authority's inspection history."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Request, status

from findings_api.deps import LA_CODE, RepositoryDep
from findings_api.schemas import LocalAuthorityDetail, LocalAuthorityOut, TimelineReport
from findings_api.views import from_row, grade_history, neighbour_latest, official_record
from findings_shared.local_authorities import all_local_authorities, local_authority_by_code

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
    reports = [
        from_row(TimelineReport, row) for row in await repository.authority_reports([la_code])
    ]
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
        official_history=[
            official_record(inspection)
            for inspection in request.app.state.official.of_authority(la_code)
        ],
    )
