"""store's repository on the real PostgreSQL: what it keeps of withdrawn reports, and for
how long."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from findings_parse.core.parser import parse_report
from findings_shared.database import make_engine, make_sessionmaker, migrate
from findings_shared.events import ReportParsed, ReportReplaced, finding_id_of
from findings_shared.settings import DatabaseSettings
from findings_store.migrations_path import MIGRATIONS
from findings_store.repository import ReportRepository
from tests.conftest import REPORTS
from tests.store.test_store_service import rows

pytestmark = pytest.mark.integration

FILES = [
    "letter_wandsworth_2011-07-07.txt",
    "letter_wolverhampton_2010-10-13.txt",
    "focused_visit_camden_2018-06-08.pdf",
]
KEPT = """select w.report_id, (select count(*) from store.withdrawn_finding_read f
                              where f.report_id = w.report_id),
                 (select count(*) from store.withdrawn_judgement_read j
                  where j.report_id = w.report_id)
          from store.withdrawn_report_read w order by w.withdrawn_in"""


async def change(
    database_settings: DatabaseSettings,
    withdrawn_kept: timedelta,
    *,
    store: Sequence[ReportParsed] = (),
    withdraw: ReportParsed | None = None,
) -> None:
    """One transaction of store's, counted, keeping withdrawn reports this long."""
    engine = make_engine(database_settings)
    async with make_sessionmaker(engine).begin() as session:
        repository = ReportRepository(session, withdrawn_kept)
        for report in store:
            await repository.replace_report(report, "file:///r.pdf", datetime.now(UTC))
        if withdraw is not None:
            await repository.withdraw(
                ReportReplaced(
                    report_id=withdraw.report_id,
                    object_uri="file:///r.pdf",
                    replaced_at=datetime.now(UTC),
                )
            )
        await repository.changed()
    await engine.dispose()


async def test_withdrawn_reports_are_kept_for_their_time_then_purged_with_the_version(
    database_settings: DatabaseSettings,
) -> None:
    await migrate(MIGRATIONS, database_settings.url)
    first, second, third = (parse_report((REPORTS / name).read_bytes(), name) for name in FILES)
    month = timedelta(days=30)
    await change(database_settings, month, store=[first, second, third])  # version 1
    await change(database_settings, month, withdraw=first)  # version 2

    def kept(*reports: ReportParsed) -> list[tuple[object, ...]]:
        return [(r.report_id, len(r.findings), len(r.judgements)) for r in reports]

    purged_through = "select withdrawals_purged_through from store.change_read"
    assert await rows(database_settings, KEPT) == kept(first)
    assert await rows(database_settings, purged_through) == [(0,)]

    # Kept for no time: the next withdrawal purges the first (withdrawn in an earlier
    # transaction), not itself, and says the withdrawals up to version 2 are gone.
    await change(database_settings, timedelta(0), withdraw=second)  # version 3
    assert await rows(database_settings, KEPT) == kept(second)
    assert await rows(database_settings, purged_through) == [(2,)]
    orphans = """select (select count(*) from store.withdrawn_findings),
                        (select count(*) from store.withdrawn_judgements)"""
    assert await rows(database_settings, orphans) == [
        (len(second.findings), len(second.judgements))
    ]

    # Within their time they stay, and the version purged through never goes back.
    await change(database_settings, month, withdraw=third)  # version 4
    assert await rows(database_settings, KEPT) == kept(second, third)
    assert await rows(database_settings, purged_through) == [(2,)]


async def test_a_withdrawn_report_is_kept_column_for_column(
    database_settings: DatabaseSettings,
) -> None:
    """The copy holds every column of the live rows, each in its own column (named, not by
    position), and the finding's `tsvector` from the search table."""
    await migrate(MIGRATIONS, database_settings.url)
    name = "inspection_wandsworth_2023-01-13.txt"  # graded, with findings
    report = parse_report((REPORTS / name).read_bytes(), name)
    await change(database_settings, timedelta(days=30), store=[report])
    order = {"reports": "report_id", "judgements": "area", "findings": "ordinal"}

    async def as_json(table: str) -> list[dict[str, object]]:
        by = order[table.removeprefix("withdrawn_")]
        row = "to_jsonb(t)"
        if table == "findings":  # a live finding's words for search are beside it
            row += """ || (select jsonb_build_object('search', s.search)
                          from store.finding_search s
                          where s.report_id = t.report_id and s.ordinal = t.ordinal)"""
        found = await rows(
            database_settings,
            f"""select {row} - 'withdrawn_in' - 'withdrawn_at' from store.{table} t
                where report_id = '{report.report_id}' order by {by}""",
        )
        return [row for (row,) in found]  # type: ignore[misc]

    live = {table: await as_json(table) for table in order}
    assert all(live.values())
    await change(database_settings, timedelta(days=30), withdraw=report)
    for table in order:
        assert await as_json(f"withdrawn_{table}") == live[table], table
    # Not vacuous: the copy of a finding holds its words for search.
    assert all(finding["search"] for finding in live["findings"])


