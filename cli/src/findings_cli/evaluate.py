"""`findings evaluate`: the parser measured over a corpus of real reports.

The truth comes from outside the parser: each file's kind, authority (Ofsted URN) and
publication date from the corpus manifest (or, for a file no manifest lists, from its
name: `<kind>_<authority>_<YYYY-MM-DD>.<ext>`), and Ofsted's official outcome tables for
the framework and grades of each inspection. On top of that, invariants every correct
parse holds: the framework's full judgement set, paragraphs numbered 1..N, at least one
action where the family prints them, inspection dates that fit the publication date,
the lead inspector where one is printed, and the body text accounted for.
"""

from __future__ import annotations

import csv
import itertools
import os
import re
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from importlib.resources import files
from pathlib import Path

from findings_parse.core.extract import UnreadableReport, extract_text
from findings_parse.core.families import FAMILIES as ALL_FAMILIES
from findings_parse.core.families import UNKNOWN
from findings_parse.core.parser import LOW_COVERAGE, parse_text
from findings_shared.events import (
    FindingCategory,
    JudgementArea,
    ReportParsed,
    ReportType,
    report_id_of,
)
from findings_shared.local_authorities import find_local_authority
from findings_shared.official import OfficialInspection, OfficialRecords

MANIFEST_NAMES = ("MANIFEST.tsv", "PROVENANCE.tsv")
REPORT_SUFFIXES = (".pdf", ".txt")
_NAMED = re.compile(
    r"^(?P<kind>[a-z_]+?)_(?P<la>[a-z-]+)_(?P<published>\d{4}-\d\d-\d\d)\.(?:pdf|txt)$"
)


@dataclass(frozen=True, slots=True)
class CorpusReport:
    """A report file and what is known of it independently of the parser."""

    path: Path
    kind: str  # inspection, focused_visit, monitoring_visit, jtai, area_send, letter
    ofsted_urn: str | None
    published: date | None


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def _read_manifest(path: Path) -> list[CorpusReport]:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = csv.DictReader((line for line in fh if not line.startswith("#")), delimiter="\t")
        return [
            CorpusReport(
                path=(path.parent / row["file"]).resolve(),
                kind=row["kind"],
                ofsted_urn=row.get("ofsted_urn") or None,
                published=_date(row.get("published") or ""),
            )
            for row in rows
        ]


def _from_name(path: Path) -> CorpusReport | None:
    named = _NAMED.match(path.name)
    if named is None:
        return None
    authority = find_local_authority(named["la"].replace("-", " "))
    return CorpusReport(
        path=path.resolve(),
        kind=named["kind"],
        ofsted_urn=authority.ofsted_urn if authority else None,
        published=_date(named["published"]),
    )


def read_corpus(paths: Iterable[Path]) -> list[CorpusReport]:
    """Every report under `paths` (directories, manifests or files), each once."""
    found: dict[Path, CorpusReport] = {}
    for path in paths:
        if path.is_file() and path.name.endswith(".tsv"):
            for listed in _read_manifest(path):
                found.setdefault(listed.path, listed)
            continue
        if path.is_file():
            files = [path]
        else:
            for manifest in sorted(p for n in MANIFEST_NAMES for p in path.rglob(n)):
                for listed in _read_manifest(manifest):
                    found.setdefault(listed.path, listed)
            files = sorted(p for p in path.rglob("*") if p.suffix.lower() in REPORT_SUFFIXES)
        for file in files:
            if file.resolve() not in found and (named := _from_name(file)):
                found[named.path] = named
    return sorted(found.values(), key=lambda r: str(r.path))


def find_labels(paths: Sequence[Path]) -> Path | None:
    """The official outcome tables: a `labels` folder at or above the first path."""
    start = paths[0].resolve() if paths else Path.cwd()
    for folder in [start, *start.parents]:
        if (folder / "labels").is_dir():
            return folder / "labels"
    return None


# --- What each family must hold ---

_KIND_FAMILIES = {
    "area_send": ReportType.AREA_SEND,
    "jtai": ReportType.JTAI,
    "focused_visit": ReportType.FOCUSED_VISIT,
    "monitoring_visit": ReportType.MONITORING_VISIT,
    "letter": ReportType.ANNUAL_UNANNOUNCED_INSPECTION,
}

