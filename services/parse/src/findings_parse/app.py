"""Composition root of parse: received events in; parsed, finding or failed events out.

The offset of a received event is committed only after every event it produced is
acknowledged by the broker (AckPolicy.NACK_ON_ERROR: an exception rewinds to it).
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ProcessPoolExecutor

from faststream import AckPolicy
from faststream.kafka import KafkaBroker, KafkaMessage
from pydantic import ValidationError

from findings_parse.core.report_file import ParseFailure, parse_object
from findings_parse.settings import ParseSettings
from findings_shared.events import (
    FindingPublished,
    ReportFailed,
    ReportParsed,
    ReportParsedEvent,
    ReportReceived,
    Stage,
    Topics,
)
from findings_shared.kafka import ensure_topics, event_key, make_broker

log = logging.getLogger("findings.parse")
PARSE_GROUP = "findings-parse"


class Parse:
    def __init__(self, settings: ParseSettings, broker: KafkaBroker, pool: ProcessPoolExecutor):
        self.settings = settings
        self.broker = broker
        self.pool = pool
        self.topics = Topics(namespace=settings.kafka.topic_namespace)

    async def on_received(self, body: bytes) -> None:
        try:
            received = ReportReceived.model_validate_json(body)
        except ValidationError as error:
            log.error("skipping an invalid received event: %s", error.errors()[:1])
            return
        outcome = await asyncio.get_running_loop().run_in_executor(
            self.pool,
            parse_object,
            received.object_uri,
            received.name,
            received.report_id,
            self.settings.max_file_bytes,
        )
        if isinstance(outcome, ParseFailure):
            await self.publish_failure(received, outcome)
        else:
            await self.publish_parsed(received, outcome)

    async def publish_failure(self, received: ReportReceived, failure: ParseFailure) -> None:
        event = ReportFailed(
            report_id=received.report_id,
            object_uri=received.object_uri,
            stage=Stage.PARSE,
            error_type=failure.error_type,
            reason=failure.reason,
            attempt=received.attempt,
        )
        await self.broker.publish(
            event.model_dump(mode="json"), self.topics.failed, key=event_key(event)
        )
        log.warning("failed %s: %s", received.name, failure.reason)

    async def publish_parsed(self, received: ReportReceived, report: ReportParsed) -> None:
        parsed = ReportParsedEvent(
            report_id=report.report_id, object_uri=received.object_uri, report=report
        )
        authority = report.local_authority
        findings = [
            FindingPublished(
                report_id=report.report_id,
                parser_version=report.parser_version,
                report_type=report.report_type,
                la_code=authority.la_code if authority else None,
                local_authority_name=authority.name if authority else None,
                inspection_start=report.inspection_start,
                inspection_end=report.inspection_end,
                published=report.published,
                finding=finding,
            )
            for finding in report.findings
        ]
        key = event_key(parsed)
        # Send everything, then wait for every acknowledgement before the offset commits.
        pending = [
            await self.broker.publish(
                event.model_dump(mode="json"), self.topics.finding, key=key, no_confirm=True
            )
            for event in findings
        ]
        pending.append(
            await self.broker.publish(
                parsed.model_dump(mode="json"), self.topics.parsed, key=key, no_confirm=True
            )
        )
        await asyncio.gather(*pending)
        log.info(
            "parsed %s: %s, %d findings", received.name, report.report_type, len(report.findings)
        )


def subscribe(parse: Parse) -> None:
    kafka = parse.settings.kafka
    subscriber = parse.broker.subscriber(
        parse.topics.received,
        group_id=f"{kafka.topic_namespace}-{PARSE_GROUP}",
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.NACK_ON_ERROR,
        session_timeout_ms=kafka.session_timeout_ms,
        heartbeat_interval_ms=kafka.heartbeat_interval_ms,
        max_poll_interval_ms=600_000,
    )

    @subscriber
    async def on_received(message: KafkaMessage) -> None:
        try:
            await parse.on_received(message.body)
        except Exception:
            log.exception("parse failed transiently; the event will be redelivered")
            await asyncio.sleep(parse.settings.retry_backoff_s)
            raise


async def run(settings: ParseSettings, stop: asyncio.Event) -> None:
    topics = Topics(namespace=settings.kafka.topic_namespace)
    await ensure_topics(settings.kafka, topics.all())
    broker = make_broker(settings.kafka)
    with ProcessPoolExecutor(max_workers=settings.workers) as pool:
        subscribe(Parse(settings, broker, pool))
        await broker.start()
        try:
            await stop.wait()
        finally:
            await broker.stop()
