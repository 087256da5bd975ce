"""ingest watching an S3-compatible bucket (moto_server), by listing and by notifications."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from faststream.kafka import KafkaBroker

from findings_ingest.adapters.repository import LedgerRepository
from findings_ingest.app import run
from findings_ingest.migrations_path import MIGRATIONS
from findings_ingest.settings import IngestSettings
from findings_shared.bucket import s3_client, s3_location
from findings_shared.database import make_engine, make_sessionmaker, migrate
from findings_shared.events import Topics
from findings_shared.kafka import ensure_topics
from findings_shared.settings import DatabaseSettings, KafkaSettings, S3Settings
from tests.conftest import REPORTS, running
from tests.ingest.test_ingest_service import ledger, received

pytestmark = pytest.mark.integration
NAMES_AND_STATUS = "select name, status from ingest.objects"

LETTER = (REPORTS / "letter_wandsworth_2011-07-07.txt").read_bytes()
PDF = (REPORTS / "inspection_salford_2018-11-12.pdf").read_bytes()
OTHER_LETTER = (REPORTS / "letter_wolverhampton_2010-10-13.txt").read_bytes()
OTHER_PDF = (REPORTS / "focused_visit_wigan_2019-05-08.pdf").read_bytes()


@pytest.fixture
async def settings(
    tmp_path: Path,
    kafka_settings: KafkaSettings,
    database_settings: DatabaseSettings,
    s3_settings: S3Settings,
    s3_bucket: str,
) -> IngestSettings:
    await migrate(MIGRATIONS, database_settings.url)
    await ensure_topics(kafka_settings, Topics(namespace=kafka_settings.topic_namespace).all())
    return IngestSettings(
        inbox=tmp_path / "unused",
        s3_bucket=s3_bucket,
        s3_prefix="inbox/",
        poll_interval_s=0.1,
        s3_listing_interval_s=0.5,
        max_file_bytes=2_000_000,
        kafka=kafka_settings,
        database=database_settings,
        s3=s3_settings,
    )


def put(settings: IngestSettings, key: str, body: bytes) -> None:
    assert settings.s3_bucket is not None
    s3_client(settings.s3).put_object(Bucket=settings.s3_bucket, Key=key, Body=body)


async def test_objects_under_the_prefix_are_announced_once_per_content(
    settings: IngestSettings,
) -> None:
    put(settings, "inbox/2018/salford.pdf", PDF)
    put(settings, "inbox/wandsworth letter.txt", LETTER)
    put(settings, "inbox/copy of the letter.txt", LETTER)
    put(settings, "inbox/../../x.pdf", OTHER_PDF)  # a hostile key: just a name
    put(settings, "inbox/error page.pdf", b"<html><body>502 Bad Gateway</body></html>")
    put(settings, "inbox/.partial.pdf", PDF + b"\n")
    put(settings, "elsewhere/outside.pdf", PDF + b"\n\n")
    async with running(lambda stop: run(settings, stop)):
        events = await received(settings, 3)

    by_name = {event.name: event for event in events}
    # Keys are listed in byte order: the copy is seen first and names the report.
    assert set(by_name) == {"salford.pdf", "x.pdf", "copy of the letter.txt"}
    salford = by_name["salford.pdf"]
    assert salford.report_id == hashlib.sha256(PDF).hexdigest()
    assert s3_location(salford.object_uri) == (settings.s3_bucket, "inbox/2018/salford.pdf")
    hostile = by_name["x.pdf"]
    assert s3_location(hostile.object_uri) == (settings.s3_bucket, "inbox/../../x.pdf")
    assert "/../" not in hostile.object_uri  # one opaque segment, never a path to resolve
    assert hostile.report_id == hashlib.sha256(OTHER_PDF).hexdigest()

    objects = {name: status for name, status in await ledger(settings, NAMES_AND_STATUS)}
    assert objects == {
        "salford.pdf": "accepted",
        "wandsworth letter.txt": "accepted",
        "copy of the letter.txt": "accepted",
        "x.pdf": "accepted",
        "error page.pdf": "rejected",
    }


async def test_the_listing_resumes_from_its_checkpoint_after_a_restart(
    settings: IngestSettings,
) -> None:
    for key, body in [("inbox/a.txt", LETTER), ("inbox/b.txt", OTHER_LETTER), ("inbox/c.pdf", PDF)]:
        put(settings, key, body)
    # A previous run got as far as b.txt in a long listing, then stopped.
    paged = settings.model_copy(update={"s3_page_size": 1})
    engine = make_engine(settings.database)
    async with make_sessionmaker(engine).begin() as session:
        await LedgerRepository(session).save_listing_checkpoint(
            f"s3://{settings.s3_bucket}/inbox/", "inbox/b.txt", datetime.now(UTC)
        )
    await engine.dispose()
    async with running(lambda stop: run(paged, stop)):
        events = await received(settings, 3)
    # c.pdf first: the listing went on from the checkpoint, then wrapped round.
    in_order = sorted(events, key=lambda event: event.received_at)
    assert [event.name for event in in_order] == ["c.pdf", "a.txt", "b.txt"]
    [(checkpoint,)] = await ledger(settings, "select start_after from ingest.listing_checkpoints")
    assert checkpoint in {"", "inbox/a.txt", "inbox/b.txt"}  # wherever the listing is now


async def test_bucket_notifications_announce_new_objects_without_waiting_for_a_listing(
    settings: IngestSettings, kafka_settings: KafkaSettings
) -> None:
    topic = f"{kafka_settings.topic_namespace}.minio-events"
    # The listing runs once at start (empty bucket), then not for an hour.
    notified = settings.model_copy(update={"notifications_topic": topic, "poll_interval_s": 3600})
    async with running(lambda stop: run(notified, stop)):
        key = "inbox/new report.txt"
        put(settings, key, LETTER)
        broker = KafkaBroker(kafka_settings.bootstrap_servers)
        await broker.start()
        await broker.publish(minio_event(settings, key, LETTER), topic)
        await broker.publish(minio_event(settings, "outside/other.txt", OTHER_LETTER), topic)
        await broker.publish(b'{"not": "a notification"}', topic)
        await broker.stop()
        events = await received(settings, 1)
    assert [event.name for event in events] == ["new report.txt"]
    assert s3_location(events[0].object_uri) == (settings.s3_bucket, key)


def minio_event(settings: IngestSettings, key: str, body: bytes) -> bytes:
    """What MinIO publishes to its Kafka notification target for a PUT (keys URL-encoded)."""
    etag = hashlib.md5(body).hexdigest()
    encoded = key.replace(" ", "+")
    return json.dumps(
        {
            "EventName": "s3:ObjectCreated:Put",
            "Key": f"{settings.s3_bucket}/{key}",
            "Records": [
                {
                    "eventVersion": "2.0",
                    "eventSource": "minio:s3",
                    "awsRegion": "",
                    "eventTime": datetime.now(UTC).isoformat(),
                    "eventName": "s3:ObjectCreated:Put",
                    "userIdentity": {"principalId": "minioadmin"},
                    "s3": {
                        "s3SchemaVersion": "1.0",
                        "configurationId": "Config",
                        "bucket": {"name": settings.s3_bucket, "arn": "arn:aws:s3:::b"},
                        "object": {
                            "key": encoded,
                            "size": len(body),
                            "eTag": etag,
                            "contentType": "text/plain",
                            "sequencer": "17E0B2A1C8F3D5E1",
                        },
                    },
                }
            ],
        }
    ).encode()
