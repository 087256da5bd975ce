"""Front matter read from printed text: dates, inspectors, letter dates, titles.

What every family's front-matter reader returns (`Front`), and the readers that several
families share (a letter's, a cover title's).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from findings_parse.core.blocks import join_wrapped
from findings_parse.core.dates import parse_date_range, parse_single_date
from findings_parse.core.extract import Line
from findings_shared.events import Judgement, JudgementArea


@dataclass(slots=True)
class Front:
    """What a family reads from the front matter, and where the body is."""

    title: str | None = None
    inspection: tuple[date, date] | None = None
    published: date | None = None
    lead_inspector: str | None = None
    judgements: list[Judgement] = field(default_factory=list)
    not_judged: list[JudgementArea] = field(default_factory=list)  # printed "Not judged"
    body: Sequence[Line] = ()
    la_text: str = ""
    warnings: list[str] = field(default_factory=list)


FrontReader = Callable[[Sequence[Line]], Front]


def text_of(lines: Sequence[Line]) -> str:
    return " ".join(line.text.strip() for line in lines)


def lines_mentioning(lines: Sequence[Line], *words: str) -> list[Line]:
    """Lines holding any of `words`, each between the lines around it (a sentence wrapped
    before or after the word)."""
    mentions = re.compile("|".join(map(re.escape, words)))
    picked: list[Line] = []
    for index, line in enumerate(lines):
        if mentions.search(line.text):
            picked += lines[max(index - 1, 0) : index + 2]
    return picked


def index_of(lines: Sequence[Line], pattern: str, start: int = 0, limit: int | None = None) -> int:
    """The first line from `start` (before `limit`) that `pattern` matches, or -1."""
    end = len(lines) if limit is None else min(len(lines), limit)
    compiled = re.compile(pattern, re.IGNORECASE)
    return next((i for i in range(start, end) if compiled.search(lines[i].text.strip())), -1)


def cover_title(parts: list[str]) -> str | None:
    """A cover's title from its lines: "Authority: Inspection of …" when the name comes first."""
    # Footnote markers after a cover line ("…children board1") are not the title's.
    joined = join_wrapped([re.sub(r"(?<=[a-z])\d$", "", part) for part in parts])
    found = re.search(r"\b(?:re-)?inspection of\b", joined, re.IGNORECASE)
    if found is None or found.start() == 0:
        return joined or None
    # Older covers: the authority's name, then the title on its own line.
    return f"{joined[: found.start()].strip()}: {joined[found.start() :]}"


# A person's name: capitalised words (initials and hyphens kept), not the next label.
_NOT_NAME = (
    r"(?!(?:Team|Deputy|Quality|Age|Senior|Lead|His|Her|HMI|Ofsted|CQC|Inspector|Care"
    r"|Commission|Inspectorate)\b)"
)
_NAME = rf"{_NOT_NAME}[A-Z][\w’'.-]*(?:\s+{_NOT_NAME}(?:[A-Z][\w’'.-]*|de|van|von|du|la|le)){{0,4}}"
_ROLE_SUFFIX = re.compile(
    r"[,\s]*(?:\(?(?:Senior\s+)?(?:His|Her)\s+Majesty[’']s\s+Inspectors?\)?(?:\s+of\s+\w+)?"
    r"|\(?HMIs?\)?|Ofsted\s+Inspector|Social\s+Care\s+Regulatory\s+Inspector"
    r"|Lead\s+inspector|Ofsted)\b.*$",
    re.IGNORECASE,
)
_LEAD_INSPECTOR = [
    re.compile(rf"\b(?i:lead inspector)\s*:\s*(?P<name>{_NAME})"),
    re.compile(rf"\b(?i:reporting inspector)\s*:?\s*(?P<name>{_NAME})"),
    re.compile(rf"(?P<name>{_NAME}),?\s+(?:Ofsted\s+)?HMI,?\s+(?:Ofsted\s+)?(?i:lead inspector)"),
    # An area SEND team: "Sue Eastwood, Ofsted Lead inspector", "…, Ofsted HMI Lead Inspector".
    re.compile(rf"(?P<name>{_NAME}),\s+Ofsted\s+(?:HMI,?\s+)?(?i:lead\s+inspector)"),
    re.compile(
        rf"(?:Majesty[’']s\s+)?Inspectors?\s+for\s+this\s+visit\s+(?:were|was)\s+(?P<name>{_NAME})"
    ),
    re.compile(rf"\bThe inspectors were\s+(?P<name>{_NAME})"),
    re.compile(rf"\bThe lead inspector was\s+(?P<name>{_NAME})"),
]
_DATE_CONTEXT = [
    re.compile(r"inspection dates?\s*:?\s*(?P<rest>.{0,90})", re.IGNORECASE),
    re.compile(r"took place (?:from|between|on)\s+(?P<rest>.{0,90})", re.IGNORECASE),
    re.compile(r"conducted on\s+(?P<rest>.{0,90})", re.IGNORECASE),
    re.compile(r"\bbetween\s+(?P<rest>(?:the\s+)?\d.{0,80})", re.IGNORECASE),
    re.compile(
        r"(?:visit|inspection)\b[^.]{0,120}?\bon\s+(?P<rest>(?:the\s+)?\d.{0,80})", re.IGNORECASE
    ),
    re.compile(r"carried out (?:from|on|between)\s+(?P<rest>.{0,90})", re.IGNORECASE),
]
_RANGE_END = re.compile(r"\b(?:19|20)\d\d\b")
_FULL_DATE_LINE = re.compile(r"^\d{1,2}(?:st|nd|rd|th)?\s+[A-Za-z]+\s+\d{4}$")


