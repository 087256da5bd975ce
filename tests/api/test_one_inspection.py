"""One inspection, one record: Wandsworth's 2023 ILACS report dropped as the PDF and as the
text export users also drop is one report in lists, search, counts and the authority's
timeline; the file stored second is its copy, reachable and named, never counted twice."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import text

from findings_shared.database import make_engine
from findings_shared.events import ReportParsed, ReportReplaced
from findings_shared.settings import DatabaseSettings
from tests.api.storing import store_changes
from tests.api.test_official import report_ids

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


async def test_a_copy_standing_for_its_inspection_is_checked_against_ofsted(
    stored: dict[str, ReportParsed],
    client: httpx.AsyncClient,
    database_settings: DatabaseSettings,
) -> None:
    """The report of an inspection is withdrawn and its copy stands for it: the copy's own
    row did not change, yet lists must check its grades against Ofsted's from then on."""
    both = {stored[AS_PDF].report_id, stored[AS_TEXT].report_id}
    listed = (await client.get("/reports")).json()["items"]
    [kept] = [r["report_id"] for r in listed if r["report_id"] in both]
    [other] = both - {kept}
    assert not set(await report_ids(client, needs_review="true")) & both
    # The copy as a parser's mistake would have stored it: copies are out of the read
    # model, so this changes nothing lists can see yet.
    engine = make_engine(database_settings)
    async with engine.begin() as connection:
        await connection.execute(
            text(
                "update store.judgements set grade = 'inadequate'"
                " where report_id = :id and area = 'overall_effectiveness'"
            ),
            {"id": other},
        )
        # Stored a day ago, as a copy usually was long before its report is withdrawn.
        await connection.execute(
            text(
                "update store.reports set stored_at = now() - interval '1 day'"
                " where report_id = :id"
            ),
            {"id": other},
        )
    await engine.dispose()
    assert not set(await report_ids(client, needs_review="true")) & both

    notice = ReportReplaced(
        report_id=kept, object_uri="file:///replaced.pdf", replaced_at=datetime.now(UTC)
    )
    await store_changes(database_settings, lambda store: store.withdraw(notice))
    assert await report_ids(client, needs_review="true") == [other]
    listed = (await client.get("/reports", params={"la_code": "212"})).json()["items"]
    [promoted] = [r for r in listed if r["report_id"] == other]
    assert promoted["quality"]["official_mismatch"] == [
        {"area": "overall_effectiveness", "parsed": "inadequate", "official": "good"}
    ]
