"""S3/MinIO bucket notifications (the event JSON MinIO publishes to Kafka). Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import unquote_plus

from pydantic import BaseModel, ConfigDict, Field


class _Loose(BaseModel):
    model_config = ConfigDict(extra="ignore")


class _Bucket(_Loose):
    name: str


class _Object(_Loose):
    # URL-encoded in notifications (a space is '+'), as AWS and MinIO both send it.
    key: str
    size: int = 0
    etag: str = Field(default="", alias="eTag")


class _S3(_Loose):
    bucket: _Bucket
    object: _Object


class _Record(_Loose):
    event_name: str = Field(alias="eventName")
    event_time: datetime = Field(alias="eventTime")
    s3: _S3


class BucketNotification(_Loose):
    records: list[_Record] = Field(default_factory=list, alias="Records")


@dataclass(frozen=True, slots=True)
class CreatedObject:
    bucket: str
    key: str
    size: int
    etag: str
    created: datetime


def created_objects(body: bytes) -> list[CreatedObject]:
    """Objects a notification says were created; other events (removals) are ignored.

    Raises pydantic.ValidationError for a body that is not a bucket notification."""
    notification = BucketNotification.model_validate_json(body)
    return [
        CreatedObject(
            bucket=record.s3.bucket.name,
            key=unquote_plus(record.s3.object.key),
            size=record.s3.object.size,
            etag=record.s3.object.etag.strip('"'),
            created=record.event_time,
        )
        for record in notification.records
        if record.event_name.startswith(("s3:ObjectCreated:", "ObjectCreated:"))
    ]
