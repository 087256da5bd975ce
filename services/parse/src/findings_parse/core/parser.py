"""The parser: report bytes to a `ReportParsed`. Pure: no Kafka, no database, no I/O."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from findings_parse.core.blocks import Block, join_wrapped, split_blocks
from findings_parse.core.dates import parse_date_range, parse_single_date
from findings_parse.core.extract import ExtractedText, Line, extract_text
from findings_parse.core.judgements import GRADE_PATTERN, area_of_label, parse_grade_table
from findings_shared.events import (
    Finding,
    FindingCategory,
    Judgement,
    JudgementArea,
    ParseQuality,
    ReportParsed,
    ReportType,
    finding_id_of,
    report_id_of,
)
from findings_shared.local_authorities import find_local_authority

PARSER_VERSION = "0.1.0"

_FOOTNOTE_DIGITS = re.compile(r"(?<=[a-z?:)])\d{1,2}$")
_ROLE_SUFFIX = re.compile(
    r"[,\s]*(?:(?:His|Her)\s+Majesty[’']s\s+Inspector(?:\s+of\s+\w+)?|HMI|Ofsted\s+Inspector"
    r"|Social\s+Care\s+Regulatory\s+Inspector|Lead\s+inspector)\b.*$",
    re.IGNORECASE,
)
_BOILERPLATE_START = re.compile(
    r"^(?:The Office for Standards in Education, Children[’']s Services and Skills \(Ofsted\)"
    r"|If you would like a copy of this document in a different format"
    r"|© Crown copyright)",
    re.IGNORECASE,
)


def clean_person_name(text: str) -> str | None:
    name = _ROLE_SUFFIX.sub("", text).strip(" ,.;:")
    return name or None


def _strip_footnote(heading: str) -> str:
    return _FOOTNOTE_DIGITS.sub("", heading).strip()


@dataclass(slots=True)
class _Front:
    """What a family reads from the front matter, and where the body starts."""

    title: str | None = None
    inspection: tuple[date, date] | None = None
    published: date | None = None
    lead_inspector: str | None = None
    judgements: list[Judgement] = field(default_factory=list)
    body: Sequence[Line] = ()
    la_text: str = ""
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _SectionRule:
    """How findings under a heading are categorised."""

    pattern: re.Pattern[str]
    category: FindingCategory
    area_from_label: bool = False


# --- ILACS (2018, 2023 and 2026 judgement sets) ---

_ILACS_IMPROVE = re.compile(r"^what needs to improve\b[^.]{0,80}\??$", re.IGNORECASE)
_ILACS_JUDGEMENT = re.compile(
    rf"^(?P<label>(?:the|overall|impact)\b[^.]{{5,160}}?)\s*[:–-]?\s*(?P<grade>{GRADE_PATTERN})\.?$",
    re.IGNORECASE,
)
_ILACS_RULES = (
    _SectionRule(_ILACS_IMPROVE, FindingCategory.IMPROVEMENT),
    _SectionRule(_ILACS_JUDGEMENT, FindingCategory.EVIDENCE, area_from_label=True),
)


def _is_ilacs_judgement_heading(text: str) -> bool:
    match = _ILACS_JUDGEMENT.match(text)
    return match is not None and area_of_label(match["label"]) is not None


def _is_ilacs_heading(text: str) -> bool:
    text = _strip_footnote(text)
    return bool(_ILACS_IMPROVE.match(text)) or _is_ilacs_judgement_heading(text)


def _ilacs_front(lines: Sequence[Line]) -> _Front:
    front = _Front()
    table_at = next(
        (
            i
            for i, line in enumerate(lines[:60])
            if re.match(r"^judgements?\s+grades?$", line.text.strip(), re.IGNORECASE)
        ),
        None,
    )
    head = lines[: table_at if table_at is not None else 12]
    title_parts: list[str] = []
    for line in head:
        text = line.text.strip()
        if re.match(r"^inspection dates?\b", text, re.IGNORECASE):
            front.inspection = parse_date_range(text)
        elif re.match(r"^lead inspector\b", text, re.IGNORECASE):
            front.lead_inspector = clean_person_name(text.split(":", 1)[-1])
        elif front.inspection is None and front.lead_inspector is None:
            title_parts.append(text)
    front.title = _ilacs_title(title_parts)
    front.la_text = " ".join(title_parts)
    if table_at is None:
        front.warnings.append("no judgement table found")
        front.body = lines[len(head) :]
        return front
    table = parse_grade_table(lines[table_at + 1 :])
    front.judgements = table.judgements
    front.warnings += [f"unknown judgement label: {label!r}" for label in table.unknown_labels]
    front.body = lines[table_at + 1 + table.lines_used :]
    return front


def _ilacs_title(parts: list[str]) -> str | None:
    joined = join_wrapped(parts)
    at = joined.lower().find("inspection of")
    if at <= 0:
        return joined or None
    # 2018-era cover: the authority's name, then the title on its own line.
    return f"{joined[:at].strip()}: {joined[at:]}"


# --- 2010-12 annual unannounced inspection letters ---

_LETTER_TITLE = re.compile(r"^annual unannounced inspection of\b", re.IGNORECASE)
_LETTER_RULES = (
    _SectionRule(
        re.compile(r"^(?:areas of )?strengths?$", re.IGNORECASE), FindingCategory.STRENGTH
    ),
    _SectionRule(
        re.compile(r"^the service meets the requirements of statutory guidance\b", re.IGNORECASE),
        FindingCategory.MEETS_REQUIREMENTS,
    ),
    _SectionRule(
        re.compile(r"^areas? for (?:development|improvement)$", re.IGNORECASE),
        FindingCategory.AREA_FOR_DEVELOPMENT,
    ),
    _SectionRule(
        re.compile(r"^areas? for priority action$", re.IGNORECASE), FindingCategory.PRIORITY_ACTION
    ),
)
_LETTER_CLOSING = re.compile(
    r"^(?:yours sincerely|(?:any )?areas (?:for|of) (?:development|priority action) identified"
    r" above will be)",
    re.IGNORECASE,
)


def _is_letter_heading(text: str) -> bool:
    return any(rule.pattern.match(text.strip()) for rule in _LETTER_RULES)


def _letter_front(lines: Sequence[Line]) -> _Front:
    front = _Front()
    title_at = next(i for i, line in enumerate(lines) if _LETTER_TITLE.match(line.text.strip()))
    for line in lines[:title_at]:
        text = line.text.strip()
        if front.published is None and re.fullmatch(r"\d{1,2}\s+\w+\s+\d{4}", text):
            front.published = parse_single_date(text)
    front.title = lines[title_at].text.strip()
    end = next(
        (i for i, line in enumerate(lines) if _LETTER_CLOSING.match(line.text.strip())), len(lines)
    )
    front.body = lines[title_at + 1 : end]
    body_text = " ".join(line.text for line in front.body)
    conducted = re.search(r"conducted on (.{0,80})", body_text)
    if conducted:
        front.inspection = parse_date_range(conducted[1])
        if front.inspection is None and (single := parse_single_date(conducted[1])):
            front.inspection = (single, single)
    signed = next(
        (i for i, line in enumerate(lines) if line.text.strip().lower() == "yours sincerely"), None
    )
    if signed is not None and signed + 1 < len(lines):
        front.lead_inspector = clean_person_name(lines[signed + 1].text)
    front.la_text = front.title + " " + body_text[:600]
    return front


# --- Family recognition and assembly ---


@dataclass(frozen=True, slots=True)
class _Family:
    report_type: ReportType
    front: Callable[[Sequence[Line]], _Front]
    is_heading: Callable[[str], bool]
    rules: tuple[_SectionRule, ...]


_ILACS = _Family(ReportType.ILACS_INSPECTION, _ilacs_front, _is_ilacs_heading, _ILACS_RULES)
_LETTER = _Family(
    ReportType.ANNUAL_UNANNOUNCED_INSPECTION, _letter_front, _is_letter_heading, _LETTER_RULES
)


def _unknown_front(lines: Sequence[Line]) -> _Front:
    title = lines[0].text.strip() if lines else None
    return _Front(
        title=title,
        body=lines[1:],
        la_text=" ".join(line.text for line in lines[:15]),
        warnings=["report family not recognised: sectioned by headings only"],
    )


_UNKNOWN = _Family(ReportType.UNKNOWN, _unknown_front, lambda _text: False, ())


def recognise_family(lines: Sequence[Line]) -> _Family:
    opening = " ".join(line.text for line in lines[:40]).lower().replace("’", "'")
    opening = " ".join(opening.split())
    if "annual unannounced inspection of contact, referral and assessment" in opening:
        return _LETTER
    has_ilacs_labels = "impact of leaders on" in opening and "judgement" in opening
    if has_ilacs_labels and re.search(
        r"inspection of .{0,80}(local authority children's services|children's social care)",
        opening,
    ):
        return _ILACS
    return _UNKNOWN


def _cut_boilerplate(lines: Sequence[Line]) -> Sequence[Line]:
    for index, line in enumerate(lines):
        if _BOILERPLATE_START.match(line.text.strip()):
            return lines[:index]
    return lines


def _findings_of(
    report_id: str, title: str, blocks: list[Block], rules: tuple[_SectionRule, ...]
) -> list[Finding]:
    section = title
    category = FindingCategory.EVIDENCE
    area: JudgementArea | None = None
    findings: list[Finding] = []
    for block in blocks:
        if block.kind == "heading":
            section = _strip_footnote(block.text)
            category, area = FindingCategory.EVIDENCE, None
            for rule in rules:
                match = rule.pattern.match(section)
                if match:
                    category = rule.category
                    if rule.area_from_label:
                        area = area_of_label(match["label"])
                    break
            continue
        ordinal = len(findings) + 1
        findings.append(
            Finding(
                finding_id=finding_id_of(report_id, ordinal, block.text),
                ordinal=ordinal,
                category=category,
                section=section,
                judgement_area=area,
                paragraph=block.number,
                text=block.text,
            )
        )
    return findings


def _numbering_warnings(blocks: list[Block]) -> list[str]:
    numbers = [block.number for block in blocks if block.number is not None]
    return [
        f"paragraph numbering gap: {before} is followed by {after}"
        for before, after in itertools.pairwise(numbers)
        if after != before + 1
    ]


def parse_text(report_id: str, extracted: ExtractedText) -> ReportParsed:
    lines = _cut_boilerplate(extracted.lines)
    family = recognise_family(lines)
    front = family.front(lines)
    blocks = split_blocks(
        front.body,
        is_heading=family.is_heading,
        body_size=extracted.body_size,
        plain_text=extracted.kind == "text",
    )
    title = front.title or ""
    findings = _findings_of(report_id, title, blocks, family.rules)
    authority = find_local_authority(front.la_text) or find_local_authority(
        " ".join(line.text for line in lines[:80])
    )
    warnings = list(front.warnings) + _numbering_warnings(blocks)
    if authority is None:
        warnings.append("local authority not recognised")
    body_chars = sum(len(b.text) for b in blocks if b.kind != "heading")
    finding_chars = sum(len(f.text) for f in findings)
    return ReportParsed(
        report_id=report_id,
        parser_version=PARSER_VERSION,
        report_type=family.report_type,
        title=front.title,
        local_authority=authority.as_ref() if authority else None,
        inspection_start=front.inspection[0] if front.inspection else None,
        inspection_end=front.inspection[1] if front.inspection else None,
        published=front.published,
        lead_inspector=front.lead_inspector,
        judgements=front.judgements,
        findings=findings,
        quality=ParseQuality(
            coverage=round(min(1.0, finding_chars / body_chars), 4) if body_chars else 0.0,
            warnings=warnings,
        ),
    )


def parse_report(content: bytes, name: str) -> ReportParsed:
    """Parse one report file. Raises `UnreadableReport` with a one-line reason."""
    return parse_text(report_id_of(content), extract_text(content, name))
