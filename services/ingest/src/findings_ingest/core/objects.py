"""The bucket as ingest sees it: objects listed page by page, read whole.

A port: the folder and S3 adapters implement `Bucket`; the service never sees which.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class BucketObject:
    uri: str
    # Shown to people and used for the file type; for S3 the key's last segment.
    name: str
    size: int
    # Changes whenever the content may have: size and mtime for files, the ETag for S3.
    version: str
    modified_ns: int


@dataclass(frozen=True, slots=True)
class ListingPage:
    objects: list[BucketObject]
    # Where the next page starts; None when this page ends a full pass over the bucket.
    resume_after: str | None


class Bucket(Protocol):
    @property
    def name(self) -> str:
        """Identifies the listing whose checkpoint is kept, e.g. `s3://reports/inbox/`."""
        ...

    def list_page(self, start_after: str) -> ListingPage:
        """Objects ready to read, from just after `start_after` ('' for the beginning)."""
        ...

    @property
    def objects_appear_whole(self) -> bool:
        """True where an object is visible only once fully written (S3); False where files
        are written in place and may be seen half-written (a folder)."""
        ...

    def read(self, obj: BucketObject) -> bytes: ...