FAMILIES = {family.report_type: family for family in (*ALL_FAMILIES, UNKNOWN)}
# Families whose evidence paragraphs are always numbered, from 1 (the 2009-13 frameworks
# number the inspection's own description first, which is no finding; early SIF reports
# use bullets).
NUMBERED_FROM_ONE = {ReportType.ILACS_INSPECTION}
# Families that always print what must improve (or areas for development, priority
# actions); letters of the other families print them where there is something to say.
ACTION_FAMILIES = {
    ReportType.ILACS_INSPECTION,
    ReportType.SIF_INSPECTION,
    ReportType.SAFEGUARDING_LAC_INSPECTION,
    ReportType.ANNUAL_UNANNOUNCED_INSPECTION,
    ReportType.AREA_SEND,
}
ACTION_CATEGORIES = {
    FindingCategory.IMPROVEMENT,
    FindingCategory.PRIORITY_ACTION,
    FindingCategory.AREA_FOR_DEVELOPMENT,
}
# An inspection's last day to its publication: weeks, never years.
MAX_DAYS_TO_PUBLICATION = 365
MAX_INSPECTION_DAYS = 120  # a paused inspection resumes weeks later
# Printed lead inspectors: "Lead inspector:", "Reporting inspector", "…, HMI lead", a letter
# signed by one of His/Her Majesty's Inspectors.
_LEAD_PRINTED = re.compile(
    r"(?i:\blead\s+inspector\b|\breporting\s+inspector\b|\bHMI,?\s+lead\b)"
    r"|(?i:yours\s+sincerely)\s+(?:[A-Z][\w’'.-]*\s+){1,4}(?:Her|His)\s+Majesty[’']s\s+Inspector"
    r"\b(?!\s+of)",
)
# Headings of what must improve, as a letter prints them.
_ACTIONS_PRINTED = re.compile(
    r"^(?:what needs to improve|areas? for (?:priority )?(?:improvement|action|development)"
    r"|priority actions?|recommendations?)\b",
    re.IGNORECASE,
)
# A combined report includes the review of the safeguarding board, and its grade.
_LSCB_REVIEWED = re.compile(
    r"review of the effectiveness of the local safeguarding children board", re.IGNORECASE
)


def expected_family(report: CorpusReport, records: OfficialRecords) -> ReportType | None:
    """The family the manifest's kind and date (and Ofsted's own tables) say."""
    if report.kind in _KIND_FAMILIES:
        return _KIND_FAMILIES[report.kind]
    if report.kind != "inspection" or report.published is None:
        return None
    official = records.find(report.ofsted_urn, report.published) if report.ofsted_urn else None
    if official is not None:
        return official.report_type
    published = report.published
    if published >= date(2018, 1, 1):
        return ReportType.ILACS_INSPECTION
    if published >= date(2013, 11, 1):
        return ReportType.SIF_INSPECTION
    return ReportType.SAFEGUARDING_LAC_INSPECTION


# --- Checks ---

CHECKS = (
    "family",
    "authority",
    "grades",
    "judgements",
    "areas",
    "numbering",
    "actions",
    "dates",
    "lead",
    "coverage",
)


@dataclass(frozen=True, slots=True)
class KnownException:
    """A report right to fail some checks: its own fault, flagged, explained."""

    checks: frozenset[str]
    reason: str


def known_exceptions() -> dict[str, KnownException]:
    """The explained exceptions shipped with the command, by the file's sha256."""
    source = files("findings_cli").joinpath("data/known_exceptions.tsv")
    with source.open(encoding="utf-8") as fh:
        rows = csv.DictReader((line for line in fh if not line.startswith("#")), delimiter="\t")
        return {
            row["sha256"]: KnownException(frozenset(row["checks"].split(",")), row["reason"])
            for row in rows
        }


@dataclass(slots=True)
class Evaluation:
    report: CorpusReport
    expected: ReportType | None
    parsed: ReportParsed | None = None
    refused: str | None = None  # the parser's one-line reason for refusing the file
    crashed: str | None = None
    official: OfficialInspection | None = None
    failures: dict[str, str] = field(default_factory=dict)  # check → why it failed
    passed: set[str] = field(default_factory=set)
    exception: KnownException | None = None  # if the report is a known exception

    @property
    def explained(self) -> bool:
        """Failing only the checks a known exception names, and flagged for review."""
        return (
            not self.ok
            and self.exception is not None
            and self.crashed is None
            and self.flagged
            and set(self.failures) <= self.exception.checks
        )

    @property
    def ok(self) -> bool:
        return (
            self.crashed is None
            and not self.failures
            and not self._wrongly_refused
            and not self.flagged
        )

    @property
    def flagged(self) -> bool:
        return self.parsed is not None and self.parsed.quality.needs_review

    @property
    def _wrongly_refused(self) -> bool:
        # Refusing a file that is no PDF at all (an error page saved as .pdf) is right.
        return self.refused is not None and self.report.path.read_bytes()[:1024].find(b"%PDF-") >= 0

    def check(self, name: str, failure: str | None) -> None:
        if failure is None:
            self.passed.add(name)
        else:
            self.failures[name] = failure


