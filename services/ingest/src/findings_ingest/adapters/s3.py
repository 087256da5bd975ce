"""The bucket as an S3-compatible bucket (AWS S3, MinIO): listed page by page.

An S3 object is visible only once completely written, so no settle time is needed.
The listing resumes from a checkpoint (the last key of the last page done), so a
restart in the middle of a large bucket does not start over.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime
from posixpath import basename

from botocore.exceptions import BotoCoreError, ClientError

from findings_ingest.core.notifications import CreatedObject
from findings_ingest.core.objects import BucketObject, BucketUnreachable, ListingPage
from findings_shared.admission import is_hidden_or_partial
from findings_shared.bucket import read_object, s3_client, s3_uri
from findings_shared.settings import S3Settings


class S3Bucket:
    def __init__(
        self,
        settings: S3Settings,
        bucket: str,
        prefix: str,
        page_size: int,
        listing_interval_s: float,
    ) -> None:
        self.settings = settings
        self.bucket = bucket
        self.prefix = prefix
        self.page_size = page_size
        self._listing_interval_s = listing_interval_s

    @property
    def objects_appear_whole(self) -> bool:
        return True

    @property
    def listing_interval_s(self) -> float:
        # LIST requests cost money on AWS.
        return self._listing_interval_s

    @property
    def name(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"

    def list_page(self, start_after: str) -> ListingPage:
        response = s3_client(self.settings).list_objects_v2(
            Bucket=self.bucket,
            Prefix=self.prefix,
            StartAfter=start_after,
            MaxKeys=self.page_size,
        )
        contents = response.get("Contents", [])
        objects = [
            self.object_of(item["Key"], item["Size"], item["ETag"], item["LastModified"])
            for item in contents
            if not is_hidden_or_partial(basename(item["Key"]))
        ]
        more = response.get("IsTruncated", False) and bool(contents)
        return ListingPage(objects, resume_after=contents[-1]["Key"] if more else None)

    def object_of(self, key: str, size: int, etag: str, modified: datetime) -> BucketObject:
        return BucketObject(
            uri=s3_uri(self.bucket, key),
            name=basename(key) or key,
            size=size,
            version=etag.strip('"'),
            modified_ns=int(modified.timestamp() * 1e9),
            location=key,
        )

    def holds(self, bucket: str, key: str) -> bool:
        return bucket == self.bucket and key.startswith(self.prefix)

    def notified_object(self, created: CreatedObject) -> BucketObject | None:
        if not self.holds(created.bucket, created.key):
            return None
        return self.object_of(created.key, created.size, created.etag, created.created)

    def changes(self, stop: asyncio.Event) -> AsyncIterator[list[str]] | None:
        return None  # S3 reports new objects by bucket notifications, on Kafka

    def objects_at(self, locations: list[str]) -> dict[str, BucketObject]:
        return {}  # no `changes`, so no locations to look at

    def scan(self) -> list[BucketObject]:
        found: list[BucketObject] = []
        page = self.list_page("")
        found += page.objects
        while page.resume_after is not None:
            page = self.list_page(page.resume_after)
            found += page.objects
        return found

    def read(self, obj: BucketObject) -> bytes:
        try:
            return read_object(obj.uri, s3=self.settings)
        except (BotoCoreError, ClientError) as error:
            raise BucketUnreachable(str(error)) from error