def clean_person_name(text: str) -> str | None:
    name = _ROLE_SUFFIX.sub("", text).strip(" ,.;:")
    return name or None


def find_lead_inspector(text: str) -> str | None:
    """The lead inspector named in front matter or an opening paragraph, without roles."""
    flat = " ".join(text.split())
    for pattern in _LEAD_INSPECTOR:
        match = pattern.search(flat)
        if match:
            name = clean_person_name(match["name"])
            if name and name.lower() not in {"ofsted", "his", "her"}:
                return name
    return None


def signature_after(lines: Sequence[Line], closing: str = "yours sincerely") -> str | None:
    """The name signed under a letter's closing, if it is a person's."""
    for index, line in enumerate(lines):
        if line.text.strip().lower().startswith(closing):
            for after in lines[index + 1 : index + 3]:
                name = clean_person_name(after.text.strip())
                if name and not re.search(r"ofsted|commission|inspectorate", name, re.IGNORECASE):
                    return name
            return None
    return None


def find_inspection_dates(text: str, reference: date | None = None) -> tuple[date, date] | None:
    """The inspection's first and last days, from the phrases that introduce them; a date
    printed without its year takes the latest before `reference` (the letter's date)."""
    flat = " ".join(text.split())
    for pattern in _DATE_CONTEXT:
        for match in pattern.finditer(flat):
            found = parse_date_range(match["rest"], reference)
            if found:
                return _with_later_parts(found, match["rest"], reference)
            single = parse_single_date(match["rest"][:40])
            if single:
                return (single, single)
    return None


# "30 September to 11 October 2024 and 13 to 16 January 2025": an inspection in two parts.
_LATER_PART = re.compile(r"^\s*and\s+(?P<rest>\d.{0,60})", re.IGNORECASE)


def _with_later_parts(
    found: tuple[date, date], rest: str, reference: date | None
) -> tuple[date, date]:
    """The first day of the first part to the last day of the last."""
    for year in _RANGE_END.finditer(rest):
        later = _LATER_PART.match(rest[year.end() :])
        part = parse_date_range(later["rest"], reference) if later else None
        if part is not None and part[1] > found[1]:
            return found[0], part[1]
    return found


def letter_date(lines: Sequence[Line]) -> date | None:
    """A letter's date: a line that is only a date, before the salutation."""
    for line in lines:
        text = line.text.strip()
        if text.lower().startswith("dear "):
            return None
        if _FULL_DATE_LINE.match(text):
            return parse_single_date(text)
    return None


def labelled_date(text: str, label: str) -> date | None:
    match = re.search(rf"{label}\s*:?\s*(?P<rest>.{{0,40}})", text, re.IGNORECASE)
    return parse_single_date(match["rest"]) if match else None


# --- Letters: annual unannounced inspections, focused and monitoring visits, JTAI, JAR ---

_LETTER_CLOSING = re.compile(
    r"^(?:yours sincerely|(?:the |any )?areas (?:for|of) (?:development|priority action)"
    r" identified above will be|ofsted will take the findings from this)",
    re.IGNORECASE,
)


def letter_front(title_pattern: str, signed_by_lead: bool = True) -> FrontReader:
    """A letter's reader: its date above the salutation, its title, its opening paragraph
    (dates, inspectors), and its body up to the closing."""
    compiled = re.compile(title_pattern, re.IGNORECASE)

    def read(lines: Sequence[Line]) -> Front:
        front = Front()
        title_at = next(
            (i for i, line in enumerate(lines[:80]) if compiled.search(line.text.strip())), 0
        )
        title_end = title_at + 1
        # A title wrapped over two lines: the second is short and the first had no full stop.
        while (
            title_end < len(lines)
            and title_end - title_at < 3
            and not lines[title_at].text.rstrip().endswith(".")
            and lines[title_end].bold
            and lines[title_at].bold
        ):
            title_end += 1
        front.title = join_wrapped([line.text for line in lines[title_at:title_end]])
        front.published = letter_date(lines[:title_at])
        end = next(
            (
                i
                for i in range(title_end, len(lines))
                if _LETTER_CLOSING.match(lines[i].text.strip())
            ),
            len(lines),
        )
        front.body = lines[title_end:end]
        opening = text_of(front.body[:12])
        front.inspection = find_inspection_dates(opening, front.published)
        front.lead_inspector = find_lead_inspector(opening)
        if front.lead_inspector is None and signed_by_lead:
            front.lead_inspector = signature_after(lines)
        front.la_text = f"{front.title} {opening[:600]}"
        return front

    return read
