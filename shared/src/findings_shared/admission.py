"""Which files are reports worth taking. Pure: bytes and names in, a verdict out.

Shared because two doors let files in: ingest (files found in the bucket) and the API's
upload (files sent to it); both must judge a file the same way. The parser tells PDF,
HTML and text apart with the same `sniff`."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import PurePath
from typing import Literal

PDF_MAGIC = b"%PDF-"
# A page a download saved instead of the report (an error page, a sign-in form).
HTML_START = re.compile(rb"^\s*(<!doctype html|<html|<\?xml)", re.IGNORECASE)
# Containers that may hold a PDF (and so its magic within the first kilobyte): refused by
# what they are, never parsed as the report inside them.
CONTAINERS = {
    b"PK\x03\x04": "a ZIP archive",
    b"PK\x05\x06": "a ZIP archive",
    b"\x1f\x8b": "a gzip archive",
    b"7z\xbc\xaf\x27\x1c": "a 7-Zip archive",
    b"Rar!\x1a\x07": "a RAR archive",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1": "an Office document (OLE)",
}
TEXT_SUFFIXES = {".txt", ".text"}


@dataclass(frozen=True, slots=True)
class Admitted:
    content_type: str


@dataclass(frozen=True, slots=True)
class Rejected:
    reason: str
    problem: Literal["empty", "too_large", "not_a_report"] = "not_a_report"


def sniff(head: bytes) -> Literal["pdf", "html", "other"]:
    """What a file's first bytes say it is: a PDF (its magic within the first kilobyte,
    where PDF readers look for it), an HTML page, or something else (text, perhaps)."""
    head = head[:1024]
    if PDF_MAGIC in head:
        return "pdf"
    if HTML_START.match(head):
        return "html"
    return "other"


def unicode_encoding(head: bytes) -> str | None:
    """The encoding a text's byte-order mark names where it is UTF-16 or UTF-32, whose
    bytes hold NULs (Windows' Notepad "Unicode", PowerShell's `>` and `Out-File` write
    UTF-16 with its mark); None for any other bytes. UTF-32's little-endian mark starts
    with UTF-16's, so it is looked for first."""
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def admit(name: str, head: bytes, size: int, max_bytes: int) -> Admitted | Rejected:
    """Decide from the file's name, first bytes and size; parse judges the content."""
    suffix = PurePath(name).suffix.lower()
    if size == 0:
        return Rejected("the file is empty", "empty")
    if size > max_bytes:
        return Rejected(f"the file is {size} bytes, over the {max_bytes}-byte limit", "too_large")
    for magic, container in CONTAINERS.items():
        if head.startswith(magic):
            return Rejected(
                f"the content is {container}, not a report: take the reports out of it"
                " and drop them one by one"
            )
    kind = sniff(head)
    if kind == "pdf":
        return Admitted("application/pdf")
    if suffix == ".pdf":
        what = "an HTML page" if kind == "html" else "not a PDF"
        return Rejected(f"named .pdf but the content is {what}")
    if suffix in TEXT_SUFFIXES:
        if b"\x00" in head and unicode_encoding(head) is None:
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
