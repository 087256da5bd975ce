"""Response models of the HTTP API; field names as in the ReportParsed contract."""

from __future__ import annotations

from datetime import date, datetime
from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from findings_shared.events import (
    Finding,
    FindingCategory,
    Grade,
    Judgement,
    JudgementArea,
    LocalAuthorityRef,
    NextInspectionNotice,
    ParseQuality,
    PracticeArea,
    ReportType,
    Theme,
)

# Judgements and quality are served exactly as the ReportParsed contract has them.
JudgementOut = Judgement


class GradeDifference(BaseModel):
    """A judgement whose parsed grade is not the grade Ofsted publishes for it."""

    area: JudgementArea
    parsed: Grade | None = Field(description="None: the parser found no such judgement")
    official: Grade


class QualityOut(ParseQuality):
    """A report's quality with its grades checked against Ofsted's published tables."""

    official_mismatch: list[GradeDifference] = Field(
        default_factory=list,
        description="Judgements whose parsed grade differs from Ofsted's published outcome"
        " tables; any difference sets needs_review and adds a warning",
    )


class OfficialGrade(BaseModel):
    area: JudgementArea
    grade: Grade
    wording: str = Field(description="As Ofsted's tables print it")


class OfficialRecord(BaseModel):
    """An inspection or visit as Ofsted's published outcome tables record it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "report_type": "ilacs_inspection",
                    "inspection_type": "standard",
                    "framework": "ILACS Standard Inspection",
                    "inspection_date": "2022-11-07",
                    "published": "2023-01-13",
                    "visit_theme": None,
                    "web_link": "https://reports.ofsted.gov.uk/provider/44/212",
                    "grades": [
                        {"area": "overall_effectiveness", "grade": "good", "wording": "Good"}
                    ],
                }
            ]
        }
    )

    report_type: ReportType
    inspection_type: str = Field(
        description="standard, short, focused visit, monitoring visit; empty for the"
        " frameworks before 2018"
    )
    framework: str = Field(description="Ofsted's name for it")
    inspection_date: date | None = Field(description="First day on site")
    published: date | None = Field(description="Publication of the report by Ofsted")
    visit_theme: str | None = Field(description="What a focused visit looked at")
    web_link: str | None = Field(description="Ofsted's page for the authority")
    grades: list[OfficialGrade]


class FindingWithReport(Finding):
    report_id: str
    report_type: ReportType
    la_code: str | None
    local_authority_name: str | None
    inspection_start: date | None
    published: date | None
    rank: float | None = None
    # With q: the matching passages, HTML-escaped, matches in <mark>…</mark>.
    snippet: str | None = None
    overall_grade: Grade | None = Field(
        default=None, description="Its report's overall effectiveness or area SEND outcome"
    )


class FacetBucket(BaseModel):
    key: str | None = Field(description="The value counted; null: findings without one")
    by: str | None = Field(default=None, description="The value of `then_by`, if asked")
    findings: int
    reports: int
    share_of_reports: float = Field(
        description="Of the reports the filters select (with then_by: of its `by` group's)"
    )
    findings_low: int | None = Field(
        default=None, description="Estimated counts only: `findings`' 95% interval, from"
    )
    findings_high: int | None = Field(
        default=None, description="Estimated counts only: `findings`' 95% interval, to"
    )
    reports_low: int | None = Field(
        default=None, description="Estimated counts only: `reports`' 95% interval, from"
    )
    reports_high: int | None = Field(
        default=None, description="Estimated counts only: `reports`' 95% interval, to"
    )


class ThemeOut(BaseModel):
    theme: Theme
    area: PracticeArea
    label: str = Field(description="The theme's name for a person: e.g. Front door")


class Facets(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "group_by": "theme",
                    "then_by": None,
                    "total_findings": 5210,
                    "total_reports": 212,
                    "buckets": [
                        {
                            "key": "management_oversight",
                            "by": None,
                            "findings": 431,
                            "reports": 160,
                            "share_of_reports": 0.7547,
                        }
                    ],
                }
            ]
        }
    )

    group_by: str
    then_by: str | None = None
    total_findings: int
    total_reports: int
    buckets: list[FacetBucket]
    estimated: bool = Field(
        default=False,
        description="True: every count is estimated from a sample of the reports"
        " (`sampled_share`; asked with `estimate=true`), each with its 95% interval; a value"
        " no sampled report has is missing (with one report in 16 sampled, a value 47"
        " reports carry is missed one time in 20)",
    )
    sampled_share: float | None = Field(
        default=None, description="Estimated counts only: the share of the reports sampled"
    )
    total_findings_low: int | None = Field(
        default=None, description="Estimated counts only: `total_findings`' 95% interval, from"
    )
    total_findings_high: int | None = Field(
        default=None, description="Estimated counts only: `total_findings`' 95% interval, to"
    )
    total_reports_low: int | None = Field(
        default=None, description="Estimated counts only: `total_reports`' 95% interval, from"
    )
    total_reports_high: int | None = Field(
        default=None, description="Estimated counts only: `total_reports`' 95% interval, to"
    )


class ReportSummary(BaseModel):
    report_id: str
    parser_version: str
    report_type: ReportType
    title: str | None
    local_authority: LocalAuthorityRef | None
    inspection_start: date | None
    inspection_end: date | None
    published: date | None
    lead_inspector: str | None
    finding_count: int
    stored_at: datetime
    file_url: str = Field(description="The original file, while it is unchanged")
    object_uri: str | None = Field(
        description="Where the file lies on the server: for callers with a write key only"
    )
    quality: QualityOut
    next_inspection: NextInspectionNotice | None = Field(
        default=None, description="What the report says of the next inspection"
    )
    other_files: list[str] = Field(
        default_factory=list,
        description="Other reports (files) of the same inspection, left out of lists,"
        " search and counts: e.g. the text export of this PDF",
    )


class ReportDetail(ReportSummary):
    judgements: list[JudgementOut]
    findings: list[FindingOut]
    official: OfficialRecord | None = Field(
        default=None, description="This inspection in Ofsted's published outcome tables"
    )
    days_to_publication: int | None = Field(
        default=None,
        description="From the last day on site to publication (Ofsted's date, else the"
        " report's), where both are known",
    )


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    limit: int
    offset: int
    next_offset: int | None
    # Pass as `cursor` for the next page: stable while reports arrive, fast at any depth.
    next_cursor: str | None = None
    total: int | None = Field(default=None, description="Every match, with total=true")


class LocalAuthorityOut(BaseModel):
    la_code: str
    name: str
    ofsted_urn: str
    ons_code: str
    region: str
    la_type: str


class Health(BaseModel):
    status: str
    database: str


class FileStatus(BaseModel):
    """One object in the bucket and where its report is in the pipeline."""

    name: str
    object_uri: str | None = Field(
        description="Where the file lies on the server: for callers with a write key only"
    )
    size: int
    report_id: str | None
    status: str  # rejected, pending, announced, stored, failed, stuck
    reason: str | None
    seen_at: datetime
    announced_at: datetime | None
    announce_count: int
    finished_at: datetime | None
    finding_count: int | None
    needs_review: bool | None = Field(description="Stored, but flagged for review")


class FailureOut(BaseModel):
    stage: str
    error_type: str
    reason: str
    attempt: int
    occurred_at: datetime


class FileDetail(BaseModel):
    report_id: str
    status: str = Field(
        description="pending, announced, stored, failed, stuck, or replaced (withdrawn: its "
        "file came to hold other content)"
    )
    reason: str | None
    replaced_by: str | None = Field(description="The report that took a replaced one's place")
    names: list[str]
    announce_count: int
    received_at: datetime
    announced_at: datetime | None
    finished_at: datetime | None
    finding_count: int | None
    parser_version: str | None
    needs_review: bool | None = Field(description="Stored, but flagged for review")
    warnings: list[str] | None = Field(description="Why a stored report is flagged")
    failures: list[FailureOut]
    object_uri: str | None = Field(
        default=None,
        description="Where the stored report's file lies: for callers with a write key only",
    )
    same_as: str | None = Field(
        default=None,
        description="Another file of the same inspection, stored first, stands for this one in"
        " lists, search and counts: its report id",
    )


class TimelineReport(BaseModel):
    report_id: str
    report_type: ReportType
    title: str | None
    published: date | None
    inspection_start: date | None
    inspection_end: date | None
    # Published, else the inspection's last day: the date the timeline uses.
    report_date: date | None
    finding_count: int
    grades: dict[JudgementArea, Grade]
    next_inspection: NextInspectionNotice | None = None
    other_files: list[str] = Field(
        default_factory=list,
        description="Other reports (files) of the same inspection: e.g. a PDF's text"
        " export; the timeline shows the inspection once",
    )


class NextInspectionOut(BaseModel):
    """When an inspection is due, by the published rule it follows (`rule`)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "la_code": "212",
                    "local_authority_name": "Wandsworth",
                    "framework": "ilacs",
                    "kind": "short inspection",
                    "earliest": "2025-05-07",
                    "expected": "2025-11-07",
                    "latest": "2026-05-07",
                    "overdue": False,
                    "rule": "ILACS: a short inspection after a good or outstanding judgement, …",
                    "based_on": "2022-11-07",
                    "based_on_report_id": None,
                }
            ]
        }
    )

    la_code: str
    local_authority_name: str
    framework: str = Field(description="ilacs or area_send")
    kind: str = Field(description="short inspection, standard inspection, …")
    earliest: date | None
    expected: date | None
    latest: date | None = Field(description="None: no published interval")
    overdue: bool = Field(description="Past `latest` with no later inspection known")
    rule: str
    based_on: date = Field(
        description="The last inspection's first day on site, or the report's date"
    )
    based_on_report_id: str | None = Field(description="The report it was read from, if any")


