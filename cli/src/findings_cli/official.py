"""Ofsted's official inspection outcomes, read from the tables Ofsted publishes (as CSV).

An independent source of truth for the parser's grades and families: which framework an
authority was inspected under on a given publication date, and each judgement's grade.

- `ilacs_inspection_history_2018_2025.csv`: every ILACS standard and short inspection
  from 2018, keyed by ONS code and publication date.
- `la_inspections_2009_2023.csv`: one row per authority with the publication dates and
  grades of the 2009-13 frameworks (safeguarding and looked after children, child
  protection, looked after children) and the single inspection framework with its
  re-inspection and LSCB review; keyed by authority name.
"""

from __future__ import annotations

import csv
import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from findings_shared.events import Grade, JudgementArea, ReportType
from findings_shared.local_authorities import LocalAuthority, all_local_authorities, normalise_name

log = logging.getLogger(__name__)

ILACS_HISTORY = "ilacs_inspection_history_2018_2025.csv"
EARLIER_FRAMEWORKS = "la_inspections_2009_2023.csv"

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
    published: date
    framework: str  # Ofsted's name for it: "ILACS Short Inspection", "SIF re-inspection", …
    grades: dict[JudgementArea, Grade] = field(default_factory=dict)
    not_judged: frozenset[JudgementArea] = frozenset()  # recorded "-"


def _grade(text: str) -> Grade | None:
    return _GRADES.get(" ".join(text.lower().split()))


def _day(text: str) -> date | None:
    try:
        return datetime.strptime(text.strip(), "%d/%m/%Y").date()
    except ValueError:
        return None


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


def _read_ilacs_history(path: Path) -> list[OfficialInspection]:
    by_ons = {a.ons_code: a for a in all_local_authorities()}
    by_name = _authorities_by_name()
    inspections = []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            authority = by_ons.get(row["Local authority area code"]) or by_name.get(
                normalise_name(row["Local authority name"])
            )
            published = _day(row["Publication date"])
            if authority is None or published is None:
                log.debug("official ILACS row not matched: %s", row["Local authority name"])
                continue
            grades = {
                area: grade
                for column, area in _ILACS_COLUMNS.items()
                if (grade := _grade(row.get(column) or ""))
            }
            if JudgementArea.CARE_LEAVERS not in grades and (
                cic := grades.pop(JudgementArea.CHILDREN_IN_CARE, None)
            ):
                grades[JudgementArea.CHILDREN_IN_CARE_AND_CARE_LEAVERS] = cic
            inspections.append(
                OfficialInspection(
                    ofsted_urn=authority.ofsted_urn,
                    report_type=ReportType.ILACS_INSPECTION,
                    published=published,
                    framework=row["Inspection type"],
                    grades=grades,
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


def _read_earlier_frameworks(path: Path) -> list[OfficialInspection]:
    by_name = _authorities_by_name()
    inspections = []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            authority = by_name.get(normalise_name(row["Local authority name"]))
            if authority is None:
                log.debug("official row not matched: %s", row["Local authority name"])
                continue
            for date_column, framework, report_type, columns in _EARLIER:
                published = _day(row.get(date_column) or "")
                if published is None:
                    continue
                grades = {
                    area: grade
                    for column, area in columns.items()
                    if (grade := _grade(row.get(column) or ""))
                }
                not_judged = frozenset(
                    area for column, area in columns.items() if row.get(column) == "-"
                )
                inspections.append(
                    OfficialInspection(
                        authority.ofsted_urn, report_type, published, framework, grades, not_judged
                    )
                )
    return inspections


@dataclass(slots=True)
class OfficialRecords:
    inspections: list[OfficialInspection]

    @classmethod
    def read(cls, labels_dir: Path) -> OfficialRecords:
        inspections: list[OfficialInspection] = []
        if (labels_dir / ILACS_HISTORY).is_file():
            inspections += _read_ilacs_history(labels_dir / ILACS_HISTORY)
        if (labels_dir / EARLIER_FRAMEWORKS).is_file():
            inspections += _read_earlier_frameworks(labels_dir / EARLIER_FRAMEWORKS)
        return cls(inspections)

    def find(
        self, ofsted_urn: str, published: date, within_days: int = 7
    ) -> OfficialInspection | None:
        """The inspection of this authority published nearest `published` (a few days' slack:
        archives date a report by when it was posted, Ofsted's tables by its publication)."""
        candidates = [
            i
            for i in self.inspections
            if i.ofsted_urn == ofsted_urn and abs((i.published - published).days) <= within_days
        ]
        return min(candidates, key=lambda i: abs((i.published - published).days), default=None)
