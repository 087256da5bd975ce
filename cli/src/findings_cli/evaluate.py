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
from pathlib import Path

from findings_cli.official import OfficialInspection, OfficialRecords
from findings_parse.core.extract import UnreadableReport, extract_text
from findings_parse.core.parser import LOW_COVERAGE, parse_text
from findings_shared.events import (
    FindingCategory,
    JudgementArea,
    ReportParsed,
    ReportType,
    report_id_of,
)
from findings_shared.local_authorities import find_local_authority

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

A = JudgementArea
_SIF_SET = frozenset(
    {
        A.OVERALL_EFFECTIVENESS,
        A.HELP_AND_PROTECTION,
        A.CHILDREN_LOOKED_AFTER,
        A.ADOPTION,
        A.CARE_LEAVERS,
        A.LEADERSHIP_MANAGEMENT_GOVERNANCE,
    }
)
# The full judgement sets a family's reports print (one of them, exactly).
JUDGEMENT_SETS: dict[ReportType, list[frozenset[JudgementArea]]] = {
    ReportType.ILACS_INSPECTION: [
        frozenset(
            {
                A.OVERALL_EFFECTIVENESS,
                A.IMPACT_OF_LEADERS,
                A.HELP_AND_PROTECTION,
                A.CHILDREN_IN_CARE_AND_CARE_LEAVERS,
            }
        ),
        frozenset(
            {
                A.OVERALL_EFFECTIVENESS,
                A.IMPACT_OF_LEADERS,
                A.HELP_AND_PROTECTION,
                A.CHILDREN_IN_CARE,
                A.CARE_LEAVERS,
            }
        ),
        # From 2026 the overall effectiveness judgement is dropped.
        frozenset({A.IMPACT_OF_LEADERS, A.HELP_AND_PROTECTION, A.CHILDREN_IN_CARE, A.CARE_LEAVERS}),
    ],
    ReportType.SIF_INSPECTION: [_SIF_SET, _SIF_SET | {A.LSCB}, frozenset({A.LSCB})],
    ReportType.SAFEGUARDING_LAC_INSPECTION: [
        frozenset(
            {
                A.OVERALL_EFFECTIVENESS,
                A.CAPACITY_TO_IMPROVE,
                A.OUTCOMES,
                A.QUALITY_OF_PROVISION,
                A.LEADERSHIP_AND_MANAGEMENT,
            }
        ),
        frozenset(
            {
                A.OVERALL_EFFECTIVENESS,
                A.CAPACITY_TO_IMPROVE,
                A.QUALITY_OF_PROVISION,
                A.LEADERSHIP_AND_MANAGEMENT,
            }
        ),
    ],
    ReportType.AREA_SEND: [frozenset({A.AREA_SEND_OUTCOME})],
}
# Families whose evidence paragraphs are numbered.
NUMBERED_FAMILIES = {
    ReportType.ILACS_INSPECTION,
    ReportType.SIF_INSPECTION,
    ReportType.SAFEGUARDING_LAC_INSPECTION,
}
# Families that always print what must improve (or areas for development/priority actions).
ACTION_FAMILIES = {
    ReportType.ILACS_INSPECTION,
    ReportType.SIF_INSPECTION,
    ReportType.SAFEGUARDING_LAC_INSPECTION,
    ReportType.ANNUAL_UNANNOUNCED_INSPECTION,
    ReportType.FOCUSED_VISIT,
    ReportType.JTAI,
    ReportType.AREA_SEND,
}
ACTION_CATEGORIES = {
    FindingCategory.IMPROVEMENT,
    FindingCategory.PRIORITY_ACTION,
    FindingCategory.AREA_FOR_DEVELOPMENT,
}
# An inspection's last day to its publication: weeks, never years.
MAX_DAYS_TO_PUBLICATION = 200
MAX_INSPECTION_DAYS = 70
# Printed lead inspectors: "Lead inspector:", "Reporting inspector", "…, HMI lead", a letter
# signed by one of His/Her Majesty's Inspectors.
_LEAD_PRINTED = re.compile(
    r"\blead\s+inspector\b|\breporting\s+inspector\b|\bHMI,?\s+lead\b"
    r"|yours\s+sincerely\W+[A-Z][\w’'.-]+(?:\s+[A-Z][\w’'.-]+)+\s+(?:Her|His)\s+Majesty",
    re.IGNORECASE,
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
    "numbering",
    "actions",
    "dates",
    "lead",
    "coverage",
)


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

    @property
    def ok(self) -> bool:
        return self.crashed is None and not self.failures and not self._wrongly_refused

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


def _check_grades(evaluation: Evaluation, parsed: ReportParsed) -> None:
    official = evaluation.official
    if official is None or not official.grades:
        return
    printed = {j.area: j.grade for j in parsed.judgements}
    wrong = [
        f"{area.value} {printed.get(area, 'missing')} (official {grade.value})"
        for area, grade in official.grades.items()
        if printed.get(area) != grade
    ]
    evaluation.check("grades", "; ".join(wrong) if wrong else None)


