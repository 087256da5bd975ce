"""The national picture in Ofsted's own spreadsheet layout: one row per authority with
exactly the columns of Ofsted's "Inspections as at 31 March" table first (its latest ILACS
judgements, in Ofsted's wording), then ours.

Each authority's latest ILACS inspection is the later of Ofsted's published record and an
ILACS report dropped since (whose grades are the parser's: the "Source" column says which).
Pure: from official records and report rows to rows of cells.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from findings_api.next_inspection import NextInspection, last_ilacs, next_ilacs
from findings_api.repository import TimelineRow
from findings_shared.events import Grade, JudgementArea, ReportType
from findings_shared.local_authorities import LocalAuthority
from findings_shared.official import GRADE_WORDING, WEB_LINK, OfficialRecords, ofsted_region

OFSTED_COLUMNS = [
    "Web link",
    "Local authority area code",
    "Local authority name",
    "Ofsted region",
    "Inspection date",
    "Publication date",
    "Overall effectiveness",
    "The impact of leaders on social work practice with children and families",
    "The experiences and progress of children who need help and protection",
    "The experiences and progress of children in care",
    "The experiences and progress of care leavers",
]
OUR_COLUMNS = [
    "DfE code",
    "Ofsted URN",
    "Inspection type",
    "Source",
    "Report in Findings",
    "Next inspection expected",
    "Next inspection due by",
]
_AREAS = [
    (JudgementArea.OVERALL_EFFECTIVENESS,),
    (JudgementArea.IMPACT_OF_LEADERS,),
    (JudgementArea.HELP_AND_PROTECTION,),
    # Before 2023 one judgement, which Ofsted's table records under "children in care".
    (JudgementArea.CHILDREN_IN_CARE, JudgementArea.CHILDREN_IN_CARE_AND_CARE_LEAVERS),
    (JudgementArea.CARE_LEAVERS,),
]


def _wording(grades: dict[JudgementArea, str], areas: tuple[JudgementArea, ...]) -> str:
    return next((grades[area] for area in areas if area in grades), "")


@dataclass(frozen=True, slots=True)
class LatestIlacs:
    """An authority's latest ILACS inspection: Ofsted's published record, or a report
    dropped since; and when the next is due."""

    authority: LocalAuthority
    name: str  # as Ofsted's tables print it ("Bedford", not "Bedford Borough")
    inspection_date: date | None = None
    published: date | None = None
    grades: dict[JudgementArea, Grade] = field(default_factory=dict)
    wording: dict[JudgementArea, str] = field(default_factory=dict)
    kind: str = ""  # Ofsted's name: "ILACS Standard Inspection"; "" when none is known
    source: str = ""  # "official" or "report"
    report_id: str | None = None  # the stored report of that inspection, if any
    due: NextInspection | None = None


def latest_ilacs(
    authorities: Iterable[LocalAuthority],
    records: OfficialRecords,
    reports: dict[str, list[TimelineRow]],
) -> list[LatestIlacs]:
    """Each authority's latest ILACS inspection, by name; `reports`: each authority's
    ILACS report rows."""
    found = []
    for authority in sorted(authorities, key=lambda a: a.name):
        official = [
            i
            for i in records.of_authority(authority.la_code)
            if i.report_type is ReportType.ILACS_INSPECTION
        ]
        ours = reports.get(authority.la_code, [])
        last = last_ilacs(official, ours)
        name = next((i.la_name for i in official if i.la_name), authority.name)
        if last is None:
            found.append(LatestIlacs(authority, name))
        elif last.source == "official":
            record = next(i for i in official if i.inspection_date == last.first_day)
            stored = next(
                (
                    row
                    for row in ours
                    if row.inspection_start
                    and abs((row.inspection_start - last.first_day).days) <= 7
                ),
                None,
            )
            found.append(
                LatestIlacs(
                    authority,
                    name,
                    record.inspection_date,
                    record.published,
                    dict(record.grades),
                    dict(record.wording),
                    record.framework,
                    "official",
                    stored.report_id if stored else None,
                    next_ilacs(last),
                )
            )
        else:
            row = next(r for r in ours if r.report_id == last.report_id)
            grades = {JudgementArea(area): Grade(grade) for area, grade in row.grades.items()}
            found.append(
                LatestIlacs(
                    authority,
                    name,
                    row.inspection_start,
                    row.published,
                    grades,
                    {area: GRADE_WORDING.get(grade, grade.value) for area, grade in grades.items()},
                    "ILACS inspection",
                    "report",
                    row.report_id,
                    next_ilacs(last),
                )
            )
    return found


_SOURCES = {
    "official": "Ofsted's published tables",
    "report": "parsed report (newer than Ofsted's tables)",
}


def ofsted_layout_rows(latest: Iterable[LatestIlacs], report_link: str) -> list[list[Any]]:
    """One row of cells per authority; `report_link`: a report's address, with
    `{report_id}`."""
    return [
        [
            WEB_LINK.format(la_code=one.authority.la_code),
            one.authority.ons_code,
            one.name,
            ofsted_region(one.authority.region),
            one.inspection_date,
            one.published,
            *(_wording(one.wording, areas) for areas in _AREAS),
            one.authority.la_code,
            one.authority.ofsted_urn,
            one.kind,
            _SOURCES.get(one.source, ""),
            report_link.format(report_id=one.report_id) if one.report_id else "",
            one.due.expected if one.due else None,
            one.due.latest if one.due else None,
        ]
        for one in latest
    ]
