"""The parser: report bytes to a `ReportParsed`. Pure: no Kafka, no database, no I/O."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from findings_parse.core.blocks import Block, split_blocks
from findings_parse.core.extract import ExtractedText, Line, extract_text
from findings_parse.core.families import Family, recognise_family
from findings_parse.core.judgements import GRADE_PATTERN, area_of_label
from findings_shared.events import (
    Finding,
    FindingCategory,
    JudgementArea,
    ParseQuality,
    ReportParsed,
    finding_id_of,
    report_id_of,
)
from findings_shared.local_authorities import find_local_authority

PARSER_VERSION = "0.2.0"
LOW_COVERAGE = 0.8
_FOOTNOTE_DIGITS = re.compile(r"(?<=[a-z?:)])\d{1,2}$")


# Ofsted's letterhead and contact block, wherever a page layout puts it.
_LETTERHEAD = re.compile(
    r"^(?:ofsted|piccadilly gate|store street|manchester,?(?: m1 2wd)?|m1 2wd|agora"
    r"|6 cumberland place|nottingham,? ng1 6hj|freshford house|redcliffe way|bristol,? bs1 6nl"
    r"|(?:t|tel|direct t|direct f)\s*:?\s*[\d ]{9,}|textphone\s*:?\s*[\d ]+"
    r"|(?:e\s*:?\s*)?[\w.]+@ofsted\.gov\.uk|(?:w\s*:?\s*)?www\.(?:gov\.uk/ofsted|ofsted\.gov\.uk)"
    r"|piccadilly gate\s+store street\s+manchester\s+m1 2wd)$",
    re.IGNORECASE,
)
_FINAL_BOILERPLATE = re.compile(
    r"^(?:The Office for Standards in Education, Children[’']s Services and Skills \(Ofsted\)"
    r"|If you would like a copy of this document in a different format"
    r"|© Crown copyright)",
    re.IGNORECASE,
)
_COVER_BOILERPLATE = ("© Crown copyright", "This document may be reproduced", "Further copies")


@dataclass(frozen=True, slots=True)
class _SectionRule:
    pattern: re.Pattern[str]
    category: FindingCategory


def _rule(pattern: str, category: FindingCategory) -> _SectionRule:
    return _SectionRule(re.compile(pattern, re.IGNORECASE), category)


# How findings under a heading are categorised, for every family; first match wins.
_SECTION_RULES = (
    _rule(r"^(?:areas? for )?priority (?:and immediate )?action", FindingCategory.PRIORITY_ACTION),
    _rule(
        r"^(?:what needs to improve|what does (?:the )?[\w ]{1,40}? need to improve"
        r"|areas? for improvement\b|recommendations?$)",
        FindingCategory.IMPROVEMENT,
    ),
    _rule(
        r"^(?:(?:key |areas of )?strengths?$|the local authority has the following strengths"
        r"|what is the (?:local )?area partnership doing that is"
        r" effective)",
        FindingCategory.STRENGTH,
    ),
    _rule(
        r"^(?:areas? for development$|what does the (?:local )?area partnership need to do better)",
        FindingCategory.AREA_FOR_DEVELOPMENT,
    ),
    _rule(
        r"^the service meets the requirements of statutory guidance",
        FindingCategory.MEETS_REQUIREMENTS,
    ),
)
# Sections that describe the inspection, not the authority: not findings.
_SKIPPED_SECTION = re.compile(
    r"^(?:contents|information about (?:this|the) (?:inspection|local authority(?: area)?"
    r"|local area partnership)|inspection team|local area partnership details"
    r"|about this inspection|the inspection judgements and what they mean"
    r"|what the inspection judge?ments? mean|service information|record of main findings"
    r"|ofsted|care quality commission)",
    re.IGNORECASE,
)
_JUDGEMENT_HEADING = re.compile(
    rf"^(?P<label>[^.]{{5,200}}?)\s*(?:[:–-]|\b(?:is|are)\b)?\s*(?P<grade>{GRADE_PATTERN})\.?$",
    re.IGNORECASE,
)


# "Grade 4 (Inadequate)" printed under a judgement's heading belongs to that heading.
_GRADE_SUBHEADING = re.compile(r"^grade\s+[1-4]\s*\(\w+\)$", re.IGNORECASE)


def _judgement_area_of_heading(heading: str) -> JudgementArea | None:
    match = _JUDGEMENT_HEADING.match(heading)
    return area_of_label(match["label"]) if match else None


def _strip_footnote(heading: str) -> str:
    return _FOOTNOTE_DIGITS.sub("", heading).strip()


def _is_known_heading(family: Family, text: str) -> bool:
    """Headings told by their words alone (plain-text exports have no fonts)."""
    text = _strip_footnote(text.strip())
    return (
        any(p.match(text) for p in family.known_headings)
        or any(rule.pattern.match(text) for rule in _SECTION_RULES)
        or _judgement_area_of_heading(text) is not None
    )


def clean_lines(lines: Sequence[Line]) -> list[Line]:
    """Drop letterheads, cover boilerplate and the closing boilerplate."""
    kept = [
        line
        for line in lines
        if len(line.text) > 60 or not _LETTERHEAD.match(line.text.strip())  # letterheads are short
    ]
    # A table of contents lists headings with page numbers: not the report's text.
    contents_at = next(
        (i for i, line in enumerate(kept[:400]) if line.text.strip().lower() == "contents"), None
    )
    if contents_at is not None:
        contents_page = kept[contents_at].page
        kept = kept[:contents_at] + [
            line for line in kept[contents_at:] if line.page != contents_page
        ]
    final_part = int(len(kept) * 0.75)
    for index in range(final_part, len(kept)):
        if _FINAL_BOILERPLATE.match(kept[index].text.strip()):
            kept = kept[:index]
            break
    cover_pages = {line.page for line in kept if line.text.startswith(_COVER_BOILERPLATE)}
    if cover_pages and len({line.page for line in kept}) > 1:
        kept = [line for line in kept if line.page not in cover_pages]
    return kept


@dataclass(slots=True)
class _Sectioning:
    findings: list[Finding]
    not_findings_chars: int  # headings and skipped sections: body text that is no finding


def _findings_of(report_id: str, title: str, blocks: list[Block]) -> _Sectioning:
    section = title
    category = FindingCategory.EVIDENCE
    category_size = 0.0  # font size of the heading that set a non-evidence category
    area: JudgementArea | None = None
    skipping = False
    skip_size = 0.0
    findings: list[Finding] = []
    not_findings_chars = 0
    for block in blocks:
        if block.kind == "heading" or skipping:
            not_findings_chars += len(block.text)
        if block.kind == "heading" and _GRADE_SUBHEADING.match(block.text.strip()):
            section = f"{section}: {block.text.strip()}"
            area = area_of_label(section) or area
            continue
        if block.kind == "heading":
            section = _strip_footnote(block.text)
            rule = next((r for r in _SECTION_RULES if r.pattern.match(section)), None)
            heading_area = _judgement_area_of_heading(section)
            if _SKIPPED_SECTION.match(section):
                skipping, skip_size = True, block.size
            elif (
                rule
                or heading_area
                # A question is a main section's heading ("What is it like to be…?").
                or section.endswith("?")
                or not (block.size and block.size < skip_size)
            ):
                skipping = False
            if rule is not None:
                category, area, category_size = rule.category, None, block.size
            elif heading_area is not None:
                category, area = FindingCategory.EVIDENCE, heading_area
            elif not (block.size and block.size < category_size):
                # Only a smaller sub-heading stays inside a category's section.
                category, area = FindingCategory.EVIDENCE, None
            continue
        if skipping:
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
    return _Sectioning(findings=findings, not_findings_chars=not_findings_chars)


def _numbering_warnings(blocks: list[Block]) -> list[str]:
    numbers = [block.number for block in blocks if block.number is not None]
    return [
        f"paragraph numbering gap: {before} is followed by {after}"
        for before, after in itertools.pairwise(numbers)
        if after != before + 1
    ]


def parse_text(report_id: str, extracted: ExtractedText) -> ReportParsed:
    lines = clean_lines(extracted.lines)
    family = recognise_family(lines)
    front = family.front(lines)
    blocks = split_blocks(
        front.body,
        is_heading=lambda text: _is_known_heading(family, text),
        body_size=extracted.body_size,
        plain_text=extracted.kind == "text",
    )
    sectioning = _findings_of(report_id, front.title or "", blocks)
    findings = sectioning.findings
    # The title names the authority most reliably; an opening may name its neighbours.
    authority = (
        find_local_authority(front.title or "")
        or find_local_authority(front.la_text)
        or find_local_authority(" ".join(line.text for line in lines[:80]))
    )
    warnings = list(front.warnings) + _numbering_warnings(blocks)
    if authority is None:
        warnings.append("local authority not recognised")
    # Measured against the body's lines, so text the blocks lost would show.
    finding_chars = sum(len(f.text) for f in findings)
    body_chars = sum(len(line.text.strip()) for line in front.body) - sectioning.not_findings_chars
    coverage = round(min(1.0, finding_chars / body_chars), 4) if body_chars else 0.0
    if coverage < LOW_COVERAGE:
        warnings.append(f"low coverage: {coverage:.0%} of the body text is in findings")
    if not findings:
        warnings.append("no findings found")
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
        quality=ParseQuality(coverage=coverage, warnings=warnings),
    )


def parse_report(content: bytes, name: str) -> ReportParsed:
    """Parse one report file. Raises `UnreadableReport` with a one-line reason."""
    return parse_text(report_id_of(content), extract_text(content, name))
