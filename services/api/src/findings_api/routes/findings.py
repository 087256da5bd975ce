"""GET /findings: search and filter findings across reports."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from dataclasses import asdict, replace
from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status

from findings_api.cache import Additive, ReadCache
from findings_api.deps import (
    REPORT_ID,
    AcceptHeader,
    AuthorityDep,
    ChangedSinceParam,
    CursorParam,
    FormatParam,
    Limit,
    NeedsReviewParam,
    Offset,
    RepositoryDep,
    TotalParam,
)
from findings_api.estimates import Sample, estimated_findings, estimated_reports
from findings_api.exports import (
    ExportColumn,
    Format,
    authority_columns,
    chosen_format,
    field_column,
)
from findings_api.mismatch import OfficialMismatches
from findings_api.repository import (
    COUNTED_TOGETHER,
    FINDING_SORTS,
    RANKED_MATCHES,
    FacetCounts,
    FacetRow,
    FindingFilter,
    FindingPage,
    FoundFindingRow,
    ReadRepository,
    add_facets,
    facet_order,
    take_facets,
)
from findings_api.routes.listing import page_or_export, report_filter
from findings_api.schemas import FacetBucket, Facets, FindingWithReport, Page, ThemeOut
from findings_api.settings import ApiSettings
from findings_api.snippets import sentence_snippet
from findings_api.views import from_row
from findings_shared.events import (
    THEME_AREA,
    FindingCategory,
    Grade,
    JudgementArea,
    PracticeArea,
    ReportType,
    Theme,
    Tone,
)

router = APIRouter()


def finding_export(request: Request) -> list[ExportColumn]:
    """A findings spreadsheet's columns, headed in plain English."""
    return [
        field_column("Finding ID", "finding_id"),
        field_column("Local authority", "local_authority_name"),
        field_column("DfE code", "la_code"),
        *authority_columns(str(request.base_url).rstrip("/"))[:2],
        field_column("Report type", "report_type"),
        field_column("Published", "published"),
        field_column("Inspection start", "inspection_start"),
        field_column("Overall grade", "overall_grade"),
        field_column("Category", "category"),
        field_column("Section", "section"),
        field_column("Judgement area", "judgement_area"),
        field_column("Paragraph", "paragraph"),
        field_column("Text", "text"),
        field_column("Themes", "themes"),
        field_column("Tone", "tone"),
        field_column("Report ID", "report_id"),
        *authority_columns(str(request.base_url).rstrip("/"))[2:],
    ]


class FacetGroup(StrEnum):
    THEME = "theme"
    AREA = "area"
    TONE = "tone"
    CATEGORY = "category"
    REPORT_TYPE = "report_type"
    YEAR = "year"
    REGION = "region"
    LA_CODE = "la_code"
    GRADE = "grade"


class FindingSort(StrEnum):
    NEWEST = "newest"
    OLDEST = "oldest"
    RELEVANCE = "relevance"


async def finding_filter(
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
        Grade | None,
        Query(
            description="Findings whose own judgement area was graded so (a finding under"
            " 'children in care' of a report that graded children in care inadequate);"
            " see report_grade for the report's overall grade"
        ),
    ] = None,
    report_grade: Annotated[
        Grade | None,
        Query(
            description="Findings of reports whose overall grade (overall effectiveness, or"
            " an area SEND outcome) is this, whatever judgement area they sit under"
        ),
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
    theme: Annotated[
        Theme | None, Query(description="Findings about this theme (docs/themes.md)")
    ] = None,
    area: Annotated[
        PracticeArea | None, Query(description="Findings about any theme of this practice area")
    ] = None,
    tone: Annotated[Tone | None, Query(description="strength, concern, mixed or neutral")] = None,
    changed_since: ChangedSinceParam = None,
) -> FindingFilter:
    """The filters /findings and /findings/facets share."""
    mismatches: OfficialMismatches = request.app.state.mismatches
    reports = report_filter(
        authority,
        report_type,
        published_from,
        published_to,
        judgement_area,
        grade,
        needs_review,
        changed_since,
        # Only needs_review reads them: other searches do not wait for them.
        flagged=tuple(await mismatches.current(repository)) if needs_review is not None else (),
    )
    return FindingFilter(
        **asdict(reports),
        report_id=report_id,
        category=category.value if category else None,
        q=q,
        theme=theme.value if theme else None,
        any_theme=tuple(t.value for t, a in THEME_AREA.items() if a is area) if area else None,
        tone=tone.value if tone else None,
        report_grade=report_grade.value if report_grade else None,
    )


FindingFilterDep = Annotated[FindingFilter, Depends(finding_filter)]


