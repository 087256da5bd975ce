"""One inspection, two files: Wandsworth's 2023 ILACS report dropped as the PDF and as the
text export users also drop is one entry of the authority's timeline, naming both files."""

from __future__ import annotations

import httpx
import pytest

from findings_shared.events import ReportParsed

pytestmark = pytest.mark.integration

AS_PDF = "inspection_wandsworth_2023-01-13.pdf"
AS_TEXT = "inspection_wandsworth_2023-01-13.txt"
LETTER_2011 = "letter_wandsworth_2011-07-07.txt"
FILES = [AS_PDF, AS_TEXT, LETTER_2011]


async def test_the_same_inspection_in_two_files_is_one_timeline_entry(
    stored: dict[str, ReportParsed], client: httpx.AsyncClient
) -> None:
    pdf, text = stored[AS_PDF], stored[AS_TEXT]
    assert pdf.report_id != text.report_id  # two files, two reports as stored
    body = (await client.get("/local-authorities/212")).json()
    timeline = body["reports"]
    assert len(timeline) == 2  # the 2011 letter and the 2023 inspection, once
    inspection = next(r for r in timeline if r["report_type"] == "ilacs_inspection")
    assert {inspection["report_id"], *inspection["other_files"]} == {pdf.report_id, text.report_id}
    letter = next(r for r in timeline if r["report_type"] != "ilacs_inspection")
    assert letter["other_files"] == []
    # Each judgement's history has the inspection's grade once.
    for area, points in body["grade_history"].items():
        assert len([p for p in points if p["report_date"] == inspection["report_date"]]) == 1, area
