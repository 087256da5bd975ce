"""store alone: parsed events applied to PostgreSQL in store's batches, without a broker.

    uv run python -m benchmarks.store_apply --reports 1000

Starts the embedded PostgreSQL, encodes N distinct parsed events (the fixture PDFs parsed
once, replicated under new ids, as `benchmarks.api_load` does), then hands them to store's
handler (`Store.apply`) in batches of `EVENTS_PER_COMMIT`, as its consumer does. Prints,
for new reports and then for the same events again (a redelivery: already stored), the
rate and the CPU seconds of store's own work (this process: decoding, validating, SQL
through SQLAlchemy and asyncpg) and of PostgreSQL, per 1,000 reports. The pipeline's
benchmark measures the same parts with everything else sharing the cores; this one moves
only when store or its SQL changes.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import tempfile
import time
from pathlib import Path

from benchmarks.api_load import replicas
from benchmarks.pipeline import cpu_seconds
from findings_cli.embedded import EmbeddedPostgres
from findings_shared.database import make_engine, make_sessionmaker, migrate
from findings_shared.events import ReportParsedEvent, Topics, encode_event
from findings_shared.kafka import Record, make_broker
from findings_shared.lifetime import CONSUMER_YOUNG_COLLECTION, frozen_start_up
from findings_shared.settings import DatabaseSettings
from findings_store.app import EVENTS_PER_COMMIT, Store
from findings_store.migrations_path import MIGRATIONS
from findings_store.settings import StoreSettings


async def apply_all(
    settings: StoreSettings, records: list[Record], postmaster: int
) -> dict[str, float]:
    """Every record through `Store.apply`, a batch at a time: wall and CPU seconds."""
    engine = make_engine(settings.database)
    store = Store(settings, make_broker(settings.kafka), make_sessionmaker(engine))
    stored = 0
    wall, own, server = time.monotonic(), time.process_time(), cpu_seconds(postmaster)
    for start in range(0, len(records), EVENTS_PER_COMMIT):
        stored += len(await store.apply(records[start : start + EVENTS_PER_COMMIT]))
    row = {
        "seconds": time.monotonic() - wall,
        "store_cpu_s": time.process_time() - own,
        "postgres_cpu_s": cpu_seconds(postmaster) - server,
        "outcomes": stored,
    }
    await engine.dispose()
    return row


def measure(
    settings: StoreSettings, records: list[Record], postgres: EmbeddedPostgres, findings: int
) -> None:
    """Migrate, then apply every record twice (new, then redelivered): a row per run."""
    asyncio.run(migrate(MIGRATIONS, postgres.url))
    postmaster = postgres.pid()
    assert postmaster is not None
    print(  # noqa: T201
        f"{len(records)} parsed events ({findings} findings), {EVENTS_PER_COMMIT} to a"
        " transaction; CPU seconds per 1,000 reports"
    )
    print(  # noqa: T201
        f"{'run':<22} {'seconds':>8} {'reports/s':>10} {'store CPU':>10} {'PostgreSQL':>11}"
    )
    for run in ("new reports", "again (redelivered)"):
        row = asyncio.run(apply_all(settings, records, postmaster))
        assert row["outcomes"] == len(records), row
        per_1000 = 1000 / len(records)
        print(  # noqa: T201
            f"{run:<22} {row['seconds']:>8.1f} {len(records) / row['seconds']:>10.1f}"
            f" {row['store_cpu_s'] * per_1000:>10.2f}"
            f" {row['postgres_cpu_s'] * per_1000:>11.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reports", type=int, default=1000)
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="findings-store-bench-"))
    base.chmod(0o755)  # the PostgreSQL server runs as `postgres`
    postgres = EmbeddedPostgres(data_dir=base / "postgres").start()
    try:
        settings = StoreSettings(database=DatabaseSettings(url=postgres.url))
        topic = Topics(namespace=settings.kafka.topic_namespace).parsed
        reports = replicas(args.reports)
        records = [
            Record(
                topic=topic,
                partition=0,
                offset=offset,
                key=report.report_id.encode(),
                value=encode_event(
                    ReportParsedEvent(
                        report_id=report.report_id, object_uri="file:///bench", report=report
                    ),
                    settings.kafka.max_message_bytes,
                ),
            )
            for offset, report in enumerate(reports)
        ]
        findings = sum(len(report.findings) for report in reports)
        # Only the encoded events stay (a million objects of parsed reports would make
        # every full collection slower than store's ever are), and what was made so far
        # is frozen, with the collector's settings of a consumer, as the service runs.
        del reports
        with frozen_start_up(CONSUMER_YOUNG_COLLECTION):
            measure(settings, records, postgres, findings)
    finally:
        postgres.stop("immediate")
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
