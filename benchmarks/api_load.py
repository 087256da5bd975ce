"""Load on the HTTP API: requests/s and latency percentiles from wrk, a second process.

    uv run python -m benchmarks.api_load --reports 2000

Stores N reports (the fixture PDFs parsed once, then replicated under new ids), starts one
API process (uvicorn) and drives every kind of request with wrk at rising concurrency
(filtered and full-text findings, a report, lists, facets, the national summary and the
map's data, an authority, exports, a live stream's first answer). Prints one row per run,
and the API process's memory before and after.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import httpx
import psutil
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from findings_cli.embedded import EmbeddedPostgres, free_port, wait_for_port
from findings_ingest.migrations_path import MIGRATIONS as INGEST_MIGRATIONS
from findings_parse.core.parser import parse_report
from findings_shared.database import make_engine, make_sessionmaker, migrate
from findings_shared.events import ReportParsed, ReportReplaced, finding_id_of
from findings_shared.settings import DatabaseSettings
from findings_store.migrations_path import MIGRATIONS
from findings_store.repository import ReportRepository, ReportWrite

FIXTURES = Path(__file__).parents[1] / "tests" / "fixtures" / "reports"
UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def replicas(count: int) -> list[ReportParsed]:
    """`count` distinct reports: each fixture parsed once, copied under fresh ids."""
    parsed = [parse_report(p.read_bytes(), p.name) for p in sorted(FIXTURES.glob("*.pdf"))]
    out = []
    for index in range(count):
        source = parsed[index % len(parsed)]
        report_id = hashlib.sha256(f"{source.report_id}:{index}".encode()).hexdigest()
        findings = [
            f.model_copy(update={"finding_id": finding_id_of(report_id, f.ordinal, f.text)})
            for f in source.findings
        ]
        out.append(source.model_copy(update={"report_id": report_id, "findings": findings}))
    return out


async def fill(database: DatabaseSettings, reports: list[ReportParsed]) -> None:
    await migrate(MIGRATIONS, database.url)
    engine = make_engine(database)
    sessions = make_sessionmaker(engine)
    for start in range(0, len(reports), 100):
        async with sessions.begin() as session:
            repository = ReportRepository(session)
            # As store writes a batch: a statement per table for the hundred.
            batch = [
                ReportWrite(report, "file:///bench") for report in reports[start : start + 100]
            ]
            await repository.replace_reports(batch, datetime.now(UTC))
            await repository.changed()  # as store's handler counts each transaction
        if start % 2000 == 0:
            print(f"stored {start + 100} of {len(reports)} reports", file=sys.stderr)  # noqa: T201
    async with engine.begin() as connection:
        await connection.execute(text("analyze"))
    await engine.dispose()


# The ledger ingest would have kept for the stored reports (one file each, stored), and
# some files it rejected and reports that failed, for /files: filled in SQL from the stored
# reports, as the reports are replicas of parsed fixtures.
LEDGER = [
    """insert into ingest.objects (object_uri, name, size, mtime_ns, version, sha256,
                                   content_type, status, seen_at)
       select 'file:///bench/' || report_id || '.pdf', report_id || '.pdf', 400000, 0,
              '400000:0', report_id, 'application/pdf', 'accepted', stored_at
       from store.reports""",
    """insert into ingest.reports (report_id, object_uri, name, size, content_type, status,
                                   announce_count, received_at, announced_at, finished_at)
       select report_id, 'file:///bench/' || report_id || '.pdf', report_id || '.pdf', 400000,
              'application/pdf', 'stored', 1, stored_at, stored_at, stored_at
       from store.reports""",
    """insert into ingest.objects (object_uri, name, size, mtime_ns, version, content_type,
                                   status, reason, seen_at)
       select 'file:///bench/rejected-' || n || '.pdf', 'rejected-' || n || '.pdf', 900, 0,
              '900:0', 'text/html', 'rejected', 'not a PDF: an HTML page',
              now() - n * interval '1 min'
       from generate_series(1, 100) n""",
    """insert into ingest.objects (object_uri, name, size, mtime_ns, version, sha256,
                                   content_type, status, seen_at)
       select 'file:///bench/failed-' || n || '.pdf', 'failed-' || n || '.pdf', 5000, 0,
              '5000:0', encode(sha256(('failed' || n)::bytea), 'hex'), 'application/pdf',
              'accepted', now() - n * interval '1 hour'
       from generate_series(1, 100) n""",
    """insert into ingest.reports (report_id, object_uri, name, size, content_type, status,
                                   reason, announce_count, received_at, announced_at,
                                   finished_at)
       select sha256, object_uri, name, size, content_type, 'failed', 'no text: a scan',
              1, seen_at, seen_at, seen_at
       from ingest.objects where object_uri like 'file:///bench/failed-%'""",
]


async def fill_ledger(database: DatabaseSettings) -> None:
    """The ledger (ingest's schema), once per database."""
    await migrate(INGEST_MIGRATIONS, database.url)
    engine = make_engine(database)
    async with engine.begin() as connection:
        if not (
            await connection.execute(text("select exists (select from ingest.objects)"))
        ).scalar():
            for statement in LEDGER:
                await connection.execute(text(statement))
    async with engine.begin() as connection:
        await connection.execute(text("analyze"))
    await engine.dispose()


async def store_change(
    sessions: async_sessionmaker[AsyncSession],
    change: Callable[[ReportRepository], Awaitable[object]],
) -> None:
    """One change as store makes it: its repository, one transaction, counted."""
    async with sessions.begin() as session:
        repository = ReportRepository(session)
        await change(repository)
        await repository.changed()


async def first_after_change_ms(
    database: DatabaseSettings, url: str, extra: list[ReportParsed]
) -> tuple[float, float]:
    """The median time of a request right after store stores a report, and right after it
    withdraws one: what the first reader pays before the API keeps the answer again
    (findings_api.cache; a facet adds a stored report and takes a withdrawn one away, the
    latest grades and inspections are asked again of a stored report's authority and
    computed again after a withdrawal). Each extra report is stored, then withdrawn: the
    database ends as it was."""
    engine = make_engine(database)
    sessions = make_sessionmaker(engine)
    after_stored, after_withdrawn = [], []

    async def timed(client: httpx.AsyncClient) -> float:
        started = time.perf_counter()
        response = await client.get(url)
        spent = (time.perf_counter() - started) * 1000
        response.raise_for_status()
        return spent

    async with httpx.AsyncClient(timeout=60) as client:
        await client.get(url)
        for report in extra:
            stored_at = datetime.now(UTC)
            await store_change(
                sessions,
                partial(
                    ReportRepository.replace_report,
                    report=report,
                    object_uri="file:///bench",
                    at=stored_at,
                ),
            )
            after_stored.append(await timed(client))
            notice = ReportReplaced(
                report_id=report.report_id, object_uri="file:///bench", replaced_at=stored_at
            )
            await store_change(sessions, partial(ReportRepository.withdraw, notice=notice))
            after_withdrawn.append(await timed(client))
    await engine.dispose()
    return statistics.median(after_stored), statistics.median(after_withdrawn)


def wrk(url: str, connections: int, seconds: int) -> dict[str, float]:
    result = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    )
    out = result.stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    assert rate, out
    row = {"rps": float(rate.group(1))}
    for percentile in ("50", "99"):
        match = re.search(rf"\s{percentile}%\s+([\d.]+)(us|ms|s)", out)
        assert match, out
        row[f"p{percentile}_ms"] = float(match.group(1)) * UNIT[match.group(2)]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    row["non_2xx"] = float(errors.group(1)) if errors else 0.0
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reports", type=int, default=2000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", default="1,4,16")
    parser.add_argument("--only", default="", help="comma-separated words of scenario names")
    parser.add_argument(
        "--keep",
        type=Path,
        default=None,
        help="keep the database in this folder, and reuse it when it holds one (filling"
        " 20,000 reports takes ten minutes)",
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk")
    base = args.keep or Path(tempfile.mkdtemp(prefix="findings-api-bench-"))
    base.mkdir(parents=True, exist_ok=True)
    base.chmod(0o755)  # the PostgreSQL server runs as `postgres`
    filled = (base / "postgres" / "PG_VERSION").exists()
    postgres = EmbeddedPostgres(data_dir=base / "postgres").start()
    api = None
    try:
        database = DatabaseSettings(url=postgres.url)
        # Three more, stored and withdrawn again to time the first request after a change.
        reports = replicas(args.reports + 3)
        reports, extra = reports[: args.reports], reports[args.reports :]
        if filled:
            asyncio.run(migrate(MIGRATIONS, database.url))  # the code's latest schema
        else:
            asyncio.run(fill(database, reports))
        asyncio.run(fill_ledger(database))
        findings = sum(len(r.findings) for r in reports)
        port = free_port()
        env = dict(os.environ, FINDINGS_DATABASE_URL=postgres.url, FINDINGS_API_PORT=str(port))
        env["FINDINGS_LOG_LEVEL"] = "WARNING"
        # No start-up warm-up (findings_api.warm): "first in this process" times the count.
        env["FINDINGS_API_WARM_PATHS"] = ""
        api = subprocess.Popen([sys.executable, "-m", "findings_api"], env=env)
        wait_for_port(port, 60, api)
        root = f"http://127.0.0.1:{port}"
        salford = next(
            r for r in reports if r.local_authority and r.local_authority.la_code == "355"
        )
        # The cursor after page 300 of /files: the next page, as a client paging reads it.
        deep_cursor = httpx.get(f"{root}/files?limit=50&offset=15000").json()["next_cursor"]
        scenarios = {
            "findings filtered": f"{root}/findings?la_code=355&category=improvement&limit=50",
            # A finding's own filter alone, across every report, newest first.
            "findings, national filter": f"{root}/findings?tone=concern&limit=50",
            "full-text search": f"{root}/findings?q=domestic%20abuse&limit=20",
            "search, rare word": f"{root}/findings?q=radicalisation&limit=20",
            # Words and an authority: the matches of its reports alone.
            "search, one authority": f"{root}/findings?q=domestic%20abuse&la_code=355&limit=20",
            "search, newest first": f"{root}/findings?q=care%20leavers&sort=newest&limit=20",
            # As the web page first asks them: estimated from a sample of the reports while
            # no exact count is kept (findings_api.estimates); before the exact one is. The
            # sample's counts are kept until a change, as the exact ones are.
            "facets of a search, estimated": (
                f"{root}/findings/facets?group_by=tone&q=care%20leavers&estimate=true"
            ),
            # A search page's facets, counted together (findings_api.cache keeps them).
            "facets of a search": f"{root}/findings/facets?group_by=tone&q=care%20leavers",
            "report fetch": f"{root}/reports/{salford.report_id}",
            "reports list": f"{root}/reports?region=London&limit=50",
            "facets by theme": f"{root}/findings/facets?group_by=theme&tone=concern",
            "facets theme×year": f"{root}/findings/facets?group_by=theme&then_by=year&la_code=355",
            "facets theme×year, national": f"{root}/findings/facets?group_by=theme&then_by=year",
            "national summary": f"{root}/summary/national",
            "map data": f"{root}/summary/authorities",
            "authority": f"{root}/local-authorities/355",
            "files, newest": f"{root}/files?limit=50",
            "files, failed": f"{root}/files?status=failed&limit=50",
            "files, page 300": f"{root}/files?limit=50&offset=15000",
            "files, page 301 by cursor": f"{root}/files?limit=50&cursor={deep_cursor}",
            "export csv": f"{root}/findings?la_code=355&format=csv",
            # A live stream's first answer (its retry hint); wrk then holds it open.
            "events (SSE)": f"{root}/events?la_code=355",
        }
        # Answers the API keeps until a change (findings_api.cache): their first request
        # after one is timed apart.
        cached = {
            "facets of a search, estimated",
            "facets of a search",
            "facets by theme",
            "facets theme×year",
            "facets theme×year, national",
            "national summary",
            "map data",
        }
        print(f"{len(reports)} reports, {findings} findings stored; one API process")  # noqa: T201
        header = f"{'request':<18} {'conns':>5} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}"
        print(f"{header} {'non-2xx':>7}")  # noqa: T201
        process = psutil.Process(api.pid)
        memory_before = process.memory_info().rss
        for name, url in scenarios.items():
            if args.only and not any(word in name for word in args.only.split(",")):
                continue
            if name in cached:
                # Its first request in this process: the whole count, before anything is kept.
                started = time.perf_counter()
                httpx.get(url, timeout=60).raise_for_status()
                print(  # noqa: T201
                    f"{name:<18} first in this process"
                    f" {(time.perf_counter() - started) * 1000:>8.1f} ms"
                )
            wrk(url, 1, 2)  # warm-up: connections and PostgreSQL's caches
            if name in cached:
                stored, withdrawn = asyncio.run(first_after_change_ms(database, url, extra))
                print(  # noqa: T201
                    f"{name:<18} first after a report is stored {stored:>8.1f} ms,"
                    f" after one is withdrawn {withdrawn:>8.1f} ms"
                )
            for connections in (int(c) for c in args.connections.split(",")):
                if name == "events (SSE)" and connections > 1:
                    continue  # a stream stays open: more connections measure nothing more
                row = wrk(url, connections, args.seconds)
                print(  # noqa: T201
                    f"{name:<18} {connections:>5} {row['rps']:>8.0f} {row['p50_ms']:>8.1f}"
                    f" {row['p99_ms']:>8.1f} {row['non_2xx']:>7.0f}"
                )
        memory_after = process.memory_info().rss
        print(  # noqa: T201
            f"API process memory: {memory_before / 2**20:.0f} MB after start-up and warm-up"
            f" of the first request, {memory_after / 2**20:.0f} MB after every run"
        )
    finally:
        if api:
            api.terminate()
            api.wait(10)
        postgres.stop("fast" if args.keep else "immediate")
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