@router.get("/findings", response_model=Page[FindingWithReport], responses={422: {}})
async def search_findings(
    request: Request,
    repository: RepositoryDep,
    where: FindingFilterDep,
    sort: Annotated[
        FindingSort | None,
        Query(description="Default: relevance with `q`, else newest"),
    ] = None,
    limit: Limit = 50,
    offset: Offset = 0,
    cursor: CursorParam = None,
    format: FormatParam = None,
    accept: AcceptHeader = None,
    total: TotalParam = False,
) -> Any:
    """Findings, filtered; with `q`, ranked by relevance with a highlighted `snippet`
    (HTML: the text escaped, matches in `<mark>`)."""
    chosen = sort or (FindingSort.RELEVANCE if where.q else FindingSort.NEWEST)
    if chosen is FindingSort.RELEVANCE and not where.q:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, "sort=relevance needs a search text in q"
        )

    fmt = chosen_format(format, accept)
    # A page ranks the first matches found; an export ranks every match, as it holds them all.
    ranked = RANKED_MATCHES if fmt is Format.JSON else None

    def query(
        repository: ReadRepository, limit: int, offset: int, after: list[Any] | None
    ) -> Awaitable[list[FoundFindingRow]]:
        page = FindingPage(chosen.value, limit, offset, after, ranked)
        return repository.search_findings(where, page)

    return await page_or_export(
        request,
        repository,
        fmt,
        ("findings", finding_export(request)),
        query,
        (chosen.value, FINDING_SORTS[chosen.value]),
        (limit, offset, cursor),
        lambda row: from_row(FindingWithReport, row, snippet=sentence_snippet(row.snippet)),
        (lambda: count(request, repository, where)) if total else None,
    )


# A facet's rows are kept without totals: every facet of the same findings shares theirs.
NO_TOTALS = FacetRow(None, 0, 0)


async def kept_counts(
    request: Request,
    repository: ReadRepository,
    where: FindingFilter,
    ask: Callable[[FindingFilter], Awaitable[FacetCounts]],
    key: tuple[Hashable, ...],
) -> FacetCounts:
    """Counts of the findings `where` selects (`ask`), kept until store's next change
    (findings_api.cache; `key` names the question, its kind first); after one that only
    added or withdrew reports, asked of those alone and added or taken away."""
    cache: ReadCache = request.app.state.cache
    return await cache.get(
        repository,
        (*key, where),
        lambda: ask(where),
        Additive(
            lambda after: ask(replace(where, changed_after=after)),
            add_facets,
            lambda after: ask(replace(where, withdrawn_after=after)),
            take_facets,
        ),
    )


async def totals(request: Request, repository: ReadRepository, where: FindingFilter) -> FacetRow:
    """How many findings `where` selects, in how many reports: `total=true`'s count and
    the totals of every facet not counted together, kept once for all of them (a search
    page without words asks seven facets of the same findings; counting every finding took
    0.26-0.46 s at 20,000 reports)."""

    async def counted(of: FindingFilter) -> FacetCounts:
        return await repository.count_findings(of), []

    return (await kept_counts(request, repository, where, counted, ("finding count",)))[0]


async def count(request: Request, repository: ReadRepository, where: FindingFilter) -> int:
    return (await totals(request, repository, where)).findings


@router.get("/findings/facets", response_model=Facets, responses={422: {}})
async def finding_facets(
    request: Request,
    repository: RepositoryDep,
    where: FindingFilterDep,
    group_by: Annotated[FacetGroup, Query(description="What to count the findings by")],
    then_by: Annotated[
        FacetGroup | None,
        Query(description="And within each, by this: e.g. group_by=theme&then_by=year"),
    ] = None,
    estimate: Annotated[
        bool,
        Query(
            description="A search's facets (with `q`, no `then_by`) may be estimated from a"
            " sample of the reports where counting every match would be slow (a broad"
            " search's first count: about a second at 20,000 reports); the answer then says"
            " so (`estimated`), with each count's 95% interval. An exact count kept from an"
            " earlier request is served instead."
        ),
    ] = False,
) -> Facets:
    """How many of the findings the filters select have each value of `group_by`, and in
    how many reports (with their share of the selected reports): e.g. the themes of
    concerns nationally, `group_by=theme&tone=concern`. A finding with two themes counts
    under both. With `then_by`, each value is counted within each value of the second,
    and the share is of that group's reports: `group_by=theme&then_by=year&tone=concern`
    is each theme's share of the year's reports with concerns, a trend."""

    if estimate and where.q and then_by is None and group_by.value in COUNTED_TOGETHER:
        estimated = await estimated_facets(request, repository, where, group_by.value)
        if estimated is not None:
            return estimated

    async def counted(first: str, second: str | None) -> tuple[FacetRow | None, list[FacetRow]]:
        """The facet's rows, and its totals where a search's facets counted together carry
        them (None: the totals are counted apart)."""
        if where.q and second is None and first in COUNTED_TOGETHER:
            # A search page asks these at once, and finding the matches is most of each one's
            # time: all are counted from one read of them, the totals too. (Without words,
            # each facet alone reads an index made for it; all together read more: 1.8 s to
            # 4.4 s for the first national theme facet of concerns at 20,000 reports.)
            together = await kept_counts(
                request, repository, where, repository.counted_together, ("facet set",)
            )
            return together[0], [
                FacetRow(row.key, row.findings, row.reports)
                for row in together[1]
                if row.by == first
            ]

        async def rows(of: FindingFilter) -> FacetCounts:
            return NO_TOTALS, await repository.finding_facets(of, first, second)

        kept = await kept_counts(request, repository, where, rows, ("facets", first, second))
        return None, kept[1]

    counted_totals, rows = await counted(group_by.value, then_by.value if then_by else None)
    selected = (
        counted_totals if counted_totals is not None else await totals(request, repository, where)
    )
    # The reports a share is of: all those selected, or those of the row's `by` group.
    of_reports: dict[str | None, int] = {}
    if then_by is not None:
        _, groups = await counted(then_by.value, None)
        of_reports = {group.key: group.reports for group in groups}

    def share(row: FacetRow) -> float:
        whole = of_reports.get(row.by, 0) if then_by is not None else selected.reports
        return round(row.reports / whole, 4) if whole else 0.0

    return Facets(
        group_by=group_by.value,
        then_by=then_by.value if then_by else None,
        total_findings=selected.findings,
        total_reports=selected.reports,
        buckets=[
            FacetBucket(
                key=row.key,
                by=row.by,
                findings=row.findings,
                reports=row.reports,
                share_of_reports=share(row),
            )
            for row in rows
        ],
    )


