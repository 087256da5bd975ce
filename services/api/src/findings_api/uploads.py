"""`POST /reports`: a file put into the bucket, from where ingest takes it like any other.

The API never parses or announces: it checks what it cheaply can (size, type, a name),
writes the object atomically and answers with the report id to follow at /files/{id}.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import BinaryIO

from findings_shared.admission import Rejected, admit, looks_unfinished
from findings_shared.bucket import put_file, staging_folder
from findings_shared.settings import BucketSettings

# The API's verdicts, as HTTP statuses.
STATUS_OF = {"empty": 422, "too_large": 413, "not_a_report": 415}
UNSAFE = re.compile(r"[^\w .,()&'+-]+")
CHUNK = 1024 * 1024
HEAD, TAIL = 4096, 1024
SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,8}")


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
    """The upload's base name, stripped of paths and odd characters, shortened but with its
    suffix kept (the suffix says PDF or text), prefixed with the start of its hash so
    that two different files of one name never overwrite."""
    base = PurePath((filename or "").replace("\\", "/")).name
    # A name that is only a suffix (".pdf") has none to PurePath: it is one.
    raw_suffix = base if SUFFIX.fullmatch(base) else PurePath(base).suffix
    suffix = raw_suffix.lower() if SUFFIX.fullmatch(raw_suffix) else ""
    stem = base[: len(base) - len(suffix)] if suffix else base
    cleaned = UNSAFE.sub("_", stem).strip(" ._")[:150].strip(" ._") or "report"
    return f"{report_id[:12]}-{cleaned}{suffix}"


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

    def __init__(self, bucket: BucketSettings):
        self.bucket = bucket

    def put(self, filename: str | None, source: BinaryIO, max_bytes: int) -> Stored:
        """Copy the upload (read from `source` a chunk at a time: memory stays flat) into
        the bucket, after the checks ingest would make."""
        # A hidden temporary file, put in when complete: ingest never sees half a file.
        handle, temporary = tempfile.mkstemp(
            dir=staging_folder(self.bucket), prefix=".upload-", suffix=".part"
        )
        try:
            with os.fdopen(handle, "wb") as file:
                copied = _copy(source, file, max_bytes)
            name = safe_name(filename, copied.report_id)
            check(name, copied.head, copied.size, max_bytes)
            check_complete(copied.head[:16] + copied.tail)
            uri = put_file(self.bucket, Path(temporary), name)
            return Stored(copied.report_id, uri, name)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)


@dataclass(frozen=True, slots=True)
class Copied:
    report_id: str
    size: int
    head: bytes  # what admission looks at
    tail: bytes  # where a complete PDF has its end marker


def _copy(source: BinaryIO, target: BinaryIO, max_bytes: int) -> Copied:
    digest = hashlib.sha256()
    size, head, tail = 0, b"", b""
    while chunk := source.read(CHUNK):
        size += len(chunk)
        if size > max_bytes:
            # Judged by size alone, as ingest does with a file too large to read.
            check("upload", b"", size, max_bytes)
        digest.update(chunk)
        target.write(chunk)
        if len(head) < HEAD:
            head += chunk[: HEAD - len(head)]
        tail = (tail + chunk)[-TAIL:]
    return Copied(digest.hexdigest(), size, head, tail)
