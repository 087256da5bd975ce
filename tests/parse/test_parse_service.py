"""parse against the real broker: received in; parsed, finding and failed out."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from findings_parse.app import run
from findings_parse.settings import ParseSettings
from findings_shared.events import (
    FindingPublished,
    ReportFailed,
    ReportParsedEvent,
    ReportReceived,
    Stage,
    Topics,
)
from findings_shared.kafka import ensure_topics, make_broker
from findings_shared.settings import KafkaSettings
from tests.conftest import FIXTURES, copy_fixture, expect_events, publish, running

pytestmark = pytest.mark.integration


def received_for(path: Path, report_id: str | None = None) -> ReportReceived:
    content = path.read_bytes()
    sha = hashlib.sha256(content).hexdigest()
    return ReportReceived(
        report_id=report_id or sha,
        object_uri=path.resolve().as_uri(),
        name=path.name,
        size=len(content),
        sha256=sha,
        content_type="application/pdf",
        received_at=datetime.now(UTC),
    )


async def test_parse_publishes_the_report_its_findings_and_failures(
    tmp_path: Path, kafka_settings: KafkaSettings
) -> None:
    topics = Topics(namespace=kafka_settings.topic_namespace)
    await ensure_topics(kafka_settings, topics.all())
    good = copy_fixture("inspection_salford_2018-11-12.pdf", tmp_path)
    bad = tmp_path / "bad.pdf"
    bad.write_bytes((FIXTURES / "bad" / "inspection_birmingham_2012-10-19.pdf").read_bytes())
    vanished = tmp_path / "gone.pdf"
    vanished.write_bytes(b"%PDF-1.4 will be deleted")
    events = [received_for(good), received_for(bad), received_for(vanished)]
    vanished.unlink()
    changed = received_for(good, report_id="0" * 64)

    broker = make_broker(kafka_settings)
    await broker.start()
    for event in [*events, changed]:
        await publish(broker, topics.received, event)
    await broker.publish(b"{not json", topics.received, key=b"x")  # skipped, not fatal
    await broker.stop()

    settings = ParseSettings(kafka=kafka_settings, workers=1)
    async with running(lambda stop: run(settings, stop)):
        parsed = [
            ReportParsedEvent.model_validate_json(v)
            for v in await expect_events(kafka_settings.bootstrap_servers, topics.parsed, 1)
        ]
        failed = [
            ReportFailed.model_validate_json(v)
            for v in await expect_events(kafka_settings.bootstrap_servers, topics.failed, 2)
        ]
        report = parsed[0].report
        findings = [
            FindingPublished.model_validate_json(v)
            for v in await expect_events(
                kafka_settings.bootstrap_servers, topics.finding, len(report.findings)
            )
        ]

    assert len(parsed) == 1
    assert report.report_id == events[0].report_id
    assert parsed[0].object_uri == events[0].object_uri
    assert parsed[0].received_at == events[0].received_at
    assert report.local_authority is not None
    assert report.local_authority.la_code == "355"
    assert sorted(f.finding.ordinal for f in findings) == list(range(1, len(report.findings) + 1))
    assert {f.report_id for f in findings} == {report.report_id}
    assert {f.la_code for f in findings} == {"355"}
    assert {f.inspection_start for f in findings} == {report.inspection_start}

    reasons = {f.report_id: (f.stage, f.error_type, f.reason) for f in failed}
    assert reasons[events[1].report_id][:2] == (Stage.PARSE, "unreadable_report")
    assert "HTML page" in reasons[events[1].report_id][2]
    assert reasons[events[2].report_id][1] == "object_missing"
    # A stale announcement (the file holds other bytes now) is no failure: ingest withdraws
    # that report and announces the new content.
    assert set(reasons) == {events[1].report_id, events[2].report_id}
    assert changed.report_id not in {p.report_id for p in parsed}


async def test_a_report_too_large_for_an_event_is_failed_before_any_finding(
    tmp_path: Path, kafka_settings: KafkaSettings
) -> None:
    topics = Topics(namespace=kafka_settings.topic_namespace)
    await ensure_topics(kafka_settings, topics.all())
    event = received_for(copy_fixture("inspection_salford_2018-11-12.pdf", tmp_path))
    small = kafka_settings.model_copy(update={"max_message_bytes": 20_000})
    broker = make_broker(small)
    await broker.start()
    await publish(broker, topics.received, event)
    await broker.stop()

    async with running(lambda stop: run(ParseSettings(kafka=small), stop)):
        failed = await expect_events(small.bootstrap_servers, topics.failed, 1)
    failure = ReportFailed.model_validate_json(failed[0])
    assert failure.error_type == "report_too_large"
    assert "over the 20000-byte limit" in failure.reason
    assert await expect_events(small.bootstrap_servers, topics.finding, 0) == []
    assert await expect_events(small.bootstrap_servers, topics.parsed, 0) == []
