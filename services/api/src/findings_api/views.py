"""The response models built from the repository's rows: report summaries, pages,
files, authorities' timelines and the national summary."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import TypeVar

from pydantic import BaseModel

from findings_api.mismatch import grade_differences, mismatch_warning
from findings_api.next_inspection import NextInspection
from findings_api.paging import SortColumn, encode_cursor
from findings_api.recurring import Link
from findings_api.repository import (
    FailureRow,
    FileReportRow,
    FileRow,
    FindingRow,
    JudgementRow,
    LatestGradedRow,
    LatestGradeRow,
    ReportRow,
)
from findings_api.schemas import (
    FailureOut,
    FileDetail,
    FileStatus,
    FindingOut,
    GradeDifference,
    GradePoint,
    JudgementOut,
    LatestGrade,
    NationalSummary,
    NeighbourLatest,
    NextInspectionOut,
    OfficialGrade,
    OfficialRecord,
    Page,
    QualityOut,
    RaisedBefore,
    ReportDetail,
    ReportSummary,
    TimelineReport,
)
from findings_shared.events import JudgementArea, LocalAuthorityRef, ReportType
from findings_shared.local_authorities import LocalAuthority
from findings_shared.official import OfficialInspection, OfficialRecords

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


M = TypeVar("M", bound=BaseModel)


def from_row(model: type[M], row: object, **fields: object) -> M:
    """`model` filled from the row's attributes of the same names, then from `fields`
    (pydantic validates the whole: a field the row lacks fails at once, in every test)."""
    values = {name: getattr(row, name) for name in model.model_fields if hasattr(row, name)}
    return model.model_validate(values | fields)


def report_summary(
    row: ReportRow,
    operator: bool,
    differences: list[GradeDifference] | None = None,
    other_files: list[str] | None = None,
) -> ReportSummary:
    """`operator`: the caller holds a write key, so sees where the file lies;
    `differences`: its grades that differ from Ofsted's (findings_api.mismatch), flagged;
    `other_files`: the other reports of its inspection."""
    authority = (
        LocalAuthorityRef(
            name=row.la_name, ofsted_urn=row.ofsted_urn, la_code=row.la_code, ons_code=row.ons_code
        )
        if row.la_name
        else None
    )
    return from_row(
        ReportSummary,
        row,
        local_authority=authority,
        file_url=f"/reports/{row.report_id}/file",
        object_uri=row.object_uri if operator else None,
        other_files=other_files or [],
        quality=from_row(
            QualityOut,
            row,
            official_mismatch=differences or [],
            needs_review=row.needs_review or bool(differences),
            warnings=[*row.warnings, mismatch_warning(differences)]
            if differences
            else row.warnings,
        ),
    )


def report_detail(
    row: ReportRow,
    operator: bool,
    judgements: list[JudgementRow],
    findings: list[FindingRow],
    records: OfficialRecords,
    raised_before: list[Link],
) -> ReportDetail:
    """The report with its judgements and findings, and Ofsted's record of the same
    inspection: a parsed grade that differs from it is flagged for review. `raised_before`:
    the links from this report's listed weaknesses to earlier reports' (findings_api.recurring)."""
    official = records.of_report(
        row.la_code, ReportType(row.report_type), row.inspection_start, row.published
    )
    parsed = [from_row(JudgementOut, judgement) for judgement in judgements]
    grades = {judgement.area: judgement.grade for judgement in parsed}
    summary = report_summary(
        row, operator, grade_differences(grades, official) if official else None
    )
    earlier: dict[str, list[RaisedBefore]] = defaultdict(list)
    for link in raised_before:
        earlier[link.later.finding_id].append(raised_before_out(link))
    published = (official.published if official else None) or row.published
    return ReportDetail(
        **dict(summary),
        judgements=parsed,
        findings=[
            from_row(FindingOut, finding, raised_before=earlier.get(finding.finding_id, []))
            for finding in findings
        ],
        official=official_record(official) if official else None,
        days_to_publication=(published - row.inspection_end).days
        if published and row.inspection_end
        else None,
    )


def raised_before_out(link: Link) -> RaisedBefore:
    """Where a weakness was raised before: the earlier finding, how alike, which themes."""
    return from_row(RaisedBefore, link.earlier, similarity=link.similarity, themes=link.themes)


def official_record(inspection: OfficialInspection) -> OfficialRecord:
    return OfficialRecord(
        report_type=inspection.report_type,
        inspection_type=inspection.inspection_type,
        framework=inspection.framework,
        inspection_date=inspection.inspection_date,
        published=inspection.published,
        visit_theme=inspection.visit_theme,
        web_link=inspection.web_link,
        grades=[
            OfficialGrade(area=area, grade=grade, wording=inspection.wording.get(area, grade.value))
            for area, grade in inspection.grades.items()
        ],
    )


def file_status(row: FileRow, operator: bool) -> FileStatus:
    return from_row(FileStatus, row, object_uri=row.object_uri if operator else None)


def file_detail(row: FileReportRow, failures: list[FailureRow], operator: bool) -> FileDetail:
    return from_row(
        FileDetail,
        row,
        failures=[from_row(FailureOut, f) for f in failures],
        object_uri=row.object_uri if operator else None,
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
    if row is None:
        return NeighbourLatest(
            la_code=code, name=name, report_id=None, report_type=None, report_date=None, grades={}
        )
    return from_row(NeighbourLatest, row, la_code=code, name=name)


def national_summary_of(rows: list[LatestGradeRow]) -> NationalSummary:
    distribution: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        distribution[row.area][row.grade] += 1
    return NationalSummary(
        authorities=len({row.la_code for row in rows}),
        latest=[from_row(LatestGrade, row, local_authority_name=row.la_name) for row in rows],
        distribution=distribution,
    )


def next_inspection_out(
    authority: LocalAuthority, due: NextInspection, today: date
) -> NextInspectionOut:
    return NextInspectionOut(
        la_code=authority.la_code,
        local_authority_name=authority.name,
        framework=due.framework,
        kind=due.kind,
        earliest=due.earliest,
        expected=due.expected,
        latest=due.latest,
        overdue=due.overdue(today),
        rule=due.rule,
        based_on=due.based_on,
        based_on_report_id=due.based_on_report_id,
    )
