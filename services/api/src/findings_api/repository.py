"""Every SQL statement of the API: read queries over the read model, the views that
store's and ingest's migrations create for the API (docs/read-model.md), and nothing
else. The API owns no tables and writes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy import Result, text
from sqlalchemy.ext.asyncio import AsyncSession

from findings_api.paging import SortColumn, after, order_by
from findings_api.recurring import WeaknessRow
from findings_shared.events import THEME_AREA
from findings_shared.local_authorities import all_local_authorities


@dataclass(frozen=True, slots=True)
class ReportRow:
    """A stored report as the API serves it: the one list of a report summary's fields
    (the SELECT list and the response's field names follow it)."""

    report_id: str
    parser_version: str
    report_type: str
    title: str | None
    la_name: str | None
    ofsted_urn: str | None
    la_code: str | None
    ons_code: str | None
    inspection_start: date | None
    inspection_end: date | None
    published: date | None
    lead_inspector: str | None
    finding_count: int
    stored_at: datetime
    coverage: float
    warnings: list[str]
    needs_review: bool
    object_uri: str
    next_inspection: dict[str, Any] | None  # a NextInspectionNotice's fields
    trace_parent: str | None  # the trace it was stored in, where traces are on


@dataclass(frozen=True, slots=True)
class ListedReportRow(ReportRow):
    sort_date: date  # the cursor's key: see REPORT_DATE


@dataclass(frozen=True, slots=True)
class JudgementRow:
    area: str
    label: str
    grade: str


@dataclass(frozen=True, slots=True)
class GradedReportRow:
    """One judgement of a report (area and grade None: it has none), with what finds
    Ofsted's record of the same inspection."""

    report_id: str
    la_code: str | None
    report_type: str
    inspection_start: date | None
    published: date | None
    area: str | None
    grade: str | None


@dataclass(frozen=True, slots=True)
class FindingRow:
    finding_id: str
    ordinal: int
    category: str
    section: str
    judgement_area: str | None
    paragraph: int | None
    text: str
    themes: list[dict[str, Any]]  # each a ThemeTag's fields
    tone: str | None
    sentence_tones: list[dict[str, Any]]  # each a SentenceTone's fields


@dataclass(frozen=True, slots=True)
class FoundFindingRow(FindingRow):
    """A finding from a search, with its report's fields and the cursor's keys."""

    report_id: str
    report_type: str
    la_code: str | None
    local_authority_name: str | None
    inspection_start: date | None
    published: date | None
    rank: float | None
    sort_date: date
    snippet: str | None
    overall_grade: str | None  # the report's overall effectiveness or area SEND outcome


@dataclass(frozen=True, slots=True)
class FileRow:
    """An object seen in the bucket and where its report is in the pipeline."""

    name: str
    object_uri: str
    size: int
    report_id: str | None
    status: str
    reason: str | None
    seen_at: datetime
    announced_at: datetime | None
    announce_count: int
    finished_at: datetime | None
    finding_count: int | None
    needs_review: bool | None


@dataclass(frozen=True, slots=True)
class FileReportRow:
    """One accepted report's lifecycle in the ledger, with what the store holds of it."""

    report_id: str
    status: str
    reason: str | None
    replaced_by: str | None
    announce_count: int
    received_at: datetime
    announced_at: datetime | None
    finished_at: datetime | None
    finding_count: int | None
    parser_version: str | None
    needs_review: bool | None
    warnings: list[str] | None
    names: list[str]
    object_uri: str | None  # the stored report's file
    same_as: str | None  # the report standing for its inspection, if this is a copy


@dataclass(frozen=True, slots=True)
class FailureRow:
    stage: str
    error_type: str
    reason: str
    attempt: int
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class TimelineRow:
    report_id: str
    report_type: str
    title: str | None
    la_code: str | None
    published: date | None
    inspection_start: date | None
    inspection_end: date | None
    finding_count: int
    report_date: date | None
    grades: dict[str, str]
    next_inspection: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class RecentReportRow(TimelineRow):
    la_name: str | None
    stored_at: datetime


@dataclass(frozen=True, slots=True)
class LatestGradedRow:
    la_code: str
    report_id: str
    report_type: str
    report_date: date | None
    grades: dict[str, str]


@dataclass(frozen=True, slots=True)
class LatestGradeRow:
    la_code: str
    la_name: str | None
    area: str
    grade: str
    report_id: str
    report_type: str
    report_date: date | None


def field_names(row_type: type[Any]) -> list[str]:
    return [field.name for field in fields(row_type)]


# The columns of a finding that a search (`q`) finds, filters and counts by, which searches
# read from a narrow view of their own (`findings_of`); a page's own rows still come from
# `store.finding_read`.
SEARCHED_COLUMNS = (
    "report_id",
    "ordinal",
    "la_code",
    "search",
    "category",
    "tone",
    "judgement_area",
    "theme_slugs",
)


def findings_of(where: FindingFilter) -> str:
    """The view the findings `where` selects are read from: with words (`q`), the search's
    narrow view, in partitions by authority, whose matches PostgreSQL reads a partition at
    a time under a page's limit (store migrations 0019, 0020; docs/benchmarks.md); without,
    the findings'."""
    return "store.finding_search_read" if where.q else "store.finding_read"


# The views the API reads and the columns it reads of each: the contract that store's and
# ingest's migrations keep (tests/api/test_read_model.py checks both sides).
READ_MODEL: dict[str, tuple[str, ...]] = {
    "store.report_read": (*field_names(ReportRow), "changed_in", "created_in"),
    "store.judgement_read": ("report_id", *field_names(JudgementRow)),
    "store.finding_read": ("report_id", *field_names(FindingRow), "theme_slugs"),
    # What a search (`q`) reads to find, filter and count its findings.
    "store.finding_search_read": SEARCHED_COLUMNS,
    "store.failure_read": ("report_id", *field_names(FailureRow)),
    "store.report_copy_read": (
        "report_id",
        "same_as",
        "object_uri",
        "finding_count",
        "needs_review",
        "parser_version",
        "warnings",
    ),
    "store.change_read": ("version", "withdrawals_purged_through"),
    # What store withdrew, as the live views served it: what a kept facet takes away.
    "store.withdrawn_report_read": (
        *field_names(ReportRow),
        "changed_in",
        "created_in",
        "withdrawn_in",
    ),
    "store.withdrawn_judgement_read": ("report_id", *field_names(JudgementRow)),
    "store.withdrawn_finding_read": (
        "report_id",
        *field_names(FindingRow),
        "search",
        "theme_slugs",
    ),
    "ingest.file_read": ("object_uri", "name", "size", "sha256", "status", "reason", "seen_at"),
    "ingest.ledger_report_read": (
        "report_id",
        "status",
        "reason",
        "replaced_by",
        "announce_count",
        "received_at",
        "announced_at",
        "finished_at",
    ),
}
# Each view a facet reads, and its twin holding what store withdrew (the same columns).
WITHDRAWN_VIEWS = {
    "store.report_read": "store.withdrawn_report_read",
    "store.judgement_read": "store.withdrawn_judgement_read",
    "store.finding_read": "store.withdrawn_finding_read",
    "store.finding_search_read": "store.withdrawn_finding_read",
}
_REPORT_COLUMNS = ", ".join(f"r.{name}" for name in field_names(ReportRow))
_FINDING_COLUMNS = ", ".join(f"f.{name}" for name in field_names(FindingRow))

RowT = TypeVar("RowT")


def _typed(row_type: type[RowT], result: Result[Any]) -> list[RowT]:
    """Rows as `row_type`: a column the type does not name, or a missing one, fails.
    Columns that are the type's fields in order (checked once a result) fill each row by
    position, a quarter of the cost of naming every value (50 rows of 30 columns: 0.23
    against 0.95 ms, measured apart)."""
    make: Callable[..., RowT] = row_type
    if list(result.keys()) == field_names(row_type):
        return [make(*row) for row in result]
    return [make(**row._mapping) for row in result]


@dataclass(frozen=True, slots=True)
class ReportFilter:
    # DfE codes the caller's authority, ONS code, name or region filters resolved to.
    la_codes: tuple[str, ...] | None = None
    report_type: str | None = None
    published_from: date | None = None
    published_to: date | None = None
    judgement_area: str | None = None
    grade: str | None = None
    needs_review: bool | None = None
    changed_since: datetime | None = None
    # Only reports store changed after this version (`store.change_read`): what a kept
    # facet adds (findings_api.cache).
    changed_after: int | None = None
    # Only reports served at this version that store withdrew after it, as they were (the
    # withdrawn views): what a kept facet takes away.
    withdrawn_after: int | None = None
    # Reports the API flags for review beyond the parser's warnings: their grades differ
    # from Ofsted's published ones (findings_api.mismatch).
    flagged: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FindingFilter(ReportFilter):
    report_id: str | None = None
    category: str | None = None
    q: str | None = None
    theme: str | None = None
    # Findings with any of these themes (a practice area's).
    any_theme: tuple[str, ...] | None = None
    tone: str | None = None
    # The report's overall grade, whatever area the finding sits under.
    report_grade: str | None = None
    # Only the reports whose ids begin with a hex digit from `sampled_from` (if set) and
    # below `sampled_below`: a report id is the sha256 of its file in hex, so those below
    # "1" are a sample of one report in 16, the same for every question
    # (findings_api.estimates).
    sampled_from: str | None = None
    sampled_below: str | None = None


@dataclass(frozen=True, slots=True)
class FacetRow:
    """One value of a facet (and of the second, if any): how many findings have it, in
    how many reports."""

    key: str | None
    findings: int
    reports: int
    by: str | None = None


@dataclass(frozen=True, slots=True)
class SampledRow:
    """A facet value's counts in a sample of reports, with the sum over those reports of
    the square of each one's findings and the most findings one has: what an estimate's
    interval is made of."""

    key: str | None
    findings: int
    reports: int
    squares: int
    largest: int
    by: str | None = None


SampledCounts = tuple[SampledRow, list[SampledRow]]


@dataclass(frozen=True, slots=True)
class ReportGrowth:
    """How the reports served changed after a version: how many are served now; how many
    of them store changed after it, and whether all were first stored after it; how many
    served then store withdrew, and whether all were withdrawn as they were then; up to
    which version store purged the withdrawn reports it kept (`withdrawn` misses those)."""

    reports: int
    changed: int
    all_new: bool
    withdrawn: int
    withdrawn_unchanged: bool
    purged_through: int


class _Counted(Protocol):
    @property
    def key(self) -> str | None: ...
    @property
    def by(self) -> str | None: ...
    @property
    def findings(self) -> int: ...


CountedT = TypeVar("CountedT", bound=_Counted)


def facet_order(rows: Iterable[CountedT]) -> list[CountedT]:
    """Most findings first, then by key and second key (none last)."""
    return sorted(
        rows,
        key=lambda r: (-r.findings, r.key is None, r.key or "", r.by is None, r.by or ""),
    )


FacetCounts = tuple[FacetRow, list[FacetRow]]


def _summed(kept: FacetCounts, other: FacetCounts, sign: int) -> FacetCounts:
    """Each value's findings and reports are sums over reports: a facet's counts over
    reports added to (sign 1) or taken from (-1) the kept ones; a value none is left with
    goes, as it would from a fresh count."""
    summed: dict[tuple[str | None, str | None], tuple[int, int]] = {
        (row.key, row.by): (row.findings, row.reports) for row in kept[1]
    }
    for row in other[1]:
        findings, reports = summed.get((row.key, row.by), (0, 0))
        summed[(row.key, row.by)] = (findings + sign * row.findings, reports + sign * row.reports)
    total = FacetRow(
        None,
        kept[0].findings + sign * other[0].findings,
        kept[0].reports + sign * other[0].reports,
    )
    rows = (FacetRow(key, n, reports, by) for (key, by), (n, reports) in summed.items() if n)
    return total, facet_order(rows)


def add_facets(kept: FacetCounts, more: FacetCounts) -> FacetCounts:
    """A facet's counts over two disjoint sets of reports."""
    return _summed(kept, more, 1)


def take_facets(kept: FacetCounts, gone: FacetCounts) -> FacetCounts:
    """A facet's counts without some reports it counted."""
    return _summed(kept, gone, -1)


# A report's date for sorting and filtering: published, else the inspection's last day.
REPORT_DATE = "coalesce(r.published, r.inspection_end, date '0001-01-01')"
REPORT_SORTS = {
    "newest": [
        SortColumn(REPORT_DATE, "date", "desc", "sort_date"),
        SortColumn("r.report_id", "text", "asc", "report_id"),
    ],
    "oldest": [
        SortColumn(REPORT_DATE, "date", "asc", "sort_date"),
        SortColumn("r.report_id", "text", "asc", "report_id"),
    ],
}
RANK = "ts_rank(f.search, websearch_to_tsquery('english', :q))"
# sort=relevance ranks this many matches, the first found (docs/benchmarks.md): its cost
# no longer grows with how common the words are.
RANKED_MATCHES = 2000


@dataclass(frozen=True, slots=True)
class FindingPage:
    """Which page of the matches, in which order (a key of `FINDING_SORTS`), after a
    cursor's keys or an offset. sort=relevance ranks the first `ranked` matches found
    (None: all of them, as an export does)."""

    sort: str
    limit: int
    offset: int = 0
    cursor: list[Any] | None = None
    ranked: int | None = RANKED_MATCHES


OVERALL_GRADE = """(select o.grade from store.judgement_read o where o.report_id = r.report_id
    and o.area in ('overall_effectiveness', 'area_send_outcome') limit 1)"""
FINDING_SORTS = {
    name: [*columns, SortColumn("f.ordinal", "integer", "asc", "ordinal")]
    for name, columns in REPORT_SORTS.items()
} | {
    "relevance": [
        SortColumn(RANK, "real", "desc", "rank"),
        SortColumn("f.report_id", "text", "asc", "report_id"),
        SortColumn("f.ordinal", "integer", "asc", "ordinal"),
    ]
}
# Safe HTML: the text is escaped before the matches are wrapped in <mark>.
# The whole text, escaped, every match highlighted: findings_api.snippets cuts it to the
# sentences holding matches (ts_headline's own fragments start mid-sentence).
SNIPPET = """ts_headline('english',
    replace(replace(replace(f.text, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'),
    websearch_to_tsquery('english', :q),
    'StartSel=<mark>, StopSel=</mark>, HighlightAll=true')"""


def _report_clauses(where: ReportFilter, judged_area: str) -> list[str]:
    """Conditions on reports; `judged_area` picks the judgement whose grade `grade` filters
    (the one asked for, for reports; the finding's own area, for findings). A search within
    one authority names it on the findings instead (`_authority_on_findings`), so findings'
    queries always take `_finding_clauses` too."""
    clauses = ["true"]
    if where.la_codes is not None and not _authority_on_findings(where):
        # One authority by equality: store's index of (la_code, date) then gives its reports
        # newest first and a page stops early; with `any` the planner cannot walk that index
        # in order, and walked every report newest first instead (docs/benchmarks.md).
        clauses.append(
            "r.la_code = (cast(:la_codes as text[]))[1]"
            if len(where.la_codes) == 1
            else "r.la_code = any(:la_codes)"
        )
    if where.report_type:
        clauses.append("r.report_type = :report_type")
    if where.published_from:
        clauses.append(f"{REPORT_DATE} >= :published_from")
    if where.published_to:
        clauses.append(f"{REPORT_DATE} <= :published_to")
    if where.needs_review is not None:
        clauses.append("(r.needs_review or r.report_id = any(:flagged)) = :needs_review")
    if where.changed_since is not None:
        clauses.append("r.stored_at >= :changed_since")
    if where.changed_after is not None:
        clauses.append("r.changed_in > :changed_after")
    if where.withdrawn_after is not None:
        clauses.append("r.withdrawn_in > :withdrawn_after and r.created_in <= :withdrawn_after")
    if isinstance(where, FindingFilter) and where.report_grade:
        # On the report, not on each finding: PostgreSQL then checks it once a report, before
        # reading the report's findings (0.34 s to 21 ms a page at 20,000 reports).
        clauses.append(
            """exists (select 1 from store.judgement_read o where o.report_id = r.report_id
                       and o.area in ('overall_effectiveness', 'area_send_outcome')
                       and o.grade = :report_grade)"""
        )
    if where.grade or (where.judgement_area and not isinstance(where, FindingFilter)):
        clauses.append(
            f"""exists (select 1 from store.judgement_read j where j.report_id = r.report_id
                        and {judged_area}
                        and (cast(:grade as text) is null or j.grade = :grade))"""
        )
    return clauses


class ReadRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        # The change counter as this transaction read it: its snapshot cannot see it move.
        self.version_read: tuple[object, int] | None = None

    async def ping(self) -> None:
        await self.session.execute(text("select 1 from store.report_read limit 1"))

    async def list_reports(
        self, where: ReportFilter, sort: str, limit: int, offset: int, cursor: list[Any] | None
    ) -> list[ListedReportRow]:
        columns = REPORT_SORTS[sort]
        clauses = _report_clauses(
            where, "(cast(:judgement_area as text) is null or j.area = :judgement_area)"
        )
        params = {**_fields(where), "limit": limit, "offset": offset}
        if cursor is not None:
            condition, keys = after(columns, cursor)
            clauses.append(condition)
            params |= keys
        sql = f"""
            select {_REPORT_COLUMNS}, {REPORT_DATE} as sort_date from store.report_read r
            where {" and ".join(clauses)}
            order by {order_by(columns)}
            limit :limit offset :offset
        """
        rows = await self.session.execute(text(sql), params)
        return _typed(ListedReportRow, rows)

    async def recent_reports(self, limit: int, inadequate: bool = False) -> list[RecentReportRow]:
        """The reports stored last (a replay stores again), with their grades; only those
        with an inadequate judgement, if asked."""
        condition = (
            """exists (select 1 from store.judgement_read j where j.report_id = r.report_id
                      and j.grade = 'inadequate')"""
            if inadequate
            else "true"
        )
        rows = await self.session.execute(
            text(
                f"""select {_TIMELINE_COLUMNS}, r.la_name, r.stored_at
                    from store.report_read r where {condition}
                    order by r.stored_at desc, r.report_id limit :limit"""
            ),
            {"limit": limit},
        )
        return _typed(RecentReportRow, rows)

    async def authority_weaknesses(
        self, la_code: str, of_report: tuple[str, date, list[str]] | None = None
    ) -> list[WeaknessRow]:
        """An authority's listed weaknesses and paragraphs read as concerns, every report;
        with `of_report` (a report's id, date and its weaknesses' themes), only that
        report's and those of earlier reports sharing a theme: all it can be linked to."""
        only = ""
        params: dict[str, Any] = {"la_code": la_code}
        if of_report is not None:
            only = """and (r.report_id = :report_id
                           or (coalesce(r.published, r.inspection_end) < :before
                               and f.theme_slugs && cast(:themes as text[])))"""
            params |= dict(zip(("report_id", "before", "themes"), of_report, strict=True))
        rows = await self.session.execute(
            text(
                f"""select f.finding_id, f.report_id, r.report_type,
                          coalesce(r.published, r.inspection_end) as report_date, f.category,
                          f.tone, f.theme_slugs, f.text
                   from store.finding_read f join store.report_read r using (report_id)
                   where r.la_code = :la_code
                     and (f.category in ('improvement', 'priority_action',
                                         'area_for_development') or f.tone = 'concern')
                     {only}"""
            ),
            params,
        )
        return _typed(WeaknessRow, rows)

    async def copy_of(self, report_id: str) -> tuple[str, str] | None:
        """(The report standing for its inspection, this copy's file) when this report is
        another file of an inspection already stored."""
        row = (
            await self.session.execute(
                text(
                    "select same_as, object_uri from store.report_copy_read where report_id = :id"
                ),
                {"id": report_id},
            )
        ).first()
        return (row.same_as, row.object_uri) if row else None

    async def copies_of(self, report_ids: list[str]) -> dict[str, list[str]]:
        """The other files (reports) of each of these reports' inspections."""
        rows = await self.session.execute(
            text(
                "select same_as, report_id from store.report_copy_read"
                " where same_as = any(:ids) order by report_id"
            ),
            {"ids": report_ids},
        )
        copies: dict[str, list[str]] = {}
        for original, copy in rows:
            copies.setdefault(original, []).append(copy)
        return copies

    async def get_report(self, report_id: str) -> ReportRow | None:
        row = (
            await self.session.execute(
                text(f"select {_REPORT_COLUMNS} from store.report_read r where r.report_id = :id"),
                {"id": report_id},
            )
        ).first()
        return ReportRow(**row._mapping) if row else None

    async def report_growth(self, after: int) -> ReportGrowth:
        """How the reports the read model serves changed after that version."""
        row = await self.session.execute(
            text(
                """select * from
                   (select count(*) as reports,
                           count(*) filter (where changed_in > :after) as changed,
                           coalesce(bool_and(created_in > :after)
                                    filter (where changed_in > :after), true) as all_new
                    from store.report_read) live,
                   (select count(*) as withdrawn,
                           coalesce(bool_and(changed_in <= :after), true)
                             as withdrawn_unchanged
                    from store.withdrawn_report_read
                    where withdrawn_in > :after and created_in <= :after) gone,
                   (select withdrawals_purged_through as purged_through
                    from store.change_read) purged"""
            ),
            {"after": after},
        )
        return ReportGrowth(**row.one()._mapping)

    async def withdrawn_authorities(self, after: int) -> set[str]:
        """The authorities of the reports store withdrew after that version."""
        codes = await self.session.execute(
            text(
                """select distinct la_code from store.withdrawn_report_read
                   where withdrawn_in > :after and la_code is not null"""
            ),
            {"after": after},
        )
        return set(codes.scalars())

    async def change_version(self) -> int:
        """How many times store has changed what the read model serves, as this request's
        snapshot sees it (read once a transaction: a facet asks it for its rows and its
        totals, and the grade check again)."""
        transaction = self.session.get_transaction()
        if self.version_read is not None and self.version_read[0] is transaction:
            return self.version_read[1]
        result = await self.session.execute(text("select version from store.change_read"))
        version = int(result.scalar_one())
        self.version_read = (self.session.get_transaction(), version)
        return version

    async def graded_reports(self, changed_after: int | None) -> list[GradedReportRow]:
        """Every judgement of the reports of an authority that store changed after that
        version (`store.change_read`; all, if None)."""
        rows = await self.session.execute(
            text(
                """select r.report_id, r.la_code, r.report_type, r.inspection_start,
                          r.published, j.area, j.grade
                   from store.report_read r
                   left join store.judgement_read j using (report_id)
                   where r.la_code is not null
                     and (cast(:after as bigint) is null or r.changed_in > :after)"""
            ),
            {"after": changed_after},
        )
        return _typed(GradedReportRow, rows)

    async def reports_present(self, report_ids: list[str]) -> set[str]:
        """Those of the reports that the read model still serves."""
        rows = await self.session.execute(
            text("select report_id from store.report_read where report_id = any(:ids)"),
            {"ids": report_ids},
        )
        return set(rows.scalars())

    async def judgements_of(self, report_id: str) -> list[JudgementRow]:
        rows = await self.session.execute(
            text("select area, label, grade from store.judgement_read where report_id = :id"),
            {"id": report_id},
        )
        return _typed(JudgementRow, rows)

    async def findings_of(self, report_id: str) -> list[FindingRow]:
        rows = await self.session.execute(
            text(
                f"""select {_FINDING_COLUMNS}
                   from store.finding_read f where report_id = :id order by ordinal"""
            ),
            {"id": report_id},
        )
        return _typed(FindingRow, rows)

    async def list_files(
        self, status: str | None, limit: int, offset: int, cursor: list[Any] | None
    ) -> list[FileRow]:
        """A page of the files seen, newest first (through the ledger's index by then)."""
        clauses = [FILE_STATES[status]] if status else ["true"]
        params: dict[str, Any] = {"status": status, "limit": limit, "offset": offset}
        if cursor is not None:
            condition, keys = after(FILE_SORT, cursor)
            clauses.append(condition)
            params |= keys
        sql = f"""
            {_FILE_STATUS} where {" and ".join(clauses)}
            order by {order_by(FILE_SORT)} limit :limit offset :offset
        """
        return _typed(FileRow, await self.session.execute(text(sql), params))

    async def file_report(self, report_id: str) -> FileReportRow | None:
        row = (
            await self.session.execute(
                text(
                    """select r.report_id,
                              case when r.status = 'replacing' then 'replaced' else r.status end
                                  as status,
                              r.reason, r.replaced_by, r.announce_count,
                              r.received_at,
                              r.announced_at, r.finished_at,
                              coalesce(s.finding_count, c.finding_count) as finding_count,
                              coalesce(s.parser_version, c.parser_version) as parser_version,
                              coalesce(s.needs_review, c.needs_review) as needs_review,
                              coalesce(s.warnings, c.warnings) as warnings,
                              array(select o.name from ingest.file_read o
                                    where o.sha256 = r.report_id order by o.name) as names,
                              coalesce(s.object_uri, c.object_uri) as object_uri, c.same_as
                       from ingest.ledger_report_read r
                       left join store.report_read s on s.report_id = r.report_id
                       left join store.report_copy_read c on c.report_id = r.report_id
                       where r.report_id = :id"""
                ),
                {"id": report_id},
            )
        ).first()
        return FileReportRow(**row._mapping) if row else None

    async def failures_of(self, report_id: str) -> list[FailureRow]:
        rows = await self.session.execute(
            text(
                """select stage, error_type, reason, attempt, occurred_at from store.failure_read
                   where report_id = :id order by occurred_at"""
            ),
            {"id": report_id},
        )
        return _typed(FailureRow, rows)

    def _selected_findings(self, where: FindingFilter, joins: str = "") -> str:
        clauses = _report_clauses(where, "j.area = f.judgement_area") + _finding_clauses(where)
        return f"""
            from {findings_of(where)} f join store.report_read r on r.report_id = f.report_id
            {joins} where {" and ".join(clauses)}"""

    def _counted_findings(
        self, where: FindingFilter, key: str | None = None, by: str | None = None, joins: str = ""
    ) -> str:
        """`_counted` of the findings `where` selects; of the withdrawn views where it
        asks for withdrawn reports (`withdrawn_after`)."""
        return _of_withdrawn(where, _counted(key, by, self._selected_findings(where, joins)))

    async def count_findings(self, where: FindingFilter) -> FacetRow:
        """How many findings `where` selects, in how many reports."""
        total = await self.session.execute(
            text(self._counted_findings(where)),
            _fields(where),
        )
        return FacetRow(**total.one()._mapping)

    async def count_reports(self, where: ReportFilter) -> int:
        clauses = _report_clauses(
            where, "(cast(:judgement_area as text) is null or j.area = :judgement_area)"
        )
        total = await self.session.execute(
            text(f"select count(*) from store.report_read r where {' and '.join(clauses)}"),
            _fields(where),
        )
        return int(total.scalar_one())

    async def finding_facets(
        self, where: FindingFilter, group_by: str, then_by: str | None = None
    ) -> list[FacetRow]:
        """The counts of the findings `where` selects by `group_by` (and by `then_by` within
        it: e.g. each theme by year), most findings first (their totals: `count_findings`)."""
        join, key = FACET_GROUPS[group_by]
        joins, by = join, "null"
        if then_by is not None:
            second_join, second_key = FACET_GROUPS[then_by]
            # The second facet's join, its alias renamed (each names its own `g`).
            joins += " " + _aliased(second_join, "h")
            by = _aliased(second_key, "h")
        rows = await self.session.execute(
            text(self._counted_findings(where, key, by, joins)),
            _fields(where),
        )
        return facet_order(_typed(FacetRow, rows))

    async def counted_together(self, where: FindingFilter) -> FacetCounts:
        """The counts of every facet in `COUNTED_TOGETHER` of the findings `where` selects,
        from one read of them: each row's `by` names its facet; the totals first."""
        rows = _typed(
            FacetRow,
            await self.session.execute(
                text(
                    _of_withdrawn(
                        where,
                        _counted_together(self._selected_findings(where)),
                    )
                ),
                _fields(where),
            ),
        )
        totals = next(row for row in rows if row.by is None)
        return totals, facet_order(row for row in rows if row.by is not None)

    async def sampled_together(self, where: FindingFilter) -> SampledCounts:
        """`counted_together` of the sample of reports `where` names (`sampled_from`,
        `sampled_below`), with each row's sum of squares and largest count; the totals
        first."""
        rows = _typed(
            SampledRow,
            await self.session.execute(
                text(_counted_together(self._selected_findings(where), sampled=True)),
                _fields(where),
            ),
        )
        totals = next(row for row in rows if row.by is None)
        return totals, [row for row in rows if row.by is not None]

    async def search_findings(
        self, where: FindingFilter, page: FindingPage
    ) -> list[FoundFindingRow]:
        """A page of the findings `where` selects."""
        sql, params = found_findings_query(where, page)
        rows = await self.session.execute(text(sql), params)
        return _typed(FoundFindingRow, rows)

    async def authority_reports(self, la_codes: list[str]) -> list[TimelineRow]:
        """Every report of these authorities, oldest first, with its grades by area."""
        rows = await self.session.execute(
            text(
                f"""select {_TIMELINE_COLUMNS}
                    from store.report_read r where r.la_code = any(:codes)
                    order by {REPORT_DATE}, r.report_id"""
            ),
            {"codes": la_codes},
        )
        return _typed(TimelineRow, rows)

    async def latest_inspected(
        self, la_codes: list[str], report_type: str, changed_after: int | None = None
    ) -> list[TimelineRow]:
        """Each authority's report of this type with the latest first day on site (the
        index of inspections finds each at once, however many reports an authority has);
        of the authorities with a report changed after that version only, if given."""
        rows = await self.session.execute(
            text(
                f"""with latest as (
                        select distinct on (r.la_code) r.report_id
                        from store.report_read r
                        where r.la_code = any(:codes) and r.report_type = :type
                          and r.inspection_start is not null and {_CHANGED_AUTHORITIES}
                        order by r.la_code, r.inspection_start desc, {REPORT_DATE}, r.report_id)
                    {_TIMELINE_OF_LATEST} order by r.la_code"""
            ),
            {"codes": la_codes, "type": report_type, "changed_after": changed_after},
        )
        return _typed(TimelineRow, rows)

    async def latest_of_types(
        self, report_types: list[str], changed_after: int | None = None
    ) -> list[TimelineRow]:
        """Each authority's latest report of each of these types; of the authorities with a
        report changed after that version only, if given."""
        rows = await self.session.execute(
            text(
                f"""with latest as (
                        select distinct on (r.la_code, r.report_type) r.report_id
                        from store.report_read r
                        where r.la_code is not null and r.report_type = any(:types)
                          and {_CHANGED_AUTHORITIES}
                        order by r.la_code, r.report_type, {REPORT_DATE} desc, r.report_id)
                    {_TIMELINE_OF_LATEST} order by r.la_code, r.report_type"""
            ),
            {"types": report_types, "changed_after": changed_after},
        )
        return _typed(TimelineRow, rows)

    async def latest_graded_reports(self, la_codes: list[str]) -> list[LatestGradedRow]:
        """Each authority's most recent report that carries grades."""
        rows = await self.session.execute(
            # Each authority's reports walked newest first through store's index of
            # (la_code, date), to the first with grades: `distinct on` over all of them
            # joined every judgement (15 of an authority page's 28 ms at 20,000 reports).
            text(
                f"""select r.la_code, r.report_id, r.report_type,
                           {REPORT_DATE} as report_date, {_GRADES} as grades
                    from (select distinct unnest(cast(:codes as text[])) as la_code) a
                    cross join lateral (
                        select * from store.report_read r
                        where r.la_code = a.la_code
                          and exists (select 1 from store.judgement_read j
                                      where j.report_id = r.report_id)
                        order by {REPORT_DATE} desc, r.report_id limit 1) r
                    order by r.la_code"""
            ),
            {"codes": la_codes},
        )
        return _typed(LatestGradedRow, rows)

    async def latest_grades(self, changed_after: int | None = None) -> list[LatestGradeRow]:
        """Every authority's latest grade for every judgement area it was ever graded on;
        of the authorities with a report changed after that version only, if given."""
        rows = await self.session.execute(
            text(
                f"""select distinct on (r.la_code, j.area) r.la_code, r.la_name, j.area,
                           j.grade, r.report_id, r.report_type, {REPORT_DATE} as report_date
                    from store.judgement_read j join store.report_read r using (report_id)
                    where r.la_code is not null and {_CHANGED_AUTHORITIES}
                    order by r.la_code, j.area, {REPORT_DATE} desc, r.report_id"""
            ),
            {"changed_after": changed_after},
        )
        return _typed(LatestGradeRow, rows)

    async def stored_after(
        self, after: tuple[datetime, str] | None, where: ReportFilter, limit: int
    ) -> list[ReportRow]:
        """Reports stored (or replaced) after a (stored_at, report_id) position, in order."""
        clauses = _report_clauses(
            where, "(cast(:judgement_area as text) is null or j.area = :judgement_area)"
        )
        params: dict[str, Any] = {**_fields(where), "limit": limit}
        if after is not None:
            clauses.append("(r.stored_at, r.report_id) > (:after_at, :after_id)")
            params |= {"after_at": after[0], "after_id": after[1]}
        rows = await self.session.execute(
            text(
                f"""select {_REPORT_COLUMNS} from store.report_read r
                    where {" and ".join(clauses)}
                    order by r.stored_at, r.report_id limit :limit"""
            ),
            params,
        )
        return _typed(ReportRow, rows)

    async def last_stored(self) -> tuple[datetime, str] | None:
        row = (
            await self.session.execute(
                text(
                    """select stored_at, report_id from store.report_read
                       order by stored_at desc, report_id desc limit 1"""
                )
            )
        ).first()
        return (row[0], row[1]) if row else None


def found_findings_query(where: FindingFilter, page: FindingPage) -> tuple[str, dict[str, Any]]:
    """The SQL and parameters of `ReadRepository.search_findings`."""
    columns = FINDING_SORTS[page.sort]
    clauses = _report_clauses(where, "j.area = f.judgement_area")
    # Reports are joined while ordering only when a filter or the sort needs them.
    by_report = clauses != ["true"] or page.sort != "relevance"
    clauses += _finding_clauses(where)
    params = {**_fields(where), "limit": page.limit, "offset": page.offset}
    after_cursor = ["true"]
    if page.cursor is not None:
        condition, keys = after(columns, page.cursor)
        after_cursor = [condition]
        params |= keys
    matches = f"""{findings_of(where)} f
            {"join store.report_read r on r.report_id = f.report_id" if by_report else ""}
            where {" and ".join(clauses)}"""
    sort_date = ""  # the cursor's date key, where the sort is by date
    if page.sort != "relevance" and by_report:
        sort_date = f", {REPORT_DATE} as sort_date"
    if page.sort == "relevance" and page.ranked is not None:
        # Ranked among the first RANKED_MATCHES matches found, not all of them: ranking
        # reads every match's tsvector, so a common phrase cost in proportion to how
        # often it occurs (0.5 s at 20,000 reports). `total` still counts them all.
        matches = f"""(select f.report_id, f.ordinal, f.search
                       from {matches} limit :ranked) f
            where {" and ".join(after_cursor)}"""
        params["ranked"] = page.ranked
    else:
        matches += f" and {' and '.join(after_cursor)}"
    # Order the matches on their keys alone, then read the page's rows and make their
    # snippets: carrying every match's text through the join and the sort, and
    # ts_headline, were most of a search's time.
    sql = f"""
        select {_FINDING_COLUMNS}, f.report_id, r.report_type, r.la_code,
               r.la_name as local_authority_name, r.inspection_start, r.published,
               page.rank, {REPORT_DATE} as sort_date,
               {SNIPPET if where.q else "null"} as snippet, {OVERALL_GRADE} as overall_grade
        from (
            select f.report_id, f.ordinal,
                   {RANK if where.q else "null::real"} as rank
                   {sort_date}
            from {matches}
            order by {order_by(columns)}
            limit :limit offset :offset
        ) page
        join store.finding_read f on f.report_id = page.report_id and f.ordinal = page.ordinal
        join store.report_read r on r.report_id = page.report_id
        order by {order_by(_on_page(columns))}
    """
    return sql, params


def _on_page(columns: list[SortColumn]) -> list[SortColumn]:
    """The same order, over the columns the page query selected."""
    return [SortColumn(f"page.{c.field}", c.sql_type, c.direction, c.field) for c in columns]


_GRADES = """coalesce((select jsonb_object_agg(j.area, j.grade) from store.judgement_read j
                      where j.report_id = r.report_id), '{}'::jsonb)"""
# The authorities of the reports store stored or withdrew after a version (all, if it is
# null): a value made per authority is asked again of those alone (findings_api.cache).
_CHANGED_AUTHORITIES = """(cast(:changed_after as bigint) is null
    or r.la_code in (select la_code from store.report_read where changed_in > :changed_after
                     union all select la_code from store.withdrawn_report_read
                     where withdrawn_in > :changed_after))"""

_TIMELINE_COLUMNS = f"""r.report_id, r.report_type, r.title, r.la_code, r.published,
    r.inspection_start, r.inspection_end, r.finding_count, {REPORT_DATE} as report_date,
    {_GRADES} as grades, r.next_inspection"""
# The timeline's columns of the reports a `latest` CTE picked: the picking reads only ids,
# and the grades are gathered for the reports picked (`distinct on` computed them for every
# report it read: /next-inspections' first request took 125 ms at 20,000 reports, now 50).
_TIMELINE_OF_LATEST = f"""select {_TIMELINE_COLUMNS}
    from latest join store.report_read r on r.report_id = latest.report_id"""

_FILE_STATUS = """
    select o.name, o.object_uri, o.size, o.sha256 as report_id,
           case when o.status = 'rejected' then 'rejected' else coalesce(r.status, 'pending') end
               as status,
           coalesce(o.reason, r.reason) as reason, o.seen_at, r.announced_at,
           coalesce(r.announce_count, 0) as announce_count, r.finished_at,
           coalesce(s.finding_count, c.finding_count) as finding_count,
           coalesce(s.needs_review, c.needs_review) as needs_review
    from ingest.file_read o
    left join ingest.ledger_report_read r on r.report_id = o.sha256 and o.status = 'accepted'
    left join store.report_read s on s.report_id = o.sha256
    left join store.report_copy_read c on c.report_id = o.sha256
"""


FILE_SORT = [
    SortColumn("o.seen_at", "timestamptz", "desc", "seen_at"),
    SortColumn("o.object_uri", "text", "asc", "object_uri"),
]
# A file's state (the `status` of _FILE_STATUS) as conditions on the ledger's own columns,
# which its indexes serve: a rare state is found without reading every file.
FILE_STATES = {
    "rejected": "o.status = 'rejected'",
    "pending": "o.status = 'accepted' and coalesce(r.status, 'pending') = 'pending'",
} | {
    state: "o.status = 'accepted' and r.status = :status"
    for state in ("announced", "stored", "failed", "stuck")
}


def _sql_values(pairs: Iterable[tuple[str, str]]) -> str:
    """A VALUES list of trusted constants (enum values, reference data), quoted."""
    return ", ".join(
        "('{}', '{}')".format(a.replace("'", "''"), b.replace("'", "''")) for a, b in pairs
    )


def _counted(key: str | None, by: str | None, selected: str) -> str:
    """Findings and reports by key (and by; all together if None): counted per report
    first, then summed. A facet's joins give a finding at most one row per key, so no
    count needs `distinct`, whose sorts were most of a facet's time over a million
    findings."""
    grouped = key is not None
    return f"""
        select {'"key"' if grouped else "null"} as key, {'"by"' if grouped else "null"} as by,
               coalesce(sum(n), 0)::int as findings, count(*)::int as reports
        from (select {key or "null"} as "key", {by or "null"} as "by", f.report_id,
                     count(*) as n {selected}
              group by 1, 2, f.report_id) per_report
        {'group by "key", "by"' if grouped else ""}"""


def _aliased(sql: str, alias: str) -> str:
    """A facet's join or key (`FACET_GROUPS`) with its alias `g` renamed."""
    return re.sub(r"\bg\b", alias, sql)


def _of_withdrawn(where: FindingFilter, sql: str) -> str:
    """`sql` over the withdrawn views where `where` asks for withdrawn reports
    (`withdrawn_after`)."""
    if where.withdrawn_after is None:
        return sql
    for live, withdrawn in WITHDRAWN_VIEWS.items():
        sql = re.sub(rf"\b{re.escape(live)}\b", withdrawn, sql)
    return sql


# The facets a search page shows, which `counted_together` counts from one read of the
# findings for a search (`q`): finding the matches was most of each facet's time (0.2-0.4 s
# each of a common phrase's at 20,000 reports), and the page asks all seven at once.
COUNTED_TOGETHER = ("theme", "tone", "category", "region", "year", "grade", "report_type")
_OF_FINDINGS = ("tone", "category")


def _counted_together(selected: str, sampled: bool = False) -> str:
    """`_counted` of each facet in `COUNTED_TOGETHER` (`by` names it; the totals' is null)
    from one read of the selected findings (`found`): each facet counts them per report
    first, then sums, as `_counted` does; a report's own keys are read once a report. For a
    `sampled` count, each row also sums the square of each report's findings and takes the
    largest (`SampledRow`)."""
    summed = "sum(n), count(*), sum(n * n), max(n)" if sampled else "sum(n), count(*)"
    of_reports = [group for group in COUNTED_TOGETHER if group not in (*_OF_FINDINGS, "theme")]
    report_keys, report_joins = [], []
    for number, group in enumerate(of_reports):
        join, key = FACET_GROUPS[group]
        # Each facet's join names its own `g`: one alias each here.
        report_keys.append(f"{_aliased(key, f'g{number}')} as {group}")
        report_joins.append(_aliased(join, f"g{number}"))
    facets = [
        f"select null, null, {summed} from per_report",
        f"""select 'theme', key, {summed} from (
               select f.report_id, t.key, count(*) as n
               from found f cross join lateral unnest(f.theme_slugs) as t(key)
               group by 1, 2) c group by 2""",
        *(
            f"""select '{group}', {group}, {summed} from (
                    select report_id, {group}, count(*) as n from found group by 1, 2) c
                group by 2"""
            for group in _OF_FINDINGS
        ),
        *(
            f"select '{group}', {group}, {summed} from per_report group by 2"
            for group in of_reports
        ),
    ]
    union = "\n union all ".join(facets)
    squared = (
        ", coalesce(squares, 0)::bigint as squares, coalesce(largest, 0)::int as largest"
        if sampled
        else ""
    )
    sampled_columns = ", squares, largest" if sampled else ""
    return f"""
        with found as materialized (select f.report_id, f.category, f.tone, f.theme_slugs
                                    {selected}),
        per_report as materialized (
            select p.report_id, p.n, {", ".join(report_keys)}
            from (select report_id, count(*) as n from found group by report_id) p
            join store.report_read r on r.report_id = p.report_id {" ".join(report_joins)})
        select "by", "key", coalesce(findings, 0)::int as findings, reports::int as reports
               {squared}
        from ({union}) as facet("by", "key", findings, reports{sampled_columns})"""


_THEME_AREAS = _sql_values((theme.value, area.value) for theme, area in THEME_AREA.items())
_REGIONS = _sql_values((la.la_code, la.region) for la in all_local_authorities() if la.la_code)

# What /findings/facets counts by: (a join that yields the key, the key). A finding with
# two themes counts under each; a report's grade is its overall effectiveness.
FACET_GROUPS: dict[str, tuple[str, str]] = {
    "theme": ("cross join lateral unnest(f.theme_slugs) as g(key)", "g.key"),
    "area": (
        # Each area once per finding, however many of its themes the finding has.
        f"""cross join lateral (select distinct a.key from (values {_THEME_AREAS})
            as a(theme, key) where a.theme = any(f.theme_slugs)) as g""",
        "g.key",
    ),
    "tone": ("", "f.tone"),
    "category": ("", "f.category"),
    "report_type": ("", "r.report_type"),
    "year": ("", "extract(year from coalesce(r.published, r.inspection_end))::int::text"),
    "region": (
        f"left join (values {_REGIONS}) as g(la_code, key) on g.la_code = r.la_code",
        "g.key",
    ),
    "la_code": ("", "r.la_code"),
    "grade": (
        "left join store.judgement_read g on g.report_id = r.report_id"
        " and g.area = 'overall_effectiveness'",
        "g.grade",
    ),
}


def _authority_on_findings(where: ReportFilter) -> bool:
    """Whether a search (`q`) names its one authority on the search table's rows, whose
    partitions are by authority (store migration 0020), in place of a condition on their
    reports: it then reads its one partition (35 to 6 ms a page at 20,000 reports), also in
    a prepared statement's generic plan, and a page's matches need no join to the reports.
    Not for several (a region): `la_code = any(...)` prunes no partition in a generic plan
    and checks each match against the list, slower than the join (London, a common phrase:
    16-18 to 28 ms). Not over the withdrawn views (a kept facet's take-away), whose findings
    do not carry their authority."""
    return (
        isinstance(where, FindingFilter)
        and bool(where.q)
        and where.la_codes is not None
        and len(where.la_codes) == 1
        and where.withdrawn_after is None
    )


def _finding_clauses(where: FindingFilter) -> list[str]:
    """Conditions on findings themselves (alias `f`)."""
    clauses = []
    if where.report_id:
        clauses.append("f.report_id = :report_id")
    if where.category:
        clauses.append("f.category = :category")
    if where.judgement_area:
        clauses.append("f.judgement_area = :judgement_area")
    if where.q:
        clauses.append("f.search @@ websearch_to_tsquery('english', :q)")
    # The first hex digit, as the search index holds it (store migration 0022).
    if where.sampled_from:
        clauses.append("left(f.report_id, 1) >= :sampled_from")
    if where.sampled_below:
        clauses.append("left(f.report_id, 1) < :sampled_below")
    if _authority_on_findings(where):
        clauses.append("f.la_code = (cast(:la_codes as text[]))[1]")
    if where.theme:
        clauses.append("f.theme_slugs @> array[cast(:theme as text)]")
    if where.any_theme is not None:
        clauses.append("f.theme_slugs && cast(:any_theme as text[])")
    if where.tone:
        clauses.append("f.tone = :tone")
    return clauses


def _fields(value: ReportFilter | FindingFilter) -> dict[str, Any]:
    return asdict(value)
