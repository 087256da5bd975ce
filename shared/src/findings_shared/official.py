"""Ofsted's official inspection outcomes, read from the tables Ofsted publishes.

Reference data, never read by the parser: the independent truth the evaluation scores the
parser's grades and families against, and what the API joins to reports (publication
date, inspection type, visit theme, Ofsted's page, grades to compare, an authority's
earlier grades). Which framework an authority was inspected under on a given date, and
each judgement's grade.

Read from Ofsted's spreadsheet as published (`.ods`, Open Government Licence; the current
edition ships in this package, `findings reference load FILE` adds a newer one):
- sheet `ILACS_inspection_history`: every ILACS standard and short inspection from 2018;
- sheet `In-year_inspections`: the year's inspections and visits (focused and monitoring
  visits too, with the visit's theme);
- sheet `LA_inspections_2009-2023` (in the 2023 "underlying data" edition): the 2009-13
  frameworks and the single inspection framework with its re-inspection and LSCB review.
Or from CSV exports of those sheets (`ilacs_inspection_history_2018_2025.csv`,
`la_inspections_2009_2023.csv`), as the corpus labels keep them.

Dates: `inspection_date` is the first day inspectors were on site (Ofsted's "Inspection
date"), `published` the day Ofsted published the report.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from importlib import resources
from pathlib import Path

from findings_shared.events import Grade, JudgementArea, ReportType
from findings_shared.local_authorities import LocalAuthority, all_local_authorities, normalise_name

log = logging.getLogger(__name__)

ILACS_HISTORY = "ilacs_inspection_history_2018_2025.csv"
EARLIER_FRAMEWORKS = "la_inspections_2009_2023.csv"
# Ofsted's page of an authority's children's services: its DfE code names it (the
# spreadsheet's "Web link" is a HYPERLINK to exactly this address).
WEB_LINK = "https://reports.ofsted.gov.uk/provider/44/{la_code}"
# The editions shipped in the package, newest first (reference/README.md).
BUNDLED = (
    "LA_Inspection_Outcomes_as_at_31_March_2025.ods",
    "Childrens_social_care_in_England_2023_underlying_data.ods",
)

# Ofsted's inspection and visit types, as its tables name them.
_TYPES = {
    "ilacs standard inspection": (ReportType.ILACS_INSPECTION, "standard"),
    "ilacs short inspection": (ReportType.ILACS_INSPECTION, "short"),
    "ilacs focused visit": (ReportType.FOCUSED_VISIT, "focused visit"),
    "la monitoring visit": (ReportType.MONITORING_VISIT, "monitoring visit"),
    "ilacs monitoring visit": (ReportType.MONITORING_VISIT, "monitoring visit"),
}

_GRADES = {
    "outstanding": Grade.OUTSTANDING,
    "good": Grade.GOOD,
    "requires improvement to be good": Grade.REQUIRES_IMPROVEMENT,
    "requires improvement": Grade.REQUIRES_IMPROVEMENT,
    "adequate": Grade.ADEQUATE,
    "inadequate": Grade.INADEQUATE,
}


@dataclass(frozen=True, slots=True)
class OfficialInspection:
    """One inspection as Ofsted's tables record it."""

    ofsted_urn: str
    report_type: ReportType
    published: date | None
    framework: str  # Ofsted's name for it: "ILACS Short Inspection", "SIF re-inspection", …
    grades: dict[JudgementArea, Grade] = field(default_factory=dict)
    not_judged: frozenset[JudgementArea] = frozenset()  # recorded "-"
    la_code: str = ""
    inspection_date: date | None = None
    # standard, short, focused visit, monitoring visit; "" for earlier frameworks
    inspection_type: str = ""
    visit_theme: str | None = None
    # Ofsted's wording of each grade, as its tables print it.
    wording: dict[JudgementArea, str] = field(default_factory=dict)
    region: str = ""  # Ofsted's region, as its tables name it
    la_name: str = ""  # the authority's name, as Ofsted's tables print it

    @property
    def web_link(self) -> str | None:
        return WEB_LINK.format(la_code=self.la_code) if self.la_code else None


def _grade(text: str) -> Grade | None:
    return _GRADES.get(" ".join(text.lower().split()))


