"""parse reading objects from an S3-compatible bucket (moto_server)."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime

import pytest
from pydantic import SecretStr

from findings_cli.embedded import free_port
from findings_parse.app import run
from findings_parse.settings import ParseSettings
from findings_shared.bucket import s3_client, s3_uri
from findings_shared.events import ReportFailed, ReportParsedEvent, ReportReceived, Topics
from findings_shared.kafka import ensure_topics, make_broker
from findings_shared.settings import DeliverySettings, KafkaSettings, S3Settings
from tests.conftest import REPORTS, expect_events, publish, running, start_moto_server

pytestmark = pytest.mark.integration

PDF = (REPORTS / "inspection_salford_2018-11-12.pdf").read_bytes()


def received(bucket: str, key: str, content: bytes) -> ReportReceived:
    sha = hashlib.sha256(content).hexdigest()
    return ReportReceived(
        report_id=sha,
        object_uri=s3_uri(bucket, key),
        name=key.rsplit("/", 1)[-1],
        size=len(content),
        sha256=sha,
        content_type="application/pdf",
        received_at=datetime.now(UTC),
    )


async def send(kafka_settings: KafkaSettings, *events: ReportReceived) -> Topics:
    topics = Topics(namespace=kafka_settings.topic_namespace)
    await ensure_topics(kafka_settings, topics.all())
    broker = make_broker(kafka_settings)
    await broker.start()
    await publish(broker, topics.received, *events)
    await broker.stop()
    return topics


async def test_parse_reads_reports_from_the_bucket(
    kafka_settings: KafkaSettings, s3_settings: S3Settings, s3_bucket: str
) -> None:
    s3 = s3_client(s3_settings)
    s3.put_object(Bucket=s3_bucket, Key="inbox/../../salford.pdf", Body=PDF)
    gone = received(s3_bucket, "inbox/deleted.pdf", b"%PDF-1.4 deleted before parse")
    topics = await send(kafka_settings, received(s3_bucket, "inbox/../../salford.pdf", PDF), gone)

    settings = ParseSettings(kafka=kafka_settings, s3=s3_settings, workers=1)
    async with running(lambda stop: run(settings, stop)):
        servers = kafka_settings.bootstrap_servers
        [parsed] = [
            ReportParsedEvent.model_validate_json(v)
            for v in await expect_events(servers, topics.parsed, 1)
        ]
        [failed] = [
            ReportFailed.model_validate_json(v)
            for v in await expect_events(servers, topics.failed, 1)
        ]
    assert parsed.report.report_id == hashlib.sha256(PDF).hexdigest()
    assert parsed.report.local_authority is not None
    assert parsed.report.local_authority.name == "Salford"
    assert failed.report_id == gone.report_id
    assert failed.error_type == "object_missing"


async def forwarded(listen_port: int, target_port: int) -> asyncio.Server:
    """Connections to one local port passed on to another, both ways."""

    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        finally:
            writer.close()

    async def connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        target_reader, target_writer = await asyncio.open_connection("127.0.0.1", target_port)
        await asyncio.gather(
            pipe(reader, target_writer), pipe(target_reader, writer), return_exceptions=True
        )

    return await asyncio.start_server(connect, "127.0.0.1", listen_port)


async def test_an_unreachable_bucket_is_waited_for_not_failed(
    kafka_settings: KafkaSettings,
) -> None:
    port, server_port = free_port(), free_port()
    s3_settings = S3Settings(
        endpoint_url=f"http://127.0.0.1:{port}", access_key_id="k", secret_access_key=SecretStr("s")
    )
    topics = await send(kafka_settings, received("later", "report.pdf", PDF))
    settings = ParseSettings(
        kafka=kafka_settings,
        s3=s3_settings,
        workers=1,
        delivery=DeliverySettings(retry_backoff_s=0.5, max_backoff_s=2),
    )
    async with running(lambda stop: run(settings, stop)):
        await asyncio.sleep(8)  # the endpoint is down: retried, never failed
        # The bucket and its object are made on another port, then that port is reached
        # through parse's endpoint: parse never sees the endpoint up without the object
        # (which would rightly be a missing object, not an unreachable one).
        server = start_moto_server(server_port)
        try:
            s3 = s3_client(
                s3_settings.model_copy(update={"endpoint_url": f"http://127.0.0.1:{server_port}"})
            )
            s3.create_bucket(Bucket="later")
            s3.put_object(Bucket="later", Key="report.pdf", Body=PDF)
            async with await forwarded(port, server_port):
                servers = kafka_settings.bootstrap_servers
                parsed = await expect_events(servers, topics.parsed, 1, timeout_s=60)
        finally:
            server.terminate()
            server.wait(10)
    assert ReportParsedEvent.model_validate_json(parsed[0]).report.report_id == (
        hashlib.sha256(PDF).hexdigest()
    )
    assert await expect_events(servers, topics.failed, 0) == []
