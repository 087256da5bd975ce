"""A parser worker process that dies does not lose the batch it was working on."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import pytest

from findings_parse.app import Parse, RecentOutcomes
from findings_parse.settings import ParseSettings
from findings_shared.events import ReportFailed, ReportParsedEvent, ReportReceived, Topics
from findings_shared.kafka import Record, ensure_topics, make_broker
from findings_shared.settings import KafkaSettings
from tests.conftest import copy_fixture, expect_events
from tests.parse.test_parse_service import received_for
from tests.pdfs import slow_pdf

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
    # Two slow files first: both workers are busy with them when they are killed (a worker
    # killed while idle is replaced before its next file, silently).
    slow = []
    for index in range(2):
        path = tmp_path / f"slow-{index}.pdf"
        path.write_bytes(slow_pdf(1_000_000 + index))  # a few seconds in PDFium
        slow.append(received_for(path))
    events = [received_for(copy_fixture(name, tmp_path)) for name in FILES]
    broker = make_broker(kafka_settings)
    await broker.start()
    parse = Parse(ParseSettings(kafka=kafka_settings, workers=2), broker)
    try:
        batch = asyncio.create_task(parse.on_batch(as_records(topics.received, [*slow, *events])))
        async with asyncio.timeout(30):
            while len(parse.worker_pids()) < 2 or not parse.idle.empty():
                await asyncio.sleep(0.01)
        await asyncio.sleep(0.3)  # the slow files sent to the workers, and being read
        killed = parse.worker_pids()
        for pid in killed:
            os.kill(pid, signal.SIGKILL)
        await asyncio.wait_for(batch, 60)
        replaced = parse.worker_pids()
        parsed = [
            ReportParsedEvent.model_validate_json(v)
            for v in await expect_events(
                kafka_settings.bootstrap_servers, topics.parsed, len(FILES)
            )
        ]
    finally:
        parse.close()
        await broker.stop()
    assert caplog.text.count("a parser process died") == 2
    assert sorted(p.report_id for p in parsed) == sorted(e.report_id for e in events)
    assert len(replaced) == 2
    assert not set(replaced) & set(killed)


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
        first_pools = [slot.pool for slot in parse.slots]
        await parse.on_batch(as_records(topics.received, events))
        failed = [
            ReportFailed.model_validate_json(v)
            for v in await expect_events(kafka_settings.bootstrap_servers, topics.failed, 2)
        ]
    finally:
        parse.close()
        await broker.stop()
    assert not {id(slot.pool) for slot in parse.slots} & {id(pool) for pool in first_pools}
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


async def test_a_slow_report_holds_one_worker_and_the_others_flow_past_it(
    tmp_path: Path, kafka_settings: KafkaSettings
) -> None:
    topics = Topics(namespace=kafka_settings.topic_namespace)
    await ensure_topics(kafka_settings, topics.all())
    slow = tmp_path / "slow.pdf"
    slow.write_bytes(slow_pdf(2_000_000))  # ~45 KB, several seconds in PDFium
    letters = [
        received_for(copy_fixture(name, tmp_path))
        for name in ("letter_wandsworth_2011-07-07.txt", "letter_wolverhampton_2010-10-13.txt")
    ]
    later = received_for(copy_fixture("inspection_wandsworth_2023-01-13.txt", tmp_path))
    broker = make_broker(kafka_settings)
    await broker.start()
    settings = ParseSettings(kafka=kafka_settings, workers=2, slow_after_s=0.5)
    parse = Parse(settings, broker)
    servers = kafka_settings.bootstrap_servers
    try:
        slow_event = received_for(slow)
        await parse.on_batch(as_records(topics.received, [slow_event, *letters]))
        # The batch is done (its offsets committed) while the slow report still parses.
        assert len(parse.deferred) == 1
        await parse.on_batch(as_records(topics.received, [later]))  # the next batch too
        assert len(parse.deferred) == 1
        parsed = [
            ReportParsedEvent.model_validate_json(v)
            for v in await expect_events(servers, topics.parsed, 3)
        ]
        async with asyncio.timeout(60):
            while parse.deferred:
                await asyncio.sleep(0.1)
        [failed] = [
            ReportFailed.model_validate_json(v)
            for v in await expect_events(servers, topics.failed, 1)
        ]
    finally:
        parse.close()
        await broker.stop()
    assert {p.report_id for p in parsed} == {e.report_id for e in [*letters, later]}
    # The slow one's outcome is published once it is done: no Ofsted report in it.
    assert (failed.report_id, failed.error_type) == (slow_event.report_id, "not_a_report")


async def test_a_report_announced_again_gets_its_outcome_again_without_a_second_parse(
    tmp_path: Path, kafka_settings: KafkaSettings
) -> None:
    topics = Topics(namespace=kafka_settings.topic_namespace)
    await ensure_topics(kafka_settings, topics.all())
    letter = copy_fixture("letter_wandsworth_2011-07-07.txt", tmp_path)
    event = received_for(letter)
    broker = make_broker(kafka_settings)
    await broker.start()
    parse = Parse(ParseSettings(kafka=kafka_settings, workers=1), broker)
    try:
        await parse.on_batch(as_records(topics.received, [event]))
        letter.unlink()  # parsed again, it would now fail as missing
        again = event.model_copy(update={"attempt": 2})
        await parse.on_batch(as_records(topics.received, [again]))
        parsed = await expect_events(kafka_settings.bootstrap_servers, topics.parsed, 2)
    finally:
        parse.close()
        await broker.stop()
    assert parsed[0] == parsed[1]  # the same event, published again
    assert ReportParsedEvent.model_validate_json(parsed[1]).report_id == event.report_id


def test_recent_outcomes_keep_the_latest_within_their_budget() -> None:
    recent = RecentOutcomes(max_bytes=100)
    recent.keep("a", [("t", b"x" * 40)])
    recent.keep("b", [("t", b"x" * 40)])
    assert recent.get("a") is not None  # now the most recently used
    recent.keep("c", [("t", b"x" * 40)])
    assert recent.get("b") is None
    assert recent.get("a") is not None
    assert recent.get("c") is not None
    recent.keep("huge", [("t", b"x" * 101)])  # larger than the budget: not kept
    assert recent.get("huge") is None
    assert recent.size == 80


async def test_a_worker_that_died_idle_costs_the_next_report_nothing(
    tmp_path: Path, kafka_settings: KafkaSettings, caplog: pytest.LogCaptureFixture
) -> None:
    """Found as a flaky failure of the test above under load: a report whose worker was
    killed was tried again in the other slot, whose worker had died while idle, and was
    failed as a parser crash for a death that was not its own."""
    topics = Topics(namespace=kafka_settings.topic_namespace)
    await ensure_topics(kafka_settings, topics.all())
    slow = tmp_path / "slow.pdf"
    slow.write_bytes(slow_pdf(400_000))  # about a second in PDFium, no report in it
    event = received_for(slow)
    broker = make_broker(kafka_settings)
    await broker.start()
    parse = Parse(ParseSettings(kafka=kafka_settings, workers=2), broker)
    first, second = parse.slots
    try:
        async with asyncio.timeout(30):
            while not (first.pids() and second.pids()):
                await asyncio.sleep(0.01)
        [idle_pid] = second.pids()
        os.kill(idle_pid, signal.SIGKILL)  # the second slot's worker dies while idle
        async with asyncio.timeout(10):
            while second.alive():
                await asyncio.sleep(0.01)
        batch = asyncio.create_task(parse.on_batch(as_records(topics.received, [event])))
        await asyncio.sleep(0.3)  # the report is being parsed in the first slot
        [busy_pid] = first.pids()
        os.kill(busy_pid, signal.SIGKILL)
        await asyncio.wait_for(batch, 60)
        async with asyncio.timeout(60):
            while parse.deferred:
                await asyncio.sleep(0.1)
        [failed] = [
            ReportFailed.model_validate_json(v)
            for v in await expect_events(kafka_settings.bootstrap_servers, topics.failed, 1)
        ]
    finally:
        parse.close()
        await broker.stop()
    # Parsed to its end in a fresh worker: no Ofsted report in it, not a parser crash.
    assert (failed.report_id, failed.error_type) == (event.report_id, "not_a_report")
    assert caplog.text.count("a parser process died while parsing") == 1