def _check_dates(evaluation: Evaluation, parsed: ReportParsed) -> None:
    start, end, published = (
        parsed.inspection_start,
        parsed.inspection_end,
        evaluation.report.published,
    )
    if start is None or end is None:
        evaluation.check("dates", "no inspection dates")
    elif not 0 <= (end - start).days <= MAX_INSPECTION_DAYS:
        evaluation.check("dates", f"inspection {start} to {end} is no inspection's length")
    elif published and not 0 <= (published - end).days <= MAX_DAYS_TO_PUBLICATION:
        evaluation.check("dates", f"inspection ended {end}, published {published}")
    else:
        evaluation.check("dates", None)


def evaluate_parsed(evaluation: Evaluation, parsed: ReportParsed, lead_printed: bool) -> None:
    """Check one parsed report against the truth and the invariants."""
    expected = evaluation.expected
    family = parsed.report_type
    if expected is not None:
        evaluation.check(
            "family", None if family == expected else f"{family.value}, expected {expected.value}"
        )
    urn = parsed.local_authority.ofsted_urn if parsed.local_authority else None
    if evaluation.report.ofsted_urn:
        evaluation.check(
            "authority",
            None
            if urn == evaluation.report.ofsted_urn
            else f"{parsed.local_authority.name if parsed.local_authority else 'none'}"
            f" (URN {urn}), expected URN {evaluation.report.ofsted_urn}",
        )
    _check_grades(evaluation, parsed)
    areas = frozenset(j.area for j in parsed.judgements)
    allowed = JUDGEMENT_SETS.get(family, [frozenset()])
    evaluation.check(
        "judgements",
        None if areas in allowed else f"judged {_area_names(areas)}",
    )
    numbers = [f.paragraph for f in parsed.findings if f.paragraph is not None]
    if numbers != list(range(1, len(numbers) + 1)):
        gaps = [f"{a}→{b}" for a, b in itertools.pairwise(numbers) if b != a + 1]
        start = "" if numbers[:1] == [1] else f"starts at {numbers[0]}; "
        evaluation.check("numbering", f"{start}{', '.join(gaps[:5])}".strip("; "))
    elif family in NUMBERED_FAMILIES and not numbers:
        evaluation.check("numbering", "no numbered paragraphs")
    else:
        evaluation.check("numbering", None)
    if family in ACTION_FAMILIES:
        has_actions = any(f.category in ACTION_CATEGORIES for f in parsed.findings)
        evaluation.check("actions", None if has_actions else "nothing to improve found")
    _check_dates(evaluation, parsed)
    if lead_printed:
        evaluation.check("lead", None if parsed.lead_inspector else "printed lead inspector missed")
    coverage = parsed.quality.coverage
    evaluation.check(
        "coverage",
        None if coverage >= LOW_COVERAGE else f"{coverage:.0%} of the body text in findings",
    )


def _parse_file(path: Path) -> tuple[ReportParsed | None, bool, str | None, str | None]:
    """(parsed, lead printed, refusal, crash): run in a worker process."""
    content = path.read_bytes()
    try:
        extracted = extract_text(content, path.name)
        parsed = parse_text(report_id_of(content), extracted)
    except UnreadableReport as error:
        return None, False, str(error), None
    except Exception as error:  # a crash is what the evaluation reports
        return None, False, None, f"{type(error).__name__}: {error}"
    text = " ".join(line.text for line in extracted.lines)
    return parsed, bool(_LEAD_PRINTED.search(text)), None, None


def evaluate(reports: Sequence[CorpusReport], records: OfficialRecords) -> list[Evaluation]:
    workers = max(1, min(len(reports), os.cpu_count() or 1))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        outcomes = list(pool.map(_parse_file, [r.path for r in reports], chunksize=4))
    evaluations = []
    for report, (parsed, lead_printed, refused, crashed) in zip(reports, outcomes, strict=True):
        evaluation = Evaluation(report=report, expected=expected_family(report, records))
        evaluation.refused, evaluation.crashed = refused, crashed
        if report.ofsted_urn and report.published and report.kind == "inspection":
            evaluation.official = records.find(report.ofsted_urn, report.published)
        if parsed is not None:
            evaluation.parsed = parsed
            evaluate_parsed(evaluation, parsed, lead_printed)
        evaluations.append(evaluation)
    return evaluations


# --- Output ---


def _ratio(passed: int, total: int) -> str:
    return f"{passed}/{total}" if total else "-"


def table(evaluations: Sequence[Evaluation]) -> str:
    """Per expected family: reports, crashes, each check passed/applicable, all passed."""
    header = ["family", "reports", "crashed", "refused", *CHECKS, "all checks"]
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
            ]
        )
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def failures(evaluations: Sequence[Evaluation], root: Path | None = None) -> list[str]:
    lines = []
    for evaluation in evaluations:
        if evaluation.ok:
            continue
        path = evaluation.report.path
        shown = path.relative_to(root) if root and path.is_relative_to(root) else path
        reasons = [f"{check}: {why}" for check, why in evaluation.failures.items()]
        if evaluation.crashed:
            reasons.append(f"crashed: {evaluation.crashed}")
        if evaluation.refused:
            reasons.append(f"refused: {evaluation.refused}")
        lines.append(f"- `{shown}`: " + "; ".join(reasons))
    return lines
