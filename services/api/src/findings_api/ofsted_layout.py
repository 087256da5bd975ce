"""The national picture in Ofsted's own spreadsheet layout: one row per authority with
exactly the columns of Ofsted's "Inspections as at 31 March" table first (its latest ILACS
judgements, in Ofsted's wording), then ours.

Each authority's latest ILACS inspection is the later of Ofsted's published record and an
ILACS report dropped since (whose grades are the parser's: the "Source" column says which).
Pure: from official records and report rows to rows of cells.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from findings_api.next_inspection import last_ilacs, next_ilacs
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


def ofsted_layout_rows(
    authorities: Iterable[LocalAuthority],
    records: OfficialRecords,
    reports: dict[str, list[TimelineRow]],
    report_link: str,
) -> list[list[Any]]:
    """`reports`: each authority's ILACS report rows; `report_link`: a report's address,
    with `{report_id}`."""
    rows = []
    for authority in sorted(authorities, key=lambda a: a.name):
        official = [
            i
            for i in records.of_authority(authority.la_code)
            if i.report_type is ReportType.ILACS_INSPECTION
        ]
        ours = reports.get(authority.la_code, [])
        last = last_ilacs(official, ours)
        inspection_date: date | None = None
        published: date | None = None
        grades: dict[JudgementArea, str] = {}
        kind = source = link = ""
        # Named as Ofsted's tables name it ("Bedford", not "Bedford Borough").
        name = next((i.la_name for i in official if i.la_name), authority.name)
        if last is not None and last.source == "official":
            record = next(i for i in official if i.inspection_date == last.first_day)
            inspection_date, published = record.inspection_date, record.published
            grades = record.wording
            kind, source = record.framework, "Ofsted's published tables"
            stored = next(
                (
                    row
                    for row in ours
                    if row.inspection_start
                    and abs((row.inspection_start - last.first_day).days) <= 7
                ),
                None,
            )
            link = report_link.format(report_id=stored.report_id) if stored else ""
        elif last is not None:
            row = next(r for r in ours if r.report_id == last.report_id)
            inspection_date, published = row.inspection_start, row.published
            grades = {
                JudgementArea(area): GRADE_WORDING.get(Grade(grade), grade)
                for area, grade in row.grades.items()
            }
            kind, source = "ILACS inspection", "parsed report (newer than Ofsted's tables)"
            link = report_link.format(report_id=row.report_id)
        due = next_ilacs(last) if last is not None else None
        rows.append(
            [
                WEB_LINK.format(la_code=authority.la_code),
                authority.ons_code,
                name,
                ofsted_region(authority.region),
                inspection_date,
                published,
                *(_wording(grades, areas) for areas in _AREAS),
                authority.la_code,
                authority.ofsted_urn,
                kind,
                source,
                link,
                due.expected if due else None,
                due.latest if due else None,
            ]
        )
    return rows