def _area_names(areas: Iterable[JudgementArea]) -> str:
    return ", ".join(sorted(a.value for a in areas)) or "none"


@dataclass(frozen=True, slots=True)
class Printed:
    """What the report's text shows, read apart from the parser's logic."""

    lead_inspector: bool
    actions: bool
    lscb_review: bool


def read_printed(text_lines: Sequence[str]) -> Printed:
    opening = " ".join(text_lines[:80])
    return Printed(
        lead_inspector=bool(_LEAD_PRINTED.search(" ".join(text_lines))),
        actions=any(_ACTIONS_PRINTED.match(line.strip()) for line in text_lines),
        lscb_review=bool(_LSCB_REVIEWED.search(opening)),
    )


def _check_grades(evaluation: Evaluation, parsed: ReportParsed, printed: Printed) -> None:
    official = evaluation.official
    if official is None or not official.grades:
        return
    expected = dict(official.grades)
    # Ofsted's table files the board's grade with the inspection, though the board's
    # review was sometimes published apart: it is due only where the report reviews it.
    if not printed.lscb_review:
        expected.pop(JudgementArea.LSCB, None)
    judged = {j.area: j.grade for j in parsed.judgements}
    wrong = [
        f"{area.value} {judged[area].value if area in judged else 'missing'}"
        f" (official {grade.value})"
        for area, grade in expected.items()
        if judged.get(area) != grade
    ]
    evaluation.check("grades", "; ".join(wrong) if wrong else None)


def _check_judgement_set(evaluation: Evaluation, parsed: ReportParsed) -> None:
    family = FAMILIES[parsed.report_type]
    areas = frozenset(j.area for j in parsed.judgements)
    not_judged = evaluation.official.not_judged if evaluation.official else frozenset()
    complete = family.judgement_set_complete(areas) or family.judgement_set_complete(
        areas | not_judged
    )
    evaluation.check("judgements", None if complete else f"judged {_area_names(areas)}")


def _check_areas(evaluation: Evaluation, parsed: ReportParsed) -> None:
    """An ILACS report sets every numbered paragraph under a judgement's heading."""
    if parsed.report_type not in NUMBERED_FROM_ONE:
        return
    unplaced = [
        f.paragraph
        for f in parsed.findings
        if f.category is FindingCategory.EVIDENCE and f.paragraph and f.judgement_area is None
    ]
    evaluation.check(
        "areas",
        f"paragraphs {', '.join(map(str, unplaced[:5]))} under no judgement" if unplaced else None,
    )


def _check_numbering(evaluation: Evaluation, parsed: ReportParsed) -> None:
    numbers = [f.paragraph for f in parsed.findings if f.paragraph is not None]
    gaps = [f"{a}→{b}" for a, b in itertools.pairwise(numbers) if b != a + 1]
    from_one = parsed.report_type in NUMBERED_FROM_ONE
    if gaps:
        evaluation.check("numbering", ", ".join(gaps[:5]))
    elif from_one and not numbers:
        evaluation.check("numbering", "no numbered paragraphs")
    elif from_one and numbers[0] != 1:
        evaluation.check("numbering", f"starts at {numbers[0]}")
    else:
        evaluation.check("numbering", None)


def _check_dates(evaluation: Evaluation, parsed: ReportParsed) -> None:
    start, end = parsed.inspection_start, parsed.inspection_end
    published = evaluation.report.published
    if start is None or end is None:
        evaluation.check("dates", "no inspection dates")
    elif not 0 <= (end - start).days <= MAX_INSPECTION_DAYS:
        evaluation.check("dates", f"inspection {start} to {end} is no inspection's length")
    elif published and not 0 <= (published - end).days <= MAX_DAYS_TO_PUBLICATION:
        evaluation.check("dates", f"inspection ended {end}, published {published}")
    else:
        evaluation.check("dates", None)


def evaluate_parsed(evaluation: Evaluation, parsed: ReportParsed, printed: Printed) -> None:
    """Check one parsed report against the truth and the invariants."""
    expected = evaluation.expected
    family = parsed.report_type
    if expected is not None:
        evaluation.check(
            "family", None if family == expected else f"{family.value}, expected {expected.value}"
        )
    authority = parsed.local_authority
    if evaluation.report.ofsted_urn:
        evaluation.check(
            "authority",
            None
            if authority and authority.ofsted_urn == evaluation.report.ofsted_urn
            else f"{authority.name if authority else 'none'}"
            f" (URN {authority.ofsted_urn if authority else '-'}),"
            f" expected URN {evaluation.report.ofsted_urn}",
        )
    _check_grades(evaluation, parsed, printed)
    _check_judgement_set(evaluation, parsed)
    _check_areas(evaluation, parsed)
    _check_numbering(evaluation, parsed)
    if family in ACTION_FAMILIES or printed.actions:
        has_actions = any(f.category in ACTION_CATEGORIES for f in parsed.findings)
        evaluation.check("actions", None if has_actions else "nothing to improve found")
    _check_dates(evaluation, parsed)
    if printed.lead_inspector:
        evaluation.check("lead", None if parsed.lead_inspector else "printed lead inspector missed")
    coverage = parsed.quality.coverage
    evaluation.check(
        "coverage",
        None if coverage >= LOW_COVERAGE else f"{coverage:.0%} of the body text in findings",
    )


