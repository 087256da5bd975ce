"""When next: the published cadence applied to Ofsted's records and the reports dropped
(pure rules first, then over the API)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx
import pytest

from findings_api.next_inspection import last_ilacs, next_area_send, next_ilacs
from findings_shared.events import Grade, JudgementArea, ReportParsed, ReportType
from findings_shared.official import OfficialInspection
from tests.api.test_queries import WANDSWORTH_2023

ENFIELD_SEND_2023 = "area_send_enfield_2023-08-02.pdf"
FILES = [WANDSWORTH_2023, ENFIELD_SEND_2023]


@dataclass
class Row:
    """A report row as the repository gives it (the fields the rules read)."""

    report_type: str
    inspection_start: date | None = None
    inspection_end: date | None = None
    published: date | None = None
    grades: dict[str, str] = field(default_factory=dict)
    next_inspection: dict[str, Any] | None = None
    report_id: str = "r" * 64


def official(first_day: date, overall: Grade | None) -> OfficialInspection:
    grades = {JudgementArea.OVERALL_EFFECTIVENESS: overall} if overall else {}
    return OfficialInspection(
        ofsted_urn="1",
        report_type=ReportType.ILACS_INSPECTION,
        published=None,
        framework="ILACS Standard Inspection",
        grades=grades,
        la_code="212",
        inspection_date=first_day,
        inspection_type="standard",
    )


@pytest.mark.parametrize(
    ("grade", "kind"),
    [
        (Grade.GOOD, "short inspection"),
        (Grade.OUTSTANDING, "short inspection"),
        (Grade.REQUIRES_IMPROVEMENT, "standard inspection"),
    ],
)
def test_three_years_on_give_or_take_six_months(grade: Grade, kind: str) -> None:
    last = last_ilacs([official(date(2022, 11, 7), grade)], [])
    assert last is not None
    due = next_ilacs(last)
    assert (due.kind, due.earliest, due.expected, due.latest) == (
        kind,
        date(2025, 5, 7),
        date(2025, 11, 7),
        date(2026, 5, 7),
    )
    assert due.overdue(date(2026, 5, 8))
    assert not due.overdue(date(2026, 5, 7))


def test_after_inadequate_or_an_ungraded_framework_no_date_is_invented() -> None:
    inadequate = next_ilacs(last_ilacs([official(date(2024, 1, 8), Grade.INADEQUATE)], []))  # type: ignore[arg-type]
    assert (inadequate.kind, inadequate.expected, inadequate.latest) == (
        "standard re-inspection",
        None,
        None,
    )
    assert "no published interval" in inadequate.rule
    ungraded = next_ilacs(last_ilacs([official(date(2026, 5, 4), None)], []))  # type: ignore[arg-type]
    assert (ungraded.kind, ungraded.expected) == ("unknown", None)


def test_a_report_newer_than_the_records_counts_and_the_record_wins_a_tie() -> None:
    records = [official(date(2022, 11, 7), Grade.GOOD)]
    newer = Row(
        "ilacs_inspection",
        inspection_start=date(2025, 10, 6),
        grades={"overall_effectiveness": "requires_improvement"},
    )
    last = last_ilacs(records, [newer])
    assert last is not None
    assert (last.first_day, last.overall, last.source) == (
        date(2025, 10, 6),
        Grade.REQUIRES_IMPROVEMENT,
        "report",
    )
    same = Row(
        "ilacs_inspection",
        inspection_start=date(2022, 11, 7),
        grades={"overall_effectiveness": "inadequate"},
    )
    tie = last_ilacs(records, [same])
    assert tie is not None
    assert (tie.source, tie.overall) == ("official", Grade.GOOD)
    assert last_ilacs([], [Row("focused_visit", inspection_start=date(2025, 1, 1))]) is None


def test_area_send_follows_the_latest_reports_own_words() -> None:
    older = Row(
        "area_send",
        published=date(2019, 3, 1),
        next_inspection={"kind": "full inspection", "within_months": 60, "text": "five years"},
    )
    latest = Row(
        "area_send",
        published=date(2023, 8, 2),
        next_inspection={"kind": "monitoring inspection", "within_months": 18, "text": "x"},
    )
    due = next_area_send([older, latest])
    assert due is not None
    assert (due.kind, due.latest, due.expected) == (
        "area SEND monitoring inspection",
        date(2025, 2, 2),
        None,
    )
    assert next_area_send([Row("area_send", published=date(2023, 1, 1))]) is None


@pytest.mark.integration
async def test_an_authority_and_the_national_list_say_when_next(
    stored: dict[str, ReportParsed], client: httpx.AsyncClient
) -> None:
    enfield = stored[ENFIELD_SEND_2023]
    assert enfield.next_inspection is not None
    detail = (await client.get(f"/reports/{enfield.report_id}")).json()
    assert detail["next_inspection"] == enfield.next_inspection.model_dump(mode="json")

    wandsworth = (await client.get("/local-authorities/212")).json()["next_inspections"]
    ilacs = next(due for due in wandsworth if due["framework"] == "ilacs")
    # Ofsted's record: a standard inspection from 7 November 2022, judged good.
    assert (ilacs["kind"], ilacs["expected"], ilacs["based_on"]) == (
        "short inspection",
        "2025-11-07",
        "2022-11-07",
    )

    everyone = (await client.get("/next-inspections")).json()
    assert len({due["la_code"] for due in everyone if due["framework"] == "ilacs"}) > 140
    dates = [due["expected"] or due["latest"] or "9999" for due in everyone]
    assert dates == sorted(dates)
    send = (await client.get("/next-inspections", params={"framework": "area_send"})).json()
    assert [due["la_code"] for due in send] == [enfield.local_authority.la_code]  # type: ignore[union-attr]
    # "within approximately 3 years" of publication, else (as here) the last day on site
    since = enfield.published or enfield.inspection_end
    assert since is not None
    assert send[0]["latest"] == since.replace(year=since.year + 3).isoformat()
    london = (await client.get("/next-inspections", params={"region": "London"})).json()
    assert london
    assert {due["la_code"] for due in london} <= {
        a["la_code"]
        for a in (await client.get("/local-authorities")).json()
        if a["region"] == "London"
    }
