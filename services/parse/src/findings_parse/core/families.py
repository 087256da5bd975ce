"""Report families: how each is recognised and what its front matter says.

Each family reads its title, dates, lead inspector, judgements and the authority's
name from the front matter, and says where the body (the findings) starts and ends.
Sectioning the body is common to all families (see `sections`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from findings_parse.core.blocks import join_wrapped
from findings_parse.core.extract import Line
from findings_parse.core.front import (
    find_inspection_dates,
    find_lead_inspector,
    labelled_date,
    letter_date,
    signature_after,
)
from findings_parse.core.judgements import (
    add_judgement,
    area_of_label,
    grade_of,
    parse_grade_table,
)
from findings_shared.events import Grade, Judgement, JudgementArea, ReportType


@dataclass(slots=True)
class Front:
    """What a family reads from the front matter, and where the body is."""

    title: str | None = None
    inspection: tuple[date, date] | None = None
    published: date | None = None
    lead_inspector: str | None = None
    judgements: list[Judgement] = field(default_factory=list)
    body: Sequence[Line] = ()
    la_text: str = ""
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Family:
    report_type: ReportType
    front: Callable[[Sequence[Line]], Front]
    # Headings a plain-text export can only be told by their words.
    known_headings: tuple[re.Pattern[str], ...] = ()


def _text(lines: Sequence[Line]) -> str:
    return " ".join(line.text.strip() for line in lines)


def _lines_mentioning(lines: Sequence[Line], *words: str) -> list[Line]:
    """Lines holding any of `words`, each with the line after it (a wrapped sentence)."""
    picked: list[Line] = []
    for index, line in enumerate(lines):
        if any(word in line.text for word in words):
            picked += lines[index : index + 2]
    return picked


def _index(lines: Sequence[Line], pattern: str, start: int = 0, limit: int | None = None) -> int:
    end = len(lines) if limit is None else min(len(lines), limit)
    compiled = re.compile(pattern, re.IGNORECASE)
    return next((i for i in range(start, end) if compiled.search(lines[i].text.strip())), -1)


# --- ILACS (2018, 2023 and 2026 judgement sets) ---


def ilacs_front(lines: Sequence[Line]) -> Front:
    front = Front()
    table_at = _index(lines, r"^judgements?\s+grades?$", limit=60)
    head = lines[: table_at if table_at >= 0 else 12]
    title_parts: list[str] = []
    for line in head:
        text = line.text.strip()
        if re.match(r"^inspection dates?\b", text, re.IGNORECASE):
            front.inspection = find_inspection_dates(text)
        elif re.match(r"^lead inspector\b", text, re.IGNORECASE):
            front.lead_inspector = find_lead_inspector(_text(head))
        elif front.inspection is None and front.lead_inspector is None:
            title_parts.append(text)
    front.title = _cover_title(title_parts)
    front.la_text = " ".join(title_parts)
    if table_at < 0:
        front.warnings.append("no judgement table found")
        front.body = lines[len(head) :]
        return front
    table = parse_grade_table(lines[table_at + 1 :])
    front.judgements = table.judgements
    front.warnings += [f"unknown judgement label: {label!r}" for label in table.unknown_labels]
    front.body = lines[table_at + 1 + table.lines_used :]
    return front


def _cover_title(parts: list[str]) -> str | None:
    # Footnote markers after a cover line ("…children board1") are not the title's.
    joined = join_wrapped([re.sub(r"(?<=[a-z])\d$", "", part) for part in parts])
    found = re.search(r"\b(?:re-)?inspection of\b", joined, re.IGNORECASE)
    if found is None or found.start() == 0:
        return joined or None
    # Older covers: the authority's name, then the title on its own line.
    return f"{joined[: found.start()].strip()}: {joined[found.start() :]}"


ILACS = Family(ReportType.ILACS_INSPECTION, ilacs_front)


# --- Single inspection framework (2013-2018), with the LSCB review ---

_SIF_OVERALL = re.compile(
    r"(?:the overall judgement is(?: that children[’']s services)?"
    r"|children[’']s services in .{0,80}?)"
    r"\s+(?:is\s+|are\s+)?(?P<grade>outstanding|good|requires? improvement(?: to be good)?"
    r"|inadequate)",
    re.IGNORECASE,
)
_SIF_LSCB = re.compile(
    r"(?:safeguarding children board(?:\s*\([A-Z]+\))?|the LSCB)\s+(?:is\s+|are\s+)?"
    r"(?P<grade>outstanding|good|requires? improvement(?: to be good)?|inadequate)",
    re.IGNORECASE,
)


def sif_front(lines: Sequence[Line]) -> Front:
    front = Front()
    dates_at = _index(lines, r"^inspection dates?\b", limit=40)
    head = lines[: dates_at if dates_at >= 0 else 8]
    title_parts = [line.text.strip() for line in head if not re.fullmatch(r"\d+", line.text)]
    front.title = _cover_title(title_parts)
    front.la_text = " ".join(title_parts)
    opening = _text(lines[:80])
    front.inspection = find_inspection_dates(opening)
    front.published = labelled_date(opening, r"report published")
    front.lead_inspector = find_lead_inspector(_text(_lines_mentioning(lines, "nspector")))
    rows_at = _index(lines, r"^1\.?\s+children who need help and protection", limit=80)
    if rows_at >= 0:
        table = parse_grade_table(lines[rows_at:])
        front.judgements = table.judgements
        body_start = rows_at + table.lines_used
    else:
        front.warnings.append("no judgement table found")
        body_start = max(dates_at + 1, 0)
    overall = _SIF_OVERALL.search(opening)
    if overall and (grade := grade_of(overall["grade"])):
        front.judgements.insert(
            0,
            Judgement(
                area=JudgementArea.OVERALL_EFFECTIVENESS,
                label=" ".join(overall.group(0).split()),
                grade=grade,
            ),
        )
    lscb = _SIF_LSCB.search(_text(_lines_mentioning(lines, "oard", "LSCB")))
    if lscb and (grade := grade_of(lscb["grade"])):
        add_judgement(front.judgements, JudgementArea.LSCB, " ".join(lscb.group(0).split()), grade)
    front.body = lines[body_start:]
    return front


SIF = Family(ReportType.SIF_INSPECTION, sif_front)


# --- 2012-13 inspections of safeguarding and looked after children services ---

# "Record of main findings": "Quality of provision Inadequate Grade 4"
_RECORDED_GRADE = re.compile(
    r"(?P<label>[A-Z][^.]{3,120}?)\s+(?P<grade>outstanding|good|adequate|inadequate)"
    r"\s+grade\s+[1-4]",
    re.IGNORECASE,
)


def safeguarding_lac_front(lines: Sequence[Line]) -> Front:
    front = Front()
    dates_at = _index(lines, r"^inspection dates?\b", limit=40)
    head = lines[: dates_at if dates_at >= 0 else 4]
    front.title = join_wrapped([line.text for line in head]) or None
    opening = _text(lines[:30])
    front.la_text = front.title or opening
    front.inspection = find_inspection_dates(opening)
    front.published = labelled_date(opening, r"published")
    front.lead_inspector = find_lead_inspector(opening)
    record_at = _index(lines, r"^record of main findings$")
    if record_at >= 0:
        for match in _RECORDED_GRADE.finditer(_text(lines[record_at + 1 : record_at + 40])):
            label = " ".join(match["label"].split())
            area, grade = area_of_label(label), grade_of(match["grade"])
            if area and grade:
                add_judgement(front.judgements, area, label, grade)
    else:
        front.warnings.append("no record of main findings found")
    # The cover (inspector, age group, publication date) is front matter, not findings.
    cover_page = lines[max(dates_at, 0)].page if lines else 0
    front.body = [line for line in lines if line.page > cover_page]
    return front


SAFEGUARDING_LAC = Family(ReportType.SAFEGUARDING_LAC_INSPECTION, safeguarding_lac_front)


# --- Letters: annual unannounced inspections, focused and monitoring visits, JTAI, JAR ---

_CLOSING = re.compile(
    r"^(?:yours sincerely|(?:any )?areas (?:for|of) (?:development|priority action) identified"
    r" above will be|ofsted will take the findings from this)",
    re.IGNORECASE,
)


def _letter_front(
    title_pattern: str, signed_by_lead: bool = True
) -> Callable[[Sequence[Line]], Front]:
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
            (i for i in range(title_end, len(lines)) if _CLOSING.match(lines[i].text.strip())),
            len(lines),
        )
        front.body = lines[title_end:end]
        opening = _text(front.body[:12])
        front.inspection = find_inspection_dates(opening)
        front.lead_inspector = find_lead_inspector(opening)
        if front.lead_inspector is None and signed_by_lead:
            front.lead_inspector = signature_after(lines)
        front.la_text = f"{front.title} {opening[:600]}"
        return front

    return read


ANNUAL_LETTER = Family(
    ReportType.ANNUAL_UNANNOUNCED_INSPECTION,
    _letter_front(r"^annual unannounced inspection of\b"),
    known_headings=(
        re.compile(r"^(?:areas of )?strengths?$", re.IGNORECASE),
        re.compile(r"^the service meets the requirements of statutory guidance\b", re.IGNORECASE),
        re.compile(r"^areas? for (?:development|improvement|priority action)$", re.IGNORECASE),
    ),
)
FOCUSED_VISIT = Family(ReportType.FOCUSED_VISIT, _letter_front(r"^focused visit (?:to|of)\b"))
MONITORING_VISIT = Family(
    ReportType.MONITORING_VISIT, _letter_front(r"^monitoring visit (?:to|of)\b")
)
# JTAI letters are signed by the inspectorates' national directors, not the lead inspector.
JTAI = Family(
    ReportType.JTAI, _letter_front(r"^joint targeted area inspection\b", signed_by_lead=False)
)
JOINT_AREA_REVIEW = Family(ReportType.JOINT_AREA_REVIEW, _letter_front(r"^joint area review\b"))


# --- Area SEND (2023 framework, and the joint local area SEND letters before it) ---

_SEND_OUTCOMES = [
    (re.compile(r"positive experiences and outcomes", re.IGNORECASE), Grade.POSITIVE),
    (re.compile(r"inconsistent experiences and outcomes", re.IGNORECASE), Grade.INCONSISTENT),
    (
        re.compile(r"(?:widespread|systemic) (?:and/or systemic )?failings", re.IGNORECASE),
        Grade.SYSTEMIC_FAILINGS,
    ),
]


def area_send_front(lines: Sequence[Line]) -> Front:
    front = Front()
    title_at = _index(lines, r"area send inspection|local area send inspection", limit=40)
    title_at = max(title_at, 0)
    dates_at = _index(lines, r"^inspection dates?\b", start=title_at, limit=40)
    title_end = dates_at if dates_at > title_at else title_at + 1
    front.title = join_wrapped([line.text for line in lines[title_at:title_end]]) or None
    opening = _text(lines[:40])
    front.la_text = f"{front.title} {opening}"
    front.inspection = find_inspection_dates(opening)
    front.published = letter_date(lines[:title_at])
    front.lead_inspector = find_lead_inspector(_text(_lines_mentioning(lines, "nspector")))
    outcome_at = _index(lines, r"^inspection outcome$", limit=60)
    if outcome_at >= 0:
        outcome_text = _text(lines[outcome_at + 1 : outcome_at + 6])
        for pattern, grade in _SEND_OUTCOMES:
            match = pattern.search(outcome_text)
            if match:
                front.judgements.append(
                    Judgement(
                        area=JudgementArea.AREA_SEND_OUTCOME,
                        label=outcome_text.split(".")[0].strip(),
                        grade=grade,
                    )
                )
                break
    # The cover's dates and previous inspection are front matter, not findings.
    front.body = lines[outcome_at if outcome_at >= 0 else title_end :]
    return front


AREA_SEND = Family(ReportType.AREA_SEND, area_send_front)


def unknown_front(lines: Sequence[Line]) -> Front:
    return Front(
        title=lines[0].text.strip() if lines else None,
        body=lines[1:],
        la_text=_text(lines[:15]),
        warnings=["report family not recognised: sectioned by headings only"],
    )


UNKNOWN = Family(ReportType.UNKNOWN, unknown_front)


_RECOGNISERS: list[tuple[re.Pattern[str], Family]] = [
    (
        re.compile(r"annual unannounced inspection of contact, referral and assessment"),
        ANNUAL_LETTER,
    ),
    (re.compile(r"\bfocused visit (?:to|of)\b"), FOCUSED_VISIT),
    (re.compile(r"\bmonitoring visit (?:to|of)\b"), MONITORING_VISIT),
    (re.compile(r"\bjoint targeted area inspection\b"), JTAI),
    (re.compile(r"\bjoint area review\b"), JOINT_AREA_REVIEW),
    (re.compile(r"\barea send inspection\b|\blocal area send inspection\b"), AREA_SEND),
    (re.compile(r"inspection of services for children in need of help and protection"), SIF),
    (
        re.compile(r"inspection of (?:safeguarding and )?looked after children(?:'s)? services"),
        SAFEGUARDING_LAC,
    ),
    (
        re.compile(
            r"inspection of .{0,80}(?:local authority children's services|children's social"
            r" care)"
        ),
        ILACS,
    ),
]


def recognise_family(lines: Sequence[Line]) -> Family:
    opening = " ".join(_text(lines[:60]).lower().replace("’", "'").split())
    for pattern, family in _RECOGNISERS:
        if pattern.search(opening):
            if family is ILACS and "impact of leaders on" not in opening:
                continue
            return family
    return UNKNOWN
