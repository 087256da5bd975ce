"""The ingest ledger in PostgreSQL (schema `ingest`). Every SQL statement of ingest is here.

Methods flush, never commit: the caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Integer,
    Interval,
    MetaData,
    String,
    Table,
    Text,
    bindparam,
    false,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.sql.elements import ColumnElement

# The core's records, re-exported: the tests (the API's too) import them from here.
from findings_ingest.core.ledger import Ledger
from findings_ingest.core.ledger import Outcome as Outcome
from findings_ingest.core.ledger import PendingReport as PendingReport
from findings_ingest.core.ledger import Replacement as Replacement
from findings_ingest.core.ledger import SeenObject as SeenObject
from findings_shared.database import NAMING_CONVENTION

metadata = MetaData(schema="ingest", naming_convention=NAMING_CONVENTION)

objects = Table(
    "objects",
    metadata,
    Column("object_uri", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("mtime_ns", BigInteger, nullable=False),
    Column("version", Text, nullable=False),
    Column("sha256", String(64)),
    Column("content_type", Text),
    Column("status", String(16), nullable=False),
    Column("reason", Text),
    Column("seen_at", DateTime(timezone=True), nullable=False),
)

reports = Table(
    "reports",
    metadata,
    Column("report_id", String(64), primary_key=True),
    Column("object_uri", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("content_type", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("reason", Text),
    Column("announce_count", Integer, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("announced_at", DateTime(timezone=True)),
    Column("finished_at", DateTime(timezone=True)),
    # Set when the report's file came to hold other content (status replacing/replaced).
    Column("replaced_by", String(64)),
    Column("replaced_at", DateTime(timezone=True)),
)

# A report withdrawn because its file changed: `replacing` until the notice is out.
WITHDRAWN = ("replacing", "replaced")

listing_checkpoints = Table(
    "listing_checkpoints",
    metadata,
    Column("bucket", Text, primary_key=True),
    Column("start_after", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)


def _overdue(now: datetime, first_wait: timedelta) -> ColumnElement[bool]:
    """announced_at + first_wait * 2^(announce_count - 1) is past (the doubling capped)."""
    doublings = func.least(func.greatest(reports.c.announce_count - 1, 0), 10)
    seconds = literal(first_wait.total_seconds()) * func.power(2, doublings)
    wait = func.make_interval(0, 0, 0, 0, 0, 0, seconds, type_=Interval)
    return reports.c.announced_at < literal(now, DateTime(timezone=True)) - wait


class LedgerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def known_versions(self) -> dict[str, str]:
        """The version of every object already recorded, by URI."""
        rows = await self.session.execute(select(objects.c.object_uri, objects.c.version))
        return {uri: version for uri, version in rows}

    async def listing_checkpoint(self, bucket: str) -> str:
        """The key after which the listing of `bucket` resumes ('' for the beginning)."""
        result = await self.session.execute(
            select(listing_checkpoints.c.start_after).where(listing_checkpoints.c.bucket == bucket)
        )
        return result.scalar_one_or_none() or ""

    async def save_listing_checkpoint(self, bucket: str, start_after: str, at: datetime) -> None:
        statement = insert(listing_checkpoints).values(
            bucket=bucket, start_after=start_after, updated_at=at
        )
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[listing_checkpoints.c.bucket],
                set_={"start_after": start_after, "updated_at": at},
            )
        )

    async def record_objects(self, seen: Sequence[SeenObject]) -> None:
        """Record the objects (distinct URIs) as seen now: one statement for all."""
        if not seen:
            return
        rows = [
            {
                "object_uri": item.object_uri,
                "name": item.name,
                "size": item.size,
                "mtime_ns": item.mtime_ns,
                "version": item.version,
                "sha256": item.sha256,
                "content_type": item.content_type,
                "status": "rejected" if item.rejection else "accepted",
                "reason": item.rejection,
                "seen_at": item.seen_at,
            }
            for item in seen
        ]
        statement = insert(objects).values(rows)
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[objects.c.object_uri],
                set_={k: statement.excluded[k] for k in rows[0] if k != "object_uri"},
            )
        )

    async def accepted_contents(self, object_uris: Sequence[str]) -> dict[str, str]:
        """The report each object at these URIs holds now (those that hold one), before
        they are recorded again."""
        result = await self.session.execute(
            select(objects.c.object_uri, objects.c.sha256).where(
                objects.c.object_uri.in_(object_uris), objects.c.status == "accepted"
            )
        )
        return {row.object_uri: row.sha256 for row in result if row.sha256 is not None}

    async def withdraw_if_orphaned(self, replacement: Replacement) -> bool:
        """Withdraw the report unless another object still holds its bytes; if one does and
        the report was read from this URI, it is read from that object from now on.
        Call after the changed object is recorded. Returns whether it was withdrawn."""
        report_id = replacement.report_id
        other = await self.session.execute(
            select(objects.c.object_uri, objects.c.name)
            .where(objects.c.sha256 == report_id, objects.c.status == "accepted")
            .order_by(objects.c.object_uri)
            .limit(1)
        )
        holder = other.first()
        if holder is not None:
            await self.session.execute(
                update(reports)
                .where(
                    reports.c.report_id == report_id,
                    reports.c.object_uri == replacement.object_uri,
                )
                .values(object_uri=holder.object_uri, name=holder.name)
            )
            return False
        result = await self.session.execute(
            update(reports)
            .where(reports.c.report_id == report_id, reports.c.status.not_in(WITHDRAWN))
            .values(
                status="replacing",
                replaced_by=replacement.replaced_by,
                replaced_at=replacement.replaced_at,
                finished_at=replacement.replaced_at,
                reason="its file now holds other content"
                if replacement.replaced_by
                else "its file now holds something that is not a report",
            )
            .returning(reports.c.report_id)
        )
        return result.scalar_one_or_none() is not None

    async def replacements_to_publish(self) -> list[Replacement]:
        rows = await self.session.execute(
            select(
                reports.c.report_id,
                reports.c.object_uri,
                reports.c.replaced_by,
                reports.c.replaced_at,
            ).where(reports.c.status == "replacing")
        )
        return [Replacement(*row) for row in rows]

    async def mark_replaced(self, report_id: str) -> None:
        await self.session.execute(
            update(reports)
            .where(reports.c.report_id == report_id, reports.c.status == "replacing")
            .values(status="replaced")
        )

    async def add_reports(self, seen: Sequence[SeenObject]) -> set[str]:
        """Record a new report for each of these contents (accepted objects) not known
        already, in one statement; returns the ones recorded. Bytes whose report was
        withdrawn (its file replaced) are a new report again; the same bytes in two of the
        objects are one report, received with the first."""
        first: dict[str, SeenObject] = {}
        for item in seen:
            assert item.sha256 is not None
            first.setdefault(item.sha256, item)
        if not first:
            return set()
        rows = []
        for report_id, item in first.items():
            assert item.content_type is not None
            rows.append(
                {
                    "report_id": report_id,
                    "object_uri": item.object_uri,
                    "name": item.name,
                    "size": item.size,
                    "content_type": item.content_type,
                    "status": "pending",
                    "reason": None,
                    "announce_count": 0,
                    "received_at": item.seen_at,
                    "announced_at": None,
                    "finished_at": None,
                    "replaced_by": None,
                    "replaced_at": None,
                }
            )
        statement = insert(reports).values(rows)
        result = await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[reports.c.report_id],
                set_={k: statement.excluded[k] for k in rows[0] if k != "report_id"},
                where=reports.c.status.in_(WITHDRAWN),
            ).returning(reports.c.report_id)
        )
        return set(result.scalars())

    async def mark_stuck(self, now: datetime, first_wait: timedelta, max_announcements: int) -> int:
        """Reports announced `max_announcements` times with no outcome, and overdue once
        more: `stuck`, with the reason. Returns how many."""
        result = await self.session.execute(
            update(reports)
            .where(
                reports.c.status == "announced",
                reports.c.announce_count >= max_announcements,
                _overdue(now, first_wait),
            )
            .values(
                status="stuck",
                finished_at=now,
                reason=f"announced {max_announcements} times without being stored or failed",
            )
            .returning(reports.c.report_id)
        )
        return len(result.all())

    async def reports_to_announce(
        self, now: datetime, first_wait: timedelta | None
    ) -> list[PendingReport]:
        """Reports never announced, and announced ones overdue for an outcome: `first_wait`
        after the first announcement, doubled after each further one (None: none are)."""
        overdue = (
            (reports.c.status == "announced") & _overdue(now, first_wait)
            if first_wait is not None
            else false()
        )
        rows = await self.session.execute(
            select(
                reports.c.report_id,
                reports.c.object_uri,
                reports.c.name,
                reports.c.size,
                reports.c.content_type,
                reports.c.received_at,
                reports.c.announce_count,
            )
            .where(or_(reports.c.status == "pending", overdue))
            .order_by(reports.c.received_at)
        )
        return [PendingReport(*row) for row in rows]

    async def requeue_announced(self) -> int:
        """Every announced report back to `pending` (its announcement was lost with the
        broker): announced again by the next reconcile, whatever its wait. The lost
        announcement does not count: broker losses neither lengthen a report's wait nor make
        it `stuck`. Returns how many."""
        result = await self.session.execute(
            update(reports)
            .where(reports.c.status == "announced")
            .values(
                status="pending",
                announce_count=func.greatest(reports.c.announce_count - 1, 0),
            )
            .returning(reports.c.report_id)
        )
        return len(result.all())

    async def mark_announced(self, report_ids: list[str], at: datetime) -> None:
        await self.session.execute(
            update(reports)
            .where(
                reports.c.report_id.in_(report_ids),
                reports.c.status.in_(["pending", "announced"]),
            )
            .values(
                status="announced", announced_at=at, announce_count=reports.c.announce_count + 1
            )
        )

    async def mark_finished(self, outcomes: Sequence[Outcome], at: datetime) -> None:
        if not outcomes:
            return
        # One statement executed for every outcome, in order (asyncpg's executemany).
        await self.session.execute(
            update(reports)
            .where(
                reports.c.report_id == bindparam("finished_id"),
                # Not `not_in`: an expanding list cannot be executed many times.
                *(reports.c.status != status for status in WITHDRAWN),
            )
            .values(
                status=bindparam("finished_status"),
                reason=bindparam("finished_reason"),
                finished_at=at,
            ),
            [
                {
                    "finished_id": outcome.report_id,
                    "finished_status": outcome.status,
                    "finished_reason": outcome.reason,
                }
                for outcome in outcomes
            ],
        )


class SqlLedger:
    """The core's LedgerAccess: one session per block, the transaction committed by
    `begin()` as the block ends (repositories only flush)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[Ledger]:
        async with self.sessions.begin() as session:
            yield LedgerRepository(session)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Ledger]:
        async with self.sessions() as session:
            yield LedgerRepository(session)
