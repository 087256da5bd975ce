"""The response models built from the repository's rows: report summaries, pages,
files, authorities' timelines and the national summary."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import TypeVar

from findings_api.paging import SortColumn, encode_cursor
from findings_api.repository import (
    FailureRow,
    FileReportRow,
    FileRow,
    FindingRow,
    FoundFindingRow,
    JudgementRow,
    LatestGradedRow,
    LatestGradeRow,
    ReportRow,
    TimelineRow,
)
from findings_api.schemas import (
    FailureOut,
    FileDetail,
    FileStatus,
    FindingOut,
    FindingWithReport,
    GradePoint,
    JudgementOut,
    LatestGrade,
    LocalAuthorityOut,
    NationalSummary,
    NeighbourLatest,
    Page,
    QualityOut,
    ReportDetail,
    ReportSummary,
    TimelineReport,
)
from findings_shared.events import JudgementArea, LocalAuthorityRef
from findings_shared.local_authorities import LocalAuthority

T = TypeVar("T")


def page(
    items: list[T],
    rows: Sequence[object] | None,
    limit: int,
    offset: int,
    sort: str | None = None,
    columns: list[SortColumn] | None = None,
) -> Page[T]:
    """A page of items; with the rows' sort keys, the cursor to the next one."""
    full = len(items) == limit
    next_cursor = None
    if full and rows and sort and columns:
        next_cursor = encode_cursor(sort, columns, rows[-1])
    return Page(
        items=items,
        limit=limit,
        offset=offset,
        next_offset=offset + limit if full else None,
        next_cursor=next_cursor,
    )


def report_summary(row: ReportRow, operator: bool) -> ReportSummary:
    """`operator`: the caller holds a write key, so sees where the file lies."""
    authority = (
        LocalAuthorityRef(
            name=row.la_name, ofsted_urn=row.ofsted_urn, la_code=row.la_code, ons_code=row.ons_code
        )
        if row.la_name
        else None
    )
    return ReportSummary(
        report_id=row.report_id,
        parser_version=row.parser_version,
        report_type=row.report_type,
        title=row.title,
        local_authority=authority,
        inspection_start=row.inspection_start,
        inspection_end=row.inspection_end,
        published=row.published,
        lead_inspector=row.lead_inspector,
        finding_count=row.finding_count,
        stored_at=row.stored_at,
        file_url=f"/reports/{row.report_id}/file",
        object_uri=row.object_uri if operator else None,
        quality=QualityOut(
            coverage=row.coverage, warnings=row.warnings, needs_review=row.needs_review
        ),
    )


def report_detail(
    row: ReportRow, operator: bool, judgements: list[JudgementRow], findings: list[FindingRow]
) -> ReportDetail:
    return ReportDetail(
        **dict(report_summary(row, operator)),
        judgements=[JudgementOut(area=j.area, label=j.label, grade=j.grade) for j in judgements],
        findings=[finding_out(f) for f in findings],
    )


def finding_out(row: FindingRow) -> FindingOut:
    return FindingOut(
        finding_id=row.finding_id,
        ordinal=row.ordinal,
        category=row.category,
        section=row.section,
        judgement_area=row.judgement_area,
        paragraph=row.paragraph,
        text=row.text,
    )


def found_finding(row: FoundFindingRow) -> FindingWithReport:
    return FindingWithReport(
        finding_id=row.finding_id,
        ordinal=row.ordinal,
        category=row.category,
        section=row.section,
        judgement_area=row.judgement_area,
        paragraph=row.paragraph,
        text=row.text,
        report_id=row.report_id,
        report_type=row.report_type,
        la_code=row.la_code,
        local_authority_name=row.local_authority_name,
        inspection_start=row.inspection_start,
        published=row.published,
        rank=row.rank,
        snippet=row.snippet,
    )


def file_status(row: FileRow, operator: bool) -> FileStatus:
    return FileStatus(
        name=row.name,
        object_uri=row.object_uri if operator else None,
        size=row.size,
        report_id=row.report_id,
        status=row.status,
        reason=row.reason,
        seen_at=row.seen_at,
        announced_at=row.announced_at,
        announce_count=row.announce_count,
        finished_at=row.finished_at,
        finding_count=row.finding_count,
        needs_review=row.needs_review,
    )


def file_detail(row: FileReportRow, failures: list[FailureRow]) -> FileDetail:
    return FileDetail(
        report_id=row.report_id,
        status=row.status,
        reason=row.reason,
        replaced_by=row.replaced_by,
        names=row.names,
        announce_count=row.announce_count,
        received_at=row.received_at,
        announced_at=row.announced_at,
        finished_at=row.finished_at,
        finding_count=row.finding_count,
        parser_version=row.parser_version,
        needs_review=row.needs_review,
        warnings=row.warnings,
        failures=[
            FailureOut(
                stage=f.stage,
                error_type=f.error_type,
                reason=f.reason,
                attempt=f.attempt,
                occurred_at=f.occurred_at,
            )
            for f in failures
        ],
    )


def authority_out(authority: LocalAuthority) -> LocalAuthorityOut:
    return LocalAuthorityOut(
        la_code=authority.la_code,
        name=authority.name,
        ofsted_urn=authority.ofsted_urn,
        ons_code=authority.ons_code,
        region=authority.region,
        la_type=authority.la_type,
    )


def timeline_report(row: TimelineRow) -> TimelineReport:
    return TimelineReport(
        report_id=row.report_id,
        report_type=row.report_type,
        title=row.title,
        published=row.published,
        inspection_start=row.inspection_start,
        inspection_end=row.inspection_end,
        report_date=row.report_date,
        finding_count=row.finding_count,
        grades=row.grades,
    )


def grade_history(reports: list[TimelineReport]) -> dict[JudgementArea, list[GradePoint]]:
    """Each judgement's grades over time, from an authority's timeline."""
    history: dict[JudgementArea, list[GradePoint]] = defaultdict(list)
    for report in reports:
        for area, grade in report.grades.items():
            history[area].append(
                GradePoint(
                    report_date=report.report_date,
                    grade=grade,
                    report_id=report.report_id,
                    report_type=report.report_type,
                )
            )
    return history


def neighbour_latest(code: str, name: str, row: LatestGradedRow | None) -> NeighbourLatest:
    return NeighbourLatest(
        la_code=code,
        name=name,
        report_id=row.report_id if row else None,
        report_type=row.report_type if row else None,
        report_date=row.report_date if row else None,
        grades=row.grades if row else {},
    )


def national_summary_of(rows: list[LatestGradeRow]) -> NationalSummary:
    distribution: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        distribution[row.area][row.grade] += 1
    return NationalSummary(
        authorities=len({row.la_code for row in rows}),
        latest=[
            LatestGrade(
                la_code=row.la_code,
                local_authority_name=row.la_name,
                area=row.area,
                grade=row.grade,
                report_id=row.report_id,
                report_type=row.report_type,
                report_date=row.report_date,
            )
            for row in rows
        ],
        distribution=distribution,
    )
