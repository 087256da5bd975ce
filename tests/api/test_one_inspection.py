"""One inspection, one record: Wandsworth's 2023 ILACS report dropped as the PDF and as the
text export users also drop is one report in lists, search, counts and the authority's
timeline; the file stored second is its copy, reachable and named, never counted twice."""

from __future__ import annotations

import httpx
import pytest

from findings_shared.events import ReportParsed

pytestmark = pytest.mark.integration

AS_PDF = "inspection_wandsworth_2023-01-13.pdf"
AS_TEXT = "inspection_wandsworth_2023-01-13.txt"
LETTER_2011 = "letter_wandsworth_2011-07-07.txt"
FILES = [AS_PDF, AS_TEXT, LETTER_2011]


async def test_the_same_inspection_in_two_files_is_one_report(
    stored: dict[str, ReportParsed], client: httpx.AsyncClient
) -> None:
    both = {stored[AS_PDF].report_id, stored[AS_TEXT].report_id}
    assert len(both) == 2  # two files, two reports as parsed

    listed = (await client.get("/reports", params={"total": "true"})).json()
    assert listed["total"] == 2  # the 2011 letter and the 2023 inspection, once
    [kept] = [r["report_id"] for r in listed["items"] if r["report_id"] in both]
    [other] = sorted(both - {kept})
    assert [r["other_files"] for r in listed["items"] if r["report_id"] == kept] == [[other]]
    # Its file's lifecycle names the report standing for it, and what the parser made of it.
    copy_file = (await client.get(f"/files/{other}")).json()
    assert copy_file["same_as"] == kept
    assert copy_file["parser_version"] == stored[AS_PDF].parser_version
    assert copy_file["finding_count"] == len(
        (stored[AS_TEXT] if other == stored[AS_TEXT].report_id else stored[AS_PDF]).findings
    )
    assert (await client.get(f"/files/{kept}")).json()["same_as"] is None

    # The copy's id answers with the inspection's report, which names it.
    for asked in both:
        detail = (await client.get(f"/reports/{asked}")).json()
        assert detail["report_id"] == kept
        assert detail["other_files"] == [other]
    # Each file is found as dropped (here the corpus run's inbox is gone: 410, not 404).
    for asked in both:
        response = await client.get(f"/reports/{asked}/file")
        assert response.status_code in (200, 410), response.text

    # Search and counts see its findings once.
    facets = (await client.get("/findings/facets", params={"group_by": "category"})).json()
    kept_report = stored[AS_PDF] if kept == stored[AS_PDF].report_id else stored[AS_TEXT]
    assert facets["total_findings"] == len(kept_report.findings) + len(stored[LETTER_2011].findings)
    found = (await client.get("/findings", params={"limit": 500})).json()["items"]
    assert other not in {f["report_id"] for f in found}

    # The timeline has it once, naming the other file; each grade once.
    body = (await client.get("/local-authorities/212")).json()
    timeline = body["reports"]
    assert len(timeline) == 2
    inspection = next(r for r in timeline if r["report_type"] == "ilacs_inspection")
    assert (inspection["report_id"], inspection["other_files"]) == (kept, [other])
    for area, points in body["grade_history"].items():
        assert len([p for p in points if p["report_date"] == inspection["report_date"]]) == 1, area