class WeaknessOut(BaseModel):
    finding_id: str
    report_id: str
    report_type: ReportType
    report_date: date | None
    category: FindingCategory
    text: str


class RecurringWeakness(BaseModel):
    """A weakness a report lists, and the most similar ones earlier reports raised."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "weakness": {
                        "finding_id": "5b1c…",
                        "report_id": "9f2e…",
                        "report_type": "focused_visit",
                        "report_date": "2024-03-20",
                        "category": "improvement",
                        "text": "Continue the work on improving the consistency and quality"
                        " of supervision.",
                    },
                    "raised_before": [
                        {
                            "finding_id": "a07d…",
                            "report_id": "41c8…",
                            "report_type": "ilacs_inspection",
                            "report_date": "2019-06-14",
                            "category": "improvement",
                            "text": "The level of critical scrutiny, and quality of"
                            " supervision, provided by frontline managers.",
                            "similarity": 0.333,
                            "themes": ["supervision"],
                        }
                    ],
                }
            ]
        }
    )

    weakness: WeaknessOut
    raised_before: list[RaisedBefore]


class RaisedBefore(WeaknessOut):
    similarity: float = Field(
        description="Of the shorter text's content words, the share the other has too"
    )
    themes: list[Theme] = Field(description="The themes both share")


class FindingOut(Finding):
    """A finding as the contract has it; a listed weakness with where it was raised before."""

    raised_before: list[RaisedBefore] = Field(
        default_factory=list,
        description="A weakness the report lists (improvement, priority action, area for"
        " development): the most similar weaknesses of the authority's earlier reports, as"
        " GET /local-authorities/{la_code}/recurring links them; empty for other findings",
    )


class GradePoint(BaseModel):
    report_date: date | None
    grade: Grade
    report_id: str
    report_type: ReportType


class NeighbourLatest(BaseModel):
    """A statistical neighbour and the grades of its latest graded report."""

    la_code: str
    name: str
    report_id: str | None
    report_type: ReportType | None
    report_date: date | None
    grades: dict[JudgementArea, Grade]


class LocalAuthorityDetail(LocalAuthorityOut):
    reports: list[TimelineReport]
    grade_history: dict[JudgementArea, list[GradePoint]]
    neighbours: list[NeighbourLatest]
    next_inspections: list[NextInspectionOut] = Field(default_factory=list)
    official_history: list[OfficialRecord] = Field(
        default_factory=list,
        description="Its inspections and visits in Ofsted's published outcome tables, newest"
        " first, whether or not their reports were dropped",
    )


class LatestGrade(BaseModel):
    la_code: str
    local_authority_name: str | None
    area: JudgementArea
    grade: Grade
    report_id: str
    report_type: ReportType
    report_date: date | None


class LatestInspectionOut(BaseModel):
    kind: str = Field(description="Ofsted's name for it, e.g. ILACS Standard Inspection")
    source: Literal["official", "report"] = Field(
        description="official: Ofsted's published tables; report: a report dropped since"
    )
    inspection_date: date | None = Field(description="Its first day on site")
    published: date | None
    report_id: str | None = Field(description="Its report, where stored here")
    grades: dict[JudgementArea, Grade]


class NextDue(BaseModel):
    kind: str
    earliest: date | None
    expected: date | None
    latest: date | None
    overdue: bool
    rule: str


class AuthorityGlance(BaseModel):
    """An authority on the national map: its latest ILACS inspection, its next one."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "la_code": "212",
                    "ons_code": "E09000032",
                    "name": "Wandsworth",
                    "region": "London",
                    "latest": {
                        "kind": "ILACS Standard Inspection",
                        "source": "official",
                        "inspection_date": "2022-11-07",
                        "published": "2023-01-13",
                        "report_id": "53b69bbf…",
                        "grades": {"overall_effectiveness": "good"},
                    },
                    "next_inspection": {
                        "kind": "short inspection",
                        "earliest": "2025-05-07",
                        "expected": "2025-11-07",
                        "latest": "2026-05-07",
                        "overdue": False,
                        "rule": "ILACS: a short inspection after a good or outstanding …",
                    },
                }
            ]
        }
    )

    la_code: str
    ons_code: str
    name: str
    region: str
    latest: LatestInspectionOut | None
    next_inspection: NextDue | None


class NationalSummary(BaseModel):
    """Every authority's latest grade per judgement, and how the grades are spread."""

    authorities: int
    latest: list[LatestGrade]
    distribution: dict[JudgementArea, dict[Grade, int]]


class UploadAccepted(BaseModel):
    """The file is in the bucket; ingest announces it within seconds."""

    report_id: str
    name: str
    object_uri: str
    status_url: str