def _parse_file(path: Path) -> tuple[ReportParsed | None, Printed | None, str | None, str | None]:
    """(parsed, what is printed, refusal, crash): run in a worker process."""
    content = path.read_bytes()
    try:
        extracted = extract_text(content, path.name)
        parsed = parse_text(report_id_of(content), extracted)
    except UnreadableReport as error:
        return None, None, str(error), None
    except Exception as error:  # a crash is what the evaluation reports
        return None, None, None, f"{type(error).__name__}: {error}"
    return parsed, read_printed([line.text for line in extracted.lines]), None, None


def evaluate(reports: Sequence[CorpusReport], records: OfficialRecords) -> list[Evaluation]:
    workers = max(1, min(len(reports), os.cpu_count() or 1))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        outcomes = list(pool.map(_parse_file, [r.path for r in reports], chunksize=4))
    exceptions = known_exceptions()
    evaluations = []
    for report, (parsed, printed, refused, crashed) in zip(reports, outcomes, strict=True):
        evaluation = Evaluation(report=report, expected=expected_family(report, records))
        if parsed is not None:
            evaluation.exception = exceptions.get(parsed.report_id)
        evaluation.refused, evaluation.crashed = refused, crashed
        if report.ofsted_urn and report.published and report.kind == "inspection":
            evaluation.official = records.find(report.ofsted_urn, report.published)
        if parsed is not None and printed is not None:
            evaluation.parsed = parsed
            evaluate_parsed(evaluation, parsed, printed)
        evaluations.append(evaluation)
    return evaluations


# --- Output ---


def _ratio(passed: int, total: int) -> str:
    return f"{passed}/{total}" if total else "-"


def table(evaluations: Sequence[Evaluation]) -> str:
    """Per expected family: reports, crashes, each check passed/applicable, all passed;
    reports the parser flagged for review, and failing reports it did not flag (silent
    errors, the worst kind)."""
    header = [
        "family",
        "reports",
        "crashed",
        "refused",
        *CHECKS,
        "all checks",
        "explained exceptions",
        "flagged for review",
        "failing unflagged",
    ]
    rows = []
    families = sorted({e.expected.value if e.expected else "?" for e in evaluations})
    for name in [*families, "all"]:
        group = [
            e
            for e in evaluations
            if name == "all" or (e.expected.value if e.expected else "?") == name
        ]
        rows.append(
            [
                f"**{name}**" if name == "all" else name,
                str(len(group)),
                str(sum(e.crashed is not None for e in group)),
                str(sum(e.refused is not None for e in group)),
                *(
                    _ratio(
                        sum(check in e.passed for e in group),
                        sum(check in e.passed or check in e.failures for e in group),
                    )
                    for check in CHECKS
                ),
                _ratio(sum(e.ok for e in group), len(group)),
                str(sum(e.explained for e in group)),
                str(sum(e.flagged for e in group)),
                str(sum(e.failures != {} and not e.flagged for e in group)),
            ]
        )
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def failures(
    evaluations: Sequence[Evaluation], root: Path | None = None, *, explained: bool = False
) -> list[str]:
    """The failing reports with their reasons: the unexplained ones, or (`explained`) the
    known exceptions with the reason given for each."""
    lines = []
    for evaluation in evaluations:
        if evaluation.ok or evaluation.explained != explained:
            continue
        path = evaluation.report.path
        shown = path.relative_to(root) if root and path.is_relative_to(root) else path
        reasons = [f"{check}: {why}" for check, why in evaluation.failures.items()]
        if evaluation.crashed:
            reasons.append(f"crashed: {evaluation.crashed}")
        if evaluation.refused:
            reasons.append(f"refused: {evaluation.refused}")
        if evaluation.flagged and evaluation.parsed:
            reasons.append("flagged: " + "; ".join(evaluation.parsed.quality.warnings))
        if explained and evaluation.exception:
            reasons.append(f"explained: {evaluation.exception.reason}")
        lines.append(f"- `{shown}`: " + "; ".join(reasons))
    return lines
