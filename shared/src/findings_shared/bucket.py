"""Objects by URI: `file://` (a local folder) and `s3://bucket/key` (S3-compatible).

The URI is the claim check that travels in events; whoever holds one reads the bytes
through `read_object`. Whoever puts a file into the bucket (the API's uploads) does so
through `staging_folder` and `put_file`, which alone ask whether the bucket is S3.

Keys and file names are percent-encoded in full, so a name such as `../../x.pdf` stays
one opaque path segment and is never resolved.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote, unquote_to_bytes, urlparse

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from findings_shared.settings import BucketSettings, S3Settings

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

MISSING_OBJECT_CODES = {"NoSuchKey", "NoSuchBucket", "404"}


class ObjectMissing(Exception):
    """The object named by a URI is no longer in the bucket."""


class ObjectTooLarge(Exception):
    """The object is larger than the reader's limit; it was not read."""


def uri_of(path: Path) -> str:
    return path.resolve().as_uri()


def path_of(uri: str) -> Path:
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        raise ValueError(f"not a file URI: {uri!r}")
    # Bytes first: a file name need not be UTF-8 (Path.as_uri() encoded its raw bytes).
    return Path(os.fsdecode(unquote_to_bytes(parsed.path)))


def s3_uri(bucket: str, key: str) -> str:
    return f"s3://{bucket}/{quote(key, safe='')}"


def s3_location(uri: str) -> tuple[str, str]:
    """(bucket, key) of an `s3://` URI."""
    parsed = urlparse(uri)
    if parsed.scheme != "s3" or not parsed.netloc:
        raise ValueError(f"not an s3 URI: {uri!r}")
    return parsed.netloc, unquote(parsed.path.removeprefix("/"))


def display_name(path: Path) -> str:
    """A file's name as text that any database takes: undecodable bytes become U+FFFD."""
    return os.fsencode(path.name).decode("utf-8", errors="replace")


@lru_cache(maxsize=8)
def s3_client(settings: S3Settings) -> S3Client:
    """One client per configuration and process (creating one costs ~50 ms)."""
    secret = settings.secret_access_key
    client: S3Client = boto3.session.Session().client(
        "s3",
        endpoint_url=settings.endpoint_url,
        region_name=settings.region,
        aws_access_key_id=settings.access_key_id,
        aws_secret_access_key=secret.get_secret_value() if secret else None,
        config=Config(
            s3={"addressing_style": settings.addressing_style},
            retries={"max_attempts": 5, "mode": "standard"},
            connect_timeout=5,
            read_timeout=30,
        ),
    )
    return client


def is_missing(error: ClientError) -> bool:
    return str(error.response.get("Error", {}).get("Code")) in MISSING_OBJECT_CODES


def read_object(uri: str, max_bytes: int | None = None, s3: S3Settings | None = None) -> bytes:
    """The object's bytes. Raises ObjectMissing, ObjectTooLarge, or OSError/ClientError for
    a store that cannot be reached (transient: the caller retries)."""
    scheme = urlparse(uri).scheme
    if scheme == "file":
        return _read_file(path_of(uri), max_bytes)
    if scheme == "s3":
        return _read_s3(uri, max_bytes, s3 or S3Settings())
    raise ValueError(f"unsupported object URI scheme: {scheme!r}")


def _too_large(size: int, max_bytes: int | None) -> bool:
    return max_bytes is not None and size > max_bytes


def _read_file(path: Path, max_bytes: int | None) -> bytes:
    try:
        size = path.stat().st_size
        if _too_large(size, max_bytes):
            raise ObjectTooLarge(f"the object is {size} bytes, over the {max_bytes}-byte limit")
        return path.read_bytes()
    except FileNotFoundError as error:
        raise ObjectMissing(f"object no longer exists: {path.as_uri()}") from error


def _read_s3(uri: str, max_bytes: int | None, settings: S3Settings) -> bytes:
    bucket, key = s3_location(uri)
    try:
        response = s3_client(settings).get_object(Bucket=bucket, Key=key)
    except ClientError as error:
        if is_missing(error):
            raise ObjectMissing(f"object no longer exists: {uri}") from error
        raise
    body = response["Body"]
    try:
        size = response["ContentLength"]
        if _too_large(size, max_bytes):
            raise ObjectTooLarge(f"the object is {size} bytes, over the {max_bytes}-byte limit")
        return body.read()
    finally:
        body.close()


def staging_folder(bucket: BucketSettings) -> Path | None:
    """Where to write a file before `put_file` takes it: the inbox itself, so that the move
    in is a rename (atomic: a watcher never sees half a file), or for S3 the system's
    temporary folder (None). Only hidden `.part` names belong there (never announced)."""
    if bucket.is_s3:
        return None
    bucket.inbox.mkdir(parents=True, exist_ok=True)
    return bucket.inbox


def put_file(bucket: BucketSettings, staged: Path, name: str) -> str:
    """Put the complete file `staged` into the bucket as `name`; returns its URI. A folder
    gets it renamed in (`staged` is gone), S3 uploaded (an object is seen only whole)."""
    if bucket.s3_bucket:
        key = f"{bucket.s3_prefix}{name}"
        s3_client(bucket.s3).upload_file(str(staged), bucket.s3_bucket, key)
        return s3_uri(bucket.s3_bucket, key)
    target = bucket.inbox / name
    os.replace(staged, target)
    return uri_of(target)
