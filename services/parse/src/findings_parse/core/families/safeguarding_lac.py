"""Inspections of 2009-2013 under the frameworks before the single inspection: of
safeguarding and looked after children services (2009-12), of looked after children
services and of the arrangements for the protection of children (2012-13).

Grades are in the "Record of main findings" at the end: "Overall effectiveness
Inadequate Grade 4", or without the grade's number.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from findings_parse.core.blocks import join_wrapped
from findings_parse.core.extract import Line
from findings_parse.core.family import Family, titles
from findings_parse.core.front import (
    Front,
    find_inspection_dates,
    find_lead_inspector,
    index_of,
    labelled_date,
    text_of,
)
from findings_parse.core.judgements import GradeTable, LabelTable, parse_grade_table
from findings_shared.events import JudgementArea as A
from findings_shared.events import ReportType

LABELS = LabelTable.of(
    {
        "overall effectiveness": A.OVERALL_EFFECTIVENESS,
        r"capacity (?:to|for) improve(?:ment)?": A.CAPACITY_TO_IMPROVE,
        r"^outcomes for": A.OUTCOMES,
        "quality of provision": A.QUALITY_OF_PROVISION,
        "leadership and management": A.LEADERSHIP_AND_MANAGEMENT,
        # The 2012-13 child protection inspections
        "help and protection": A.HELP_AND_PROTECTION,
        "quality of practice": A.QUALITY_OF_PRACTICE,
        "leadership and governance": A.LEADERSHIP_AND_GOVERNANCE,
    }
)
_RECORD = r"^record of main findings$"
_RECORD_LINES = 40
_COVER_LINES = 15
_COVER_FIELD = re.compile(
    r"^\s*(?:inspection dates?|(?:lead|reporting) inspector|published|age group)\b", re.IGNORECASE
)


def _record(lines: Sequence[Line]) -> GradeTable | None:
    """The grades of the record of main findings, read from its first judgement row: the
    first heading so named with grades below it (a contents list names it too, and without
    a page break its entry reads as the heading)."""
    record_at = index_of(lines, _RECORD)
    while record_at >= 0:
        record = lines[record_at + 1 : record_at + 1 + _RECORD_LINES]
        first_row = next(
            (i for i, line in enumerate(record) if LABELS.area_of(line.text) is not None), None
        )
        if (
            first_row is not None
            and (table := parse_grade_table(record[first_row:], LABELS)).judgements
        ):
            return table
        record_at = index_of(lines, _RECORD, start=record_at + 1)
    return None


def has_record_of_main_findings(lines: Sequence[Line]) -> bool:
    table = _record(lines)
    return table is not None and len(table.judgements) >= 2


def read_front(lines: Sequence[Line]) -> Front:
    front = Front()
    dates_at = index_of(lines, r"^inspection dates?\b", limit=40)
    head = lines[: dates_at if dates_at >= 0 else 4]
    front.title = join_wrapped([line.text for line in head]) or None
    opening = text_of(lines[:30])
    front.la_text = front.title or opening
    front.inspection = find_inspection_dates(opening)
    front.published = labelled_date(opening, r"published")
    front.lead_inspector = find_lead_inspector(opening)
    table = _record(lines)
    if table is not None:
        front.judgements = table.judgements
        front.warnings += table.warnings
    else:
        front.warnings.append("no record of main findings found")
    # The cover (inspector, age group, publication date) is front matter, not findings: a
    # page of its own in a PDF, its field lines in a plain-text export.
    cover_page = lines[max(dates_at, 0)].page if lines else 0
    front.body = [line for line in lines if line.page > cover_page]
    if not front.body:
        last_field = max(
            (i for i, line in enumerate(lines[:_COVER_LINES]) if _COVER_FIELD.match(line.text)),
            default=-1,
        )
        front.body = lines[last_field + 1 :]
    return front


FAMILY = Family(
    report_type=ReportType.SAFEGUARDING_LAC_INSPECTION,
    read_front=read_front,
    titles=titles(
        r"inspection of (?:safeguarding and )?looked after children(?:'s)? services",
        r"inspection of local authority arrangements for the protection of children",
    ),
    structure=has_record_of_main_findings,
    labels=LABELS,
    judgement_sets=(
        # looked after children services (2012-13)
        frozenset(
            {
                A.OVERALL_EFFECTIVENESS,
                A.CAPACITY_TO_IMPROVE,
                A.OUTCOMES,
                A.QUALITY_OF_PROVISION,
                A.LEADERSHIP_AND_MANAGEMENT,
            }
        ),
        # the arrangements for the protection of children (2012-13)
        frozenset(
            {
                A.OVERALL_EFFECTIVENESS,
                A.HELP_AND_PROTECTION,
                A.QUALITY_OF_PRACTICE,
                A.LEADERSHIP_AND_GOVERNANCE,
            }
        ),
    ),
)
