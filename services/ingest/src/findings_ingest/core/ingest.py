"""ingest's logic: watch the bucket, keep the ledger, announce reports.

Delivery: the ledger commit comes first, the announcement after it; a report stays
`pending`/`announced` until store says it is stored (or parse says it failed), and is
announced again after `reannounce_after_s`. A crash or a broker that lost its data
therefore delays a report but never loses it.

Only ports here (the bucket, the ledger, the publisher, the broker marker); the
composition root (findings_ingest.app) wires their adapters in.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from asyncio import FIRST_COMPLETED
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta

from opentelemetry.trace import SpanKind
from pydantic import ValidationError

from findings_ingest.core.ledger import (
    LedgerAccess,
    Outcome,
    PendingReport,
    Replacement,
    SeenObject,
)
from findings_ingest.core.notifications import created_objects
from findings_ingest.core.objects import Bucket, BucketObject, BucketUnreachable
from findings_ingest.core.ports import BrokerMarker, EventPublisher
from findings_ingest.settings import IngestSettings
from findings_shared.admission import Admitted, admit, looks_unfinished
from findings_shared.bucket import ObjectMissing
from findings_shared.events import (
    ReportFailed,
    ReportReceived,
    ReportReplaced,
    ReportStored,
    Topics,
    report_id_of,
)
from findings_shared.logs import about
from findings_shared.reliability import Health, InvalidEvent, decode_event
from findings_shared.telemetry import tracer

log = logging.getLogger("findings.ingest")
# Reported objects recorded in one ledger transaction and announced together.
TAKEN_TOGETHER = 100


def _now() -> datetime:
    return datetime.now(UTC)


class Ingest:
    def __init__(
        self,
        settings: IngestSettings,
        bucket: Bucket,
        ledger: LedgerAccess,
        publisher: EventPublisher,
        health: Health,
    ) -> None:
        self.settings = settings
        self.bucket = bucket
        self.ledger = ledger
        self.publisher = publisher
        self.health = health
        self.topics = Topics(namespace=settings.kafka.topic_namespace)
        self.known: dict[str, str] = {}
        # Objects that looked half-written when read, by URI: their version then.
        self.unfinished: dict[str, str] = {}
        self.resume_after = ""
        self.last_reconcile = 0.0
        self.pass_interval_s = bucket.listing_interval_s
        self.last_pass_ended = -self.pass_interval_s
        # Locations the bucket reported changed, with when they last changed (monotonic).
        self.changed: dict[str, float] = {}
        self.watching = False
        self.wake = asyncio.Event()
        # When the last outcome (any report's) came back (monotonic): the pipeline is
        # working through its backlog while they keep coming.
        self.last_outcome_at: float | None = None

    async def load_known(self) -> None:
        async with self.ledger.read() as ledger:
            self.known = await ledger.known_versions()
            self.resume_after = await ledger.listing_checkpoint(self.bucket.name)

    def note_changes(self, locations: list[str]) -> None:
        now = time.monotonic()
        for location in locations:
            self.changed[location] = now
        self.wake.set()

    async def take_changed(self) -> int:
        """Take the reported objects quiet for `event_settle_s` since their last change."""
        now = time.monotonic()
        due = [p for p, at in self.changed.items() if now - at >= self.settings.event_settle_s]
        if not due:
            return 0
        found = await asyncio.to_thread(self.bucket.objects_at, due)
        announced = 0
        for start in range(0, len(due), TAKEN_TOGETHER):
            locations = due[start : start + TAKEN_TOGETHER]
            objects = [found[location] for location in locations if location in found]
            # An outage raises here: the locations stay noted, taken on a later pass.
            announced += await self.take_objects(
                [obj for obj in objects if self.known.get(obj.uri) != obj.version]
            )
            for location in locations:
                self.changed.pop(location, None)
        return announced

    async def rescan(self) -> int:
        """Watched: every `rescan_interval_s`, the objects no change report brought (there
        before the watch began, or missed) are noted as changed, to be taken once settled."""
        if time.monotonic() - self.last_pass_ended < self.settings.rescan_interval_s:
            return 0
        found = await asyncio.to_thread(self.bucket.scan)
        self.last_pass_ended = time.monotonic()
        missed = [obj.location for obj in found if self.known.get(obj.uri) != obj.version]
        missed = [location for location in missed if location not in self.changed]
        if missed:
            self.note_changes(missed)
        return 0

    def next_wake_s(self) -> float:
        """How long the loop may sleep: until the next reported object has settled, at most
        a poll interval (reconcile and the listing keep their pace)."""
        interval = self.settings.poll_interval_s
        if not self.changed:
            return interval
        settled_at = min(self.changed.values()) + self.settings.event_settle_s
        return max(0.0, min(interval, settled_at - time.monotonic()))

    async def poll_once(self) -> int:
        """Reported objects that settled, the next page of the listing (when due), then
        overdue announcements; returns how many reports were announced."""
        announced = await self.take_changed()
        announced += await self.list_next_page()
        if time.monotonic() - self.last_reconcile >= min(self.settings.reannounce_after_s, 10):
            announced += await self.reconcile(self.settings.reannounce_after_s)
        return announced

    async def list_next_page(self) -> int:
        starting_a_pass = self.resume_after == ""
        if self.watching:
            return await self.rescan()
        if starting_a_pass and time.monotonic() - self.last_pass_ended < self.pass_interval_s:
            return 0
        page = await asyncio.to_thread(self.bucket.list_page, self.resume_after)
        announced = 0
        for obj in page.objects:
            if self.known.get(obj.uri) != obj.version:
                announced += await self.take_object(obj)
        resume_after = page.resume_after or ""
        if resume_after != self.resume_after:
            async with self.ledger.begin() as ledger:
                await ledger.save_listing_checkpoint(self.bucket.name, resume_after, _now())
            self.resume_after = resume_after
        if page.resume_after is None:
            self.last_pass_ended = time.monotonic()
        return announced

    def still_writing(self, obj: BucketObject, content: bytes | None) -> bool:
        """Whether an object written in place looks unfinished and is young enough that its
        writer may still be at it (a slow copy pausing longer than the settle time)."""
        if self.bucket.objects_appear_whole:
            return False
        age_s = (time.time_ns() - obj.modified_ns) / 1e9
        if age_s >= self.settings.unfinished_pdf_wait_s:
            return False
        if content is None:
            return self.unfinished.get(obj.uri) == obj.version
        if looks_unfinished(content):
            self.unfinished[obj.uri] = obj.version
            return True
        return False

    async def take_object(self, obj: BucketObject) -> int:
        return await self.take_objects([obj])

    async def take_objects(self, objects: list[BucketObject]) -> int:
        """Read the objects, record them in one ledger transaction, then announce their
        new reports together; returns how many were announced. An outage raises: nothing
        of the batch is recorded, and it is taken again on a later pass."""
        seen_by_uri = {
            found.object_uri: found
            for obj in objects
            if (found := await self.seen_object(obj)) is not None
        }
        seen = list(seen_by_uri.values())  # an object listed twice: as last seen
        if not seen:
            return 0
        to_announce: list[PendingReport] = []
        withdrawn: list[tuple[SeenObject, str]] = []
        async with self.ledger.begin() as ledger:
            # A statement for all the objects, not one each.
            previous = await ledger.accepted_contents([item.object_uri for item in seen])
            await ledger.record_objects(seen)
            added = await ledger.add_reports([item for item in seen if item.rejection is None])
            for item in seen:
                if item.rejection is None and item.sha256 in added:
                    to_announce.append(pending_of(item))
                    added.discard(item.sha256)  # the same bytes in two objects: once
            for item in seen:
                held = previous.get(item.object_uri)
                if (
                    held is not None
                    and held != item.sha256
                    and await ledger.withdraw_if_orphaned(
                        Replacement(
                            held,
                            item.object_uri,
                            item.sha256 if item.rejection is None else None,
                            item.seen_at,
                        )
                    )
                ):
                    withdrawn.append((item, held))
        for item in seen:
            self.known[item.object_uri] = item.version
            if item.rejection:
                log.warning("rejected %s: %s", item.name, item.rejection)
        for item, report_id in withdrawn:
            # A slow writer's partial copy, or a file overwritten: its report goes.
            log.warning("%s now holds other content: report %s withdrawn", item.name, report_id)
        if withdrawn:
            await self.publish_replacements()
        announced = {report.report_id for report in to_announce}
        for item in seen:
            if item.rejection is None and item.sha256 not in announced:
                log.info("%s has the same content as a known report %s", item.name, item.sha256)
        # Announced at once; if this fails, the reports stay `pending` for reconcile().
        await self.announce_all(to_announce)
        return len(to_announce)

    async def seen_object(self, obj: BucketObject) -> SeenObject | None:
        """The object as the ledger records it: read, hashed and judged; None while it
        is being written, or if it went away or cannot be read now."""
        if self.still_writing(obj, None):
            return None
        try:
            # An oversized file is judged by its size alone, without reading it.
            too_big = obj.size > self.settings.max_file_bytes
            content = b"" if too_big else await asyncio.to_thread(self.bucket.read, obj)
        except ObjectMissing:
            log.info("%s went away before it was read", obj.name)
            return None
        except (OSError, BucketUnreachable) as error:
            log.warning("cannot read %s: %s", obj.uri, error)
            return None
        if self.still_writing(obj, content):
            log.info("%s looks half-written: waiting for the rest", obj.name)
            return None
        self.unfinished.pop(obj.uri, None)
        size = obj.size if too_big else len(content)
        verdict = admit(obj.name, content[:4096], size, self.settings.max_file_bytes)
        return SeenObject(
            object_uri=obj.uri,
            name=obj.name,
            size=size,
            mtime_ns=obj.modified_ns,
            version=obj.version,
            seen_at=_now(),
            sha256=None if too_big else report_id_of(content),
            content_type=verdict.content_type if isinstance(verdict, Admitted) else None,
            rejection=None if isinstance(verdict, Admitted) else verdict.reason,
        )

    async def publish_replacements(self) -> None:
        """Tell the pipeline which reports are withdrawn; after the ledger commit, and again
        by reconcile() if publishing failed."""
        async with self.ledger.read() as ledger:
            due = await ledger.replacements_to_publish()
        for replacement in due:
            event = ReportReplaced(
                report_id=replacement.report_id,
                object_uri=replacement.object_uri,
                replaced_by=replacement.replaced_by,
                replaced_at=replacement.replaced_at,
            )
            await self.publisher.publish(self.topics.replaced, event)
            async with self.ledger.begin() as ledger:
                await ledger.mark_replaced(replacement.report_id)

    async def reconcile(self, reannounce_after_s: float) -> int:
        """Announce pending reports, and again those announced long ago without an outcome.

        The wait doubles with each announcement: a backlog longer than the first wait is
        not flooded with repeats, and a lost event is still sent again soon. While outcomes
        keep coming (one within the wait), nothing is announced again nor marked stuck: a
        report without its outcome is queued behind others, not lost. Measured at 20,000
        reports dropped at once: without this, ingest announced them 55,000 times and
        parse spent the end of the burst on repeats (docs/benchmarks.md)."""
        self.last_reconcile = time.monotonic()
        progressing = self.last_outcome_at is not None and (
            self.last_reconcile - self.last_outcome_at < reannounce_after_s
        )
        now = _now()
        wait = None if progressing else timedelta(seconds=reannounce_after_s)
        stuck = 0
        async with self.ledger.begin() as ledger:
            if wait is not None:
                stuck = await ledger.mark_stuck(now, wait, self.settings.max_announcements)
            due = await ledger.reports_to_announce(now, wait)
        if stuck:
            log.error("%d report(s) stuck: announced too often without an outcome", stuck)
        await self.publish_replacements()
        for report in due:
            await self.announce(report)
        return len(due)

    async def announce(self, report: PendingReport) -> None:
        await self.announce_all([report])

    async def announce_all(self, reports: list[PendingReport]) -> None:
        """Publish the reports' announcements together, then mark them announced in one
        ledger transaction."""
        if not reports:
            return
        events = [
            ReportReceived(
                report_id=report.report_id,
                object_uri=report.object_uri,
                name=report.name,
                size=report.size,
                sha256=report.report_id,
                content_type=report.content_type,
                received_at=report.received_at,
                attempt=report.announce_count + 1,
            )
            for report in reports
        ]

        async def announce_one(event: ReportReceived) -> None:
            # A report's trace starts here: the object taken from the bucket.
            with (
                tracer().start_as_current_span(
                    "ingest: announce report",
                    kind=SpanKind.PRODUCER,
                    attributes={
                        "findings.report_id": event.report_id,
                        "findings.object": event.name,
                    },
                ),
                about(event.report_id, event.event_id),
            ):
                await self.publisher.publish(self.topics.received, event)

        await asyncio.gather(*(announce_one(event) for event in events))
        async with self.ledger.begin() as ledger:
            await ledger.mark_announced([event.report_id for event in events], _now())
        for event in events:
            log.info(
                "announced %s (%s, attempt %d)", event.name, event.report_id[:12], event.attempt
            )

    async def record_outcomes(self, messages: list[tuple[str, bytes]]) -> None:
        """The stored and failed outcomes of a batch, in one ledger transaction (one
        commit for many reports, not one each). An outcome that cannot be read is logged
        and skipped: it names no report this ledger could update."""
        outcomes: list[Outcome] = []
        for topic, body in messages:
            try:
                if topic == self.topics.stored:
                    stored = decode_event(ReportStored, body)
                    outcomes.append(Outcome(stored.report_id, "stored"))
                else:
                    failed = decode_event(ReportFailed, body)
                    outcomes.append(Outcome(failed.report_id, "failed", failed.reason))
            except InvalidEvent as error:
                self.health.dead_letter(str(error), topic)
                log.error("dropping an outcome from %s: %s", topic, error)
        async with self.ledger.begin() as ledger:
            await ledger.mark_finished(outcomes, _now())
        if outcomes:
            self.last_outcome_at = time.monotonic()
        self.health.succeeded(len(outcomes))

    async def on_notification(self, _topic: str, body: bytes) -> None:
        """Take the objects a bucket notification names, without waiting for the listing."""
        try:
            created = created_objects(body)
        except ValidationError as error:
            raise InvalidEvent(f"not a bucket notification: {error.errors()[0]['msg']}") from error
        for item in created:
            obj = self.bucket.notified_object(item)
            if obj is not None and self.known.get(obj.uri) != obj.version:
                await self.take_object(obj)


async def watch(ingest: Ingest, stop: asyncio.Event, marker: BrokerMarker) -> None:
    """Poll until `stop`: the bucket's change reports (while it sends them), the listing,
    overdue announcements, and every topic check interval whether the broker lost data."""
    await ingest.load_known()
    log.info("watching %s", ingest.bucket.name)
    settings = ingest.settings
    next_marker_check = time.monotonic()
    changes = ingest.bucket.changes(stop) if settings.watch_events else None
    watcher = None
    if changes is not None:
        watcher = asyncio.create_task(follow_changes(ingest, changes))
    try:
        while not stop.is_set():
            if time.monotonic() >= next_marker_check:
                await _guarded(ingest, lambda: recover_lost_events(ingest, marker))
                next_marker_check = time.monotonic() + settings.kafka.topic_check_interval_s
            await _guarded(ingest, ingest.poll_once)
            ingest.wake.clear()
            stopping = asyncio.ensure_future(stop.wait())
            woken = asyncio.ensure_future(ingest.wake.wait())
            await asyncio.wait(
                {stopping, woken}, timeout=ingest.next_wake_s(), return_when=FIRST_COMPLETED
            )
            stopping.cancel()
            woken.cancel()
    finally:
        if watcher is not None:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher


async def follow_changes(ingest: Ingest, changes: AsyncIterator[list[str]]) -> None:
    """Feed the bucket's change reports to the loop; without them (no inotify, too many
    watches, a network share that sends none) the listing every poll takes over."""
    try:
        ingest.watching = True
        async for locations in changes:
            ingest.note_changes(locations)
    except Exception as error:  # the listing covers every object anyway
        log.warning(
            "not notified of changes in %s (%s): listing it every poll", ingest.bucket.name, error
        )
    finally:
        ingest.watching = False


async def recover_lost_events(ingest: Ingest, marker: BrokerMarker) -> int:
    """If the broker lost its data, announce every report without an outcome again now.

    The topics are created again, the reports go back to `pending` in one commit (their
    lost announcement not counted), then the marker is written again, then they are
    announced: an ingest killed while announcing thousands leaves the rest pending
    (announced by its next pass), and does not take the broker for lost once more."""
    if not await marker.lost():
        return 0
    # The topics first: a broker that lost them may acknowledge and drop what is sent to
    # them, the marker included (then the loss would be found again at every check).
    await ingest.publisher.restore_topics()
    async with ingest.ledger.begin() as ledger:
        requeued = await ledger.requeue_announced()
    await marker.remember()
    if requeued:
        log.warning("the broker lost its data: %d report(s) to announce again", requeued)
    return await ingest.reconcile(ingest.settings.reannounce_after_s)


async def _guarded(ingest: Ingest, step: Callable[[], Awaitable[int]]) -> None:
    """A failed pass (database, broker or bucket away) is retried on the next poll."""
    try:
        await step()
    except Exception as error:
        ingest.health.retrying(error)
        log.exception("ingest pass failed; retrying on the next poll")
    else:
        ingest.health.retrying_since = None


def pending_of(seen: SeenObject) -> PendingReport:
    """A newly seen report, as it is announced for the first time."""
    assert seen.sha256 is not None
    assert seen.content_type is not None
    return PendingReport(
        report_id=seen.sha256,
        object_uri=seen.object_uri,
        name=seen.name,
        size=seen.size,
        content_type=seen.content_type,
        received_at=seen.seen_at,
        announce_count=0,
    )
