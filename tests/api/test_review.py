"""Reports the parser flagged for review: listed, filtered and explained by the API."""

from __future__ import annotations

import csv
import io

import httpx
import pytest

from findings_shared.events import ReportParsed

pytestmark = pytest.mark.integration

# Windsor and Maidenhead 2020 skips paragraph 15 as published: flagged, with the reason.
FLAGGED = "inspection_windsor-maidenhead_2020-02-24.pdf"
SALFORD_2018 = "inspection_salford_2018-11-12.pdf"
WANDSWORTH_2011 = "letter_wandsworth_2011-07-07.txt"
FILES = [FLAGGED, SALFORD_2018, WANDSWORTH_2011]


async def test_reports_flagged_for_review_are_filtered_and_explained(
    stored: dict[str, ReportParsed], client: httpx.AsyncClient
) -> None:
    assert stored[FLAGGED].quality.needs_review
    flagged = (await client.get("/reports", params={"needs_review": "true"})).json()["items"]
    assert [r["report_id"] for r in flagged] == [stored[FLAGGED].report_id]
    # As parsed; its grades are Ofsted's (a difference would be listed and warned of).
    assert flagged[0]["quality"] == {
        **stored[FLAGGED].quality.model_dump(),
        "official_mismatch": [],
    }
    assert "paragraph numbering gap: 14 is followed by 16" in flagged[0]["quality"]["warnings"]

    others = (await client.get("/reports", params={"needs_review": "false"})).json()["items"]
    assert {r["report_id"] for r in others} == {
        stored[SALFORD_2018].report_id,
        stored[WANDSWORTH_2011].report_id,
    }
    assert not any(r["quality"]["needs_review"] for r in others)

    findings = (
        await client.get("/findings", params={"needs_review": "true", "limit": 500})
    ).json()["items"]
    assert len(findings) == len(stored[FLAGGED].findings)
    assert {f["report_id"] for f in findings} == {stored[FLAGGED].report_id}

    sheet = await client.get("/reports", params={"needs_review": "true", "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(sheet.text.lstrip("\ufeff"))))
    assert [row["Needs review"] for row in rows] == ["True"]


async def test_files_say_which_stored_reports_need_review(
    stored: dict[str, ReportParsed], client: httpx.AsyncClient
) -> None:
    detail = (await client.get(f"/files/{stored[FLAGGED].report_id}")).json()
    assert detail["status"] == "stored"
    assert detail["needs_review"] is True
    assert detail["warnings"] == stored[FLAGGED].quality.warnings
    files = (await client.get("/files", params={"status": "stored"})).json()["items"]
    review = {f["report_id"]: f["needs_review"] for f in files}
    assert review[stored[FLAGGED].report_id] is True
    assert review[stored[SALFORD_2018].report_id] is False
