"""Composition root of store: parsed, failed and replaced events in, rows committed,
stored out.

One transaction per batch of events (the handler boundary; up to `EVENTS_PER_COMMIT`);
*stored* is published only after the commit; the offsets are committed only after that
(AckPolicy.NACK_ON_ERROR). A batch that fails for something other than an outage is
applied again one event at a time, and the event at fault is dead-lettered.
Redelivery is harmless: a report already stored by the same or a newer parser
version is left as it is, and failures are keyed by their event id. A report whose file
was replaced is withdrawn; a parse of it taken before the replacement is not stored.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from itertools import groupby

from faststream.kafka import KafkaBroker
from opentelemetry.trace import Span, SpanKind, use_span
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from findings_shared.consumer import run_consumer_service
from findings_shared.database import make_engine, make_sessionmaker
from findings_shared.events import (
    ReportFailed,
    ReportParsedEvent,
    ReportReplaced,
    ReportStored,
    Stage,
    Topics,
    encode_event,
)
from findings_shared.kafka import (
    Delivery,
    Record,
    failure_of,
    publish_event,
    subscribe_batches_at_least_once,
)
from findings_shared.logs import about
from findings_shared.reliability import (
    CircuitOpen,
    PermanentError,
    decode_event,
    is_transient,
)
from findings_shared.telemetry import context_from_headers, traceparent_of, tracer
from findings_store.repository import ReportRepository, ReportWrite, version_key
from findings_store.settings import StoreSettings

log = logging.getLogger("findings.store")
STORE_GROUP = "findings-store"
# Events applied in one transaction: under a burst, one commit for many reports.
EVENTS_PER_COMMIT = 20


class Store:
    def __init__(
        self,
        settings: StoreSettings,
        broker: KafkaBroker,
        sessions: async_sessionmaker[AsyncSession],
    ) -> None:
        self.settings = settings
        self.broker = broker
        self.sessions = sessions
        self.topics = Topics(namespace=settings.kafka.topic_namespace)
        self.delivery = Delivery.for_service("store", settings.delivery, self.dead_letter)

    async def serve(self, stop: asyncio.Event) -> None:
        """The subscriber does the work."""
        await stop.wait()

    def close(self) -> None:
        """Nothing of its own to release: the engine is the service skeleton's."""

    async def on_batch(self, records: list[Record]) -> None:
        health = self.delivery.health
        try:
            stored = await self.apply(records)
        except Exception as error:
            if is_transient(error):
                raise  # the batch is redelivered after a back-off
            # One of them is at fault: each on its own; the one that fails again goes.
            stored = []
            for record in records:
                try:
                    stored += await self.apply([record])
                except Exception as single_error:
                    if is_transient(single_error):
                        raise
                    health.dead_letter(
                        f"{type(single_error).__name__}: {single_error}", record.topic
                    )
                    if health.breaker.is_open:
                        # Too many at once: something is wrong beyond this event; the
                        # batch waits for the circuit to close rather than go to waste.
                        raise CircuitOpen(health.breaker.describe()) from single_error
                    # A permanent fault (an invalid event) counts once; anything else was
                    # tried in its batch, then alone.
                    attempt = 1 if isinstance(single_error, PermanentError) else 2
                    await self.dead_letter(record, single_error, attempt)
        for event in stored:
            body = encode_event(event, self.settings.kafka.max_message_bytes)
            await (await publish_event(self.broker, self.topics.stored, body, event.report_id))
            log.info("stored %s: %d findings", event.report_id[:12], event.finding_count)
        health.succeeded(len(records))

    async def apply(self, records: list[Record]) -> list[ReportStored]:
        """The events, in order, in one transaction; the *stored* outcomes to publish."""
        now = datetime.now(UTC)
        stored: list[ReportStored] = []
        async with self.sessions.begin() as session:
            repository = ReportRepository(session, self.settings.withdrawn_kept)
            for topic, run in groupby(records, key=lambda record: record.topic):
                if topic == self.topics.parsed:
                    stored += await self.store_parsed(repository, list(run), now)
                elif topic == self.topics.replaced:
                    for record in run:
                        await self.withdraw(repository, record.value)
                else:
                    for record in run:
                        await self.record_failure(repository, record.value)
            if any(record.topic != self.topics.failed for record in records):
                await repository.changed()
        return stored

    async def store_parsed(
        self, repository: ReportRepository, records: list[Record], now: datetime
    ) -> list[ReportStored]:
        """Parsed events one after another: each of their reports in a span of its trace
        (kept with the report for the API's reads), written together, a statement per table.
        """
        events = [decode_event(ReportParsedEvent, record.value) for record in records]
        with ExitStack() as open_spans:
            spans = [
                open_spans.enter_context(
                    tracer().start_as_current_span(
                        "store: store report",
                        context=context_from_headers(record.headers),
                        kind=SpanKind.CONSUMER,
                        attributes={"findings.report_id": event.report.report_id},
                    )
                )
                for record, event in zip(records, events, strict=True)
            ]
            stored: list[ReportStored] = []
            for run in distinct_runs(list(zip(events, spans, strict=True))):
                stored += await self.store_run(repository, run, now)
        return stored

    async def store_run(
        self,
        repository: ReportRepository,
        run: list[tuple[ReportParsedEvent, Span]],
        now: datetime,
    ) -> list[ReportStored]:
        """Parsed events of distinct reports: a report already stored by the same or a
        newer parser version is left as it is; one whose file was replaced is not stored
        unless its content was taken again after the replacement."""
        report_ids = [event.report.report_id for event, _ in run]
        known = await repository.stored_reports(report_ids)
        tombstones = await repository.replaced_times(report_ids)
        writes: list[ReportWrite] = []
        revived: list[str] = []
        outcomes: list[ReportStored] = []
        span_of = {event.report.report_id: span for event, span in run}
        for event, span in run:
            report = event.report
            replaced_at = tombstones.get(report.report_id)
            if replaced_at is not None:
                if event.received_at is None or event.received_at <= replaced_at:
                    with about_report(report.report_id, span):
                        log.info("not storing %s: its file was replaced", report.report_id[:12])
                    continue
                revived.append(report.report_id)  # the same content, taken again since
            stored = known.get(report.report_id)
            if stored is None or version_key(stored.parser_version) < version_key(
                report.parser_version
            ):
                writes.append(ReportWrite(report, event.object_uri, traceparent_of(span)))
                parser_version, finding_count = report.parser_version, len(report.findings)
            else:
                parser_version, finding_count = stored
            # Re-announcing the outcome of a redelivered event is harmless and lets the
            # ledger converge after a lost stored event.
            outcomes.append(
                ReportStored(
                    report_id=report.report_id,
                    parser_version=parser_version,
                    finding_count=finding_count,
                    stored_at=now,
                )
            )
        if revived:
            await repository.revive(revived)
        await repository.replace_reports(writes, now)
        new = {write.report.report_id for write in writes} - known.keys()
        copies = await repository.settle_copies([write.report for write in writes], new)
        for copy, original in copies.items():
            with about_report(copy, span_of[copy]):
                log.info("%s is another file of %s's inspection", copy[:12], original[:12])
        return outcomes

    async def withdraw(self, repository: ReportRepository, body: bytes) -> None:
        notice = decode_event(ReportReplaced, body)
        if await repository.withdraw(notice):
            log.info("withdrew %s: its file now holds other content", notice.report_id[:12])

    async def record_failure(self, repository: ReportRepository, body: bytes) -> None:
        failure = decode_event(ReportFailed, body)
        await repository.record_failure(failure)
        log.info("recorded failure of %s: %s", failure.report_id[:12], failure.reason)

    async def dead_letter(self, record: Record, error: Exception, attempt: int) -> None:
        """A parsed event that cannot be stored becomes the report's failure."""
        failure = failure_of(record, Stage.STORE, error, attempt)
        if record.topic == self.topics.failed or failure is None:
            # Never back into the topic it came from; nothing names a report anyway.
            log.error("dropping %s@%d: %s", record.topic, record.offset, error)
            return
        body = encode_event(failure, self.settings.kafka.max_message_bytes)
        await (await publish_event(self.broker, self.topics.failed, body, failure.report_id))
        log.error("dead-lettered %s: %s", failure.report_id[:12], failure.reason)


