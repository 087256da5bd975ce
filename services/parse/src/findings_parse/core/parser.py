"""The parser: report bytes to a `ReportParsed`. Pure: no Kafka, no database, no I/O."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

from findings_parse.core.blocks import Block, split_blocks
from findings_parse.core.extract import ExtractedText, Line, NotAReport, extract_text
from findings_parse.core.families import (
    ALL_LABELS,
    ALL_SECTIONS,
    UNKNOWN,
    Recognition,
    recognise_family,
)
from findings_parse.core.family import Family
from findings_parse.core.front import Front
from findings_parse.core.next_inspection import next_inspection_notice
from findings_parse.core.sections import is_known_heading, section_findings
from findings_parse.core.themes import THEMES_VERSION, tag_themes
from findings_parse.core.tone import tone_of
from findings_shared.events import Finding, ParseQuality, ReportParsed, report_id_of
from findings_shared.local_authorities import find_local_authority

# The patch number is the theme tagger's version: a new taxonomy or phrase list is a new
# parser version, so `findings replay` tags stored reports again. The minor number is the
# reading's: 0.5 reads pdftotext's plain-text exports (pages, numbers on lines of their own),
# 0.6 its layout mode's too (a table's cells side by side), 0.7 pypdf's (footnotes at a
# page's foot, pages without blank lines), 0.8 topics among a plain text's actions, 0.9 a
# plain text's paragraphs told by their short last lines, 0.10 a paragraph's number apart
# past a page number, 0.11 grade tables printed as labels then grades, 0.12 the record of
# main findings after its contents entry, 0.13 a sentence saying there are none, 0.14 the
# board's own recommendations, 0.15 area SEND responsibility tables, 0.16 a box drawn
# after the text below it, 0.17 footnotes above a page number in body type, 0.18 a
# judgement's heading ends at its grade, 0.19 a footnote a hyphen ran into, 0.20
# paragraphs set a little apart, 0.21 long topics above numbered actions, 0.22 a heading
# going on in another weight, 0.23 long topics in plain text too, 0.24 lines spaced by
# their baselines, 0.25 a box's own right edge, 0.26 a kept list's items apart, 0.27 the
# area's facts past a skipped sub-section, 0.28 a list that finishes its sentence, 0.29
# notes on names, 0.30 a grade below its judgement with a full stop (docs/accuracy.md).
PARSER_VERSION = f"0.30.{THEMES_VERSION}"
LOW_COVERAGE = 0.8
LEAST_BODY_SHARE = 0.5
LEAST_BODY_SHARE_FROM = 5000  # characters: a short letter is mostly its front


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
# A case study's note on its names ("All names are pseudonyms.", "* Pseudonym used to
# protect confidentiality."): the editor's, no finding.
_NAMES_NOTE = re.compile(
    r"^\*?\s*(?:all (?:the )?names (?:used )?(?:are|have been changed to) pseudonyms"
    r"|pseudonyms? (?:are |is |has been |have been )?used to protect [\w ]{0,30})\.?$",
    re.IGNORECASE,
)


def clean_lines(lines: Sequence[Line]) -> list[Line]:
    """Drop letterheads, notes on names, cover boilerplate and the closing boilerplate."""
    kept = [
        line
        for line in lines
        # letterheads and notes on names are short
        if len(line.text) > 60
        or not (_LETTERHEAD.match(text := line.text.strip()) or _NAMES_NOTE.match(text))
    ]
    # A table of contents lists headings with page numbers: not the report's text.
    contents_at = next(
        (i for i, line in enumerate(kept[:400]) if line.text.strip().lower() == "contents"), None
    )
    if contents_at is not None:
        contents_page = kept[contents_at].page
        if any(line.page != contents_page for line in kept[contents_at:]):
            kept = kept[:contents_at] + [
                line for line in kept[contents_at:] if line.page != contents_page
            ]
        else:  # no pages to tell by (a plain-text export): its entries end at the body
            kept = kept[:contents_at] + kept[contents_at + _contents_length(kept, contents_at) :]
    final_part = int(len(kept) * 0.75)
    for index in range(final_part, len(kept)):
        if _FINAL_BOILERPLATE.match(kept[index].text.strip()):
            kept = kept[:index]
            break
    cover_pages = {line.page for line in kept if line.text.startswith(_COVER_BOILERPLATE)}
    if cover_pages and len({line.page for line in kept}) > 1:
        kept = [line for line in kept if line.page not in cover_pages]
    return kept


# A contents entry's page number: alone on its line, or after its heading ("Summary 3").
_PAGE_ALONE = re.compile(r"^\d{1,3}$")
_PAGE_AFTER = re.compile(r"(?:\s|\.)\d{1,3}$")
_CONTENTS_ENTRY_CHARS = 120


def _contents_length(lines: Sequence[Line], start: int) -> int:
    """How many lines from `start` (the "Contents" line) are contents: headings each with a
    page number (on the line, the next line, or after a heading wrapped over two)."""

    def page_reference(index: int) -> bool:
        text = lines[index].text.strip() if index < len(lines) else ""
        return bool(_PAGE_ALONE.match(text)) or (
            len(text) < _CONTENTS_ENTRY_CHARS and bool(_PAGE_AFTER.search(text))
        )

    end = start + 1
    while end < len(lines) and len(lines[end].text.strip()) < _CONTENTS_ENTRY_CHARS:
        if not (page_reference(end) or page_reference(end + 1)):
            break
        end += 1
    return end - start


def _numbering_warnings(blocks: list[Block]) -> list[str]:
    numbers = [block.number for block in blocks if block.number is not None]
    return [
        f"paragraph numbering gap: {before} is followed by {after}"
        for before, after in itertools.pairwise(numbers)
        if after != before + 1
    ]


def _recognition_warnings(recognition: Recognition) -> list[str]:
    if recognition.evidence == "mention":
        return [
            f"report family {recognition.family.report_type.value} recognised only from a"
            " mention in the opening, not from a title or judgement table"
        ]
    return []


def _judgement_set_warnings(family: Family, front: Front) -> list[str]:
    judged = (
        frozenset(j.area for j in front.judgements)
        | frozenset(front.not_judged)
        | frozenset(front.not_judged)
    )
    if family is UNKNOWN or family.judgement_set_complete(judged):
        return []
    expected = min(family.judgement_sets, key=lambda s: len(s ^ judged))
    missing = ", ".join(sorted(a.value for a in expected - judged))
    extra = ", ".join(sorted(a.value for a in judged - expected))
    return [
        "incomplete judgement set for the framework"
        + (f": missing {missing}" if missing else "")
        + (f"; unexpected {extra}" if extra else "")
    ]


def parse_text(report_id: str, extracted: ExtractedText) -> ReportParsed:
    lines = clean_lines(extracted.lines)
    recognition = recognise_family(lines, extracted.body_size)
    if not recognition.looks_like_a_report:
        raise NotAReport(
            "not an Ofsted inspection report: no report title, judgement table, inspection"
            " dates or inspectors found"
        )
    family = recognition.family
    front = family.read_front(lines)
    rules = family.sections + ALL_SECTIONS
    labels = family.labels + ALL_LABELS
    blocks = split_blocks(
        front.body,
        is_heading=lambda text: is_known_heading(text, rules, labels),
        body_size=extracted.body_size,
        plain_text=extracted.kind == "text",
    )
    judged = frozenset(j.area for j in front.judgements) | frozenset(front.not_judged)
    sectioning = section_findings(report_id, front.title or "", blocks, rules, labels, judged)
    findings = sectioning.findings
    # The title names the authority most reliably; an opening may name its neighbours.
    authority = (
        find_local_authority(front.title or "")
        or find_local_authority(front.la_text)
        or find_local_authority(" ".join(line.text for line in lines[:80]))
    )
    warnings = (
        _recognition_warnings(recognition)
        + front.warnings
        + _judgement_set_warnings(family, front)
        + _numbering_warnings(blocks)
    )
    if authority is None:
        warnings.append("local authority not recognised")
    # Contents, covers, letterheads and the front are set aside, never most of the text
    # (at least 0.74 of it is body in every PDF of the corpus): if most went, a rule
    # meant for them took the report's text too.
    text_chars = sum(len(line.text.strip()) for line in extracted.lines)
    body_text_chars = sum(len(line.text.strip()) for line in front.body)
    body_share = body_text_chars / text_chars if text_chars else 1.0
    if body_share < LEAST_BODY_SHARE and text_chars >= LEAST_BODY_SHARE_FROM:
        warnings.append(
            f"only {body_share:.0%} of the text was read as the report's body; the rest was"
            " set aside as contents, cover or boilerplate"
        )
    # Measured against the body's lines, so text the blocks lost would show.
    finding_chars = sum(len(f.text) for f in findings)
    body_chars = body_text_chars - sectioning.not_findings_chars
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
        findings=[tagged(finding) for finding in findings],
        # Every warning says something may be wrong: a person should look.
        quality=ParseQuality(coverage=coverage, warnings=warnings, needs_review=bool(warnings)),
        next_inspection=next_inspection_notice(" ".join(line.text for line in front.body)),
    )


def tagged(finding: Finding) -> Finding:
    """The finding with its themes and tone (docs/themes.md)."""
    tone, sentence_tones = tone_of(finding.category, finding.text)
    return finding.model_copy(
        update={
            "themes": tag_themes(finding.text),
            "tone": tone,
            "sentence_tones": sentence_tones,
        }
    )


def parse_report(content: bytes, name: str) -> ReportParsed:
    """Parse one report file. Raises `UnreadableReport` with a one-line reason."""
    return parse_text(report_id_of(content), extract_text(content, name))
