"""What changed, and how many: Atom feeds of reports as they are stored, `changed_since`,
`total`, and facets within facets (a theme's share of each year's reports)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

import httpx
import pytest
from sqlalchemy import text

from findings_shared.database import make_engine
from findings_shared.events import Grade, ReportParsed
from findings_shared.settings import DatabaseSettings
from tests.api.test_queries import LEWISHAM_2019, SALFORD_2018, WANDSWORTH_2023

pytestmark = pytest.mark.integration

CHESHIRE_EAST_2024 = "inspection_cheshire-east_2024-05-16.pdf"  # inadequate
FILES = [WANDSWORTH_2023, LEWISHAM_2019, SALFORD_2018, CHESHIRE_EAST_2024]
ATOM = "{http://www.w3.org/2005/Atom}"


async def test_atom_feeds_of_new_and_of_inadequate_reports(
    stored: dict[str, ReportParsed], client: httpx.AsyncClient
) -> None:
    response = await client.get("/feeds/reports.atom")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = ElementTree.fromstring(response.content)
    entries = feed.findall(f"{ATOM}entry")
    ids = {entry.findtext(f"{ATOM}id", "").rsplit("/", 1)[-1] for entry in entries}
    assert ids == {report.report_id for report in stored.values()}

    inadequate = ElementTree.fromstring((await client.get("/feeds/inadequate.atom")).content)
    flagged = {
        e.findtext(f"{ATOM}id", "").rsplit("/", 1)[-1] for e in inadequate.findall(f"{ATOM}entry")
    }
    assert flagged == {
        report.report_id
        for report in stored.values()
        if any(j.grade is Grade.INADEQUATE for j in report.judgements)
    }
    assert stored[CHESHIRE_EAST_2024].report_id in flagged


async def test_changed_since_and_totals(
    stored: dict[str, ReportParsed],
    client: httpx.AsyncClient,
    database_settings: DatabaseSettings,
) -> None:
    # Wandsworth stored "an hour ago", the others now: only they changed since 30 minutes.
    engine = make_engine(database_settings)
    async with engine.begin() as connection:
        await connection.execute(
            text(
                "update store.reports set stored_at = now() - interval '1 hour'"
                " where report_id = :id"
            ),
            {"id": stored[WANDSWORTH_2023].report_id},
        )
    await engine.dispose()
    since = (datetime.now(UTC) - timedelta(minutes=30)).isoformat()
    recent = (await client.get("/reports", params={"changed_since": since, "total": "true"})).json()
    expected = {r.report_id for name, r in stored.items() if name != WANDSWORTH_2023}
    assert {item["report_id"] for item in recent["items"]} == expected
    assert recent["total"] == len(expected)
    assert (await client.get("/reports")).json()["total"] is None  # only when asked

    findings = (
        await client.get("/findings", params={"changed_since": since, "total": "true", "limit": 5})
    ).json()
    assert len(findings["items"]) == 5
    assert findings["total"] == sum(
        len(stored[name].findings) for name in FILES if name != WANDSWORTH_2023
    )
    assert {item["report_id"] for item in findings["items"]} <= expected


async def test_a_themes_share_of_each_years_reports(
    stored: dict[str, ReportParsed], client: httpx.AsyncClient
) -> None:
    body = (
        await client.get(
            "/findings/facets", params={"group_by": "theme", "then_by": "year", "tone": "concern"}
        )
    ).json()
    assert body["then_by"] == "year"

    def year(report: ReportParsed) -> str:
        day = report.published or report.inspection_end
        assert day is not None
        return str(day.year)

    concerns = [
        (report, finding)
        for report in stored.values()
        for finding in report.findings
        if finding.tone and finding.tone.value == "concern"
    ]
    reports_in_year = Counter(year(r) for r in {r.report_id: r for r, _ in concerns}.values())
    expected: dict[tuple[str, str], set[str]] = {}
    for report, finding in concerns:
        for tag in finding.themes:
            expected.setdefault((tag.theme.value, year(report)), set()).add(report.report_id)
    got = {(b["key"], b["by"]): b for b in body["buckets"]}
    assert set(got) == set(expected)
    for (theme, in_year), reports in expected.items():
        bucket = got[(theme, in_year)]
        assert bucket["reports"] == len(reports)
        assert bucket["share_of_reports"] == round(len(reports) / reports_in_year[in_year], 4)
