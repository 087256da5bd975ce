"""The fixture corpus as the real pipeline stores it, for the tests that read the store.

Once per test session, ingest, parse and store run as processes (on the session's broker
and PostgreSQL) over every fixture report, into a database of their own. A test then gets
a copy of that database (PostgreSQL's template copy) holding only the reports it names, so
the API is tested on what the pipeline wrote, not on rows a test put there itself.
"""

from __future__ import annotations

import asyncio
import hashlib
import shutil
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from findings_cli.embedded import EmbeddedKafka, EmbeddedPostgres, free_port
from findings_cli.stack import CONSUMERS, ServiceProcess, service_env
from findings_shared.events import ReportParsed
from findings_shared.settings import DatabaseSettings
from tests.golden import parsed_fixture

REPORTS = Path(__file__).parent / "fixtures" / "reports"
PIPELINE_TIMEOUT_S = 240


@dataclass(frozen=True)
class PipelineCorpus:
    """A database the pipeline filled with every fixture report, used as a template."""

    postgres: EmbeddedPostgres
    template: str

    async def store_reports(
        self, database_settings: DatabaseSettings, names: list[str]
    ) -> dict[str, ReportParsed]:
        """Make the test's database a copy of the pipeline's, less the reports not named.

        Returns each named report as parsed in this process: what the stored rows should
        say (the pipeline wrote them; the test compares).
        """
        parsed = {name: parsed_fixture(name) for name in names}
        keep = [report.report_id for report in parsed.values()]
        database = database_settings.url.rsplit("/", 1)[1]
        admin = await self.connect("postgres")
        try:
            await admin.execute(f'drop database if exists "{database}" with (force)')
            await admin.execute(f'create database "{database}" template "{self.template}"')
        finally:
            await admin.close()
        connection = await self.connect(database)
        try:
            async with connection.transaction():
                await connection.execute(
                    "delete from store.reports where report_id <> all($1::text[])", keep
                )
                # A kept copy whose inspection's report was not kept stands for it now, as
                # store does when it withdraws a report (one of the same inspection's files
                # was stored first in the pipeline's run).
                await connection.execute(
                    """update store.reports r set same_as = null
                       where same_as is not null
                         and not exists (select 1 from store.reports o
                                         where o.report_id = r.same_as)"""
                )
                await connection.execute(
                    "delete from ingest.objects where sha256 <> all($1::text[])", keep
                )
                await connection.execute(
                    "delete from ingest.reports where report_id <> all($1::text[])", keep
                )
            await connection.execute("analyze")
        finally:
            await connection.close()
        return parsed

    async def connect(self, database: str) -> asyncpg.Connection:
        return await asyncpg.connect(
            host="127.0.0.1", port=self.postgres.port, user="postgres", database=database
        )


async def fill_by_pipeline(kafka: EmbeddedKafka, postgres: EmbeddedPostgres) -> PipelineCorpus:
    """Run ingest, parse and store over every fixture report until each is stored."""
    template = f"corpus_{uuid.uuid4().hex[:12]}"
    corpus = PipelineCorpus(postgres, template)
    admin = await corpus.connect("postgres")
    await admin.execute(f'create database "{template}"')
    await admin.close()
    files = sorted(p for p in REPORTS.iterdir() if p.suffix in {".pdf", ".txt"})
    expected = {hashlib.sha256(p.read_bytes()).hexdigest() for p in files}
    inbox = Path(tempfile.mkdtemp(prefix="findings-corpus-"))
    for path in files:
        shutil.copyfile(path, inbox / path.name)
    env = service_env(
        bootstrap=kafka.bootstrap_servers,
        database_url=f"postgresql+asyncpg://postgres@127.0.0.1:{postgres.port}/{template}",
        inbox=inbox,
        api_port=free_port(),
        namespace=template,
    )
    env |= {"FINDINGS_INGEST_SETTLE_S": "0.2", "FINDINGS_INGEST_POLL_INTERVAL_S": "0.1"}
    services = [ServiceProcess(name, env) for name in CONSUMERS]
    for service in services:
        service.start()
    try:
        await _wait_until_stored(corpus, expected, services)
    finally:
        exit_codes = [service.stop() for service in services]
        shutil.rmtree(inbox, ignore_errors=True)
    assert all(code in (0, None) for code in exit_codes), exit_codes
    return corpus


async def _wait_until_stored(
    corpus: PipelineCorpus, expected: set[str], services: list[ServiceProcess]
) -> None:
    deadline = time.monotonic() + PIPELINE_TIMEOUT_S
    stored: set[str] = set()
    while stored != expected:
        crashed = {s.name: s.exited() for s in services if s.exited() is not None}
        assert not crashed, f"a service of the corpus pipeline exited: {crashed}"
        assert time.monotonic() < deadline, (
            f"the pipeline stored {len(stored)} of {len(expected)} fixture reports "
            f"in {PIPELINE_TIMEOUT_S} s"
        )
        await asyncio.sleep(0.5)
        connection = await corpus.connect(corpus.template)
        try:
            # Whole once ingest's ledger too says stored (the API's /files reads it).
            if await connection.fetchval(
                "select to_regclass('store.reports') is not null"
                " and to_regclass('ingest.reports') is not null"
            ):
                rows = await connection.fetch(
                    """select s.report_id from store.reports s
                       join ingest.reports i using (report_id) where i.status = 'stored'"""
                )
                stored = {row["report_id"] for row in rows}
        finally:
            await connection.close()