async def estimated_facets(
    request: Request, repository: ReadRepository, where: FindingFilter, group: str
) -> Facets | None:
    """A search's facet estimated from the sample of reports the settings name
    (findings_api.estimates), or None where the exact count is kept (it is served), or
    where the sample scales to no more findings than `facet_estimate_above` (the exact
    count is fast enough). The sample's counts are kept until store's next change, as
    the exact ones are (a client that never asks for exact counts asks the sample once)."""
    cache: ReadCache = request.app.state.cache
    if cache.holds(("facet set", where)):
        return None
    settings: ApiSettings = request.app.state.settings
    sample = Sample(settings.facet_sample_sixteenths)
    sampled = replace(where, sampled_from=sample.sampled_from, sampled_below=sample.below)
    totals, rows = await cache.get(
        repository, ("facet sample", sampled), lambda: repository.sampled_together(sampled)
    )
    if totals.findings / sample.share <= settings.facet_estimate_above:
        return None
    most = totals.largest
    findings = estimated_findings(totals, sample, most)
    reports = estimated_reports(totals, sample)
    buckets = []
    for row in facet_order(row for row in rows if row.by == group):
        row_findings = estimated_findings(row, sample, most)
        row_reports = estimated_reports(row, sample)
        buckets.append(
            FacetBucket(
                key=row.key,
                findings=row_findings.value,
                reports=row_reports.value,
                # A ratio of two estimates over the same sample: the sample's own ratio.
                share_of_reports=round(row.reports / totals.reports, 4),
                findings_low=row_findings.low,
                findings_high=row_findings.high,
                reports_low=row_reports.low,
                reports_high=row_reports.high,
            )
        )
    return Facets(
        group_by=group,
        total_findings=findings.value,
        total_reports=reports.value,
        buckets=buckets,
        estimated=True,
        sampled_share=sample.share,
        total_findings_low=findings.low,
        total_findings_high=findings.high,
        total_reports_low=reports.low,
        total_reports_high=reports.high,
    )


@router.get("/themes", response_model=list[ThemeOut])
async def theme_taxonomy() -> list[ThemeOut]:
    """Every theme a finding can be tagged with, and its practice area (docs/themes.md):
    the values of the `theme` and `area` filters and facets."""
    return [
        ThemeOut(theme=theme, area=area, label=theme_label(theme))
        for theme, area in THEME_AREA.items()
    ]


# Where a theme's slug read as words is not its name.
_THEME_NAMES = {
    Theme.HOMELESS_16_17: "Homeless 16- and 17-year-olds",
    Theme.LADO: "LADO (allegations against adults)",
    Theme.IRO: "Independent reviewing officers",
    Theme.SEND_SUPPORT: "SEND support",
    Theme.PRE_PROCEEDINGS: "Pre-proceedings and PLO",
    Theme.EDUCATION_EMPLOYMENT_TRAINING: "Education, employment and training",
    Theme.CHILD_VOICE: "The child's voice",
    Theme.OUT_OF_HOURS: "Out-of-hours service",
}


def theme_label(theme: Theme) -> str:
    return _THEME_NAMES.get(theme) or theme.value.replace("_", " ").capitalize()