async def test_the_search_table_holds_each_stored_finding_once(
    database_settings: DatabaseSettings,
) -> None:
    """Store writes a finding's search row with it and deletes it with it: stored, stored
    again (a redelivery replaces the rows) and withdrawn, the search table's keys are the
    findings' keys, its `tsvector` is `to_tsvector('english', text)`, as the findings'
    generated column made it before store migration 0019, and its authority (the
    partition key, migration 0020) is its report's."""
    await migrate(MIGRATIONS, database_settings.url)
    first, second, _ = (parse_report((REPORTS / name).read_bytes(), name) for name in FILES)
    keys = "select report_id, ordinal from store.{} order by 1, 2"
    made = """select count(*) from store.findings f join store.finding_search s
              using (report_id, ordinal) join store.reports r using (report_id)
              where s.search = to_tsvector('english', f.text)
                and s.la_code is not distinct from r.la_code
                and (s.category, s.tone, s.judgement_area, s.theme_slugs)
                    is not distinct from (f.category, f.tone, f.judgement_area, f.theme_slugs)"""
    expected = [(first.report_id, f.ordinal) for f in first.findings] + [
        (second.report_id, f.ordinal) for f in second.findings
    ]
    assert first.findings, "a report with findings"
    assert second.findings, "a report with findings"
    for store in ([first, second], [first]):
        await change(database_settings, timedelta(days=30), store=store)
        assert await rows(database_settings, keys.format("finding_search")) == sorted(expected)
        assert await rows(database_settings, keys.format("findings")) == sorted(expected)
        assert await rows(database_settings, made) == [(len(expected),)]
    await change(database_settings, timedelta(days=30), withdraw=first)
    left = sorted((second.report_id, f.ordinal) for f in second.findings)
    assert await rows(database_settings, keys.format("finding_search")) == left


async def test_a_report_of_no_known_authority_is_searchable(
    database_settings: DatabaseSettings,
) -> None:
    """The search table's partitions are by authority (store migration 0020); a report
    whose authority the parser did not find has search rows all the same, with none."""
    await migrate(MIGRATIONS, database_settings.url)
    name = FILES[0]
    report = parse_report((REPORTS / name).read_bytes(), name)
    assert report.local_authority is not None, "a report whose authority is known, to drop"
    assert report.findings, "a report with findings"
    unknown = report.model_copy(update={"local_authority": None})
    await change(database_settings, timedelta(days=30), store=[unknown])
    assert await rows(
        database_settings,
        f"""select count(*), count(la_code) from store.finding_search
            where report_id = '{report.report_id}'""",
    ) == [(len(report.findings), 0)]


async def test_the_search_index_keeps_its_pending_list_small(
    database_settings: DatabaseSettings,
) -> None:
    """GIN puts new rows in a pending list that every search reads in full until it is
    merged into the index; store migration 0021 caps each partition's at 256 kB (the
    default, 4 MB, held 34 MB over the 16 partitions after 20,000 reports). Copies of one
    authority's report, each in its own transaction, put more than twice the cap through
    one partition's list (about six pages of 8 kB a report without the migration), and it never
    holds more than the cap."""
    await migrate(MIGRATIONS, database_settings.url)
    name = "inspection_telford-wrekin_2024-07-12.pdf"
    report = parse_report((REPORTS / name).read_bytes(), name)
    assert report.local_authority is not None, "one authority: one partition"
    engine = make_engine(database_settings)
    async with engine.begin() as connection:
        await connection.execute(text("create extension if not exists pageinspect"))
    await engine.dispose()
    partition_index = """(select x.indexrelid::regclass::text from pg_index x
        join pg_inherits i on i.inhrelid = x.indexrelid
        where i.inhparent = 'store.ix_finding_search_search'::regclass
          and x.indrelid = (select tableoid from store.finding_search
                            where report_id = '{}' limit 1))"""
    pending: list[int] = []
    for copy in range(12):
        report_id = hashlib.sha256(f"{report.report_id}:{copy}".encode()).hexdigest()
        findings = [
            f.model_copy(update={"finding_id": finding_id_of(report_id, f.ordinal, f.text)})
            for f in report.findings
        ]
        copied = report.model_copy(update={"report_id": report_id, "findings": findings})
        await change(database_settings, timedelta(days=30), store=[copied])
        [(pages,)] = await rows(
            database_settings,
            f"""select n_pending_pages from gin_metapage_info(
                    get_raw_page({partition_index.format(report_id)}, 0))""",
        )
        assert isinstance(pages, int)
        pending.append(pages)
    assert await rows(
        database_settings, "select count(distinct tableoid) from store.finding_search"
    ) == [(1,)]
    # The list grew with each report and was merged into the index when it passed its cap
    # (under the default it would only have grown: 12 reports are far under 4 MB).
    assert any(later < earlier for earlier, later in itertools.pairwise(pending)), pending
    assert max(pending) * 8 <= 256, f"pending lists of {pending} pages of 8 kB"
