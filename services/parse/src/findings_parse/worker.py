"""The unit of work a parser process runs: read one object by its URI, parse it.

Results are values, never exceptions, so that they cross the process boundary intact:
a ParseFailure is permanent (dead-lettered), StoreUnavailable is transient (retried),
ContentChanged is neither (the announcement is stale).
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import signal
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from botocore.exceptions import BotoCoreError, ClientError

from findings_parse.core.extract import UnreadableReport
from findings_parse.core.parser import parse_report
from findings_shared.bucket import ObjectMissing, ObjectTooLarge, read_object
from findings_shared.events import ReportParsed, report_id_of
from findings_shared.lifetime import end_with_parent
from findings_shared.settings import S3Settings


@dataclass(frozen=True, slots=True)
class ParseFailure:
    error_type: str
    reason: str


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


def limit_memory(max_bytes: int) -> None:
    """Cap the worker's heap (RLIMIT_DATA), so that a report needing more fails with
    `memory_limit` instead of starving the machine."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    limit = max_bytes if hard == resource.RLIM_INFINITY else min(max_bytes, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))


def parse_object(
    uri: str, name: str, report_id: str, max_bytes: int, s3: S3Settings
) -> ReportParsed | ParseFailure | StoreUnavailable | ContentChanged:
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
        return parse_report(content, name)
    except UnreadableReport as error:
        return ParseFailure(error.error_type, str(error))
    except MemoryError:
        del content  # room to build the failure
        limit = resource.getrlimit(resource.RLIMIT_DATA)[0]
        return ParseFailure("memory_limit", f"parsing needed more than the {limit}-byte limit")
