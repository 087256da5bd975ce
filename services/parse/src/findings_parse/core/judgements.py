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
GRADE_AT_END = re.compile(rf"(?:^|\s|:)(?P<grade>{GRADE_PATTERN})\s*$", re.IGNORECASE)
# A grade cut by a narrow table column: "Requires" / "improvement to be" / "good".
_GRADE_CUT = re.compile(r"\brequires?(?:\s+improvement(?:\s+to(?:\s+be)?)?)?$", re.IGNORECASE)
_REST_OF_GRADE = re.compile(r"^(?:improvement|to|be|good)\b", re.IGNORECASE)
TO_BE_GOOD = re.compile(r"^to\s+be\s+good$", re.IGNORECASE)
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
        if not row and (run := _labels_then_grades(lines, index, labels)):
            run_rows, index = run
            for run_row in run_rows:
                add_judgement(judgements, *run_row, warnings)
            used = index
            continue
        if row and _ROW_NUMBER.match(lines[index].text.strip()):
            # A numbered label below a label not yet graded: two labels are never one row
            # (it would take the first grade below them, which may be either's).
            break
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
        match = GRADE_AT_END.search(text)
        if match is None:
            if len(row) >= _MAX_ROW_LINES:
                break
            continue
        grade_text = match["grade"]
        next_text = lines[index].text.strip() if index < len(lines) else ""
        if fold(grade_text) == "requires improvement" and TO_BE_GOOD.match(next_text):
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


# Rows printed as a run of labels and then their grades, in the same order: pdftotext's
# default mode prints a table so where a grade stands a little above its label's line, and
# text copied from it keeps that order.
_GRADES = re.compile(rf"(?:\s*(?:{GRADE_PATTERN}))+\s*", re.IGNORECASE)
_GRADE = re.compile(GRADE_PATTERN, re.IGNORECASE)
# A line of grades or of a grade's pieces ("Requires" / "improvement").
_GRADE_WORDS = re.compile(
    r"(?:\s*\b(?:outstanding|good|requires?|improvement|to|be|inadequate|adequate)\b)+\s*",
    re.IGNORECASE,
)
_MAX_RUN_ROWS = 8
_MAX_LABEL_LINES = 3


def _labels_then_grades(
    lines: Sequence[Line], start: int, labels: LabelTable
) -> tuple[list[tuple[JudgementArea, str, Grade]], int] | None:
    """The rows of a run of two or more labels followed by as many grades, and the index
    after them; None unless the labels' lines split into known labels one way only, as
    many as the grades, each area once. A label's second line starts in lower case."""
    texts = [line.text.strip() for line in lines[start : start + _MAX_RUN_ROWS * 4]]
    labelled = 0
    while labelled < len(texts) and not (
        GRADE_AT_END.search(texts[labelled]) or _GRADE_WORDS.fullmatch(texts[labelled])
    ):
        if labelled >= _MAX_RUN_ROWS * _MAX_LABEL_LINES:
            return None
        labelled += 1
    if labelled < 2:
        return None
    graded = labelled
    while graded < len(texts) and _GRADE_WORDS.fullmatch(texts[graded]):
        graded += 1
    # A grade cut over lines ("Requires" / "improvement") is read whole: the lines must
    # read as grades together and as nothing else.
    graded_text = " ".join(texts[labelled:graded])
    if not _GRADES.fullmatch(graded_text):
        return None
    grade_texts = _GRADE.findall(graded_text)
    if len(grade_texts) < 2:
        return None
    splits = _label_splits(texts[:labelled], len(grade_texts), labels)
    if len(splits) != 1:
        return None
    rows = []
    for (area, label), grade_text in zip(splits[0], grade_texts, strict=True):
        grade = grade_of(grade_text)
        if grade is None:
            return None
        rows.append((area, label, grade))
    return rows, start + graded


def _label_splits(
    texts: Sequence[str], count: int, labels: LabelTable
) -> list[list[tuple[JudgementArea, str]]]:
    """Every way (up to two) to read `texts` as `count` known labels, each area once."""
    if not texts:
        return [[]] if count == 0 else []
    if count == 0:
        return []
    splits: list[list[tuple[JudgementArea, str]]] = []
    for size in range(1, min(_MAX_LABEL_LINES, len(texts)) + 1):
        if size > 1 and not texts[size - 1][:1].islower():
            break
        label = printed_label(_ROW_NUMBER.sub("", " ".join(texts[:size])))
        area = labels.area_of(label)
        if area is None or len(label) > _MAX_LABEL_CHARS:
            continue
        for rest in _label_splits(texts[size:], count - 1, labels):
            if all(area != other for other, _ in rest):
                splits.append([(area, label), *rest])
            if len(splits) > 1:
                return splits
    return splits
