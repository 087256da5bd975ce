"""The single inspection framework (2013-2018), its re-inspections, and the review of the
Local Safeguarding Children Board, printed with the inspection or on its own.

The cover: the authority, the title, dates, the overall judgement as a sentence ("The
overall judgement is that children's services are good") and the numbered table
("1. Children who need help and protection Good", "2.1 Adoption performance Good").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from findings_parse.core.extract import Line
from findings_parse.core.family import Family, section_rules, titles
from findings_parse.core.front import (
    Front,
    cover_title,
    find_inspection_dates,
    find_lead_inspector,
    index_of,
    labelled_date,
    lines_mentioning,
    text_of,
)
from findings_parse.core.judgements import (
    LabelTable,
    add_judgement,
    grade_of,
    parse_grade_table,
    printed_label,
)
from findings_shared.events import FindingCategory, ReportType
from findings_shared.events import JudgementArea as A

LABELS = LabelTable.of(
    {
        "overall effectiveness": A.OVERALL_EFFECTIVENESS,
        "the overall judgement": A.OVERALL_EFFECTIVENESS,
        "help and protection": A.HELP_AND_PROTECTION,
        "looked after and achieving permanence": A.CHILDREN_LOOKED_AFTER,
        "adoption": A.ADOPTION,
        "care leavers": A.CARE_LEAVERS,
        "leadership, management and governance": A.LEADERSHIP_MANAGEMENT_GOVERNANCE,
        "safeguarding children board": A.LSCB,
        "lscb": A.LSCB,
    }
)
_GRADE = r"outstanding|good|requires? improvement(?: to be good)?|inadequate"
_OVERALL = re.compile(
    r"(?:the overall judgement is(?: that children[’']s services)?"
    r"|children[’']s services in .{0,80}?)"
    rf"\s+(?:is\s+|are\s+)?(?P<grade>{_GRADE})",
    re.IGNORECASE,
)
_LSCB = re.compile(
    r"(?:safeguarding children board(?:\s*\([A-Z]+\))?|the LSCB)\s+(?:is\s+|are\s+)?"
    rf"(?P<grade>{_GRADE})",
    re.IGNORECASE,
)
_INSPECTION_JUDGEMENTS = frozenset(
    {
        A.OVERALL_EFFECTIVENESS,
        A.HELP_AND_PROTECTION,
        A.CHILDREN_LOOKED_AFTER,
        A.ADOPTION,
        A.CARE_LEAVERS,
        A.LEADERSHIP_MANAGEMENT_GOVERNANCE,
    }
)
_FIRST_ROW = r"^1\.?\s+children who need help and protection"
_OPENING_LINES = 80


def _table_rows_at(lines: Sequence[Line]) -> int:
    return index_of(lines, _FIRST_ROW, limit=_OPENING_LINES)


def has_judgement_table(lines: Sequence[Line]) -> bool:
    rows_at = _table_rows_at(lines)
    return rows_at >= 0 and len(parse_grade_table(lines[rows_at:], LABELS).judgements) >= 2


def read_front(lines: Sequence[Line]) -> Front:
    front = Front()
    dates_at = index_of(lines, r"^inspection dates?\b", limit=40)
    head = lines[: dates_at if dates_at >= 0 else 8]
    title_parts = [line.text.strip() for line in head if not re.fullmatch(r"\d+", line.text)]
    front.title = cover_title(title_parts)
    front.la_text = " ".join(title_parts)
    opening = text_of(lines[:_OPENING_LINES])
    front.inspection = find_inspection_dates(opening)
    front.published = labelled_date(opening, r"report published")
    front.lead_inspector = find_lead_inspector(text_of(lines_mentioning(lines, "nspector")))
    rows_at = _table_rows_at(lines)
    if rows_at >= 0:
        table = parse_grade_table(lines[rows_at:], LABELS)
        front.judgements = table.judgements
        front.not_judged = table.not_judged
        front.warnings += table.warnings
        body_start = rows_at + table.lines_used
    else:
        body_start = max(dates_at + 1, 0)
    overall = _OVERALL.search(opening)
    if overall and (grade := grade_of(overall["grade"])):
        label = printed_label(overall.string[overall.start() : overall.start("grade")])
        add_judgement(front.judgements, A.OVERALL_EFFECTIVENESS, label, grade)
        # The overall judgement leads the table.
        front.judgements.insert(0, front.judgements.pop())
    lscb = _LSCB.search(text_of(lines_mentioning(lines, "oard", "LSCB")))
    if lscb and (grade := grade_of(lscb["grade"])):
        label = printed_label(lscb.string[lscb.start() : lscb.start("grade")])
        add_judgement(front.judgements, A.LSCB, label, grade, front.warnings)
    # A review of the board printed on its own judges the board alone: no table to find.
    if rows_at < 0 and [j.area for j in front.judgements] != [A.LSCB]:
        front.warnings.append("no judgement table found")
    front.body = lines[body_start:]
    return front


FAMILY = Family(
    report_type=ReportType.SIF_INSPECTION,
    read_front=read_front,
    titles=titles(
        r"(?:re-)?inspection of services for children in need of help and protection",
        r"review of the effectiveness of the local safeguarding children board",
    ),
    structure=has_judgement_table,
    labels=LABELS,
    judgement_sets=(
        _INSPECTION_JUDGEMENTS,
        _INSPECTION_JUDGEMENTS | {A.LSCB},  # with the review of the safeguarding board
        frozenset({A.LSCB}),  # the board's review alone
    ),
    sections=section_rules(
        {
            r"^the local authority has the following strengths"
            r"|^the local authority'?s strengths": FindingCategory.STRENGTH
        }
    ),
)
