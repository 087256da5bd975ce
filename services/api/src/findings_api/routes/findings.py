"""GET /findings: search and filter findings across reports."""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import asdict
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
)
from findings_api.exports import chosen_format
from findings_api.repository import (
    FINDING_SORTS,
    FindingFilter,
    FoundFindingRow,
    ReadRepository,
    columns_of,
)
from findings_api.routes.listing import page_or_export, report_filter
from findings_api.schemas import FindingWithReport, Page
from findings_api.views import from_row
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
    reports = report_filter(
        authority, report_type, published_from, published_to, judgement_area, grade, needs_review
    )
    where = FindingFilter(
        **asdict(reports),
        report_id=report_id,
        category=category.value if category else None,
        q=q,
    )

    def query(
        repository: ReadRepository, limit: int, offset: int, after: list[Any] | None
    ) -> Awaitable[list[FoundFindingRow]]:
        return repository.search_findings(where, chosen.value, limit, offset, after)

    return await page_or_export(
        request,
        repository,
        chosen_format(format, accept),
        ("findings", FINDING_EXPORT),
        query,
        (chosen.value, FINDING_SORTS[chosen.value]),
        (limit, offset, cursor),
        lambda row: from_row(FindingWithReport, row),
    )
