"""Authority pages, the national summary and spreadsheet exports."""

from __future__ import annotations

import csv
import io

import httpx
import pytest
from openpyxl import load_workbook

from findings_api.exports import _csv_safe
from findings_shared.events import ReportParsed
from findings_shared.local_authorities import local_authority_by_code
from tests.api.test_queries import FILES as QUERY_FILES
from tests.api.test_queries import (
    LEWISHAM_2019,
    SALFORD_2018,
    WANDSWORTH_2011,
    WANDSWORTH_2023,
)

pytestmark = pytest.mark.integration
# The reports `stored` (tests/api/conftest.py) puts in each test's database.
FILES = QUERY_FILES
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def test_an_authority_has_its_timeline_grades_and_neighbours(
    stored: dict[str, ReportParsed], client: httpx.AsyncClient
) -> None:
    page = (await client.get("/local-authorities/212")).json()
    assert page["name"] == "Wandsworth"
    assert [r["report_id"] for r in page["reports"]] == [
        stored[WANDSWORTH_2011].report_id,
        stored[WANDSWORTH_2023].report_id,
    ]
    assert page["reports"][0]["grades"] == {}
    assert page["grade_history"]["overall_effectiveness"] == [
        {
            # Published, else the inspection's last day (this report has no date printed).
            "report_date": str(
                stored[WANDSWORTH_2023].published or stored[WANDSWORTH_2023].inspection_end
            ),
            "grade": "good",
            "report_id": stored[WANDSWORTH_2023].report_id,
            "report_type": "ilacs_inspection",
        }
    ]
    wandsworth = local_authority_by_code("212")
    assert wandsworth is not None
    assert [n["la_code"] for n in page["neighbours"]] == list(wandsworth.stat_neighbours)
    lewisham = next(n for n in page["neighbours"] if n["la_code"] == "209")
    assert lewisham["report_id"] == stored[LEWISHAM_2019].report_id
    assert lewisham["grades"]["overall_effectiveness"] == "requires_improvement"
    never_inspected_here = next(n for n in page["neighbours"] if n["la_code"] == "205")
    assert never_inspected_here["report_id"] is None
    assert never_inspected_here["grades"] == {}

    assert (await client.get("/local-authorities/999")).status_code == 404
    assert (await client.get("/local-authorities/21")).status_code == 422


async def test_the_national_summary_as_json_and_as_a_spreadsheet(
    stored: dict[str, ReportParsed], client: httpx.AsyncClient
) -> None:
    summary = (await client.get("/summary/national")).json()
    assert summary["authorities"] == 3  # the 2011 letter carries no grades
    assert summary["distribution"]["overall_effectiveness"] == {
        "good": 2,
        "requires_improvement": 1,
    }
    latest = {(g["la_code"], g["area"]): g for g in summary["latest"]}
    assert latest[("212", "overall_effectiveness")]["report_id"] == (
        stored[WANDSWORTH_2023].report_id
    )

    response = await client.get("/summary/national", params={"format": "xlsx"})
    assert response.headers["content-type"] == XLSX
    assert "national-summary-" in response.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("la_code", "local_authority_name", "region", "area", "grade")
    assert len(rows) - 1 == len(summary["latest"])
    assert ("355", "Salford", "North West", "overall_effectiveness", "good") in [
        row[:5] for row in rows
    ]


async def test_findings_export_as_csv_and_xlsx(
    stored: dict[str, ReportParsed], client: httpx.AsyncClient
) -> None:
    salford = stored[SALFORD_2018]
    as_csv = await client.get("/findings", params={"la_code": "355", "format": "csv"})
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert as_csv.content.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert [row["Finding ID"] for row in rows] == [f.finding_id for f in salford.findings]
    # What an analyst joins a finding to, under plain-English headings.
    assert {
        (
            row["Local authority"],
            row["DfE code"],
            row["ONS code"],
            row["Region"],
            row["Overall grade"],
            row["Ofsted page"],
        )
        for row in rows
    } == {
        (
            "Salford",
            "355",
            "E08000006",
            "North West",
            "good",
            "https://reports.ofsted.gov.uk/provider/44/355",
        )
    }
    assert {row["Report in Findings"] for row in rows} == {
        f"http://api/reports/{salford.report_id}"
    }

    by_accept = await client.get(
        "/findings", params={"la_code": "355"}, headers={"Accept": "text/csv"}
    )
    assert by_accept.content == as_csv.content

    as_xlsx = await client.get("/findings", params={"format": "xlsx", "q": "social workers"})
    sheet = load_workbook(io.BytesIO(as_xlsx.content), read_only=True).active
    assert sheet is not None
    rows_xlsx = list(sheet.iter_rows(values_only=True))
    hits = (await client.get("/findings", params={"q": "social workers", "limit": 500})).json()
    assert [row[0] for row in rows_xlsx[1:]] == [f["finding_id"] for f in hits["items"]]

    reports = await client.get("/reports", params={"format": "csv", "region": "London"})
    listed = list(csv.DictReader(io.StringIO(reports.content.decode("utf-8-sig"))))
    assert {row["Local authority"] for row in listed} == {"Wandsworth", "Lewisham"}
    assert {row["Region"] for row in listed} == {"London"}
    assert len(listed) == 3


def test_csv_cells_never_start_a_formula() -> None:
    assert _csv_safe('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert _csv_safe("+44 20 7946 0000") == "'+44 20 7946 0000"
    assert _csv_safe("Leaders know their services well.") == "Leaders know their services well."
    assert _csv_safe(None) == ""
