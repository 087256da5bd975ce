"""The bucket as an S3-compatible bucket (AWS S3, MinIO): listed page by page.

An S3 object is visible only once completely written, so no settle time is needed.
The listing resumes from a checkpoint (the last key of the last page done), so a
restart in the middle of a large bucket does not start over.
"""

from __future__ import annotations

from datetime import datetime
from posixpath import basename

from findings_ingest.core.objects import BucketObject, ListingPage
from findings_shared.admission import is_hidden_or_partial
from findings_shared.bucket import read_object, s3_client, s3_uri
from findings_shared.settings import S3Settings


class S3Bucket:
    def __init__(self, settings: S3Settings, bucket: str, prefix: str, page_size: int) -> None:
        self.settings = settings
        self.bucket = bucket
        self.prefix = prefix
        self.page_size = page_size

    @property
    def objects_appear_whole(self) -> bool:
        return True

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
        )

    def holds(self, bucket: str, key: str) -> bool:
        return bucket == self.bucket and key.startswith(self.prefix)

    def read(self, obj: BucketObject) -> bytes:
        return read_object(obj.uri, s3=self.settings)
