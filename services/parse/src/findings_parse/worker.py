"""The unit of work a parser process runs: read one object by its URI, parse it.

Results are values, never exceptions, so that they cross the process boundary intact:
a ParseFailure is permanent (dead-lettered), StoreUnavailable is transient (retried),
ContentChanged is neither (the announcement is stale).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import resource
import signal
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from botocore.exceptions import BotoCoreError, ClientError

from findings_parse.core.extract import UnreadableReport, extract_text
from findings_parse.core.parser import parse_report, parse_text
from findings_shared.bucket import ObjectMissing, ObjectTooLarge, read_object
from findings_shared.events import (
    EventTooLarge,
    FindingPublished,
    ReportParsed,
    ReportParsedEvent,
    ReportReceived,
    encode_event,
    report_id_of,
)
from findings_shared.lifetime import end_with_parent
from findings_shared.settings import S3Settings


@dataclass(frozen=True, slots=True)
class ParseFailure:
    error_type: str
    reason: str


@dataclass(frozen=True, slots=True)
class ParsedEvents:
    """A parsed report as the events to publish, encoded by the worker: the service's
    main process sends bytes, and neither unpickles the report nor encodes its findings
    (which cost it as much CPU as the publishing itself)."""

    report_type: str
    findings: list[bytes]  # one FindingPublished each, in the report's order
    parsed: bytes  # the ReportParsedEvent
    pages: int = 0  # a PDF's pages (0: text), for the pages-per-report metric


@dataclass(frozen=True, slots=True)
class StoreUnavailable:
    reason: str


@dataclass(frozen=True, slots=True)
class ContentChanged:
    """The object holds other bytes than those announced: a newer version is (or will
    be) announced by ingest, which withdraws this one; nothing to publish."""


def worker_pool(workers: int, max_memory_bytes: int) -> ProcessPoolExecutor:
    """The parser's worker processes: each dies with the service, its heap capped."""
    # "spawn": forking a process that runs Kafka client threads is unsafe.
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=start_worker,
        initargs=(os.getpid(), max_memory_bytes),
    )


def start_worker(parent_pid: int, max_memory_bytes: int) -> None:
    """Pool initializer: end with the service (SIGKILL leaves it no time to stop its
    pool: a worker must not live on with init as its parent), cap the heap."""
    end_with_parent(parent_pid, signal.SIGKILL)
    limit_memory(max_memory_bytes)


def warm_up() -> None:
    """Run once in a new worker: start its process and load the parser (PDFium, the
    families) before the first report, which would otherwise wait about a second."""
    with contextlib.suppress(UnreadableReport):
        parse_report(b"%PDF-1.4 warming up", "warm-up.pdf")


def limit_memory(max_bytes: int) -> None:
    """Cap the worker's heap (RLIMIT_DATA), so that a report needing more fails with
    `memory_limit` instead of starving the machine."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    limit = max_bytes if hard == resource.RLIM_INFINITY else min(max_bytes, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))


@dataclass(frozen=True, slots=True)
class Parsed:
    report: ReportParsed
    pages: int


def parse_object(
    uri: str, name: str, report_id: str, max_bytes: int, s3: S3Settings
) -> Parsed | ParseFailure | StoreUnavailable | ContentChanged:
    """Read the object (claim check) and parse it."""
    try:
        content = read_object(uri, max_bytes=max_bytes, s3=s3)
    except ObjectMissing as error:
        return ParseFailure("object_missing", str(error))
    except ObjectTooLarge as error:
        return ParseFailure("object_too_large", str(error))
    except (OSError, BotoCoreError, ClientError) as error:
        return StoreUnavailable(f"cannot read {uri}: {error}")
    if report_id_of(content) != report_id:
        return ContentChanged()
    try:
        text = extract_text(content, name)
        return Parsed(parse_text(report_id, text), text.pages)
    except UnreadableReport as error:
        return ParseFailure(error.error_type, str(error))
    except MemoryError:
        del content  # room to build the failure
        limit = resource.getrlimit(resource.RLIMIT_DATA)[0]
        return ParseFailure("memory_limit", f"parsing needed more than the {limit}-byte limit")


def parse_received(
    received: ReportReceived, max_bytes: int, max_message_bytes: int, s3: S3Settings
) -> ParsedEvents | ParseFailure | StoreUnavailable | ContentChanged:
    """Read and parse the announced object, and encode its events. Encoded before any is
    published: a report too large to publish fails before any finding is out."""
    outcome = parse_object(received.object_uri, received.name, received.report_id, max_bytes, s3)
    if not isinstance(outcome, Parsed):
        return outcome
    try:
        return encoded_events(received, outcome.report, max_message_bytes, outcome.pages)
    except EventTooLarge as error:
        # Retrying cannot help: the report is dead-lettered with its reason.
        return ParseFailure("report_too_large", str(error))


def encoded_events(
    received: ReportReceived, report: ReportParsed, max_message_bytes: int, pages: int = 0
) -> ParsedEvents:
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
            max_message_bytes,
        )
        for finding in report.findings
    ]
    parsed = encode_event(
        ReportParsedEvent(
            report_id=report.report_id,
            object_uri=received.object_uri,
            report=report,
            received_at=received.received_at,
        ),
        max_message_bytes,
    )
    return ParsedEvents(report.report_type, findings, parsed, pages)
