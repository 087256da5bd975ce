"""GET /findings: search and filter findings across reports."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, status

from findings_api.deps import (
    REPORT_ID,
    AcceptHeader,
    AuthorityDep,
    CursorParam,
    FormatParam,
    Limit,
    NeedsReviewParam,
    Offset,
    RepositoryDep,
    client_id,
    decoded_cursor,
)
from findings_api.exports import Format, chosen_format, export_query
from findings_api.repository import (
    FINDING_SORTS,
    FindingFilter,
    FoundFindingRow,
    ReadRepository,
    columns_of,
)
from findings_api.schemas import FindingWithReport, Page
from findings_api.views import found_finding, page
from findings_shared.events import FindingCategory, Grade, JudgementArea, ReportType

router = APIRouter()

FINDING_EXPORT = columns_of(
    FoundFindingRow,
    "finding_id",
    "report_id",
    "la_code",
    "local_authority_name",
    "report_type",
    "published",
    "inspection_start",
    "category",
    "section",
    "judgement_area",
    "paragraph",
    "text",
)


class FindingSort(StrEnum):
    NEWEST = "newest"
    OLDEST = "oldest"
    RELEVANCE = "relevance"


@router.get("/findings", response_model=Page[FindingWithReport], responses={422: {}})
async def search_findings(
    request: Request,
    repository: RepositoryDep,
    authority: AuthorityDep,
    report_id: Annotated[str | None, Query(pattern=REPORT_ID)] = None,
    report_type: ReportType | None = None,
    published_from: date | None = None,
    published_to: date | None = None,
    category: FindingCategory | None = None,
    judgement_area: JudgementArea | None = None,
    grade: Annotated[
        Grade | None, Query(description="Findings whose judgement area was graded so")
    ] = None,
    needs_review: NeedsReviewParam = None,
    q: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=500,
            description='Full-text search: words, "a phrase", -excluded, or',
        ),
    ] = None,
    sort: Annotated[
        FindingSort | None,
        Query(description="Default: relevance with `q`, else newest"),
    ] = None,
    limit: Limit = 50,
    offset: Offset = 0,
    cursor: CursorParam = None,
    format: FormatParam = None,
    accept: AcceptHeader = None,
) -> Any:
    """Findings, filtered; with `q`, ranked by relevance with a highlighted `snippet`
    (HTML: the text escaped, matches in `<mark>`)."""
    chosen = sort or (FindingSort.RELEVANCE if q else FindingSort.NEWEST)
    if chosen is FindingSort.RELEVANCE and not q:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, "sort=relevance needs a search text in q"
        )
    where = FindingFilter(
        la_codes=authority,
        report_type=report_type.value if report_type else None,
        published_from=published_from,
        published_to=published_to,
        judgement_area=judgement_area.value if judgement_area else None,
        grade=grade.value if grade else None,
        report_id=report_id,
        category=category.value if category else None,
        q=q,
        needs_review=needs_review,
    )
    columns = FINDING_SORTS[chosen.value]

    def query(
        repository: ReadRepository, limit: int, offset: int, after: list[Any] | None
    ) -> Awaitable[list[FoundFindingRow]]:
        return repository.search_findings(where, chosen.value, limit, offset, after)

    fmt = chosen_format(format, accept)
    if fmt is not Format.JSON:
        return await export_query(
            request, fmt, "findings", FINDING_EXPORT, query, columns, client_id(request)
        )
    rows = await query(repository, limit, offset, decoded_cursor(cursor, chosen.value, columns))
    items = [found_finding(row) for row in rows]
    return page(items, rows, limit, offset, chosen.value, columns)
