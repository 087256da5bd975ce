"""Read queries over the store's tables and the ingest ledger. Every SQL statement of the
API is here.

The API only reads: it owns no tables and writes nothing. The ledger (schema `ingest`)
says where each file is; the store (schema `store`) holds reports and failures.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from findings_api.paging import SortColumn, after, order_by

_REPORT_COLUMNS = """
    r.report_id, r.parser_version, r.report_type, r.title, r.la_name, r.ofsted_urn,
    r.la_code, r.ons_code, r.inspection_start, r.inspection_end, r.published,
    r.lead_inspector, r.finding_count, r.stored_at, r.coverage, r.warnings, r.needs_review,
    r.object_uri
"""


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


@dataclass(frozen=True, slots=True)
class FindingFilter(ReportFilter):
    report_id: str | None = None
    category: str | None = None
    q: str | None = None


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
SNIPPET = """ts_headline('english',
    replace(replace(replace(f.text, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'),
    websearch_to_tsquery('english', :q),
    'StartSel=<mark>, StopSel=</mark>, MaxWords=30, MinWords=12, MaxFragments=2,
     FragmentDelimiter=" … "')"""


def _report_clauses(where: ReportFilter, judged_area: str) -> list[str]:
    """Conditions on reports; `judged_area` picks the judgement whose grade `grade` filters
    (the one asked for, for reports; the finding's own area, for findings)."""
    clauses = ["true"]
    if where.la_codes is not None:
        clauses.append("r.la_code = any(:la_codes)")
    if where.report_type:
        clauses.append("r.report_type = :report_type")
    if where.published_from:
        clauses.append(f"{REPORT_DATE} >= :published_from")
    if where.published_to:
        clauses.append(f"{REPORT_DATE} <= :published_to")
    if where.needs_review is not None:
        clauses.append("r.needs_review = :needs_review")
    if where.grade or (where.judgement_area and not isinstance(where, FindingFilter)):
        clauses.append(
            f"""exists (select 1 from store.judgements j where j.report_id = r.report_id
                        and {judged_area}
                        and (cast(:grade as text) is null or j.grade = :grade))"""
        )
    return clauses


class ReadRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def ping(self) -> None:
        await self.session.execute(text("select 1 from store.reports limit 1"))

    async def list_reports(
        self, where: ReportFilter, sort: str, limit: int, offset: int, cursor: list[Any] | None
    ) -> list[dict[str, Any]]:
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
            select {_REPORT_COLUMNS}, {REPORT_DATE} as sort_date from store.reports r
            where {" and ".join(clauses)}
            order by {order_by(columns)}
            limit :limit offset :offset
        """
        rows = await self.session.execute(text(sql), params)
        return [dict(row._mapping) for row in rows]

    async def get_report(self, report_id: str) -> dict[str, Any] | None:
        row = (
            await self.session.execute(
                text(f"select {_REPORT_COLUMNS} from store.reports r where r.report_id = :id"),
                {"id": report_id},
            )
        ).first()
        return dict(row._mapping) if row else None

    async def judgements_of(self, report_id: str) -> list[dict[str, Any]]:
        rows = await self.session.execute(
            text("select area, label, grade from store.judgements where report_id = :id"),
            {"id": report_id},
        )
        return [dict(row._mapping) for row in rows]

    async def findings_of(self, report_id: str) -> list[dict[str, Any]]:
        rows = await self.session.execute(
            text(
                """select finding_id, ordinal, category, section, judgement_area, paragraph, text
                   from store.findings where report_id = :id order by ordinal"""
            ),
            {"id": report_id},
        )
        return [dict(row._mapping) for row in rows]

    async def list_files(self, status: str | None, limit: int, offset: int) -> list[dict[str, Any]]:
        sql = f"""
            select * from ({_FILE_STATUS}) files
            where (cast(:status as text) is null or status = :status)
            order by seen_at desc, object_uri
            limit :limit offset :offset
        """
        rows = await self.session.execute(
            text(sql), {"status": status, "limit": limit, "offset": offset}
        )
        return [dict(row._mapping) for row in rows]

    async def file_report(self, report_id: str) -> dict[str, Any] | None:
        row = (
            await self.session.execute(
                text(
                    """select r.report_id,
                              case when r.status = 'replacing' then 'replaced' else r.status end
                                  as status,
                              r.reason, r.replaced_by, r.announce_count,
                              r.received_at,
                              r.announced_at, r.finished_at, s.finding_count, s.parser_version,
                              s.needs_review, s.warnings,
                              array(select o.name from ingest.objects o
                                    where o.sha256 = r.report_id order by o.name) as names
                       from ingest.reports r
                       left join store.reports s on s.report_id = r.report_id
                       where r.report_id = :id"""
                ),
                {"id": report_id},
            )
        ).first()
        return dict(row._mapping) if row else None

    async def failures_of(self, report_id: str) -> list[dict[str, Any]]:
        rows = await self.session.execute(
            text(
                """select stage, error_type, reason, attempt, occurred_at from store.failures
                   where report_id = :id order by occurred_at"""
            ),
            {"id": report_id},
        )
        return [dict(row._mapping) for row in rows]

    async def search_findings(
        self, where: FindingFilter, sort: str, limit: int, offset: int, cursor: list[Any] | None
    ) -> list[dict[str, Any]]:
        columns = FINDING_SORTS[sort]
        clauses = _report_clauses(where, "j.area = f.judgement_area")
        # Reports are joined while ordering only when a filter or the sort needs them.
        by_report = clauses != ["true"] or sort != "relevance"
        if where.report_id:
            clauses.append("f.report_id = :report_id")
        if where.category:
            clauses.append("f.category = :category")
        if where.judgement_area:
            clauses.append("f.judgement_area = :judgement_area")
        if where.q:
            clauses.append("f.search @@ websearch_to_tsquery('english', :q)")
        params = {**_fields(where), "limit": limit, "offset": offset}
        if cursor is not None:
            condition, keys = after(columns, cursor)
            clauses.append(condition)
            params |= keys
        # Order the matches on their keys alone, then read the page's rows and make their
        # snippets: carrying every match's text through the join and the sort, and
        # ts_headline, were most of a search's time.
        sql = f"""
            select f.finding_id, f.ordinal, f.category, f.section, f.judgement_area,
                   f.paragraph, f.text, f.report_id, r.report_type, r.la_code,
                   r.la_name as local_authority_name, r.inspection_start, r.published,
                   page.rank, {REPORT_DATE} as sort_date,
                   {SNIPPET if where.q else "null"} as snippet
            from (
                select f.finding_id, f.report_id, f.ordinal,
                       {RANK if where.q else "null::real"} as rank
                       {f", {REPORT_DATE} as sort_date" if by_report else ""}
                from store.findings f
                {"join store.reports r on r.report_id = f.report_id" if by_report else ""}
                where {" and ".join(clauses)}
                order by {order_by(columns)}
                limit :limit offset :offset
            ) page
            join store.findings f on f.finding_id = page.finding_id
            join store.reports r on r.report_id = page.report_id
            order by {order_by(_on_page(columns))}
        """
        rows = await self.session.execute(text(sql), params)
        return [dict(row._mapping) for row in rows]

    async def authority_reports(self, la_codes: list[str]) -> list[dict[str, Any]]:
        """Every report of these authorities, oldest first, with its grades by area."""
        rows = await self.session.execute(
            text(
                f"""select r.report_id, r.report_type, r.title, r.la_code, r.published,
                           r.inspection_start, r.inspection_end, r.finding_count,
                           {REPORT_DATE} as report_date, {_GRADES} as grades
                    from store.reports r where r.la_code = any(:codes)
                    order by {REPORT_DATE}, r.report_id"""
            ),
            {"codes": la_codes},
        )
        return [dict(row._mapping) for row in rows]

    async def latest_graded_reports(self, la_codes: list[str]) -> list[dict[str, Any]]:
        """Each authority's most recent report that carries grades."""
        rows = await self.session.execute(
            text(
                f"""select distinct on (r.la_code) r.la_code, r.report_id, r.report_type,
                           {REPORT_DATE} as report_date, {_GRADES} as grades
                    from store.reports r
                    where r.la_code = any(:codes)
                      and exists (select 1 from store.judgements j
                                  where j.report_id = r.report_id)
                    order by r.la_code, {REPORT_DATE} desc, r.report_id"""
            ),
            {"codes": la_codes},
        )
        return [dict(row._mapping) for row in rows]

    async def latest_grades(self) -> list[dict[str, Any]]:
        """Every authority's latest grade for every judgement area it was ever graded on."""
        rows = await self.session.execute(
            text(
                f"""select distinct on (r.la_code, j.area) r.la_code, r.la_name, j.area,
                           j.grade, r.report_id, r.report_type, {REPORT_DATE} as report_date
                    from store.judgements j join store.reports r using (report_id)
                    where r.la_code is not null
                    order by r.la_code, j.area, {REPORT_DATE} desc, r.report_id"""
            )
        )
        return [dict(row._mapping) for row in rows]

    async def stored_after(
        self, after: tuple[datetime, str] | None, where: ReportFilter, limit: int
    ) -> list[dict[str, Any]]:
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
                f"""select {_REPORT_COLUMNS} from store.reports r
                    where {" and ".join(clauses)}
                    order by r.stored_at, r.report_id limit :limit"""
            ),
            params,
        )
        return [dict(row._mapping) for row in rows]

    async def last_stored(self) -> tuple[datetime, str] | None:
        row = (
            await self.session.execute(
                text(
                    """select stored_at, report_id from store.reports
                       order by stored_at desc, report_id desc limit 1"""
                )
            )
        ).first()
        return (row[0], row[1]) if row else None


def _on_page(columns: list[SortColumn]) -> list[SortColumn]:
    """The same order, over the columns the page query selected."""
    return [SortColumn(f"page.{c.field}", c.sql_type, c.direction, c.field) for c in columns]


_GRADES = """coalesce((select jsonb_object_agg(j.area, j.grade) from store.judgements j
                      where j.report_id = r.report_id), '{}'::jsonb)"""

_FILE_STATUS = """
    select o.name, o.object_uri, o.size, o.sha256 as report_id,
           case when o.status = 'rejected' then 'rejected' else coalesce(r.status, 'pending') end
               as status,
           coalesce(o.reason, r.reason) as reason, o.seen_at, r.announced_at,
           coalesce(r.announce_count, 0) as announce_count, r.finished_at, s.finding_count,
           s.needs_review
    from ingest.objects o
    left join ingest.reports r on r.report_id = o.sha256 and o.status = 'accepted'
    left join store.reports s on s.report_id = o.sha256
"""


def _fields(value: ReportFilter | FindingFilter) -> dict[str, Any]:
    return asdict(value)
