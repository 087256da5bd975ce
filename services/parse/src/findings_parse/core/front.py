"""Front matter read from printed text: dates, inspectors, letter dates."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from findings_parse.core.dates import parse_date_range, parse_single_date
from findings_parse.core.extract import Line

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
    re.compile(r"\bbetween\s+(?P<rest>\d.{0,80})", re.IGNORECASE),
    re.compile(r"(?:visit|inspection)\b[^.]{0,120}?\bon\s+(?P<rest>\d.{0,80})", re.IGNORECASE),
    re.compile(r"carried out (?:from|on|between)\s+(?P<rest>.{0,90})", re.IGNORECASE),
]
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


def find_inspection_dates(text: str) -> tuple[date, date] | None:
    flat = " ".join(text.split())
    for pattern in _DATE_CONTEXT:
        for match in pattern.finditer(flat):
            found = parse_date_range(match["rest"])
            if found:
                return found
            single = parse_single_date(match["rest"][:40])
            if single:
                return (single, single)
    return None


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
