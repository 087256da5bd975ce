"""Composition root of parse: received events in; parsed, finding or failed events out.

The offset of a received event is committed only after every event it produced is
acknowledged by the broker (AckPolicy.NACK_ON_ERROR: an exception rewinds to it), except
for a report that parses slowly: the batch goes on without it (see `Parse.on_batch`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter

from faststream.kafka import KafkaBroker
from opentelemetry.context import Context
from opentelemetry.trace import SpanKind

from findings_parse.settings import ParseSettings
from findings_parse.worker import (
    ContentChanged,
    ParsedEvents,
    ParseFailure,
    StoreUnavailable,
    parse_received,
    warm_up,
    worker_pool,
)
from findings_shared.consumer import run_consumer_service
from findings_shared.events import (
    ReportFailed,
    ReportReceived,
    Stage,
    Topics,
    encode_event,
)
from findings_shared.kafka import (
    Delivery,
    Record,
    failure_of,
    publish_event,
    publish_events,
    record_batch_bytes,
    subscribe_batches_at_least_once,
)
from findings_shared.logs import about
from findings_shared.metrics import PARSE_PAGES, PARSE_SECONDS
from findings_shared.reliability import CircuitOpen, InvalidEvent, decode_event
from findings_shared.telemetry import context_from_headers, tracer

log = logging.getLogger("findings.parse")
PARSE_GROUP = "findings-parse"


# The outcome label of the parse-time histogram.
_OUTCOMES: dict[type, str] = {
    ParsedEvents: "parsed",
    ParseFailure: "failed",
    StoreUnavailable: "store_unavailable",
    ContentChanged: "content_changed",
}


class ObjectStoreUnavailable(Exception):
    """The bucket could not be read: retry the batch later, fail nothing."""


class Slot:
    """One worker process. Each report is parsed in a slot of its own, so a report that
    parses slowly, times out or kills its process holds up or takes down no other."""

    def __init__(self, max_memory_bytes: int) -> None:
        self.max_memory_bytes = max_memory_bytes
        self.pool = self.started_pool()

    def started_pool(self) -> ProcessPoolExecutor:
        pool = worker_pool(1, self.max_memory_bytes)
        pool.submit(warm_up)  # its result does not matter: a report's parse says what fails
        return pool

    def pids(self) -> list[int]:
        return list(getattr(self.pool, "_processes", None) or {})

    def alive(self) -> bool:
        """False when its worker died while idle (killed, out of memory): the next report
        must not be charged with that death."""
        processes = (getattr(self.pool, "_processes", None) or {}).values()
        return not getattr(self.pool, "_broken", False) and all(p.is_alive() for p in processes)

    def replace(self) -> None:
        # shutdown() does not stop a worker that is busy: terminate it outright.
        for process in list((getattr(self.pool, "_processes", None) or {}).values()):
            process.terminate()
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.pool = self.started_pool()

    def close(self) -> None:
        self.pool.shutdown(cancel_futures=True)


@dataclass(eq=False)
class Job:
    """One received report on its way through a slot."""

    event: ReportReceived
    context: Context | None = None  # the trace it came with (ingest's)
    started_at: float | None = None  # when it got a slot (monotonic)
    task: asyncio.Task[None] | None = None


class Parse:
    def __init__(self, settings: ParseSettings, broker: KafkaBroker) -> None:
        self.settings = settings
        self.broker = broker
        self.topics = Topics(namespace=settings.kafka.topic_namespace)
        self.delivery = Delivery.for_service("parse", settings.delivery)
        self.slots = [Slot(settings.max_memory_bytes) for _ in range(settings.workers)]
        self.idle: asyncio.Queue[Slot] = asyncio.Queue()
        for slot in self.slots:
            self.idle.put_nowait(slot)
        # Slow reports whose batch went on without them: they publish when done.
        self.deferred: set[asyncio.Task[None]] = set()
        self.recent = RecentOutcomes(settings.recent_outcomes_bytes)

    def worker_pids(self) -> list[int]:
        return [pid for slot in self.slots for pid in slot.pids()]

    async def serve(self, stop: asyncio.Event) -> None:
        """The subscriber does the work."""
        await stop.wait()

    def close(self) -> None:
        for task in self.deferred:
            task.cancel()
        for slot in self.slots:
            slot.close()

    async def on_batch(self, records: list[Record]) -> None:
        """Parse each report of a batch in a worker of its own and publish its outcome as
        soon as it is there. A report still parsing `slow_after_s` after it started is
        left to finish on its own: the batch (and its offsets) go on without it, so the
        reports behind it flow through the other workers. Were the service to stop before
        it is done, ingest announces that report again (no outcome reached its ledger)."""
        received: list[tuple[ReportReceived, Context]] = []
        invalid: list[ReportFailed] = []
        dropped = 0  # invalid and naming no report: nothing to publish, still a dead letter
        for record in records:
            try:
                received.append(
                    (
                        decode_event(ReportReceived, record.value),
                        context_from_headers(record.headers),
                    )
                )
            except InvalidEvent as error:
                failure = failure_of(record, Stage.PARSE, error, attempt=1)
                if failure is None:
                    log.error("dropping %s@%d: %s", record.topic, record.offset, error)
                    dropped += 1
                else:
                    invalid.append(failure)
        health = self.delivery.health
        for _ in range(len(invalid) + dropped):
            health.dead_letter("invalid_event", self.topics.received)
        if health.breaker.is_open:
            raise CircuitOpen(health.breaker.describe())
        await asyncio.gather(*(self.publish_dead_letter(failure) for failure in invalid))
        jobs = [Job(event, context) for event, context in received]
        for job in jobs:
            job.task = asyncio.create_task(self.handle(job))
        await self.wait_or_defer(jobs)

    async def wait_or_defer(self, jobs: list[Job]) -> None:
        """Wait for every job of the batch, except those parsing for longer than
        `slow_after_s`; raise the first error of those waited for."""
        slow_after_s = self.settings.slow_after_s
        waiting = {job.task: job for job in jobs if job.task is not None}
        while waiting:
            _done, pending = await asyncio.wait(
                waiting, timeout=min(slow_after_s, 0.5), return_when=asyncio.FIRST_COMPLETED
            )
            now = time.monotonic()
            for task in list(waiting):
                job = waiting[task]
                if task.done():
                    del waiting[task]
                elif job.started_at is not None and now - job.started_at >= slow_after_s:
                    del waiting[task]
                    self.defer(job, task)
            assert set(waiting) <= pending
        errors = [
            error
            for job in jobs
            if job.task is not None and job.task.done() and not job.task.cancelled()
            if (error := job.task.exception()) is not None
        ]
        for error in errors:
            # An open circuit first, then an outage: both hold the batch; a bug last.
            if isinstance(error, CircuitOpen):
                raise error
        for error in errors:
            if isinstance(error, ObjectStoreUnavailable):
                raise error
        if errors:
            raise errors[0]

    def defer(self, job: Job, task: asyncio.Task[None]) -> None:
        log.warning(
            "%s is slow to parse: the reports behind it go on; its outcome follows when done",
            job.event.name,
        )
        self.deferred.add(task)
        task.add_done_callback(self._deferred_done)

    def _deferred_done(self, task: asyncio.Task[None]) -> None:
        self.deferred.discard(task)
        if not task.cancelled() and (error := task.exception()) is not None:
            # Nothing to rewind to: ingest announces the report again (no outcome came).
            log.warning("a slow report could not be finished: %s", error)

    async def handle(self, job: Job) -> None:
        """Parse one report in a slot, count its outcome and publish it: a span of the
        report's trace, whose context its events carry on."""
        with (
            tracer().start_as_current_span(
                "parse: parse report",
                context=job.context,
                kind=SpanKind.CONSUMER,
                attributes={"findings.report_id": job.event.report_id},
            ),
            about(job.event.report_id, job.event.event_id),
        ):
            await self.parse_and_publish(job)

    async def parse_and_publish(self, job: Job) -> None:
        event = job.event
        repeated = self.recent.get(event.report_id)
        if repeated is not None:
            await self.publish_all(event.report_id, repeated)
            log.info("%s announced again: its outcome published again", event.name)
            return
        outcome = await self.parse_in_slot(job)
        if job.started_at is not None:
            seconds = time.monotonic() - job.started_at
            PARSE_SECONDS.labels(_OUTCOMES[type(outcome)]).observe(seconds)
        if isinstance(outcome, ParsedEvents) and outcome.pages:
            PARSE_PAGES.observe(outcome.pages)
        if isinstance(outcome, StoreUnavailable):
            # Transient: its batch is redelivered after a back-off.
            raise ObjectStoreUnavailable(outcome.reason)
        if isinstance(outcome, ContentChanged):
            log.info("%s changed since it was announced: left to its new version", event.name)
            return
        health = self.delivery.health
        if isinstance(outcome, ParseFailure):
            health.dead_letter(f"{outcome.error_type}: {outcome.reason}", self.topics.received)
            if health.breaker.is_open:
                # Published by none: redelivered once the circuit closes.
                raise CircuitOpen(health.breaker.describe())
        else:
            health.succeeded(1)
        await self.publish_outcome(event, outcome)

    async def parse_in_slot(
        self, job: Job
    ) -> ParsedEvents | ParseFailure | StoreUnavailable | ContentChanged:
        """The outcome, from the first free slot; a report whose worker died is tried once
        more in a fresh one before it is failed for it."""
        for _attempt in range(2):
            slot = await self.idle.get()
            if not slot.alive():
                slot.replace()
            job.started_at = time.monotonic()
            try:
                outcome = await self._parse(slot, job.event)
            finally:
                self.idle.put_nowait(slot)
            if outcome is not None:
                return outcome
        return ParseFailure("parser_crashed", "the parser process died on this file")

    async def _parse(
        self, slot: Slot, event: ReportReceived
    ) -> ParsedEvents | ParseFailure | StoreUnavailable | ContentChanged | None:
        """The outcome, or None if the worker process died (the slot gets a new one)."""
        timeout = self.settings.parse_timeout_s
        try:
            return await asyncio.wait_for(
                asyncio.get_running_loop().run_in_executor(
                    slot.pool,
                    parse_received,
                    event,
                    self.settings.max_file_bytes,
                    self.settings.kafka.max_message_bytes,
                    self.settings.s3,
                ),
                timeout,
            )
        except BrokenProcessPool:
            log.warning("a parser process died while parsing %s; starting another", event.name)
            slot.replace()
            return None
        except TimeoutError:
            slot.replace()  # its worker is still busy with the timed-out file
            return ParseFailure("parse_timeout", f"parsing took longer than {timeout:g} s")

    async def publish_outcome(
        self, received: ReportReceived, outcome: ParsedEvents | ParseFailure
    ) -> None:
        """Publish the outcome's events (the findings, then the whole report), and keep
        them for a repeat."""
        if isinstance(outcome, ParsedEvents):
            events = [
                *((self.topics.finding, body) for body in outcome.findings),
                (self.topics.parsed, outcome.parsed),
            ]
        else:
            events = [self.failure_event(received, outcome)]
        await self.publish_all(received.report_id, events)
        self.recent.keep(received.report_id, events)
        if isinstance(outcome, ParsedEvents):
            log.info(
                "parsed %s: %s, %d findings",
                received.name,
                outcome.report_type,
                len(outcome.findings),
            )
        else:
            log.warning("failed %s: %s", received.name, outcome.reason)

    async def publish_all(self, report_id: str, events: list[tuple[str, bytes]]) -> None:
        """Publish in order, each topic's run of events in record batches; every
        acknowledgement before returning."""
        pending = []
        for topic, run in groupby(events, key=itemgetter(0)):
            bodies = [body for _, body in run]
            pending += await publish_events(
                self.broker, topic, bodies, report_id, record_batch_bytes(self.settings.kafka)
            )
        await asyncio.gather(*pending)

    def failure_event(self, received: ReportReceived, failure: ParseFailure) -> tuple[str, bytes]:
        event = ReportFailed(
            report_id=received.report_id,
            object_uri=received.object_uri,
            stage=Stage.PARSE,
            error_type=failure.error_type,
            reason=failure.reason,
            attempt=received.attempt,
        )
        return self.topics.failed, encode_event(event, self.settings.kafka.max_message_bytes)

    async def publish_dead_letter(self, event: ReportFailed) -> None:
        body = encode_event(event, self.settings.kafka.max_message_bytes)
        await (await publish_event(self.broker, self.topics.failed, body, event.report_id))