@contextmanager
def about_report(report_id: str, span: Span) -> Iterator[None]:
    """Log lines about one report of a batch carry its id and its trace: every report's
    span is open while the batch is written, and the last one opened is the current."""
    with use_span(span), about(report_id):
        yield


def distinct_runs(
    items: list[tuple[ReportParsedEvent, Span]],
) -> Iterator[list[tuple[ReportParsedEvent, Span]]]:
    """The items in order, cut where a report comes again (a redelivery in the same
    batch): a report's second event is applied after its first is written."""
    run: list[tuple[ReportParsedEvent, Span]] = []
    in_run: set[str] = set()
    for item in items:
        report_id = item[0].report.report_id
        if report_id in in_run:
            yield run
            run, in_run = [], set()
        run.append(item)
        in_run.add(report_id)
    if run:
        yield run


def subscribe(store: Store) -> None:
    subscribe_batches_at_least_once(
        store.broker,
        store.settings.kafka,
        STORE_GROUP,
        [store.topics.parsed, store.topics.failed, store.topics.replaced],
        store.on_batch,
        store.delivery,
        max_records=EVENTS_PER_COMMIT,
        max_partition_fetch_bytes=16 * 1024 * 1024,
    )


async def run(settings: StoreSettings, stop: asyncio.Event) -> None:
    engine = make_engine(settings.database)
    sessions = make_sessionmaker(engine)

    def build(broker: KafkaBroker) -> Store:
        store = Store(settings, broker, sessions)
        subscribe(store)
        return store

    topic_names = Topics(namespace=settings.kafka.topic_namespace).all()
    await run_consumer_service(settings, topic_names, build, stop, engine)
