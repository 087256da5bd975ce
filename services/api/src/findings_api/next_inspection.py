"""When an authority's next inspections are due, by the rules Ofsted publishes.

Children's services (ILACS, 2018 framework): an authority judged good or outstanding has a
short inspection, one judged requires improvement a standard inspection, "usually between
six months before and six months after the three-year anniversary of the previous
inspection"; one judged inadequate is monitored and re-inspected (a standard inspection)
when Ofsted judges it ready, at no published interval. The last inspection is the later
of Ofsted's published record and a report dropped since (its first day on site).

Area SEND (2023 framework): each report says when the next comes ("within approximately
five years", "a monitoring inspection … within approximately 18 months"), counted from
its publication (else its last day on site).

Pure: from official records and report rows to `NextInspection`s.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta

from findings_shared.events import Grade, JudgementArea, ReportType
from findings_shared.official import OfficialInspection

ILACS_RULE = (
    "ILACS: a short inspection after a good or outstanding judgement, a standard one after"
    " requires improvement, usually from six months before to six months after the third"
    " anniversary of the last inspection's first day on site"
)
INADEQUATE_RULE = (
    "ILACS: after an inadequate judgement, monitoring visits, then a standard re-inspection"
    " when Ofsted judges the authority ready; no published interval"
)
NO_OVERALL_RULE = (
    "ILACS: the last inspection has no overall effectiveness grade (the April 2026"
    " judgements): the cadence that follows it is not modelled"
)


@dataclass(frozen=True, slots=True)
class LastInspection:
    """The latest ILACS inspection of an authority, from Ofsted's record or a report."""

    first_day: date
    overall: Grade | None
    source: str  # "official" or "report"
    report_id: str | None = None


@dataclass(frozen=True, slots=True)
class NextInspection:
    framework: str  # "ilacs" or "area_send"
    kind: str
    earliest: date | None
    expected: date | None
    latest: date | None
    rule: str
    based_on: date
    based_on_report_id: str | None = None

    def overdue(self, today: date) -> bool:
        return self.latest is not None and self.latest < today


def last_ilacs(official: list[OfficialInspection], reports: list[Any]) -> LastInspection | None:
    """The later of the latest ILACS standard or short inspection in Ofsted's record and
    the latest ILACS report dropped (rows with report_type, inspection_start, grades)."""
    candidates: list[LastInspection] = [
        LastInspection(
            first_day=inspection.inspection_date,
            overall=inspection.grades.get(JudgementArea.OVERALL_EFFECTIVENESS),
            source="official",
        )
        for inspection in official
        if inspection.report_type is ReportType.ILACS_INSPECTION
        and inspection.inspection_date is not None
    ]
    for row in reports:
        if row.report_type != ReportType.ILACS_INSPECTION.value or row.inspection_start is None:
            continue
        grade = row.grades.get(JudgementArea.OVERALL_EFFECTIVENESS.value)
        candidates.append(
            LastInspection(
                first_day=row.inspection_start,
                overall=Grade(grade) if grade else None,
                source="report",
                report_id=row.report_id,
            )
        )
    # The latest; of two records of one inspection, the official one.
    return max(
        candidates,
        key=lambda last: (last.first_day, last.source == "official"),
        default=None,
    )


def next_ilacs(last: LastInspection) -> NextInspection:
    if last.overall in (Grade.GOOD, Grade.OUTSTANDING, Grade.REQUIRES_IMPROVEMENT):
        anniversary = last.first_day + relativedelta(years=3)
        return NextInspection(
            framework="ilacs",
            kind="standard inspection"
            if last.overall is Grade.REQUIRES_IMPROVEMENT
            else "short inspection",
            earliest=anniversary - relativedelta(months=6),
            expected=anniversary,
            latest=anniversary + relativedelta(months=6),
            rule=ILACS_RULE,
            based_on=last.first_day,
            based_on_report_id=last.report_id,
        )
    inadequate = last.overall is Grade.INADEQUATE
    return NextInspection(
        framework="ilacs",
        kind="standard re-inspection" if inadequate else "unknown",
        earliest=None,
        expected=None,
        latest=None,
        rule=INADEQUATE_RULE if inadequate else NO_OVERALL_RULE,
        based_on=last.first_day,
        based_on_report_id=last.report_id,
    )


def next_area_send(reports: list[Any]) -> NextInspection | None:
    """From the latest area SEND report that says when the next comes (rows with
    report_type, published, inspection_end, next_inspection)."""
    said = [
        row
        for row in reports
        if row.report_type == ReportType.AREA_SEND.value
        and row.next_inspection
        and (row.published or row.inspection_end)
    ]
    if not said:
        return None
    row = max(said, key=lambda r: r.published or r.inspection_end)
    notice = row.next_inspection
    since: date = row.published or row.inspection_end
    return NextInspection(
        framework="area_send",
        kind=f"area SEND {notice['kind']}",
        earliest=None,
        expected=None,
        latest=since + relativedelta(months=notice["within_months"]),
        rule=f"the report: \u201c{notice['text']}\u201d",
        based_on=since,
        based_on_report_id=row.report_id,
    )


def next_inspections(
    official: list[OfficialInspection], reports: list[Any]
) -> list[NextInspection]:
    """An authority's next inspections: children's services, then area SEND (each when
    known)."""
    due = []
    last = last_ilacs(official, reports)
    if last is not None:
        due.append(next_ilacs(last))
    send = next_area_send(reports)
    if send is not None:
        due.append(send)
    return due
