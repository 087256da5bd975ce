"""The bucket as ingest sees it: objects listed page by page, read whole.

A port: the folder and S3 adapters implement `Bucket`; the core never asks which it has.
What differs between them (change notifications, bucket notifications, the pace of the
listing, half-written objects) is a capability of the port.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Protocol

from findings_ingest.core.notifications import CreatedObject


@dataclass(frozen=True, slots=True)
class BucketObject:
    uri: str
    # Shown to people and used for the file type; for S3 the key's last segment.
    name: str
    size: int
    # Changes whenever the content may have: size and mtime for files, the ETag for S3.
    version: str
    modified_ns: int
    # Where the bucket finds it again (`Bucket.objects_at`): a file's path, an S3 key.
    location: str


@dataclass(frozen=True, slots=True)
class ListingPage:
    objects: list[BucketObject]
    # Where the next page starts; None when this page ends a full pass over the bucket.
    resume_after: str | None


class BucketUnreachable(Exception):
    """The bucket could not be read (an outage): the object is tried again later."""


class Bucket(Protocol):
    @property
    def name(self) -> str:
        """Identifies the listing whose checkpoint is kept, e.g. `s3://reports/inbox/`."""
        ...

    def list_page(self, start_after: str) -> ListingPage:
        """Objects ready to read, from just after `start_after` ('' for the beginning)."""
        ...

    @property
    def listing_interval_s(self) -> float:
        """The pause between two full listings (0 where listing costs nothing)."""
        ...

    @property
    def objects_appear_whole(self) -> bool:
        """True where an object is visible only once fully written (S3); False where files
        are written in place and may be seen half-written (a folder)."""
        ...

    def read(self, obj: BucketObject) -> bytes:
        """The object's bytes. Raises findings_shared.bucket.ObjectMissing, or
        BucketUnreachable / OSError for an outage."""
        ...

    def changes(self, stop: asyncio.Event) -> AsyncIterator[list[str]] | None:
        """The locations written to, as the bucket reports them while it is watched, until
        `stop`; None where it reports nothing of the kind (then the listing finds all)."""
        ...

    def objects_at(self, locations: list[str]) -> dict[str, BucketObject]:
        """The objects at these locations as they are now (one gone is left out)."""
        ...

    def scan(self) -> list[BucketObject]:
        """Every object there now, settled or not: the safety net behind `changes`."""
        ...

    def notified_object(self, created: CreatedObject) -> BucketObject | None:
        """The object a bucket notification says was created, if it is one of this
        bucket's (never, for a bucket that gets no such notifications)."""
        ...
