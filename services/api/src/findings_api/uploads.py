"""`POST /reports`: a file put into the bucket, from where ingest takes it like any other.

The API never parses or announces: it checks what it cheaply can (size, type, a name),
writes the object atomically and answers with the report id to follow at /files/{id}.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePath

from findings_shared.admission import Rejected, admit, looks_unfinished
from findings_shared.bucket import s3_client, s3_uri, uri_of
from findings_shared.settings import S3Settings

# The API's verdicts, as HTTP statuses.
STATUS_OF = {"empty": 422, "too_large": 413, "not_a_report": 415}
UNSAFE = re.compile(r"[^\w .,()&'+-]+")


class UploadRejected(ValueError):
    def __init__(self, status_code: int, reason: str) -> None:
        super().__init__(reason)
        self.status_code = status_code


@dataclass(frozen=True, slots=True)
class Stored:
    report_id: str
    object_uri: str
    name: str


def safe_name(filename: str | None, report_id: str) -> str:
    """The upload's base name, stripped of paths and odd characters, prefixed with the
    start of its hash so that two different files of one name never overwrite."""
    base = PurePath((filename or "").replace("\\", "/")).name
    cleaned = UNSAFE.sub("_", base).strip(" ._") or "report"
    return f"{report_id[:12]}-{cleaned[:150]}"


def check(name: str, head: bytes, size: int, max_bytes: int) -> None:
    """The same judgement ingest makes of a file in the bucket (findings_shared.admission)."""
    verdict = admit(name, head[:4096], size, max_bytes)
    if isinstance(verdict, Rejected):
        reason = verdict.reason[0].upper() + verdict.reason[1:] + "."
        raise UploadRejected(STATUS_OF[verdict.problem], reason)


def check_complete(content: bytes) -> None:
    """An upload is whole once received: a PDF without its end marker is damaged (ingest
    would wait for the rest of it, as for a file still being copied into a folder)."""
    if looks_unfinished(content):
        raise UploadRejected(
            422,
            "The PDF stops before its end-of-file marker (%%EOF): "
            "the file is incomplete or damaged.",
        )


class UploadTarget:
    """The bucket ingest watches: a folder, or an S3 bucket under a prefix."""

    def __init__(self, inbox: Path, s3_bucket: str | None, s3_prefix: str, s3: S3Settings):
        self.inbox = inbox
        self.s3_bucket = s3_bucket
        self.s3_prefix = s3_prefix
        self.s3 = s3

    def put(self, filename: str | None, content: bytes, size: int | None, max_bytes: int) -> Stored:
        """`content` may be cut at the limit; `size` is the whole upload's, when known."""
        report_id = hashlib.sha256(content).hexdigest()
        name = safe_name(filename, report_id)
        check(name, content, len(content) if size is None else size, max_bytes)
        check_complete(content)
        if self.s3_bucket:
            key = f"{self.s3_prefix}{name}"
            s3_client(self.s3).put_object(Bucket=self.s3_bucket, Key=key, Body=content)
            return Stored(report_id, s3_uri(self.s3_bucket, key), name)
        self.inbox.mkdir(parents=True, exist_ok=True)
        target = self.inbox / name
        # A hidden temporary file, renamed when complete: ingest never sees half a file.
        handle, temporary = tempfile.mkstemp(dir=self.inbox, prefix=".upload-", suffix=".part")
        with os.fdopen(handle, "wb") as file:
            file.write(content)
        os.replace(temporary, target)
        return Stored(report_id, uri_of(target), name)
