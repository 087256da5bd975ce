"""Judgement labels and grades, matched by what the label says, never by row position."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from findings_parse.core.extract import Line
from findings_shared.events import Grade, Judgement, JudgementArea

GRADE_PATTERN = (
    r"outstanding|good|requires?\s+improvement(?:\s+to\s+be\s+good)?|inadequate|adequate"
)
_GRADE_AT_END = re.compile(rf"(?:^|\s|:)(?P<grade>{GRADE_PATTERN})\s*$", re.IGNORECASE)
# A grade cut by a narrow table column: "Requires" / "improvement to be" / "good".
_GRADE_CUT = re.compile(r"\brequires?(?:\s+improvement(?:\s+to(?:\s+be)?)?)?$", re.IGNORECASE)
_REST_OF_GRADE = re.compile(r"^(?:improvement|to|be|good)\b", re.IGNORECASE)
_TO_BE_GOOD = re.compile(r"^to\s+be\s+good$", re.IGNORECASE)
# The 2009-13 frameworks print a grade's number after it: "Inadequate Grade 4".
_GRADE_NUMBER = re.compile(r"\s+grade\s+[1-4]$", re.IGNORECASE)
_NOT_JUDGED = re.compile(r"\bnot\s+judged$", re.IGNORECASE)
# Row numbers of the single inspection framework's table: "2.1 Adoption performance".
_ROW_NUMBER = re.compile(r"^\d+(?:\.\d+)?\.?\s+")
_MAX_ROW_LINES = 6  # a label over three lines, its grade over three more
_MAX_LABEL_CHARS = 150


def fold(text: str) -> str:
    """Text as labels are compared: compatibility forms, lower case, one kind of quote."""
    return " ".join(unicodedata.normalize("NFKC", text).lower().replace("’", "'").split())


_LABEL_VERB = re.compile(r"\s+(?:is|are)(?:\s+judged)?$", re.IGNORECASE)


def printed_label(text: str) -> str:
    """A judgement's label as printed, without the verb that led to its grade ("The
    LSCB is")."""
    label = " ".join(text.split()).strip(" .:–-")
    return _LABEL_VERB.sub("", label)


def grade_of(text: str) -> Grade | None:
    folded = fold(text).rstrip(".")
    if folded.startswith(("requires improvement", "require improvement")):
        return Grade.REQUIRES_IMPROVEMENT
    for grade in (Grade.OUTSTANDING, Grade.GOOD, Grade.INADEQUATE, Grade.ADEQUATE):
        if folded == grade.value:
            return grade
    return None


@dataclass(frozen=True, slots=True)
class LabelTable:
    """Printed judgement labels → areas. Every phrase found in a label is a candidate and
    the longest wins: "children in care and care leavers" over "care leavers"."""

    phrases: tuple[tuple[re.Pattern[str], JudgementArea], ...]

    @classmethod
    def of(cls, *tables: Mapping[str, JudgementArea]) -> LabelTable:
        """Phrases are regular expressions over folded text, matched on word boundaries."""
        return cls(
            tuple(
                (re.compile(rf"(?<!\w){phrase}(?!\w)"), area)
                for table in tables
                for phrase, area in table.items()
            )
        )

    def area_of(self, label: str) -> JudgementArea | None:
        folded = fold(label)
        best: JudgementArea | None = None
        longest = 0
        for pattern, area in self.phrases:
            match = pattern.search(folded)
            if match and len(match.group()) > longest:
                best, longest = area, len(match.group())
        return best

    def __add__(self, other: LabelTable) -> LabelTable:
        return LabelTable(self.phrases + other.phrases)


def add_judgement(
    judgements: list[Judgement],
    area: JudgementArea,
    label: str,
    grade: Grade,
    warnings: list[str] | None = None,
) -> None:
    """Record a judgement unless its area is already judged (a report states it once).

    The same area printed again with another grade is a contradiction worth a warning.
    """
    for judged in judgements:
        if judged.area == area:
            if judged.grade != grade and warnings is not None:
                warnings.append(
                    f"{area.value} printed twice with different grades:"
                    f" {judged.grade.value} and {grade.value}"
                )
            return
    judgements.append(Judgement(area=area, label=label, grade=grade))


@dataclass(frozen=True, slots=True)
class GradeTable:
    judgements: list[Judgement]
    lines_used: int
    unknown_labels: list[str]
    warnings: list[str]
    not_judged: list[JudgementArea]  # rows printed "Not judged"


def parse_grade_table(lines: Sequence[Line], labels: LabelTable) -> GradeTable:
    """Read "label … grade" rows from the start of `lines` until a row no longer fits.

    Labels may wrap over lines, and a grade may sit on the label's last line or on
    lines of its own, cut anywhere by a narrow column ("Requires improvement to" / "be
    good"): a row's text is read whole before its grade is taken from its end.
    """
    judgements: list[Judgement] = []
    unknown: list[str] = []
    warnings: list[str] = []
    not_judged: list[JudgementArea] = []
    row: list[str] = []
    used = 0
    index = 0
    while index < len(lines):
        row.append(lines[index].text.strip())
        index += 1
        text = _GRADE_NUMBER.sub("", " ".join(row))
        if _NOT_JUDGED.search(text):
            if area := labels.area_of(_NOT_JUDGED.sub("", text)):
                not_judged.append(area)
            row, used = [], index
            continue
        # A grade cut by the column: take its next piece before reading the grade.
        if (
            _GRADE_CUT.search(text)
            and index < len(lines)
            and _REST_OF_GRADE.match(lines[index].text.strip())
        ):
            continue
        match = _GRADE_AT_END.search(text)
        if match is None:
            if len(row) >= _MAX_ROW_LINES:
                break
            continue
        grade_text = match["grade"]
        next_text = lines[index].text.strip() if index < len(lines) else ""
        if fold(grade_text) == "requires improvement" and _TO_BE_GOOD.match(next_text):
            index += 1
        label = printed_label(_ROW_NUMBER.sub("", text[: match.start("grade")]))
        grade = grade_of(grade_text)
        area = labels.area_of(label)
        if grade is None or not label or len(label) > _MAX_LABEL_CHARS:
            break
        if area is None:
            # A label-like row we do not know is worth a warning; body prose is the table's end.
            if len(label) <= 100 and not judgements:
                unknown.append(label)
            break
        add_judgement(judgements, area, label, grade, warnings)
        row, used = [], index
    return GradeTable(judgements, used, unknown, warnings, not_judged)
