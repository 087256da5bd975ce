"""Reports, judgements, findings and failures in PostgreSQL (schema `store`).

Every SQL statement of store is here. Methods flush, never commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from pydantic import TypeAdapter
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    bindparam,
    delete,
    func,
    or_,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, insert
from sqlalchemy.ext.asyncio import AsyncSession

from findings_shared.database import NAMING_CONVENTION
from findings_shared.events import Finding, ReportFailed, ReportParsed, ReportReplaced

metadata = MetaData(schema="store", naming_convention=NAMING_CONVENTION)

reports = Table(
    "reports",
    metadata,
    Column("report_id", String(64), primary_key=True),
    Column("parser_version", Text, nullable=False),
    Column("report_type", Text, nullable=False),
    Column("title", Text),
    Column("la_name", Text),
    Column("ofsted_urn", Text),
    Column("la_code", String(3)),
    Column("ons_code", String(9)),
    Column("inspection_start", Date),
    Column("inspection_end", Date),
    Column("published", Date),
    Column("lead_inspector", Text),
    Column("object_uri", Text, nullable=False),
    Column("coverage", Float, nullable=False),
    Column("warnings", JSONB, nullable=False),
    Column("needs_review", Boolean, nullable=False),
    Column("finding_count", Integer, nullable=False),
    Column("stored_at", DateTime(timezone=True), nullable=False),
    Column("next_inspection", JSONB),
    # Another file of the same inspection, stored first (a PDF and its text export): this
    # report is its copy, which the read model leaves out. None: the inspection's report.
    Column("same_as", String(64)),
    # The W3C traceparent of the span that stored it, where traces are on.
    Column("trace_parent", String(55)),
    # The version of `changes` of the transaction that last wrote or promoted it.
    Column("changed_in", BigInteger, nullable=False, server_default="0"),
    # ... and of the one that first stored it (null until that transaction's `changed`).
    Column("created_in", BigInteger),
)
judgements = Table(
    "judgements",
    metadata,
    Column("report_id", String(64), primary_key=True),
    Column("area", Text, primary_key=True),
    Column("label", Text, nullable=False),
    Column("grade", Text, nullable=False),
)
findings = Table(
    "findings",
    metadata,
    Column("finding_id", String(32), primary_key=True),
    Column("report_id", String(64), nullable=False),
    Column("ordinal", Integer, nullable=False),
    Column("category", Text, nullable=False),
    Column("section", Text, nullable=False),
    Column("judgement_area", Text),
    Column("paragraph", Integer),
    Column("text", Text, nullable=False),
    Column("theme_slugs", ARRAY(Text), nullable=False),
    Column("themes", JSONB, nullable=False),
    Column("tone", Text),
    Column("sentence_tones", JSONB, nullable=False),
)
# What searches read of each finding (store migrations 0019, 0020): its `tsvector`, its
# report's authority (the partition key) and the columns a search filters and counts by, in
# a narrow table of its own; written with `findings`, after their report.
# No primary key since 0020 (a partitioned table's keys must hold its partition key, which
# may be null); the findings' own key keeps its rows unique. Core deletes them by report.
finding_search = Table(
    "finding_search",
    metadata,
    Column("report_id", String(64), nullable=False),
    Column("ordinal", Integer, nullable=False),
)
failures = Table(
    "failures",
    metadata,
    Column("event_id", String(32), primary_key=True),
    Column("report_id", String(64), nullable=False),
    Column("object_uri", Text, nullable=False),
    Column("stage", Text, nullable=False),
    Column("error_type", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
)
replaced = Table(
    "replaced",
    metadata,
    Column("report_id", String(64), primary_key=True),
    Column("object_uri", Text, nullable=False),
    Column("replaced_by", String(64)),
    Column("replaced_at", DateTime(timezone=True), nullable=False),
)


changes = Table(
    "changes",
    metadata,
    Column("only_row", Boolean, primary_key=True),
    Column("version", BigInteger, nullable=False),
)


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".") if part.isdigit())


class StoredReport(NamedTuple):
    parser_version: str
    finding_count: int


class ReportWrite(NamedTuple):
    """A report to write, the file it was parsed from and the trace span that stores it."""

    report: ReportParsed
    object_uri: str
    trace_parent: str | None = None


InspectionKey = tuple[str, str, date, date]


def inspection_key(report: ReportParsed) -> InspectionKey | None:
    """What makes two files one inspection: authority, family and days on site."""
    authority = report.local_authority
    if not (authority and authority.la_code and report.inspection_start and report.inspection_end):
        return None
    return (
        authority.la_code,
        report.report_type.value,
        report.inspection_start,
        report.inspection_end,
    )


def report_row(write: ReportWrite, at: datetime) -> dict[str, Any]:
    report = write.report
    authority = report.local_authority
    return {
        "report_id": report.report_id,
        "parser_version": report.parser_version,
        "report_type": report.report_type.value,
        "title": report.title,
        "la_name": authority.name if authority else None,
        "ofsted_urn": authority.ofsted_urn if authority else None,
        "la_code": authority.la_code if authority else None,
        "ons_code": authority.ons_code if authority else None,
        "inspection_start": report.inspection_start,
        "inspection_end": report.inspection_end,
        "published": report.published,
        "lead_inspector": report.lead_inspector,
        "object_uri": write.object_uri,
        "coverage": report.quality.coverage,
        "warnings": report.quality.warnings,
        "needs_review": report.quality.needs_review,
        "finding_count": len(report.findings),
        "stored_at": at,
        "next_inspection": report.next_inspection.model_dump(mode="json")
        if report.next_inspection
        else None,
        "trace_parent": write.trace_parent,
    }


# Each report's findings go to PostgreSQL as the JSON pydantic writes of them in one call,
# and PostgreSQL makes the rows: no Python row, no JSON per tag, one statement per batch.
FINDINGS_JSON = TypeAdapter(list[Finding])
INSERT_FINDINGS = text(
    """with found as (
           select f.finding_id, r.report_id, f.ordinal, f.category, f.section,
                  f.judgement_area, f.paragraph, f.text,
                  array(select tag ->> 'theme' from jsonb_array_elements(f.themes)
                        with ordinality as tags(tag, n) order by n) as theme_slugs,
                  f.themes, f.tone, f.sentence_tones
           from unnest(:report_ids, cast(:findings as jsonb[])) as r(report_id, findings),
                jsonb_to_recordset(r.findings) as f(finding_id text, ordinal integer,
                                                    category text, section text,
                                                    judgement_area text, paragraph integer,
                                                    text text, themes jsonb, tone text,
                                                    sentence_tones jsonb)),
       written as (
           insert into store.findings (finding_id, report_id, ordinal, category, section,
                                       judgement_area, paragraph, text, theme_slugs, themes,
                                       tone, sentence_tones)
           select finding_id, report_id, ordinal, category, section, judgement_area,
                  paragraph, text, theme_slugs, themes, tone, sentence_tones
           from found)
       insert into store.finding_search (report_id, ordinal, la_code, search, category,
                                         tone, judgement_area, theme_slugs)
       select f.report_id, f.ordinal, r.la_code, to_tsvector('english', f.text), f.category,
              f.tone, f.judgement_area, f.theme_slugs
       from found f join store.reports r on r.report_id = f.report_id"""
).bindparams(bindparam("report_ids", type_=ARRAY(Text)), bindparam("findings", type_=ARRAY(Text)))


def _copied(table: Table, *more: str, prefix: str = "") -> str:
    """The columns of `table` (each after `prefix`) and `more` (the search's `tsvector`,
    which the copy of a finding holds as a plain column), named: a copy by position would
    shift with a column added to both tables."""
    return ", ".join([prefix + column.name for column in table.columns] + list(more))


# A withdrawn report the read model served, kept as it was (its last withdrawal only) for
# readers that take it away from their sums; stamped with its change by `changed`.
KEEP_WITHDRAWN = [
    text(statement)
    for statement in (
        """delete from store.withdrawn_reports where report_id = :report_id and exists
           (select from store.reports where report_id = :report_id and same_as is null)""",
        f"""insert into store.withdrawn_reports ({_copied(reports)})
           select {_copied(reports)} from store.reports
           where report_id = :report_id and same_as is null""",
        f"""insert into store.withdrawn_judgements ({_copied(judgements)})
           select {_copied(judgements)} from store.judgements
           where report_id = :report_id and exists (select from store.withdrawn_reports w
           where w.report_id = :report_id and w.withdrawn_in is null)""",
        f"""insert into store.withdrawn_findings ({_copied(findings, "search")})
           select {_copied(findings, "s.search", prefix="f.")} from store.findings f
           join store.finding_search s on s.report_id = f.report_id and s.ordinal = f.ordinal
           where f.report_id = :report_id and exists (select from store.withdrawn_reports w
           where w.report_id = :report_id and w.withdrawn_in is null)""",
    )
]
STAMP_WITHDRAWN = text(
    """update store.withdrawn_reports set withdrawn_in = :version, withdrawn_at = now()
       where withdrawn_in is null"""
)
# Withdrawn reports older than the time they are kept go (their judgements and findings
# with them), and the counter's row says up to which version: a reader that kept sums at
# an older version counts again instead of taking them away.
PURGE_WITHDRAWN = text(
    """with purged as (delete from store.withdrawn_reports
                       where withdrawn_at < now() - make_interval(secs => :kept_s)
                       returning withdrawn_in)
       update store.changes set withdrawals_purged_through
           = greatest(withdrawals_purged_through, (select max(withdrawn_in) from purged))
       where exists (select from purged)"""
)
# How long a withdrawn report is kept for readers' sums (store's setting's default).
WITHDRAWN_KEPT = timedelta(days=30)


class ReportRepository:
    def __init__(self, session: AsyncSession, withdrawn_kept: timedelta = WITHDRAWN_KEPT) -> None:
        self.session = session
        self.withdrawn_kept = withdrawn_kept
        # Reports written or promoted in this transaction, stamped by `changed`.
        self.touched: set[str] = set()
        # Whether this transaction kept a withdrawn report, for `changed` to stamp.
        self.withdrew = False

    async def stored_reports(self, report_ids: Sequence[str]) -> dict[str, StoredReport]:
        """The parser version and finding count stored for each of these reports that is
        stored, locking their rows until commit (in one order, so that two writers of the
        same reports wait for each other rather than deadlock)."""
        result = await self.session.execute(
            select(reports.c.report_id, reports.c.parser_version, reports.c.finding_count)
            .where(reports.c.report_id.in_(report_ids))
            .order_by(reports.c.report_id)
            .with_for_update()
        )
        return {
            row.report_id: StoredReport(row.parser_version, row.finding_count) for row in result
        }

    async def changed(self) -> None:
        """Count a change to what the read model serves: once, last in a transaction that
        stored or withdrew reports (the row is held to the commit, so concurrent writers
        wait for each other only that long, and versions follow the commits' order). Each
        report the transaction wrote or promoted carries the version (`changed_in`), one it
        stored for the first time that version as its first (`created_in`), and one it
        withdrew, kept as it was, as its withdrawal (`withdrawn_in`)."""
        version = (
            await self.session.execute(
                update(changes).values(version=changes.c.version + 1).returning(changes.c.version)
            )
        ).scalar_one()
        if self.touched:
            await self.session.execute(
                update(reports)
                .where(reports.c.report_id.in_(sorted(self.touched)))
                .values(
                    changed_in=version,
                    created_in=func.coalesce(reports.c.created_in, version),
                )
            )
            self.touched.clear()
        if self.withdrew:
            await self.session.execute(STAMP_WITHDRAWN, {"version": version})
            # Purged when another is withdrawn: the kept ones grow only with withdrawals.
            await self.session.execute(
                PURGE_WITHDRAWN, {"kept_s": self.withdrawn_kept.total_seconds()}
            )
            self.withdrew = False

    async def replace_report(
        self, report: ReportParsed, object_uri: str, at: datetime, trace_parent: str | None = None
    ) -> None:
        """Write the report with its judgements and findings, replacing any older version."""
        await self.replace_reports([ReportWrite(report, object_uri, trace_parent)], at)

    async def replace_reports(self, writes: Sequence[ReportWrite], at: datetime) -> None:
        """Write the reports (distinct) with their judgements and findings, replacing any
        older versions: a statement per table for all of them, not one per report."""
        if not writes:
            return
        report_ids = [write.report.report_id for write in writes]
        self.touched.update(report_ids)
        await self.session.execute(delete(findings).where(findings.c.report_id.in_(report_ids)))
        await self.session.execute(
            delete(finding_search).where(finding_search.c.report_id.in_(report_ids))
        )
        await self.session.execute(delete(judgements).where(judgements.c.report_id.in_(report_ids)))
        rows = [report_row(write, at) for write in writes]
        statement = insert(reports).values(rows)
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[reports.c.report_id],
                set_={k: statement.excluded[k] for k in rows[0] if k != "report_id"},
            )
        )
        judgement_rows = [
            {
                "report_id": write.report.report_id,
                "area": judgement.area.value,
                "label": judgement.label,
                "grade": judgement.grade.value,
            }
            for write in writes
            for judgement in write.report.judgements
        ]
        if judgement_rows:
            await self.session.execute(insert(judgements), judgement_rows)
        with_findings = [write.report for write in writes if write.report.findings]
        if with_findings:
            await self.session.execute(
                INSERT_FINDINGS,
                {
                    "report_ids": [report.report_id for report in with_findings],
                    "findings": [
                        FINDINGS_JSON.dump_json(report.findings).decode()
                        for report in with_findings
                    ],
                },
            )
        await self.session.flush()

    async def replaced_times(self, report_ids: Sequence[str]) -> dict[str, datetime]:
        """When each of these reports was withdrawn because its file was replaced, for
        those that were."""
        result = await self.session.execute(
            select(replaced.c.report_id, replaced.c.replaced_at).where(
                replaced.c.report_id.in_(report_ids)
            )
        )
        return {row.report_id: row.replaced_at for row in result}

    async def settle_copies(
        self, written: Sequence[ReportParsed], new: AbstractSet[str] = frozenset()
    ) -> dict[str, str]:
        """One report per inspection: a report of the same authority, family and days on
        site already stored makes a written one its copy. The written reports are settled
        in their order, as if stored one after another (one of them in `new`, stored for
        the first time, is not there yet for those before it). Returns each copy's report.
        """
        keyed = [(report, key) for report in written if (key := inspection_key(report))]
        if not keyed:
            return {}
        written_ids = [report.report_id for report, _ in keyed]
        key_columns = (
            reports.c.la_code,
            reports.c.report_type,
            reports.c.inspection_start,
            reports.c.inspection_end,
        )
        # The inspections' reports that stand for one, and the written ones, locked: an
        # original is not withdrawn while a copy of it is settled (see `withdraw`).
        result = await self.session.execute(
            select(reports.c.report_id, reports.c.same_as, *key_columns)
            .where(
                tuple_(*key_columns).in_([key for _, key in keyed]),
                or_(reports.c.same_as.is_(None), reports.c.report_id.in_(written_ids)),
            )
            .order_by(reports.c.stored_at, reports.c.report_id)
            .with_for_update()
        )
        fetched = result.all()
        rows = [(row.report_id, tuple(row)[2:]) for row in fetched]
        same_as = {row.report_id: row.same_as for row in fetched}
        position = {report_id: index for index, report_id in enumerate(written_ids)}
        settled: dict[str, str | None] = {}
        for index, (report, key) in enumerate(keyed):
            original = next(
                (
                    report_id
                    for report_id, row_key in rows
                    if row_key == key
                    and report_id != report.report_id
                    and same_as[report_id] is None
                    and not (report_id in new and position.get(report_id, -1) > index)
                ),
                None,
            )
            if same_as[report.report_id] != original:
                settled[report.report_id] = original
            same_as[report.report_id] = original
        if settled:
            await self.session.execute(
                update(reports)
                .where(reports.c.report_id == bindparam("copy_id"))
                .values(same_as=bindparam("original_id")),
                [{"copy_id": copy, "original_id": original} for copy, original in settled.items()],
            )
        return {
            report_id: original
            for report_id in written_ids
            if (original := same_as[report_id]) is not None
        }

    async def withdraw(self, notice: ReportReplaced) -> bool:
        """Delete the report (its failures stay, as history) and keep a tombstone with the
        latest replacement time; what the read model served of it is kept as it was
        (`KEEP_WITHDRAWN`). Returns whether a stored report was deleted."""
        report_id = notice.report_id
        for keep in KEEP_WITHDRAWN:
            await self.session.execute(keep, {"report_id": report_id})
        self.withdrew = True
        await self.session.execute(delete(findings).where(findings.c.report_id == report_id))
        await self.session.execute(
            delete(finding_search).where(finding_search.c.report_id == report_id)
        )
        await self.session.execute(delete(judgements).where(judgements.c.report_id == report_id))
        deleted = await self.session.execute(
            delete(reports).where(reports.c.report_id == report_id).returning(reports.c.report_id)
        )
        # Its copies (other files of the same inspection): the first stored stands for it.
        copies = await self.session.execute(
            select(reports.c.report_id)
            .where(reports.c.same_as == report_id)
            .order_by(reports.c.stored_at, reports.c.report_id)
        )
        successor, *rest = [*copies.scalars(), None]
        if successor is not None:
            await self.session.execute(
                update(reports).where(reports.c.report_id == successor).values(same_as=None)
            )
            self.touched.add(successor)
            await self.session.execute(
                update(reports)
                .where(reports.c.report_id.in_([r for r in rest if r]))
                .values(same_as=successor)
            )
        statement = insert(replaced).values(
            report_id=report_id,
            object_uri=notice.object_uri,
            replaced_by=notice.replaced_by,
            replaced_at=notice.replaced_at,
        )
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[replaced.c.report_id],
                set_={
                    "object_uri": statement.excluded.object_uri,
                    "replaced_by": statement.excluded.replaced_by,
                    "replaced_at": func.greatest(replaced.c.replaced_at, notice.replaced_at),
                },
            )
        )
        return deleted.scalar_one_or_none() is not None

    async def revive(self, report_ids: Sequence[str]) -> None:
        """Their content was taken again after its replacement: reports once more."""
        await self.session.execute(delete(replaced).where(replaced.c.report_id.in_(report_ids)))

    async def record_failure(self, failure: ReportFailed) -> None:
        await self.session.execute(
            insert(failures)
            .values(
                event_id=failure.event_id,
                report_id=failure.report_id,
                object_uri=failure.object_uri,
                stage=failure.stage.value,
                error_type=failure.error_type,
                reason=failure.reason,
                attempt=failure.attempt,
                occurred_at=failure.occurred_at,
            )
            .on_conflict_do_nothing(index_elements=[failures.c.event_id])
        )