def _day(value: object) -> date | None:
    """A date from a spreadsheet cell (a date) or a CSV export (dd/mm/yyyy)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return datetime.strptime(str(value).strip(), "%d/%m/%Y").date()
    except ValueError:
        return None


Row = dict[str, object]


def _csv_rows(path: Path) -> Iterator[Row]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        yield from csv.DictReader(fh)


def _sheet_rows(path: Path, sheet: str) -> list[Row]:
    """The table of a sheet of Ofsted's spreadsheet: its header is the first row that
    names "Local authority name" (a title and a note come before it)."""
    from python_calamine import CalamineWorkbook  # only when a spreadsheet is read

    workbook = CalamineWorkbook.from_path(str(path))
    if sheet not in workbook.sheet_names:
        return []
    cells = workbook.get_sheet_by_name(sheet).to_python()
    for index, row in enumerate(cells):
        if "Local authority name" in row:
            # One space between words, as the CSV exports have them ("(SIF)  First SIF").
            header = [re.sub(r" +", " ", str(cell)).strip() for cell in row]
            return [dict(zip(header, values, strict=False)) for values in cells[index + 1 :]]
    return []


def _text(row: Row, column: str) -> str:
    value = row.get(column)
    return "" if value is None else str(value).strip()


def _authorities_by_name() -> dict[str, LocalAuthority]:
    index: dict[str, LocalAuthority] = {}
    for authority in all_local_authorities():
        for name in (authority.name, *authority.aliases):
            index.setdefault(normalise_name(name), authority)
            index.setdefault(normalise_name(name.removesuffix(" Borough")), authority)
    return index


# ILACS history columns → areas. Before 2023 children in care and care leavers were one
# judgement, recorded in the "children in care" column with "care leavers" empty.
_ILACS_COLUMNS = {
    "Overall effectiveness": JudgementArea.OVERALL_EFFECTIVENESS,
    "The impact of leaders on social work practice with children and families": (
        JudgementArea.IMPACT_OF_LEADERS
    ),
    "The experiences and progress of children who need help and protection": (
        JudgementArea.HELP_AND_PROTECTION
    ),
    "The experiences and progress of children in care": JudgementArea.CHILDREN_IN_CARE,
    "The experiences and progress of care leavers": JudgementArea.CARE_LEAVERS,
}


def _read_ilacs(rows: Iterable[Row]) -> list[OfficialInspection]:
    """ILACS inspections and visits (the history sheet, or the in-year sheet)."""
    by_ons = {a.ons_code: a for a in all_local_authorities()}
    by_name = _authorities_by_name()
    inspections = []
    for row in rows:
        name = _text(row, "Local authority name")
        authority = by_ons.get(_text(row, "Local authority area code")) or by_name.get(
            normalise_name(name)
        )
        framework = _text(row, "Inspection type") or _text(row, "Inspection/Visit type")
        kind = _TYPES.get(framework.lower())
        published = _day(row.get("Publication date"))
        if authority is None or kind is None or published is None:
            if name:
                log.debug("official ILACS row not matched: %s %s", name, framework)
            continue
        wording = {
            area: text for column, area in _ILACS_COLUMNS.items() if (text := _text(row, column))
        }
        grades = {area: grade for area, text in wording.items() if (grade := _grade(text))}
        if JudgementArea.CARE_LEAVERS not in grades and (
            cic := grades.pop(JudgementArea.CHILDREN_IN_CARE, None)
        ):
            # Before 2023 one judgement, recorded in the "children in care" column.
            grades[JudgementArea.CHILDREN_IN_CARE_AND_CARE_LEAVERS] = cic
            wording[JudgementArea.CHILDREN_IN_CARE_AND_CARE_LEAVERS] = wording.pop(
                JudgementArea.CHILDREN_IN_CARE
            )
        inspections.append(
            OfficialInspection(
                ofsted_urn=authority.ofsted_urn,
                report_type=kind[0],
                published=published,
                framework=framework,
                grades=grades,
                la_code=authority.la_code,
                inspection_date=_day(
                    row.get("Inspection date") or row.get("Inspection/Visit date")
                ),
                inspection_type=kind[1],
                visit_theme=_text(row, "Visit Theme") or None,
                wording=wording,
                region=_text(row, "Ofsted region") or _text(row, "Region"),
                la_name=name,
            )
        )
    return inspections


# la_inspections_2009_2023: (publication date column, framework, report type, grade columns)
_SIF_AREAS = {
    "Overall Judgement\n(OE)": JudgementArea.OVERALL_EFFECTIVENESS,
    "children who need help and protection": JudgementArea.HELP_AND_PROTECTION,
    "children looked after and achieving permanence": JudgementArea.CHILDREN_LOOKED_AFTER,
    "CLA Sub: Adoption Performance": JudgementArea.ADOPTION,
    "CLA Sub: Experiences and progress of care leavers": JudgementArea.CARE_LEAVERS,
    "leadership, management and governance": JudgementArea.LEADERSHIP_MANAGEMENT_GOVERNANCE,
}
_EARLIER: list[tuple[str, str, ReportType, dict[str, JudgementArea]]] = [
    (
        "Child Protection Inspections (CPI) publication date",
        "child protection inspection",
        ReportType.SAFEGUARDING_LAC_INSPECTION,
        {"CPI Overall Effectiveness (OE)": JudgementArea.OVERALL_EFFECTIVENESS},
    ),
    (
        "Child Protection Re-Inspection (CPRI) publication date",
        "child protection re-inspection",
        ReportType.SAFEGUARDING_LAC_INSPECTION,
        {"CPRI Overall Effectiveness (OE)": JudgementArea.OVERALL_EFFECTIVENESS},
    ),
    (
        "Targeted Looked After Children (TLAC) inspection publication date",
        "looked after children inspection",
        ReportType.SAFEGUARDING_LAC_INSPECTION,
        {"TLAC Overall Effectiveness (OE)": JudgementArea.OVERALL_EFFECTIVENESS},
    ),
    (
        "Single Inspection of LA Children's Services (SIF) First SIF publication date",
        "SIF inspection",
        ReportType.SIF_INSPECTION,
        {
            **{f"First SIF {column}": area for column, area in _SIF_AREAS.items()},
            "LSCB Overall Effectiveness": JudgementArea.LSCB,
        },
    ),
    (
        "Single Inspection of LA Children's Services (SIF) SIF Re-inspection publication date",
        "SIF re-inspection",
        ReportType.SIF_INSPECTION,
        {f"SIF Re-inspection {column}": area for column, area in _SIF_AREAS.items()},
    ),
    # 2009-12 safeguarding and looked after children inspections: two overall judgements
    # in one report, which the contract cannot hold yet; recorded for the family only.
    (
        "Safeguarding & Looked After Children (SLAC) Inspection publication date",
        "safeguarding and looked after children inspection",
        ReportType.SAFEGUARDING_LAC_INSPECTION,
        {},
    ),
]


# Ofsted's eight regions join two of England's nine (North East, Yorkshire and the Humber).
OFSTED_REGIONS = {
    "North East": "North East, Yorkshire and the Humber",
    "Yorkshire and the Humber": "North East, Yorkshire and the Humber",
}


def ofsted_region(region: str) -> str:
    """Ofsted's name for the region an authority is in (England's regions otherwise)."""
    return OFSTED_REGIONS.get(region, region)


GRADE_WORDING = {
    Grade.OUTSTANDING: "Outstanding",
    Grade.GOOD: "Good",
    Grade.REQUIRES_IMPROVEMENT: "Requires improvement to be good",
    Grade.ADEQUATE: "Adequate",
    Grade.INADEQUATE: "Inadequate",
}


def _read_earlier_frameworks(rows: Iterable[Row]) -> list[OfficialInspection]:
    by_name = _authorities_by_name()
    inspections = []
    for row in rows:
        authority = by_name.get(normalise_name(_text(row, "Local authority name")))
        if authority is None:
            log.debug("official row not matched: %s", _text(row, "Local authority name"))
            continue
        for date_column, framework, report_type, columns in _EARLIER:
            published = _day(row.get(date_column) or "")
            if published is None:
                continue
            wording = {
                area: text for column, area in columns.items() if (text := _text(row, column))
            }
            grades = {area: grade for area, text in wording.items() if (grade := _grade(text))}
            not_judged = frozenset(area for area, text in wording.items() if text == "-")
            inspections.append(
                OfficialInspection(
                    authority.ofsted_urn,
                    report_type,
                    published,
                    framework,
                    grades,
                    not_judged,
                    la_code=authority.la_code,
                    wording={a: t for a, t in wording.items() if a in grades},
                )
            )
    return inspections


@dataclass(slots=True)
class OfficialRecords:
    inspections: list[OfficialInspection]
    # By DfE code: every report looked up scans only its authority's few records.
    by_authority: dict[str, list[OfficialInspection]] = field(
        init=False, repr=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        for inspection in self.inspections:
            if inspection.la_code:
                self.by_authority.setdefault(inspection.la_code, []).append(inspection)

    @classmethod
    def read(cls, labels_dir: Path) -> OfficialRecords:
        """From the CSV exports in a labels folder."""
        inspections: list[OfficialInspection] = []
        if (labels_dir / ILACS_HISTORY).is_file():
            inspections += _read_ilacs(_csv_rows(labels_dir / ILACS_HISTORY))
        if (labels_dir / EARLIER_FRAMEWORKS).is_file():
            inspections += _read_earlier_frameworks(_csv_rows(labels_dir / EARLIER_FRAMEWORKS))
        return cls(inspections)

    @classmethod
    def from_spreadsheets(cls, paths: Iterable[Path]) -> OfficialRecords:
        """From Ofsted's spreadsheets as published, later files first: an inspection that
        two editions record is kept once, as the first of them has it."""
        seen: set[tuple[str, ReportType, str, date | None]] = set()
        inspections: list[OfficialInspection] = []
        for path in paths:
            found = _read_ilacs(_sheet_rows(path, "ILACS_inspection_history"))
            found += _read_ilacs(_sheet_rows(path, "In-year_inspections"))
            found += _read_earlier_frameworks(_sheet_rows(path, "LA_inspections_2009-2023"))
            for inspection in found:
                key = (
                    inspection.ofsted_urn,
                    inspection.report_type,
                    inspection.framework.lower(),
                    inspection.published,
                )
                if key not in seen:
                    seen.add(key)
                    inspections.append(inspection)
        return cls(inspections)

    @classmethod
    def published_tables(cls, reference_dir: Path | None = None) -> OfficialRecords:
        """The edition shipped in this package, after any newer ones in `reference_dir`
        (`findings reference load`), newest file name first."""
        loaded = sorted(reference_dir.glob("*.ods"), reverse=True) if reference_dir else []
        # Read once per set of files (every API app of a test run would read them again).
        return _published_tables(tuple((path, path.stat().st_mtime_ns) for path in loaded))

    def of_authority(self, la_code: str) -> list[OfficialInspection]:
        """An authority's inspections and visits, newest first."""
        return sorted(
            self.by_authority.get(la_code, []),
            key=lambda i: i.published or date.min,
            reverse=True,
        )

    def of_report(
        self,
        la_code: str | None,
        report_type: ReportType,
        inspection_start: date | None,
        published: date | None,
        within_days: int = 7,
    ) -> OfficialInspection | None:
        """The inspection a report records: same authority and kind, its first day on site
        or its publication within a few days of Ofsted's."""
        if not la_code:
            return None

        def distance(inspection: OfficialInspection) -> int | None:
            gaps = [
                abs((ours - theirs).days)
                for ours, theirs in (
                    (inspection_start, inspection.inspection_date),
                    (published, inspection.published),
                )
                if ours is not None and theirs is not None
            ]
            return min(gaps) if gaps else None

        candidates = [
            (gap, inspection)
            for inspection in self.by_authority.get(la_code, [])
            if inspection.report_type is report_type
            and (gap := distance(inspection)) is not None
            and gap <= within_days
        ]
        return min(candidates, key=lambda pair: pair[0])[1] if candidates else None

    def find(
        self, ofsted_urn: str, published: date, within_days: int = 7
    ) -> OfficialInspection | None:
        """The inspection of this authority published nearest `published` (a few days' slack:
        archives date a report by when it was posted, Ofsted's tables by its publication)."""
        candidates = [
            (abs((i.published - published).days), i)
            for i in self.inspections
            if i.ofsted_urn == ofsted_urn
            and i.published is not None
            and abs((i.published - published).days) <= within_days
        ]
        return min(candidates, key=lambda pair: pair[0])[1] if candidates else None


@functools.cache
def _published_tables(loaded: tuple[tuple[Path, int], ...]) -> OfficialRecords:
    folder = resources.files("findings_shared") / "reference"
    with contextlib.ExitStack() as files:
        bundled = [files.enter_context(resources.as_file(folder / name)) for name in BUNDLED]
        return OfficialRecords.from_spreadsheets([*(path for path, _ in loaded), *bundled])
