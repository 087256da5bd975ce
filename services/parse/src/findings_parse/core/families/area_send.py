"""Area SEND inspections: Ofsted and the CQC on a local area's arrangements for children
with special educational needs and/or disabilities.

Under the 2023 framework ("Area SEND inspection of … Local Area Partnership") one
judgement, the inspection outcome, printed as a sentence under "Inspection outcome". The
joint local area SEND inspections and revisits of 2016-2022 are letters with no outcome.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from findings_parse.core.blocks import join_wrapped
from findings_parse.core.extract import Line
from findings_parse.core.family import Family, section_rules, titles
from findings_parse.core.front import (
    Front,
    find_inspection_dates,
    find_lead_inspector,
    index_of,
    letter_date,
    lines_mentioning,
    text_of,
)
from findings_shared.events import FindingCategory, Grade, Judgement, JudgementArea, ReportType

_TITLE = r"(?:local )?area send (?:inspection|revisit)"
# The 2016-22 framework's letters judge nothing.
_LETTER_TITLE = re.compile(r"\bjoint local area send (?:inspection|revisit)\b", re.IGNORECASE)
_OUTCOME_HEADING = r"^inspection outcome$"
_OUTCOMES = [
    (re.compile(r"positive experiences and outcomes", re.IGNORECASE), Grade.POSITIVE),
    (re.compile(r"inconsistent experiences and outcomes", re.IGNORECASE), Grade.INCONSISTENT),
    (
        re.compile(r"(?:widespread|systemic) (?:and/or systemic )?failings", re.IGNORECASE),
        Grade.SYSTEMIC_FAILINGS,
    ),
]
_OPENING_LINES = 60


def _outcome(lines: Sequence[Line]) -> tuple[int, Judgement | None]:
    """Where the outcome heading is (-1 if nowhere) and the judgement it states."""
    outcome_at = index_of(lines, _OUTCOME_HEADING, limit=_OPENING_LINES)
    if outcome_at < 0:
        return -1, None
    outcome_text = text_of(lines[outcome_at + 1 : outcome_at + 6])
    for pattern, grade in _OUTCOMES:
        if pattern.search(outcome_text):
            label = outcome_text.split(".")[0].strip()
            return outcome_at, Judgement(
                area=JudgementArea.AREA_SEND_OUTCOME, label=label, grade=grade
            )
    return outcome_at, None


def has_outcome(lines: Sequence[Line]) -> bool:
    return _outcome(lines)[1] is not None


def read_front(lines: Sequence[Line]) -> Front:
    front = Front()
    title_at = max(index_of(lines, _TITLE, limit=40), 0)
    dates_at = index_of(lines, r"^inspection dates?\b", start=title_at, limit=40)
    title_end = dates_at if dates_at > title_at else title_at + 1
    front.title = join_wrapped([line.text for line in lines[title_at:title_end]]) or None
    opening = text_of(lines[:40])
    front.la_text = f"{front.title} {opening}"
    front.inspection = find_inspection_dates(opening)
    front.published = letter_date(lines[:title_at])
    # The Ofsted lead named in the inspection team (the CQC has its own lead beside).
    front.lead_inspector = find_lead_inspector(text_of(lines_mentioning(lines, "nspector")))
    outcome_at, outcome = _outcome(lines)
    if outcome is not None:
        front.judgements.append(outcome)
    elif not _LETTER_TITLE.search(front.title or ""):
        front.warnings.append("no inspection outcome found")
    # The cover's dates and previous inspection are front matter, not findings.
    front.body = lines[outcome_at if outcome_at >= 0 else title_end :]
    return front


FAMILY = Family(
    report_type=ReportType.AREA_SEND,
    read_front=read_front,
    titles=titles(_TITLE),
    structure=has_outcome,
    # The 2023 framework's outcome; nothing in the letters before it.
    judgement_sets=(frozenset({JudgementArea.AREA_SEND_OUTCOME}), frozenset()),
    sections=section_rules(
        {
            r"^what is the (?:local )?area partnership doing that is effective": (
                FindingCategory.STRENGTH
            ),
            r"^what does the (?:local )?area partnership need to do better": (
                FindingCategory.AREA_FOR_DEVELOPMENT
            ),
        }
    ),
)
