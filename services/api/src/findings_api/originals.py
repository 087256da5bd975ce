"""`GET /reports/{id}/file`: a report's original file, as long as it is still the same.

Where the file lies on the server is never shown to readers: they get this URL. The bytes
are copied to a temporary file while they are hashed (memory stays flat, and what is sent
is what was checked); bytes that no longer hash to the report id are not sent.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

from botocore.exceptions import ClientError

from findings_shared.bucket import ObjectMissing, is_missing, path_of, s3_client, s3_location
from findings_shared.settings import S3Settings

CHUNK = 1024 * 1024


class FileReplaced(Exception):
    """The object now holds other bytes than the report's."""


def copy_original(uri: str, report_id: str, s3: S3Settings, target: Path) -> Path:
    """Copy the object to `target`, checking that its bytes are the report's. Raises
    ObjectMissing or FileReplaced."""
    digest = hashlib.sha256()
    with target.open("wb") as out:
        for chunk in _chunks(uri, s3):
            digest.update(chunk)
            out.write(chunk)
    if digest.hexdigest() != report_id:
        raise FileReplaced(f"the file of report {report_id} now holds other content")
    return target


def _chunks(uri: str, s3: S3Settings) -> Iterator[bytes]:
    scheme = urlparse(uri).scheme
    if scheme == "file":
        try:
            with path_of(uri).open("rb") as file:
                while chunk := file.read(CHUNK):
                    yield chunk
        except FileNotFoundError as error:
            raise ObjectMissing("the file is no longer there") from error
    elif scheme == "s3":
        bucket, key = s3_location(uri)
        try:
            body = s3_client(s3).get_object(Bucket=bucket, Key=key)["Body"]
        except ClientError as error:
            if is_missing(error):
                raise ObjectMissing("the object is no longer there") from error
            raise
        yield from body.iter_chunks(CHUNK)
    else:
        raise ObjectMissing(f"no object can be read at a {scheme!r} URI")
