"""ingest's ledger in PostgreSQL (adapters/repository.py): what one transaction records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from findings_ingest.adapters.repository import LedgerRepository, Outcome
from findings_ingest.migrations_path import MIGRATIONS
from findings_shared.database import make_engine, make_sessionmaker, migrate
from findings_shared.events import report_id_of
from findings_shared.settings import DatabaseSettings
from tests.conftest import seen_in_inbox

pytestmark = pytest.mark.integration


async def test_a_batch_of_outcomes_applies_in_order_and_spares_withdrawn_reports(
    database_settings: DatabaseSettings,
) -> None:
    await migrate(MIGRATIONS, database_settings.url)
    engine = make_engine(database_settings)
    sessions = make_sessionmaker(engine)
    announced_at = datetime.now(UTC)
    contents = [b"%PDF-1.7 first", b"%PDF-1.7 second", b"%PDF-1.7 third"]
    first, second, withdrawn = (report_id_of(content) for content in contents)
    async with sessions.begin() as session:
        ledger = LedgerRepository(session)
        objects = [
            seen_in_inbox(f"{index}.pdf", c, at=announced_at) for index, c in enumerate(contents)
        ]
        await ledger.record_objects(objects)
        assert await ledger.add_reports(objects) == {first, second, withdrawn}
        await ledger.mark_announced([first, second, withdrawn], announced_at)
        # Its file was replaced while it was being parsed: its outcome no longer counts.
        await session.execute(
            text("update ingest.reports set status = 'replacing' where report_id = :id"),
            {"id": withdrawn},
        )

    finished_at = announced_at + timedelta(seconds=5)
    async with sessions.begin() as session:
        await LedgerRepository(session).mark_finished(
            [
                Outcome(first, "failed", "the parse timed out"),
                Outcome(second, "stored"),
                Outcome(withdrawn, "stored"),
                Outcome(first, "stored"),  # a later attempt of the same report
            ],
            finished_at,
        )
    async with sessions() as session:
        rows = await session.execute(
            text("select report_id, status, reason, finished_at from ingest.reports")
        )
        ledger_rows = {row.report_id: (row.status, row.reason, row.finished_at) for row in rows}
    await engine.dispose()
    assert ledger_rows == {
        first: ("stored", None, finished_at),
        second: ("stored", None, finished_at),
        withdrawn: ("replacing", None, None),
    }
