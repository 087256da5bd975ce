"""Every report family, and how a report is recognised as one.

A family is recognised from what the report is, not from what it mentions: its own
structure (the judgement table, the outcome) is the strongest evidence, then its title
(the cover's large type or a letter's bold subject line). A report whose opening only
mentions a family (its summary recalls "the joint targeted area inspection in July
2022") is given that family with a warning; one that shows no family and no sign of an
inspection at all is not a report.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from findings_parse.core.extract import Line
from findings_parse.core.families import (
    annual_letter,
    area_send,
    common,
    focused_visit,
    ilacs,
    joint_area_review,
    jtai,
    monitoring_visit,
    safeguarding_lac,
    sif,
    unknown,
)
from findings_parse.core.family import Family, SectionRule
from findings_parse.core.judgements import LabelTable, fold

# Adding a family: a module declaring it, listed here, and its ReportType member.
FAMILIES: tuple[Family, ...] = (
    ilacs.FAMILY,
    sif.FAMILY,
    safeguarding_lac.FAMILY,
    area_send.FAMILY,
    annual_letter.FAMILY,
    focused_visit.FAMILY,
    monitoring_visit.FAMILY,
    jtai.FAMILY,
    joint_area_review.FAMILY,
)
UNKNOWN = unknown.FAMILY

# Every family's headings and labels, for what a report prints of another family's
# (a focused visit quoting ILACS judgements) and for reports of no known family.
ALL_SECTIONS: tuple[SectionRule, ...] = common.SECTIONS + tuple(
    rule for family in FAMILIES for rule in family.sections
)
ALL_LABELS: LabelTable = sum((family.labels for family in FAMILIES), LabelTable(()))

Evidence = Literal["structure", "title", "mention", "none"]

_OPENING_LINES = 80
_MAX_TITLE_LINES = 4
_MAX_TITLE_WORDS = 30
# What every inspection report or letter prints near its start, and other documents do not.
_REPORT_MARKERS = re.compile(
    r"^(?:inspection dates?|(?:lead|reporting) inspector)\b|majesty's inspector|\bhmi\b"
    r"|^this letter summarises",
)


@dataclass(frozen=True, slots=True)
class Recognition:
    family: Family
    evidence: Evidence
    looks_like_a_report: bool  # prints an inspection's dates or inspectors


def title_lines(lines: Sequence[Line], body_size: float) -> list[str]:
    """Candidate titles on the first page, folded: runs of lines in large type or bold
    (a PDF), or short lines standing alone between blank lines (plain text)."""
    if not lines:
        return []
    first_page = lines[0].page
    opening = [line for line in lines[:_OPENING_LINES] if line.page == first_page]
    candidates: list[str] = []
    run: list[Line] = []

    def close_run() -> None:
        if run:
            candidates.append(fold(" ".join(line.text for line in run)))
            run.clear()

    for index, line in enumerate(opening):
        if body_size:
            styled = line.size >= body_size * 1.1 or line.bold
            continues = bool(run) and line.size == run[-1].size and len(run) < _MAX_TITLE_LINES
            if styled and not continues:
                close_run()
            if styled:
                run.append(line)
            else:
                close_run()
            continue
        following = opening[index + 1] if index + 1 < len(opening) else None
        stands_alone = line.gap_before and (following is None or following.gap_before)
        # A letter's title comes straight after its greeting ("Dear Judith" / "Focused
        # visit to …"), with no blank line between them in some exports.
        after_greeting = index > 0 and opening[index - 1].text.lower().startswith("dear ")
        # A title is no sentence: short, and without a full stop.
        if (
            (stands_alone or after_greeting)
            and len(line.text.split()) <= _MAX_TITLE_WORDS
            and not line.text.rstrip().endswith(".")
        ):
            candidates.append(fold(line.text))
    close_run()
    return candidates


def _by_title(candidates: Sequence[str]) -> Family | None:
    """The family whose title the earliest candidate shows, nearest its start."""
    for candidate in candidates:
        found = [
            (match.start(), order, family)
            for order, family in enumerate(FAMILIES)
            for pattern in family.titles
            if (match := pattern.search(candidate))
        ]
        if found:
            return min(found, key=lambda f: (f[0], f[1]))[2]
    return None


def recognise_family(lines: Sequence[Line], body_size: float) -> Recognition:
    titled = _by_title(title_lines(lines, body_size))
    # The titled family's structure first: most reports show both.
    candidates = sorted(FAMILIES, key=lambda family: family is not titled)
    structured = next(
        (f for f in candidates if f.structure is not None and f.structure(lines)), None
    )
    if structured is not None:
        return Recognition(structured, "structure", looks_like_a_report=True)
    if titled is not None:
        return Recognition(titled, "title", looks_like_a_report=True)
    opening_lines = [fold(line.text) for line in lines[:_OPENING_LINES]]
    looks_like_a_report = any(_REPORT_MARKERS.search(text) for text in opening_lines)
    if looks_like_a_report:
        mentioned = _by_title([" ".join(opening_lines)])
        if mentioned is not None:
            return Recognition(mentioned, "mention", looks_like_a_report)
    return Recognition(UNKNOWN, "none", looks_like_a_report)