class RecentOutcomes:
    """The events of the reports parsed last, up to `max_bytes`, by report id.

    ingest announces a report again when its outcome is slow to come back, which, behind a
    long backlog, is not a loss: the report is still queued. Such a repeat is answered by
    publishing the kept events again (the outcome still reaches ingest and store, should
    the first have been lost with the broker) instead of parsing the file again."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.events: OrderedDict[str, list[tuple[str, bytes]]] = OrderedDict()

    def keep(self, report_id: str, events: list[tuple[str, bytes]]) -> None:
        self.forget(report_id)
        size = sum(len(body) for _, body in events)
        if size > self.max_bytes:
            return
        self.events[report_id] = events
        self.size += size
        while self.size > self.max_bytes:
            self.forget(next(iter(self.events)))

    def get(self, report_id: str) -> list[tuple[str, bytes]] | None:
        events = self.events.get(report_id)
        if events is not None:
            self.events.move_to_end(report_id)
        return events

    def forget(self, report_id: str) -> None:
        events = self.events.pop(report_id, None)
        if events is not None:
            self.size -= sum(len(body) for _, body in events)


def subscribe(parse: Parse) -> None:
    subscribe_batches_at_least_once(
        parse.broker,
        parse.settings.kafka,
        PARSE_GROUP,
        [parse.topics.received],
        parse.on_batch,
        parse.delivery,
        # Four reports a worker: a batch ends when its last report does, and the workers
        # that finished first wait for it; twice as many reports halve that share (a
        # 1,000-report burst 5 % faster than with two a worker, docs/benchmarks.md).
        max_records=parse.settings.workers * 4,
        max_poll_interval_ms=600_000,
    )


async def run(settings: ParseSettings, stop: asyncio.Event) -> None:
    def build(broker: KafkaBroker) -> Parse:
        parse = Parse(settings, broker)
        subscribe(parse)
        return parse

    topic_names = Topics(namespace=settings.kafka.topic_namespace).all()
    await run_consumer_service(settings, topic_names, build, stop)
