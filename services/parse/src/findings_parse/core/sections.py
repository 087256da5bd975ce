"""Blocks to findings: the section each block sits in, and what that makes it.

A heading that a family's rules know sets the category of what follows (strengths,
what needs to improve…); a judgement's heading ("… children in care: good") sets the
judgement area; a smaller heading, or one straight after a category's heading, is a
sub-heading and keeps the category; any other heading goes back to evidence. Sections
that describe the inspection rather than the authority are not findings.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from findings_parse.core.blocks import NUMBERED_REPORT, Block
from findings_parse.core.family import SectionRule
from findings_parse.core.judgements import GRADE_PATTERN, LabelTable, fold
from findings_shared.events import Finding, FindingCategory, JudgementArea, finding_id_of

_SKIPPED_SECTION = re.compile(
    r"^(?:contents|information about (?:this|the) (?:inspection|review|local authority(?: area)?"
    r"|local area partnership)|(?:the )?inspection team|local area partnership details"
    r"|about this inspection|the inspection judgements and what they mean"
    r"|what the (?:[\w ]{1,30} )?inspection judge?ments? mean|service information"
    r"|record of main findings|ofsted|care quality commission"
    # the head of the partnership details' table in area SEND reports
    r"|local authority (?:and )?integrated care board"
    # the sub-sections of the information about the area, printed as its equals in some
    r"|(?:previous|other) ofsted inspections|other information about this area"
    r"|local leadership|(?:the casework models? used"
    r"|children(?: in care| looked after)?|child protection) (?:living )?in this area$)",
)
# A judgement table repeated in the body ("Key judgement / Judgement grade" and its rows):
# no findings until the next numbered paragraph or heading.
_GRADE_TABLE = re.compile(r"^key judgements? (?:judgement|inspection) grades?$")
# What a report asks to be done.
_ACTIONS = frozenset(
    {
        FindingCategory.IMPROVEMENT,
        FindingCategory.PRIORITY_ACTION,
        FindingCategory.AREA_FOR_DEVELOPMENT,
    }
)
# A sentence saying the report has none of a kind ("There are no priority actions.", "The
# inspection did not find any areas for priority and immediate action."): a statement
# about the report, never one of the actions it says there are none of.
_NONE_OF_THEM = re.compile(
    r"^(?:(?:the inspection|inspectors) did not (?:find|identify) any|there (?:are|were) no)"
    r"\s+(?:areas?\s+(?:for|of)\s+)?(?:priority|immediate|improvement|development"
    r"|recommendations?|actions?)\b[^.]{0,60}\.?$",
    re.IGNORECASE,
)
# How an action starts: the verbs that open what needs to improve and no other finding
# in the corpus's PDFs ("Ensure…" 693 times, "Improve…" 160, "Strengthen…" 59…), after
# an adverb at times ("Urgently improve…").
_AN_ACTION = re.compile(
    r"^(?:\w+ly\s+)?(?:ensure|improve|strengthen|develop|increase|continue|establish|provide|take"
    r"|implement|undertake|monitor|consider|accelerate|evaluate|revise|prioritise|reduce"
    r"|complete|update|enable|promote|analyse|raise|recruit|devise|produce|secure|embed"
    r"|create|enhance|agree|track)\b",
    re.IGNORECASE,
)
# Headings of a report's parts, never a recommendation's topic, whatever their type size
# ("Inspection findings – the Local Safeguarding Children Board" set smaller than the
# "Recommendations" above it).
_REPORT_PART = re.compile(r"^(?:inspection findings|summary for children)\b")
# Headings of a judgement's parts, which name no subject of their own.
_GOES_ON = re.compile(r"^(?:(?:executive )?summary|(?:inspection|main|key) findings|findings)$")
_JUDGEMENT_HEADING = re.compile(
    rf"^(?P<label>[^.]{{5,200}}?)\s*(?:[:–-]|\b(?:is|are)\b)?\s*(?P<grade>{GRADE_PATTERN})\.?$",
    re.IGNORECASE,
)
# A grade printed under a judgement's heading ("Good", "Grade 4 (Inadequate)", "Not judged")
# belongs to it.
_GRADE_SUBHEADING = re.compile(
    rf"^(?:grade\s+[1-4]\s*\(\w+\)|not judged|{GRADE_PATTERN})\.?$", re.IGNORECASE
)
_FOOTNOTE_DIGITS = re.compile(r"(?<=[a-z?:)])\d{1,2}$")


def strip_footnote(heading: str) -> str:
    return _FOOTNOTE_DIGITS.sub("", heading).strip()


def judgement_area_of_heading(heading: str, labels: LabelTable) -> JudgementArea | None:
    match = _JUDGEMENT_HEADING.match(heading)
    return labels.area_of(match["label"]) if match else None


_NAMING_HEADING_WORDS = 14


def _judged_area_named(
    heading: str, labels: LabelTable, judged: frozenset[JudgementArea]
) -> JudgementArea | None:
    """The judged area a short heading names without its grade."""
    if len(heading.split()) > _NAMING_HEADING_WORDS:
        return None
    area = labels.area_of(heading)
    return area if area in judged else None


def rule_of(heading: str, rules: Sequence[SectionRule]) -> SectionRule | None:
    folded = fold(heading)
    return next((rule for rule in rules if rule.pattern.match(folded)), None)


def is_known_heading(text: str, rules: Sequence[SectionRule], labels: LabelTable) -> bool:
    """Headings told by their words alone (plain-text exports have no fonts)."""
    text = strip_footnote(text.strip())
    return rule_of(text, rules) is not None or judgement_area_of_heading(text, labels) is not None


@dataclass(slots=True)
class Sectioning:
    findings: list[Finding]
    not_findings_chars: int  # headings and skipped sections: body text that is no finding


@dataclass(slots=True)
class _Position:
    """Where the sectioner is: the section, its category and judgement area."""

    section: str
    category: FindingCategory = FindingCategory.EVIDENCE
    area: JudgementArea | None = None
    category_size: float = 0.0  # font size of the heading that set a category
    category_fresh: bool = False  # that heading was the last thing read
    skipping: bool = False
    skip_size: float = 0.0
    in_grade_table: bool = False
    # The judgement whose section this is, through its recommendations and summaries.
    judgement_area: JudgementArea | None = None

    def enter(
        self,
        block: Block,
        rules: Sequence[SectionRule],
        labels: LabelTable,
        judged: frozenset[JudgementArea],
        following: Sequence[Block] = (),
    ) -> None:
        text = block.text.strip()
        if _GRADE_SUBHEADING.match(text):
            self.section = f"{self.section}: {text}"
            self.area = labels.area_of(self.section) or self.area
            return
        self.in_grade_table = bool(_GRADE_TABLE.match(fold(text)))
        if self.in_grade_table:
            return
        self.section = strip_footnote(block.text)
        rule = rule_of(self.section, rules)
        smaller = bool(block.size) and block.size < self.category_size
        # A judgement's heading, with its grade or without it (the grade in a table below
        # it; a sub-section's "Inspection findings – the LSCB"), but a heading in body type
        # or under a category's (a recommendation's topic) names no section of its own.
        topic = self._topic_of_recommendations(block, following)
        weak = (block.in_body_type or self.category_fresh or smaller or topic) and not (
            _REPORT_PART.match(fold(self.section))
        )
        graded_area = judgement_area_of_heading(self.section, labels)
        area = graded_area or (None if weak else _judged_area_named(self.section, labels, judged))
        if _SKIPPED_SECTION.match(fold(self.section)):
            # A skipped section's own sub-section ("Previous Ofsted inspections" under
            # "Information about this local authority area") keeps its heading's type as
            # what ends it: the sub-sections after it ("Children living in Gateshead")
            # are the area's facts too.
            if not (self.skipping and block.size and block.size < self.skip_size):
                self.skip_size = block.size
            self.skipping = True
        elif (
            rule
            or graded_area  # (a name alone, "The LSCB", may head what the grades mean)
            # A question is a main section's heading ("What is it like to be…?").
            or self.section.endswith("?")
            # A heading in body type ("Deputy lead inspector Jane Smith" in the team's
            # list) ends a skipped section only by its words.
            or not (block.in_body_type or (block.size and block.size < self.skip_size))
        ):
            self.skipping = False
        if rule is not None:
            self.category, self.area, self.category_size = rule.category, None, block.size
            self.category_fresh = True
            # A combined report's review of the board (the LSCB's, 2013-18) makes its own
            # recommendations, to the board; the local authority's are the whole report's.
            if self.judgement_area is JudgementArea.LSCB and rule.category in _ACTIONS:
                self.area = JudgementArea.LSCB
        elif area is not None:
            self.category, self.area, self.category_fresh = FindingCategory.EVIDENCE, area, False
            self.judgement_area = area
        elif self.judgement_area is not None and _GOES_ON.match(fold(self.section)):
            # "Summary", "Inspection findings": parts of the judgement's section, after
            # its recommendations too
            self.category, self.area = FindingCategory.EVIDENCE, self.judgement_area
        elif not weak:
            # Only a sub-heading (smaller, straight after, or in body type) stays inside
            # a category's section.
            self.category, self.area, self.judgement_area = FindingCategory.EVIDENCE, None, None

    def _topic_of_recommendations(self, block: Block, following: Sequence[Block]) -> bool:
        """In plain text (no type to tell a sub-heading by), a heading among actions is
        a topic of theirs when the item below it is one more action ("Management capacity
        and oversight" / "8. Ensure that records of strategy discussions…")."""
        return (
            not block.size
            and self.category in _ACTIONS
            and bool(following)
            and following[0].kind in ("numbered", "bullet")
            and _AN_ACTION.match(following[0].text) is not None
        )


def section_findings(
    report_id: str,
    title: str,
    blocks: Sequence[Block],
    rules: Sequence[SectionRule],
    labels: LabelTable,
    judged: frozenset[JudgementArea] = frozenset(),
) -> Sectioning:
    position = _Position(section=title)
    findings: list[Finding] = []
    not_findings_chars = 0
    for index, block in enumerate(blocks):
        if position.in_grade_table and block.kind == "numbered":
            position.in_grade_table = False
        if position.in_grade_table and (area := judgement_area_of_heading(block.text, labels)):
            # The table's row names the judgement the section is about.
            position.area = position.judgement_area = area
            position.section = block.text
        if block.kind == "heading" or position.skipping or position.in_grade_table:
            not_findings_chars += len(block.text)
        if block.kind == "heading":
            position.enter(block, rules, labels, judged, blocks[index + 1 : index + 2])
            continue
        if position.skipping or position.in_grade_table:
            continue
        position.category_fresh = False
        ordinal = len(findings) + 1
        findings.append(
            Finding(
                finding_id=finding_id_of(report_id, ordinal, block.text),
                ordinal=ordinal,
                category=FindingCategory.SUMMARY
                if _NONE_OF_THEM.match(block.text)
                else position.category,
                section=position.section,
                judgement_area=position.area,
                paragraph=block.number,
                text=block.text,
            )
        )
    if len(judged) == 1:
        findings = _about_the_one_judgement(findings, next(iter(judged)))
    return Sectioning(findings=_summaries_apart(findings), not_findings_chars=not_findings_chars)


def _about_the_one_judgement(findings: list[Finding], area: JudgementArea) -> list[Finding]:
    """A report that judges one thing (a board's review) numbers its evidence about it."""
    return [
        finding.model_copy(update={"judgement_area": area})
        if finding.paragraph is not None
        and finding.judgement_area is None
        and finding.category is FindingCategory.EVIDENCE
        else finding
        for finding in findings
    ]


def _summaries_apart(findings: list[Finding]) -> list[Finding]:
    """In a report that numbers its evidence, what it prints unnumbered outside the
    sections of strengths and actions (the headline paragraphs, the executive summary, the
    summary for children) is a summary: evidence is exactly the numbered paragraphs."""
    numbered_evidence = sum(
        f.paragraph is not None and f.category is FindingCategory.EVIDENCE for f in findings
    )
    if numbered_evidence < NUMBERED_REPORT:
        return findings
    return [
        finding.model_copy(update={"category": FindingCategory.SUMMARY})
        if finding.paragraph is None and finding.category is FindingCategory.EVIDENCE
        else finding
        for finding in findings
    ]
