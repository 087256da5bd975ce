"""Judgement labels and grades, matched by what the label says, never by row position."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from findings_parse.core.extract import Line
from findings_shared.events import Grade, Judgement, JudgementArea

GRADE_PATTERN = (
    r"outstanding|good|requires?\s+improvement(?:\s+to\s+be\s+good)?|inadequate|adequate"
)
_GRADE_AT_END = re.compile(rf"(?:^|\s|:)(?P<grade>{GRADE_PATTERN})\s*$", re.IGNORECASE)
_TO_BE_GOOD = re.compile(r"^to\s+be\s+good$", re.IGNORECASE)
_MAX_LABEL_LINES = 3
_MAX_LABEL_CHARS = 150


def grade_of(text: str) -> Grade | None:
    folded = " ".join(text.lower().split())
    if folded.startswith(("requires improvement", "require improvement")):
        return Grade.REQUIRES_IMPROVEMENT
    for grade in (Grade.OUTSTANDING, Grade.GOOD, Grade.INADEQUATE, Grade.ADEQUATE):
        if folded == grade.value:
            return grade
    return None


def area_of_label(label: str) -> JudgementArea | None:
    """The judgement area a printed label names (ILACS 2018, 2023 and 2026 label sets, SIF)."""
    folded = " ".join(label.lower().replace("’", "'").split())
    if "overall effectiveness" in folded or folded.startswith("the overall judgement"):
        return JudgementArea.OVERALL_EFFECTIVENESS
    if "impact of leaders" in folded:
        return JudgementArea.IMPACT_OF_LEADERS
    if "help and protection" in folded:
        return JudgementArea.HELP_AND_PROTECTION
    if "safeguarding children board" in folded or "lscb" in folded:
        return JudgementArea.LSCB
    if "leadership, management and governance" in folded:
        return JudgementArea.LEADERSHIP_MANAGEMENT_GOVERNANCE
    if "adoption" in folded:
        return JudgementArea.ADOPTION
    if "looked after and achieving permanence" in folded:
        return JudgementArea.CHILDREN_LOOKED_AFTER
    if "capacity to improve" in folded or "capacity for improvement" in folded:
        return JudgementArea.CAPACITY_TO_IMPROVE
    if folded.startswith("outcomes for"):
        return JudgementArea.OUTCOMES
    if folded.startswith("quality of provision"):
        return JudgementArea.QUALITY_OF_PROVISION
    if folded.startswith("leadership and management"):
        return JudgementArea.LEADERSHIP_AND_MANAGEMENT
    if "children in care and care leavers" in folded or (
        "in care" in folded and "care leavers" in folded
    ):
        return JudgementArea.CHILDREN_IN_CARE_AND_CARE_LEAVERS
    if "care leavers" in folded:
        return JudgementArea.CARE_LEAVERS
    if "children in care" in folded:
        return JudgementArea.CHILDREN_IN_CARE
    return None


def add_judgement(
    judgements: list[Judgement], area: JudgementArea, label: str, grade: Grade
) -> None:
    """Record a judgement unless its area is already judged (a report states it once)."""
    if all(j.area != area for j in judgements):
        judgements.append(Judgement(area=area, label=label, grade=grade))


@dataclass(frozen=True, slots=True)
class GradeTable:
    judgements: list[Judgement]
    lines_used: int
    unknown_labels: list[str]


def parse_grade_table(lines: Sequence[Line]) -> GradeTable:
    """Read "label … grade" rows from the start of `lines` until a row no longer fits.

    Labels may wrap over lines, and a grade may sit on the label's last line or on
    its own line(s) ("Requires improvement" / "to be good").
    """
    judgements: list[Judgement] = []
    unknown: list[str] = []
    label_parts: list[str] = []
    used = 0
    index = 0
    while index < len(lines):
        text = lines[index].text.strip()
        if re.search(r"\brequires?$", text, re.IGNORECASE) and index + 1 < len(lines):
            following = lines[index + 1].text.strip()
            if re.match(r"^improvement\b", following, re.IGNORECASE):
                text = f"{text} {following}"
                index += 1
        if re.search(r"\bnot judged$", text, re.IGNORECASE):
            label_parts = []
            index += 1
            used = index
            continue
        match = _GRADE_AT_END.search(text)
        if match is None:
            if len(label_parts) >= _MAX_LABEL_LINES:
                break
            label_parts.append(text)
            index += 1
            continue
        grade_text = match["grade"]
        next_text = lines[index + 1].text.strip() if index + 1 < len(lines) else ""
        consumed = 1
        if grade_text.lower().startswith("requires") and _TO_BE_GOOD.match(next_text):
            grade_text += " to be good"
            consumed = 2
        label = " ".join([*label_parts, text[: match.start("grade")]]).strip(" .:–-")
        label = re.sub(r"^\d+(?:\.\d+)?\.?\s+", "", label)  # SIF row numbers: "2.1 Adoption"
        label = " ".join(label.split())
        grade = grade_of(grade_text)
        area = area_of_label(label)
        if grade is None or not label or len(label) > _MAX_LABEL_CHARS:
            break
        if area is None:
            # A label-like row we do not know is worth a warning; body prose is the table's end.
            if len(label) <= 100 and not judgements:
                unknown.append(label)
            break
        add_judgement(judgements, area, label, grade)
        label_parts = []
        index += consumed
        used = index
    return GradeTable(judgements=judgements, lines_used=used, unknown_labels=unknown)
