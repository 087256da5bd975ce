"""The ledger as the core sees it: what ingest saw in the bucket, and every report from
its first sighting to its outcome. A port: adapters/repository.py keeps it in PostgreSQL.

One `Ledger` is one transaction's view: `LedgerAccess.begin()` commits on leaving,
`LedgerAccess.read()` only reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol


@dataclass(frozen=True, slots=True)
class SeenObject:
    object_uri: str
    name: str
    size: int
    mtime_ns: int
    version: str
    seen_at: datetime
    sha256: str | None = None
    content_type: str | None = None
    rejection: str | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    """How a report ended: "stored", or "failed" with its reason."""

    report_id: str
    status: str
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Replacement:
    """A report to withdraw: its only file now holds other content (or none that is a
    report, when `replaced_by` is None)."""

    report_id: str
    object_uri: str
    replaced_by: str | None
    replaced_at: datetime


@dataclass(frozen=True, slots=True)
class PendingReport:
    report_id: str
    object_uri: str
    name: str
    size: int
    content_type: str
    received_at: datetime
    announce_count: int


class Ledger(Protocol):
    """The ledger's operations (findings_ingest.adapters.repository.LedgerRepository says
    what each does)."""

    async def known_versions(self) -> dict[str, str]: ...

    async def listing_checkpoint(self, bucket: str) -> str: ...

    async def save_listing_checkpoint(
        self, bucket: str, start_after: str, at: datetime
    ) -> None: ...

    async def record_objects(self, seen: Sequence[SeenObject]) -> None: ...

    async def accepted_contents(self, object_uris: Sequence[str]) -> dict[str, str]: ...

    async def withdraw_if_orphaned(self, replacement: Replacement) -> bool: ...

    async def replacements_to_publish(self) -> list[Replacement]: ...

    async def mark_replaced(self, report_id: str) -> None: ...

    async def add_reports(self, seen: Sequence[SeenObject]) -> set[str]: ...

    async def mark_stuck(
        self, now: datetime, first_wait: timedelta, max_announcements: int
    ) -> int: ...

    async def reports_to_announce(
        self, now: datetime, first_wait: timedelta | None
    ) -> list[PendingReport]:
        """Reports never announced, and (unless `first_wait` is None) announced ones
        overdue for an outcome."""
        ...

    async def requeue_announced(self) -> int: ...

    async def mark_announced(self, report_ids: list[str], at: datetime) -> None: ...

    async def mark_finished(self, outcomes: Sequence[Outcome], at: datetime) -> None:
        """The outcomes in order (a report's later outcome overrides its earlier one);
        a withdrawn report keeps its status."""
        ...


class LedgerAccess(Protocol):
    def begin(self) -> AbstractAsyncContextManager[Ledger]:
        """A transaction, committed when the block ends without an error."""
        ...

    def read(self) -> AbstractAsyncContextManager[Ledger]:
        """A read-only view."""
        ...
