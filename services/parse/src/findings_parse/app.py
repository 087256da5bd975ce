"""Composition root of parse: received events in; parsed, finding or failed events out.

The offset of a received event is committed only after every event it produced is
acknowledged by the broker (AckPolicy.NACK_ON_ERROR: an exception rewinds to it).
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from faststream.kafka import KafkaBroker

from findings_parse.settings import ParseSettings
from findings_parse.worker import (
    ContentChanged,
    ParseFailure,
    StoreUnavailable,
    parse_object,
    worker_pool,
)
from findings_shared.events import (
    FindingPublished,
    ReportFailed,
    ReportParsed,
    ReportParsedEvent,
    ReportReceived,
    Stage,
    Topics,
)
from findings_shared.health import serving_health
from findings_shared.kafka import (
    Delivery,
    EventTooLarge,
    Record,
    encode_event,
    ensure_topics,
    failure_of,
    keeping_topics,
    make_broker,
    publish_event,
    subscribe_batches_at_least_once,
)
from findings_shared.reliability import CircuitOpen, InvalidEvent, decode_event

log = logging.getLogger("findings.parse")
PARSE_GROUP = "findings-parse"


class ObjectStoreUnavailable(Exception):
    """The bucket could not be read: retry the batch later, fail nothing."""


class Parse:
    def __init__(self, settings: ParseSettings, broker: KafkaBroker) -> None:
        self.settings = settings
        self.broker = broker
        self.topics = Topics(namespace=settings.kafka.topic_namespace)
        self.delivery = Delivery.for_service("parse", settings.delivery)
        self.pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return worker_pool(self.settings.workers, self.settings.max_memory_bytes)

    def close(self) -> None:
        self.pool.shutdown(cancel_futures=True)

    async def on_batch(self, records: list[Record]) -> None:
        """Parse a batch in parallel worker processes; publish every outcome."""
        received: list[ReportReceived] = []
        invalid: list[ReportFailed] = []
        dropped = 0  # invalid and naming no report: nothing to publish, still a dead letter
        for record in records:
            try:
                received.append(decode_event(ReportReceived, record.value))
            except InvalidEvent as error:
                failure = failure_of(record, Stage.PARSE, error, attempt=1)
                if failure is None:
                    log.error("dropping %s@%d: %s", record.topic, record.offset, error)
                    dropped += 1
                else:
                    invalid.append(failure)
        outcomes = await asyncio.gather(*(self._parse_in_pool(event) for event in received))
        if any(isinstance(o, ParseFailure) and o.error_type == "parse_timeout" for o in outcomes):
            self._replace_pool()  # its workers may still be busy with the timed-out files
        if None in outcomes:
            # The pool is broken for every file it held: try each alone in a fresh pool,
            # so only a file that kills the parser by itself is failed for it.
            log.warning("a parser process died; parsing each file of the batch alone")
            self._replace_pool()
            for index, outcome in enumerate(outcomes):
                if outcome is None:
                    outcomes[index] = await self._parse_in_pool(received[index])
                if outcomes[index] is None:
                    self._replace_pool()
                    outcomes[index] = ParseFailure(
                        "parser_crashed", "the parser process died on this file"
                    )
        finished: list[tuple[ReportReceived, ReportParsed | ParseFailure]] = []
        for event, outcome in zip(received, outcomes, strict=True):
            if isinstance(outcome, StoreUnavailable):
                # Transient: nothing is published, the batch is redelivered after a back-off.
                raise ObjectStoreUnavailable(outcome.reason)
            if isinstance(outcome, ContentChanged):
                log.info("%s changed since it was announced: left to its new version", event.name)
                continue
            assert outcome is not None
            finished.append((event, outcome))
        self.check_breaker([outcome for _, outcome in finished], len(invalid) + dropped)
        pairs = finished
        await asyncio.gather(
            *(self.publish_outcome(event, outcome) for event, outcome in pairs),
            *(self.publish_dead_letter(failure) for failure in invalid),
        )

    def check_breaker(self, outcomes: list[ReportParsed | ParseFailure], invalid: int) -> None:
        """Count the batch's dead letters; publish none of them if the breaker opens."""
        health = self.delivery.health
        health.succeeded(sum(isinstance(o, ReportParsed) for o in outcomes))
        for outcome in outcomes:
            if isinstance(outcome, ParseFailure):
                health.dead_letter(f"{outcome.error_type}: {outcome.reason}")
        for _ in range(invalid):
            health.dead_letter("invalid_event")
        if health.breaker.is_open:
            raise CircuitOpen(health.breaker.describe())

    def _replace_pool(self) -> None:
        # shutdown() does not stop a worker that is busy: terminate them outright.
        for process in list(getattr(self.pool, "_processes", {}).values()):
            process.terminate()
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.pool = self._new_pool()

    async def _parse_in_pool(
        self, event: ReportReceived
    ) -> ReportParsed | ParseFailure | StoreUnavailable | ContentChanged | None:
        """The outcome, or None if the worker process died."""
        timeout = self.settings.parse_timeout_s
        try:
            return await asyncio.wait_for(
                asyncio.get_running_loop().run_in_executor(
                    self.pool,
                    parse_object,
                    event.object_uri,
                    event.name,
                    event.report_id,
                    self.settings.max_file_bytes,
                    self.settings.s3,
                ),
                timeout,
            )
        except BrokenProcessPool:
            return None
        except TimeoutError:
            return ParseFailure("parse_timeout", f"parsing took longer than {timeout:g} s")

    async def publish_outcome(
        self, received: ReportReceived, outcome: ReportParsed | ParseFailure
    ) -> None:
        if isinstance(outcome, ReportParsed):
            try:
                await self.publish_parsed(received, outcome)
            except EventTooLarge as error:
                # Retrying cannot help: dead-letter the report with its reason.
                await self.publish_failure(received, ParseFailure("report_too_large", str(error)))
        else:
            await self.publish_failure(received, outcome)

    async def publish_failure(self, received: ReportReceived, failure: ParseFailure) -> None:
        event = ReportFailed(
            report_id=received.report_id,
            object_uri=received.object_uri,
            stage=Stage.PARSE,
            error_type=failure.error_type,
            reason=failure.reason,
            attempt=received.attempt,
        )
        await self.publish_dead_letter(event)
        log.warning("failed %s: %s", received.name, failure.reason)

    async def publish_dead_letter(self, event: ReportFailed) -> None:
        body = encode_event(event, self.settings.kafka.max_message_bytes)
        await (await publish_event(self.broker, self.topics.failed, body, event.report_id))

    async def publish_parsed(self, received: ReportReceived, report: ReportParsed) -> None:
        """The findings, then the whole report; every acknowledgement before returning."""
        limit = self.settings.kafka.max_message_bytes
        # Encoded first: a report too large to publish fails before any finding is out.
        parsed = encode_event(
            ReportParsedEvent(
                report_id=report.report_id,
                object_uri=received.object_uri,
                report=report,
                received_at=received.received_at,
            ),
            limit,
        )
        authority = report.local_authority
        findings = [
            encode_event(
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
                ),
                limit,
            )
            for finding in report.findings
        ]
        pending = [
            await publish_event(self.broker, self.topics.finding, body, report.report_id)
            for body in findings
        ]
        pending.append(
            await publish_event(self.broker, self.topics.parsed, parsed, report.report_id)
        )
        await asyncio.gather(*pending)
        log.info(
            "parsed %s: %s, %d findings", received.name, report.report_type, len(report.findings)
        )


def subscribe(parse: Parse) -> None:
    subscribe_batches_at_least_once(
        parse.broker,
        parse.settings.kafka,
        PARSE_GROUP,
        [parse.topics.received],
        parse.on_batch,
        parse.delivery,
        max_records=parse.settings.workers * 2,
        max_poll_interval_ms=600_000,
    )


async def run(settings: ParseSettings, stop: asyncio.Event) -> None:
    topics = Topics(namespace=settings.kafka.topic_namespace)
    topic_names = topics.all()
    await ensure_topics(settings.kafka, topic_names)
    broker = make_broker(settings.kafka)
    parse = Parse(settings, broker)
    subscribe(parse)
    await broker.start()
    try:
        async with (
            serving_health(parse.delivery.health, settings),
            keeping_topics(settings.kafka, topic_names, settings.kafka.topic_check_interval_s),
        ):
            await stop.wait()
    finally:
        await broker.stop()
        parse.close()
