"""Which files are reports worth taking. Pure: bytes and names in, a verdict out.

Shared because two doors let files in: ingest (files found in the bucket) and the API's
upload (files sent to it); both must judge a file the same way."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath
from typing import Literal

PDF_MAGIC = b"%PDF-"
TEXT_SUFFIXES = {".txt", ".text"}


@dataclass(frozen=True, slots=True)
class Admitted:
    content_type: str


@dataclass(frozen=True, slots=True)
class Rejected:
    reason: str
    problem: Literal["empty", "too_large", "not_a_report"] = "not_a_report"


def admit(name: str, head: bytes, size: int, max_bytes: int) -> Admitted | Rejected:
    """Decide from the file's name, first bytes and size; parse judges the content."""
    suffix = PurePath(name).suffix.lower()
    if size == 0:
        return Rejected("the file is empty", "empty")
    if size > max_bytes:
        return Rejected(f"the file is {size} bytes, over the {max_bytes}-byte limit", "too_large")
    if PDF_MAGIC in head[:1024]:
        return Admitted("application/pdf")
    if suffix == ".pdf":
        kind = "an HTML page" if b"<html" in head[:2048].lower() else "not a PDF"
        return Rejected(f"named .pdf but the content is {kind}")
    if suffix in TEXT_SUFFIXES:
        if b"\x00" in head:
            return Rejected("named .txt but the content is binary")
        return Admitted("text/plain")
    return Rejected(f"not a report: only PDF and .txt files are read (got {suffix or 'no suffix'})")


def is_hidden_or_partial(name: str) -> bool:
    """Editors and copy tools write temporary files first: never announce those."""
    # .part (curl, Firefox, rsync --partial-dir), .crdownload (Chrome), .download (Safari),
    # .partial (wget2, Edge), .tmp/.temp (many), ~ and ~$ (editors, Office lock files).
    lowered = name.lower()
    return name.startswith((".", "~$")) or lowered.endswith(
        (".part", ".partial", ".tmp", ".temp", ".crdownload", ".download", "~")
    )


def looks_unfinished(content: bytes) -> bool:
    """A PDF cut short: every complete PDF ends with `%%EOF` (give or take a few trailing
    bytes), so one without it near its end is still being written, or damaged."""
    return content.startswith(b"%PDF") and b"%%EOF" not in content[-1024:]
