"""Query features of the API: authority filters, grades, sorting, cursors, snippets."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from findings_shared.events import ReportParsed

pytestmark = pytest.mark.integration

WANDSWORTH_2023 = "inspection_wandsworth_2023-01-13.pdf"  # London, good
LEWISHAM_2019 = "inspection_lewisham_2019-08-19.pdf"  # London, requires improvement
SALFORD_2018 = "inspection_salford_2018-11-12.pdf"  # North West, good
WANDSWORTH_2011 = "letter_wandsworth_2011-07-07.txt"  # no grades
FILES = [WANDSWORTH_2023, LEWISHAM_2019, SALFORD_2018, WANDSWORTH_2011]


async def report_ids(client: httpx.AsyncClient, **params: Any) -> list[str]:
    response = await client.get("/reports", params=params)
    assert response.status_code == 200, response.text
    return [r["report_id"] for r in response.json()["items"]]


async def test_reports_by_authority_code_name_ons_code_and_region(
    stored: dict[str, ReportParsed], client: httpx.AsyncClient
) -> None:
    wandsworth = {stored[WANDSWORTH_2023].report_id, stored[WANDSWORTH_2011].report_id}
    assert set(await report_ids(client, la_code="212")) == wandsworth
    assert set(await report_ids(client, authority="London Borough of Wandsworth")) == wandsworth
    assert set(await report_ids(client, ons_code="E09000032")) == wandsworth
    london = wandsworth | {stored[LEWISHAM_2019].report_id}
    assert set(await report_ids(client, region="london")) == london
    both = await report_ids(client, la_code=["212", "355"], report_type="ilacs_inspection")
    assert set(both) == {stored[WANDSWORTH_2023].report_id, stored[SALFORD_2018].report_id}
    # Filters combine: Salford is not in London.
    assert await report_ids(client, region="London", la_code="355") == []

    unknown = await client.get("/reports", params={"authority": "Narnia"})
    assert unknown.status_code == 422
    assert "No English local authority matches authority='Narnia'" in unknown.json()["detail"]
    assert (await client.get("/reports", params={"la_code": "21"})).status_code == 422
    assert (await client.get("/reports", params={"ons_code": "W06000001"})).status_code == 422


async def test_reports_by_grade_and_in_either_order(
    stored: dict[str, ReportParsed], client: httpx.AsyncClient
) -> None:
    requires_improvement = await report_ids(
        client, judgement_area="overall_effectiveness", grade="requires_improvement"
    )
    assert requires_improvement == [stored[LEWISHAM_2019].report_id]
    good = await report_ids(client, judgement_area="overall_effectiveness", grade="good")
    assert set(good) == {stored[WANDSWORTH_2023].report_id, stored[SALFORD_2018].report_id}

    newest = await report_ids(client)
    oldest = await report_ids(client, sort="oldest")
    assert newest == list(reversed(oldest))
    assert newest[0] == stored[WANDSWORTH_2023].report_id
    assert oldest[0] == stored[WANDSWORTH_2011].report_id


async def test_cursor_pages_cover_every_finding_once_in_order(
    stored: dict[str, ReportParsed], client: httpx.AsyncClient
) -> None:
    total = sum(len(report.findings) for report in stored.values())
    everything = (await client.get("/findings", params={"limit": 500})).json()["items"]
    assert len(everything) == total
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 37}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get("/findings", params=params)).json()
        seen += [f["finding_id"] for f in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [f["finding_id"] for f in everything]

    forged = await client.get("/findings", params={"cursor": "bm90IGEgY3Vyc29y"})
    assert forged.status_code == 422
    assert "not a cursor from this API" in forged.json()["detail"]


async def test_a_cursor_of_one_sort_is_refused_for_another(
    stored: dict[str, ReportParsed], client: httpx.AsyncClient
) -> None:
    first = (await client.get("/findings", params={"limit": 5, "sort": "oldest"})).json()
    refused = await client.get(
        "/findings", params={"limit": 5, "sort": "newest", "cursor": first["next_cursor"]}
    )
    assert refused.status_code == 422
    assert "another sort order" in refused.json()["detail"]


async def test_search_ranks_highlights_and_pages_by_cursor(
    stored: dict[str, ReportParsed], client: httpx.AsyncClient
) -> None:
    params: dict[str, Any] = {"q": "domestic abuse", "limit": 3}
    first = (await client.get("/findings", params=params)).json()
    assert len(first["items"]) == 3
    for finding in first["items"]:
        assert "<mark>" in finding["snippet"]
        assert "<script" not in finding["snippet"]
    second = (
        await client.get("/findings", params={**params, "cursor": first["next_cursor"]})
    ).json()
    ranks = [f["rank"] for f in first["items"] + second["items"]]
    assert ranks == sorted(ranks, reverse=True)
    ids = [f["finding_id"] for f in first["items"] + second["items"]]
    assert len(set(ids)) == len(ids)
    assert (await client.get("/findings", params={"sort": "relevance"})).status_code == 422


async def test_findings_by_grade_of_their_own_judgement_area(
    stored: dict[str, ReportParsed], client: httpx.AsyncClient
) -> None:
    response = await client.get("/findings", params={"grade": "requires_improvement", "limit": 500})
    items = response.json()["items"]
    lewisham = stored[LEWISHAM_2019]
    graded = {j.area for j in lewisham.judgements if j.grade.value == "requires_improvement"}
    expected = [f for f in lewisham.findings if f.judgement_area in graded]
    assert expected
    assert sorted(f["finding_id"] for f in items) == sorted(f.finding_id for f in expected)


async def test_findings_by_their_reports_overall_grade(
    stored: dict[str, ReportParsed], client: httpx.AsyncClient
) -> None:
    """The other meaning of "grade": every finding of a report judged so overall."""
    response = await client.get("/findings", params={"report_grade": "good", "limit": 500})
    assert response.status_code == 200, response.text
    got = {f["finding_id"] for f in response.json()["items"]}
    good = [
        report
        for report in stored.values()
        if any(
            j.area.value == "overall_effectiveness" and j.grade.value == "good"
            for j in report.judgements
        )
    ]
    assert {WANDSWORTH_2023, SALFORD_2018} == {name for name, r in stored.items() if r in good}
    assert got == {f.finding_id for report in good for f in report.findings}
