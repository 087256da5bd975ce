"""Weaknesses that recur, on real reports of three authorities. The links asserted here
were checked by reading both texts: each earlier finding raised the same weakness."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from findings_shared.events import ReportParsed

pytestmark = pytest.mark.integration

WOKINGHAM = [
    "inspection_wokingham_2019-07-15.pdf",
    "focused_visit_wokingham_2021-07-26.pdf",
    "focused_visit_wokingham_2024-03-20.pdf",
]
HALTON = ["inspection_halton_2015-02-03.pdf", "inspection_halton_2020-04-15.pdf"]
SUNDERLAND = ["inspection_sunderland_2018-07-25.pdf", "inspection_sunderland_2025-03-11.pdf"]
FILES = WOKINGHAM + HALTON + SUNDERLAND


async def recurring(client: httpx.AsyncClient, la_code: str) -> list[dict[str, Any]]:
    response = await client.get(f"/local-authorities/{la_code}/recurring")
    assert response.status_code == 200, response.text
    body: list[dict[str, Any]] = response.json()
    return body


def raised_before(items: list[dict[str, Any]], weakness: str) -> list[str]:
    item = next(i for i in items if i["weakness"]["text"].startswith(weakness))
    return [earlier["text"] for earlier in item["raised_before"]]


async def test_a_weakness_raised_again_links_to_where_it_was_raised_before(
    stored: dict[str, ReportParsed], client: httpx.AsyncClient
) -> None:
    wokingham = stored[WOKINGHAM[0]].local_authority
    halton = stored[HALTON[0]].local_authority
    assert wokingham is not None
    assert halton is not None
    assert wokingham.la_code
    assert halton.la_code

    items = await recurring(client, wokingham.la_code)
    earlier = raised_before(
        items, "Continue the work on improving the consistency and quality of supervision"
    )
    assert any(
        text.startswith("The level of critical scrutiny, and quality of supervision")
        for text in earlier
    )
    link = next(i for i in items if "supervision" in i["weakness"]["text"])["raised_before"][0]
    assert "supervision" in link["themes"]
    assert 0 < link["similarity"] <= 1
    assert link["report_id"] == stored[WOKINGHAM[0]].report_id

    items = await recurring(client, halton.la_code)
    assert any(
        text.startswith("Improve the quality of planning for children")
        for text in raised_before(items, "Quality of assessments, and plans")
    )
    assert any(
        text.startswith("Strengthen management oversight")
        for text in raised_before(items, "Management oversight, challenge and supervision")
    )
    # Newest report first, and every link points back in time.
    dates = [i["weakness"]["report_date"] for i in items]
    assert dates == sorted(dates, reverse=True)
    assert all(
        e["report_date"] < i["weakness"]["report_date"] for i in items for e in i["raised_before"]
    )


async def test_weaknesses_not_raised_before_are_not_linked(
    stored: dict[str, ReportParsed], client: httpx.AsyncClient
) -> None:
    """Sunderland 2025's three improvements (return home interviews, contact for
    unaccompanied children, personal advisers' workloads) were not 2018's weaknesses."""
    sunderland = stored[SUNDERLAND[1]].local_authority
    assert sunderland is not None
    assert sunderland.la_code
    assert await recurring(client, sunderland.la_code) == []
    assert (await client.get("/local-authorities/999/recurring")).status_code == 404


async def test_a_report_shows_where_each_of_its_weaknesses_was_raised_before(
    stored: dict[str, ReportParsed], client: httpx.AsyncClient
) -> None:
    """The report's own page carries the same links as the authority's recurring list,
    on its listed weaknesses only."""
    later = stored[WOKINGHAM[2]]
    assert later.local_authority is not None
    assert later.local_authority.la_code
    detail = (await client.get(f"/reports/{later.report_id}")).json()
    linked = {f["finding_id"]: f["raised_before"] for f in detail["findings"] if f["raised_before"]}
    listed = {
        item["weakness"]["finding_id"]: item["raised_before"]
        for item in await recurring(client, later.local_authority.la_code)
        if item["weakness"]["report_id"] == later.report_id
    }
    assert linked
    assert linked == listed
    weaknesses = {"improvement", "priority_action", "area_for_development"}
    assert all(f["category"] in weaknesses for f in detail["findings"] if f["raised_before"])
    # The earliest report has nothing before it.
    first = (await client.get(f"/reports/{stored[WOKINGHAM[0]].report_id}")).json()
    assert all(f["raised_before"] == [] for f in first["findings"])
