"""Reports, judgements, findings and failures in PostgreSQL (schema `store`).

Every SQL statement of store is here. Methods flush, never commit.
"""

from __future__ import annotations

from datetime import datetime

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
    delete,
    func,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, insert
from sqlalchemy.ext.asyncio import AsyncSession

from findings_shared.database import NAMING_CONVENTION
from findings_shared.events import ReportFailed, ReportParsed, ReportReplaced

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


class ReportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        # Reports written or promoted in this transaction, stamped by `changed`.
        self.touched: set[str] = set()

    async def stored_version(self, report_id: str) -> str | None:
        """The parser version stored for a report, locking its row until commit."""
        result = await self.session.execute(
            select(reports.c.parser_version)
            .where(reports.c.report_id == report_id)
            .with_for_update()
        )
        return result.scalar_one_or_none()

    async def changed(self) -> None:
        """Count a change to what the read model serves: once, last in a transaction that
        stored or withdrew reports (the row is held to the commit, so concurrent writers
        wait for each other only that long, and versions follow the commits' order). Each
        report the transaction wrote or promoted carries the version (`changed_in`), and one
        it stored for the first time that version as its first (`created_in`)."""
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

    async def replace_report(
        self, report: ReportParsed, object_uri: str, at: datetime, trace_parent: str | None = None
    ) -> None:
        """Write the report with its judgements and findings, replacing any older version."""
        self.touched.add(report.report_id)
        await self.session.execute(delete(findings).where(findings.c.report_id == report.report_id))
        await self.session.execute(
            delete(judgements).where(judgements.c.report_id == report.report_id)
        )
        authority = report.local_authority
        values = {
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
            "object_uri": object_uri,
            "coverage": report.quality.coverage,
            "warnings": report.quality.warnings,
            "needs_review": report.quality.needs_review,
            "finding_count": len(report.findings),
            "stored_at": at,
            "next_inspection": report.next_inspection.model_dump(mode="json")
            if report.next_inspection
            else None,
            "trace_parent": trace_parent,
        }
        statement = insert(reports).values(values)
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[reports.c.report_id],
                set_={k: statement.excluded[k] for k in values if k != "report_id"},
            )
        )
        if report.judgements:
            await self.session.execute(
                insert(judgements),
                [
                    {
                        "report_id": report.report_id,
                        "area": j.area.value,
                        "label": j.label,
                        "grade": j.grade.value,
                    }
                    for j in report.judgements
                ],
            )
        if report.findings:
            # One dump of every finding's tags (a dump per tag was most of store's cost).
            tagged = report.model_dump(
                mode="json", include={"findings": {"__all__": {"themes", "sentence_tones"}}}
            )["findings"]
            await self.session.execute(
                insert(findings),
                [
                    {
                        "finding_id": f.finding_id,
                        "report_id": report.report_id,
                        "ordinal": f.ordinal,
                        "category": f.category.value,
                        "section": f.section,
                        "judgement_area": f.judgement_area.value if f.judgement_area else None,
                        "paragraph": f.paragraph,
                        "text": f.text,
                        "theme_slugs": [tag.theme.value for tag in f.themes],
                        "themes": tags["themes"],
                        "tone": f.tone.value if f.tone else None,
                        "sentence_tones": tags["sentence_tones"],
                    }
                    for f, tags in zip(report.findings, tagged, strict=True)
                ],
            )
        await self.session.flush()

    async def replaced_at(self, report_id: str) -> datetime | None:
        """When the report was withdrawn because its file was replaced, if it was."""
        result = await self.session.execute(
            select(replaced.c.replaced_at).where(replaced.c.report_id == report_id)
        )
        return result.scalar_one_or_none()

    async def settle_copies(self, report: ReportParsed) -> str | None:
        """One report per inspection: a report of the same authority, family and days on
        site already stored makes this one its copy. Returns the report it copies."""
        authority = report.local_authority
        if not (
            authority and authority.la_code and report.inspection_start and report.inspection_end
        ):
            return None
        first = await self.session.execute(
            select(reports.c.report_id)
            .where(
                reports.c.la_code == authority.la_code,
                reports.c.report_type == report.report_type.value,
                reports.c.inspection_start == report.inspection_start,
                reports.c.inspection_end == report.inspection_end,
                reports.c.same_as.is_(None),
                reports.c.report_id != report.report_id,
            )
            .order_by(reports.c.stored_at, reports.c.report_id)
            .limit(1)
            .with_for_update()
        )
        original = first.scalar_one_or_none()
        await self.session.execute(
            update(reports).where(reports.c.report_id == report.report_id).values(same_as=original)
        )
        return original

    async def withdraw(self, notice: ReportReplaced) -> bool:
        """Delete the report (its failures stay, as history) and keep a tombstone with the
        latest replacement time. Returns whether a stored report was deleted."""
        report_id = notice.report_id
        await self.session.execute(delete(findings).where(findings.c.report_id == report_id))
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

    async def revive(self, report_id: str) -> None:
        """The content was taken again after its replacement: a report once more."""
        await self.session.execute(delete(replaced).where(replaced.c.report_id == report_id))

    async def finding_count(self, report_id: str) -> int:
        result = await self.session.execute(
            select(reports.c.finding_count).where(reports.c.report_id == report_id)
        )
        return int(result.scalar_one())

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
