"""Parse one stored object: the unit of work handed to a worker process."""

from __future__ import annotations

from dataclasses import dataclass

from findings_parse.core.extract import UnreadableReport
from findings_parse.core.parser import parse_report
from findings_shared.bucket import ObjectMissing, read_object
from findings_shared.events import ReportParsed, report_id_of


@dataclass(frozen=True, slots=True)
class ParseFailure:
    error_type: str
    reason: str


def parse_object(
    uri: str, name: str, report_id: str, max_bytes: int
) -> ReportParsed | ParseFailure:
    """Read the object by its URI (claim-check) and parse it; failures are values."""
    try:
        content = read_object(uri, max_bytes=max_bytes)
    except ObjectMissing as error:
        return ParseFailure("object_missing", str(error))
    except ValueError as error:
        return ParseFailure("object_too_large", str(error))
    if report_id_of(content) != report_id:
        return ParseFailure("object_changed", "the object's content changed after it was announced")
    try:
        return parse_report(content, name)
    except UnreadableReport as error:
        return ParseFailure("unreadable_report", str(error))
