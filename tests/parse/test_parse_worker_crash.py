"""A parser worker process that dies does not lose the batch it was working on."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import pytest

from findings_parse.app import Parse
from findings_parse.settings import ParseSettings
from findings_shared.events import ReportFailed, ReportParsedEvent, ReportReceived, Topics
from findings_shared.kafka import Record, ensure_topics, make_broker
from findings_shared.settings import KafkaSettings
from tests.conftest import copy_fixture, expect_events
from tests.parse.test_parse_service import received_for

pytestmark = pytest.mark.integration
# A worker holds ~40 MB once it has imported the parser and boto3: room for a letter.
MEMORY_LIMIT = 64 * 1024 * 1024

FILES = [
    "inspection_wandsworth_2023-01-13.pdf",
    "inspection_salford_2018-11-12.pdf",
    "inspection_bolton_2023-10-27.pdf",
    "inspection_lambeth_2026-03-10.pdf",
]


def as_records(topic: str, events: list[ReportReceived]) -> list[Record]:
    return [
        Record(topic, 0, offset, e.report_id.encode(), e.model_dump_json().encode())
        for offset, e in enumerate(events)
    ]


async def test_a_killed_worker_is_replaced_and_its_files_parsed(
    tmp_path: Path, kafka_settings: KafkaSettings, caplog: pytest.LogCaptureFixture
) -> None:
    topics = Topics(namespace=kafka_settings.topic_namespace)
    await ensure_topics(kafka_settings, topics.all())
    events = [received_for(copy_fixture(name, tmp_path)) for name in FILES]
    broker = make_broker(kafka_settings)
    await broker.start()
    parse = Parse(ParseSettings(kafka=kafka_settings, workers=2), broker)
    try:
        batch = asyncio.create_task(parse.on_batch(as_records(topics.received, events)))
        async with asyncio.timeout(30):
            while not parse.pool._processes:  # the test reaches into the pool
                await asyncio.sleep(0.01)
        for pid in list(parse.pool._processes):
            os.kill(pid, signal.SIGKILL)
        await asyncio.wait_for(batch, 60)
        parsed = [
            ReportParsedEvent.model_validate_json(v)
            for v in await expect_events(
                kafka_settings.bootstrap_servers, topics.parsed, len(FILES)
            )
        ]
    finally:
        parse.close()
        await broker.stop()
    assert "a parser process died" in caplog.text
    assert sorted(p.report_id for p in parsed) == sorted(e.report_id for e in events)


async def test_a_report_that_parses_too_long_is_failed_and_its_worker_replaced(
    tmp_path: Path, kafka_settings: KafkaSettings
) -> None:
    topics = Topics(namespace=kafka_settings.topic_namespace)
    await ensure_topics(kafka_settings, topics.all())
    events = [received_for(copy_fixture(name, tmp_path)) for name in FILES[:2]]
    broker = make_broker(kafka_settings)
    await broker.start()
    # No worker process even starts within a millisecond: every parse times out.
    parse = Parse(ParseSettings(kafka=kafka_settings, workers=1, parse_timeout_s=0.001), broker)
    try:
        first_pool = parse.pool
        await parse.on_batch(as_records(topics.received, events))
        failed = [
            ReportFailed.model_validate_json(v)
            for v in await expect_events(kafka_settings.bootstrap_servers, topics.failed, 2)
        ]
    finally:
        parse.close()
        await broker.stop()
    assert parse.pool is not first_pool
    assert {f.error_type for f in failed} == {"parse_timeout"}
    assert {f.report_id for f in failed} == {e.report_id for e in events}
    assert "longer than 0.001 s" in failed[0].reason


async def test_a_report_needing_more_memory_than_allowed_fails_with_memory_limit(
    tmp_path: Path, kafka_settings: KafkaSettings
) -> None:
    topics = Topics(namespace=kafka_settings.topic_namespace)
    await ensure_topics(kafka_settings, topics.all())
    big = tmp_path / "big.txt"  # under the 10 MB text limit, but many paragraphs to hold
    big.write_text(("The local authority has improved. " * 40 + "\n\n") * 7000)
    small = copy_fixture("letter_wandsworth_2011-07-07.txt", tmp_path)
    events = [received_for(big), received_for(small)]
    broker = make_broker(kafka_settings)
    await broker.start()
    settings = ParseSettings(kafka=kafka_settings, workers=1, max_memory_bytes=MEMORY_LIMIT)
    parse = Parse(settings, broker)
    try:
        await parse.on_batch(as_records(topics.received, events))
        failed = [
            ReportFailed.model_validate_json(v)
            for v in await expect_events(kafka_settings.bootstrap_servers, topics.failed, 1)
        ]
        parsed = await expect_events(kafka_settings.bootstrap_servers, topics.parsed, 1)
    finally:
        parse.close()
        await broker.stop()
    assert [(f.report_id, f.error_type) for f in failed] == [(events[0].report_id, "memory_limit")]
    assert f"more than the {MEMORY_LIMIT}-byte limit" in failed[0].reason
    assert ReportParsedEvent.model_validate_json(parsed[0]).report_id == events[1].report_id


async def test_an_invalid_received_event_keyed_by_a_report_is_dead_lettered(
    tmp_path: Path, kafka_settings: KafkaSettings
) -> None:
    topics = Topics(namespace=kafka_settings.topic_namespace)
    await ensure_topics(kafka_settings, topics.all())
    good = received_for(copy_fixture("letter_wandsworth_2011-07-07.txt", tmp_path))
    broken_id = "d" * 64
    records = [
        Record(topics.received, 0, 0, broken_id.encode(), b'{"report_id": "' + b"d" * 64 + b'"}'),
        Record(topics.received, 0, 1, b"not a report id", b"{not json"),
        *as_records(topics.received, [good]),
    ]
    broker = make_broker(kafka_settings)
    await broker.start()
    parse = Parse(ParseSettings(kafka=kafka_settings, workers=1), broker)
    try:
        await parse.on_batch(records)
        servers = kafka_settings.bootstrap_servers
        [dead] = await expect_events(servers, topics.failed, 1)
        [parsed] = await expect_events(servers, topics.parsed, 1)
    finally:
        parse.close()
        await broker.stop()
    failure = ReportFailed.model_validate_json(dead)
    assert (failure.report_id, failure.error_type, failure.stage.value) == (
        broken_id,
        "invalid_event",
        "parse",
    )
    assert "not a valid ReportReceived" in failure.reason
    assert ReportParsedEvent.model_validate_json(parsed).report_id == good.report_id
    # Two dead letters counted (one published, one without a report to name), one success.
    assert parse.delivery.health.snapshot()["dead_lettered"] == 2
