"""Ofsted's published outcome tables joined to reports and authorities over the API: the
official record of a report's inspection, a parsed grade that differs from it flagged,
and an authority's earlier grades where their reports were never dropped."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from findings_api.ofsted_layout import OFSTED_COLUMNS
from findings_shared.events import Grade, JudgementArea, ReportParsed
from findings_shared.local_authorities import current_local_authorities
from findings_shared.official import BUNDLED
from findings_shared.settings import DatabaseSettings
from tests.api.storing import store_changes
from tests.api.test_queries import LEWISHAM_2019, SALFORD_2018, WANDSWORTH_2011, WANDSWORTH_2023

pytestmark = pytest.mark.integration

REFERENCE = Path(__file__).parents[2] / "shared" / "src" / "findings_shared" / "reference"

FILES = [WANDSWORTH_2023, LEWISHAM_2019, SALFORD_2018, WANDSWORTH_2011]


async def test_a_report_shows_ofsteds_record_of_its_inspection(
    stored: dict[str, ReportParsed], client: httpx.AsyncClient
) -> None:
    report = stored[WANDSWORTH_2023]
    body = (await client.get(f"/reports/{report.report_id}")).json()
    official = body["official"]
    assert official["inspection_type"] == "standard"
    assert official["inspection_date"] == "2022-11-07"
    assert official["published"] == "2023-01-13"
    assert official["web_link"] == "https://reports.ofsted.gov.uk/provider/44/212"
    assert {(g["area"], g["grade"]) for g in official["grades"]} == {
        (j.area.value, j.grade.value) for j in report.judgements
    }
    assert body["quality"]["official_mismatch"] == []
    assert report.inspection_end is not None
    assert body["days_to_publication"] == (date(2023, 1, 13) - report.inspection_end).days
    # A letter of 2011 has no record of its own in the ILACS tables.
    letter = (await client.get(f"/reports/{stored[WANDSWORTH_2011].report_id}")).json()
    assert letter["official"] is None


async def test_a_parsed_grade_that_differs_from_ofsteds_is_flagged(
    stored: dict[str, ReportParsed],
    client: httpx.AsyncClient,
    database_settings: DatabaseSettings,
) -> None:
    report = stored[SALFORD_2018]
    assert not report.quality.needs_review  # the parser itself saw nothing wrong
    # Lists are read once before the change: they must notice a report stored since.
    assert report.report_id in await report_ids(client, needs_review="false")
    # Stored again by store's own code, as a parser's mistake would have been.
    mistaken = report.model_copy(
        update={
            "judgements": [
                j.model_copy(update={"grade": Grade.OUTSTANDING})
                if j.area is JudgementArea.OVERALL_EFFECTIVENESS
                else j
                for j in report.judgements
            ]
        }
    )
    await store_changes(
        database_settings,
        lambda store: store.replace_report(mistaken, "file:///mistaken.pdf", datetime.now(UTC)),
    )
    body = (await client.get(f"/reports/{report.report_id}")).json()
    difference = {"area": "overall_effectiveness", "parsed": "outstanding", "official": "good"}
    assert body["quality"]["official_mismatch"] == [difference]
    assert body["quality"]["needs_review"] is True
    assert any("differ from Ofsted" in w for w in body["quality"]["warnings"])
    # Lists, their filter and exports say what the report's page says.
    listed = (await client.get("/reports", params={"la_code": "355"})).json()["items"]
    assert [item["quality"] for item in listed] == [body["quality"]]
    assert report.report_id in await report_ids(client, needs_review="true")
    assert report.report_id not in await report_ids(client, needs_review="false")
    findings = await client.get(
        "/findings", params={"needs_review": "true", "la_code": "355", "limit": 1}
    )
    assert findings.json()["items"][0]["report_id"] == report.report_id
    exported = await client.get("/reports", params={"la_code": "355", "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert [row["Needs review"] for row in rows] == ["True"]


async def report_ids(client: httpx.AsyncClient, **params: str) -> list[str]:
    response = await client.get("/reports", params={**params, "limit": "200"})
    assert response.status_code == 200, response.text
    return [item["report_id"] for item in response.json()["items"]]


async def test_an_authority_shows_its_official_history_beyond_the_dropped_reports(
    stored: dict[str, ReportParsed], client: httpx.AsyncClient
) -> None:
    body = (await client.get("/local-authorities/212")).json()
    history = body["official_history"]
    frameworks = [record["framework"] for record in history]
    assert frameworks[0] == "ILACS Standard Inspection"
    # The 2016 inspection's report was never dropped; its grades are known all the same.
    sif = next(record for record in history if record["framework"] == "SIF inspection")
    assert sif["published"] == "2016-02-16"
    assert {"area": "overall_effectiveness", "grade": "inadequate", "wording": "Inadequate"} in sif[
        "grades"
    ]
    dropped = {r["report_date"] for r in body["reports"]}
    assert "2016-02-16" not in dropped


async def test_the_national_picture_in_ofsteds_own_layout_matches_ofsteds_table(
    stored: dict[str, ReportParsed], client: httpx.AsyncClient
) -> None:
    response = await client.get("/summary/national", params={"layout": "ofsted", "format": "csv"})
    assert response.status_code == 200, response.text
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert header[: len(OFSTED_COLUMNS)] == OFSTED_COLUMNS
    # The authorities that exist today: the abolished (Poole, Northamptonshire) are not rows.
    assert len(body) == len(current_local_authorities())
    ours = {row[1]: row for row in body}

    # Ofsted's "Inspections as at 31 March" table, read independently of the code under test.
    workbook = CalamineWorkbook.from_path(str(REFERENCE / BUNDLED[0]))
    table = workbook.get_sheet_by_name("Inspections_as_at_31_March").to_python()
    start = next(i for i, row in enumerate(table) if "Local authority name" in row) + 1
    compared = 0
    for theirs in table[start:]:
        code = str(theirs[1])
        if code not in ours:
            continue  # a note below the table, or an older code (Barnsley's E08000016)
        mine = ours[code]
        expected = [
            cell.date().isoformat() if isinstance(cell, datetime) else str(cell).strip()
            for cell in theirs[1:11]
        ]
        assert mine[1:11] == expected, theirs[2]
        compared += 1
    assert compared >= 150

    wandsworth = ours["E09000032"]
    assert wandsworth[0] == "https://reports.ofsted.gov.uk/provider/44/212"
    assert wandsworth[header.index("Source")] == "Ofsted's published tables"
    link = wandsworth[header.index("Report in Findings")]
    assert link.endswith(f"/reports/{stored[WANDSWORTH_2023].report_id}")

    refused = await client.get("/summary/national", params={"layout": "ofsted"})
    assert refused.status_code == 422


async def test_spreadsheets_carry_real_dates(
    stored: dict[str, ReportParsed], client: httpx.AsyncClient
) -> None:
    response = await client.get("/summary/national", params={"layout": "ofsted", "format": "xlsx"})
    assert response.status_code == 200, response.text
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    header = [cell.value for cell in sheet[1]]
    column = header.index("Inspection date") + 1
    dates = [row[column - 1].value for row in sheet.iter_rows(min_row=2) if row[column - 1].value]
    assert dates
    assert all(isinstance(value, datetime) for value in dates)


async def test_every_authority_at_a_glance_has_its_latest_ilacs_and_when_the_next_is_due(
    stored: dict[str, ReportParsed], client: httpx.AsyncClient
) -> None:
    response = await client.get("/summary/authorities")
    assert response.status_code == 200, response.text
    glance = {row["la_code"]: row for row in response.json()}
    assert set(glance) == {a.la_code for a in current_local_authorities()}
    wandsworth = glance["212"]
    assert wandsworth["ons_code"] == "E09000032"
    latest = wandsworth["latest"]
    # Ofsted's record of the inspection whose report was dropped: the two are joined.
    assert latest["source"] == "official"
    assert latest["kind"] == "ILACS Standard Inspection"
    assert latest["inspection_date"] == "2022-11-07"
    assert latest["published"] == "2023-01-13"
    assert latest["report_id"] == stored[WANDSWORTH_2023].report_id
    assert latest["grades"]["overall_effectiveness"] == "good"
    # Good: a short inspection about three years after the first day on site.
    due = wandsworth["next_inspection"]
    assert (due["kind"], due["expected"]) == ("short inspection", "2025-11-07")
    assert due["overdue"] is (date.today() > date(2026, 5, 7))
    # Only what Ofsted's tables hold where no report was dropped: no stored report.
    without_reports = [
        row for code, row in glance.items() if code not in {"212", "209", "355"} and row["latest"]
    ]
    assert without_reports
    assert all(row["latest"]["report_id"] is None for row in without_reports)


async def test_the_theme_taxonomy_is_listed_with_names(client: httpx.AsyncClient) -> None:
    themes = (await client.get("/themes")).json()
    by_slug = {t["theme"]: t for t in themes}
    assert len(by_slug) == len(themes) >= 30
    assert by_slug["lado"]["label"] == "LADO (allegations against adults)"
    assert by_slug["domestic_abuse"]["label"] == "Domestic abuse"
    assert by_slug["care_leavers_accommodation"]["area"] == "care_leavers"
