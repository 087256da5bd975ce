"""A report of no family we know: its first line as the title, the rest sectioned by its
headings alone, with a warning."""

from __future__ import annotations

from collections.abc import Sequence

from findings_parse.core.extract import Line
from findings_parse.core.family import Family
from findings_parse.core.front import Front, text_of
from findings_shared.events import ReportType


def read_front(lines: Sequence[Line]) -> Front:
    return Front(
        title=lines[0].text.strip() if lines else None,
        body=lines[1:],
        la_text=text_of(lines[:15]),
        warnings=["report family not recognised: sectioned by headings only"],
    )


FAMILY = Family(report_type=ReportType.UNKNOWN, read_front=read_front)
