"""Inspections of local authority children's services (ILACS), 2018 on.

The 2018 judgement set (children in care and care leavers judged together), the 2023
set (judged apart) and the 2026 set (no overall effectiveness). The cover: title,
inspection dates, lead inspector, then the "Judgement / Grade" table.
"""

from __future__ import annotations

from collections.abc import Sequence

from findings_parse.core.extract import Line
from findings_parse.core.family import Family, titles
from findings_parse.core.front import (
    Front,
    cover_title,
    find_inspection_dates,
    find_lead_inspector,
    index_of,
    text_of,
)
from findings_parse.core.judgements import LabelTable, parse_grade_table
from findings_shared.events import JudgementArea as A
from findings_shared.events import ReportType

LABELS = LabelTable.of(
    {
        "overall effectiveness": A.OVERALL_EFFECTIVENESS,
        "impact of leaders": A.IMPACT_OF_LEADERS,
        "help and protection": A.HELP_AND_PROTECTION,
        "children in care": A.CHILDREN_IN_CARE,
        "care leavers": A.CARE_LEAVERS,
        "children in care and care leavers": A.CHILDREN_IN_CARE_AND_CARE_LEAVERS,
    }
)
_TABLE_HEADER = r"^judgements?(?:\s+grades?)?$"
_GRADE_HEADER = r"^grades?$"
# Without its header, the table starts at its first row.
_FIRST_ROW = r"^(?:the )?(?:impact of leaders|experiences and progress of)\b"
_OPENING_LINES = 60


def _table_at(lines: Sequence[Line]) -> tuple[int, int]:
    """Where the cover ends and where the table's rows start ((-1, -1): no table). The
    table has its header ("Judgement Grade", or the two words on lines of their own), or
    starts at its first row."""
    header_at = index_of(lines, _TABLE_HEADER, limit=_OPENING_LINES)
    if header_at >= 0:
        split = index_of(lines, _GRADE_HEADER, start=header_at + 1, limit=header_at + 2) >= 0
        return header_at, header_at + (2 if split else 1)
    first_row = index_of(lines, _FIRST_ROW, limit=_OPENING_LINES)
    return first_row, first_row


def has_judgement_table(lines: Sequence[Line]) -> bool:
    """The cover's table reads at least two ILACS judgements (the impact of leaders…)."""
    _, rows_at = _table_at(lines)
    if rows_at < 0:
        return False
    table = parse_grade_table(lines[rows_at:], LABELS)
    areas = {j.area for j in table.judgements}
    return A.IMPACT_OF_LEADERS in areas and len(areas) >= 2


def read_front(lines: Sequence[Line]) -> Front:
    front = Front()
    table_at, rows_at = _table_at(lines)
    head = lines[: table_at if table_at >= 0 else 12]
    title_parts: list[str] = []
    for line in head:
        text = line.text.strip()
        if index_of([line], r"^inspection dates?\b") == 0:
            front.inspection = find_inspection_dates(text)
        elif index_of([line], r"^lead inspector\b") == 0:
            front.lead_inspector = find_lead_inspector(text_of(head))
        elif front.inspection is None and front.lead_inspector is None:
            title_parts.append(text)
    front.title = cover_title(title_parts)
    front.la_text = " ".join(title_parts)
    if table_at < 0:
        front.warnings.append("no judgement table found")
        front.body = lines[len(head) :]
        return front
    table = parse_grade_table(lines[rows_at:], LABELS)
    front.judgements = table.judgements
    front.not_judged = table.not_judged
    front.warnings += table.warnings
    front.warnings += [f"unknown judgement label: {label!r}" for label in table.unknown_labels]
    front.body = lines[rows_at + table.lines_used :]
    return front


FAMILY = Family(
    report_type=ReportType.ILACS_INSPECTION,
    read_front=read_front,
    # "Inspection of Kent County Council children's services", "… local authority children's
    # services", "Inspection of children's social care services" under the authority's name,
    # "Inspection of Bradford Children and Families Trust".
    titles=titles(
        r"inspection of (?:[\w'&,.-]+ ){0,10}?children'?s (?:social care )?services\b",
        r"inspection of (?:[\w'&,.-]+ ){0,8}?children(?:'?s)? (?:and families )?trust\b",
    ),
    structure=has_judgement_table,
    labels=LABELS,
    judgement_sets=(
        frozenset(
            {
                A.OVERALL_EFFECTIVENESS,
                A.IMPACT_OF_LEADERS,
                A.HELP_AND_PROTECTION,
                A.CHILDREN_IN_CARE_AND_CARE_LEAVERS,
            }
        ),
        frozenset(
            {
                A.OVERALL_EFFECTIVENESS,
                A.IMPACT_OF_LEADERS,
                A.HELP_AND_PROTECTION,
                A.CHILDREN_IN_CARE,
                A.CARE_LEAVERS,
            }
        ),
        # From 2026 overall effectiveness is no longer judged.
        frozenset({A.IMPACT_OF_LEADERS, A.HELP_AND_PROTECTION, A.CHILDREN_IN_CARE, A.CARE_LEAVERS}),
    ),
)
