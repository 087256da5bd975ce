"""A search's facets estimated from a sample of the reports (`estimate=true`,
findings_api.estimates), against counts made apart from the findings the search lists."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import httpx
import pytest

from findings_api.estimates import FEW, Estimate, Sample, estimated
from findings_api.repository import COUNTED_TOGETHER
from findings_api.settings import ApiSettings
from findings_shared.events import ReportParsed
from findings_shared.metrics import READ_CACHE
from findings_shared.settings import DatabaseSettings
from tests.api.conftest import api_client

pytestmark = pytest.mark.integration

FILES = [
    "inspection_birmingham_2023-04-18.pdf",
    "inspection_bolton_2023-10-27.pdf",
    "inspection_brent_2018-07-02.pdf",
    "inspection_bromley_2024-01-12.pdf",
    "inspection_cheshire-east_2020-01-09.pdf",
    "inspection_coventry_2022-08-12.pdf",
    "inspection_devon_2025-05-13.pdf",
    "inspection_doncaster_2022-04-08.pdf",
    "inspection_durham_2019-10-21.pdf",
    "inspection_east-sussex_2024-02-06.pdf",
    "inspection_hackney_2024-08-20.pdf",
    "inspection_halton_2020-04-15.pdf",
]
SEARCH = {"q": "children"}


def estimating(database_settings: DatabaseSettings, sixteenths: int, above: int) -> Any:
    return api_client(
        ApiSettings(
            database=database_settings,
            facet_sample_sixteenths=sixteenths,
            facet_estimate_above=above,
        )
    )


async def facets(client: httpx.AsyncClient, group: str, estimate: bool) -> dict[str, Any]:
    params = {**SEARCH, "group_by": group, "estimate": str(estimate).lower()}
    response = await client.get("/findings/facets", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def listed(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    """Every finding the search finds, page by page."""
    found: list[dict[str, Any]] = []
    cursor = None
    while True:
        params = {**SEARCH, "limit": "500", **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/findings", params=params)).json()
        found += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return found


async def test_a_sample_of_every_report_estimates_the_exact_counts(
    stored: dict[str, ReportParsed], database_settings: DatabaseSettings
) -> None:
    """With every report sampled, each estimate is the exact count, its interval only it."""
    async with estimating(database_settings, sixteenths=16, above=0) as client:
        estimates = {
            group: await facets(client, group, estimate=True) for group in COUNTED_TOGETHER
        }
        exact = {group: await facets(client, group, estimate=False) for group in COUNTED_TOGETHER}
    for group in COUNTED_TOGETHER:
        assert estimates[group]["estimated"] is True
        assert estimates[group]["sampled_share"] == 1.0
        assert exact[group]["estimated"] is False
        for total in ("total_findings", "total_reports"):
            assert estimates[group][total] == exact[group][total]
            assert estimates[group][f"{total}_low"] == exact[group][total]
            assert estimates[group][f"{total}_high"] == exact[group][total]
        assert [
            (b["key"], b["findings"], b["reports"], b["share_of_reports"])
            for b in estimates[group]["buckets"]
        ] == [
            (b["key"], b["findings"], b["reports"], b["share_of_reports"])
            for b in exact[group]["buckets"]
        ], group
        assert all(
            b["findings_low"] == b["findings"] == b["findings_high"]
            and b["reports_low"] == b["reports"] == b["reports_high"]
            for b in estimates[group]["buckets"]
        ), group


async def test_half_the_reports_estimate_the_counts_with_their_intervals(
    stored: dict[str, ReportParsed], database_settings: DatabaseSettings
) -> None:
    """Reports whose ids begin with 0-7 are the sample: each count is twice theirs, and
    its interval the one their sum, sum of squares and largest count make (y: a report's
    findings counted; tests/api/test_estimates.py checks the interval itself)."""
    async with estimating(database_settings, sixteenths=8, above=0) as client:
        by_tone = await facets(client, "tone", estimate=True)
        found = await listed(client)
    sampled = [f for f in found if f["report_id"][0] < "8"]
    assert 0 < len({f["report_id"] for f in sampled}) < len({f["report_id"] for f in found})

    half = Sample(8)

    # The most matches a sampled report has: the upper bound's added report where fewer
    # than FEW sampled reports carry a value.
    most = max(Counter(f["report_id"] for f in sampled).values())

    def expected(per_report: Counter[str]) -> tuple[Estimate, Estimate]:
        counts = per_report.values()
        reports = len(per_report)
        added = max(counts) if reports >= FEW else most
        findings = estimated(sum(counts), sum(n * n for n in counts), added, half)
        assert findings.value == 2 * sum(counts)
        return findings, estimated(reports, reports, 1, half)

    tones: dict[str | None, Counter[str]] = defaultdict(Counter)
    for finding in sampled:
        tones[finding["tone"]][finding["report_id"]] += 1
    assert by_tone["estimated"] is True
    assert by_tone["sampled_share"] == 0.5

    def interval(body: dict[str, Any], prefix: str) -> tuple[Estimate, Estimate]:
        return (
            Estimate(*(body[f"{prefix}findings{end}"] for end in ("", "_low", "_high"))),
            Estimate(*(body[f"{prefix}reports{end}"] for end in ("", "_low", "_high"))),
        )

    assert interval(by_tone, "total_") == expected(Counter(f["report_id"] for f in sampled))
    assert {b["key"]: interval(b, "") for b in by_tone["buckets"]} == {
        tone: expected(per_report) for tone, per_report in tones.items()
    }


async def test_estimates_give_way_to_exact_counts(
    stored: dict[str, ReportParsed], database_settings: DatabaseSettings
) -> None:
    """A search whose sample scales to no more findings than the setting, and a search
    whose exact count is kept, are counted exactly; so are facets without words."""
    async with estimating(database_settings, sixteenths=8, above=100_000) as client:
        small = await facets(client, "theme", estimate=True)
        assert small["estimated"] is False
        assert small == await facets(client, "theme", estimate=False)
    async with estimating(database_settings, sixteenths=8, above=0) as client:
        assert (await facets(client, "region", estimate=True))["estimated"] is True
        exact = await facets(client, "region", estimate=False)
        assert exact["estimated"] is False
        assert await facets(client, "region", estimate=True) == exact
        no_words = await client.get(
            "/findings/facets", params={"group_by": "tone", "estimate": "true"}
        )
        assert no_words.json()["estimated"] is False


async def test_a_sample_is_counted_once_until_store_changes(
    stored: dict[str, ReportParsed], database_settings: DatabaseSettings
) -> None:
    """The seven facets of a search page share one count of the sample, kept as an exact
    count is (a client that never asks for exact counts does not count the sample again
    at each request)."""

    def sample_counts(outcome: str) -> float:
        return READ_CACHE.labels("facet sample", outcome)._value.get()  # type: ignore[no-any-return]

    computed, kept = sample_counts("miss"), sample_counts("hit")
    async with estimating(database_settings, sixteenths=8, above=0) as client:
        answers = [await facets(client, group, estimate=True) for group in COUNTED_TOGETHER]
        again = await facets(client, "tone", estimate=True)
    assert all(answer["estimated"] for answer in answers)
    assert again == next(answer for answer in answers if answer["group_by"] == "tone")
    assert sample_counts("miss") - computed == 1
    assert sample_counts("hit") - kept == len(COUNTED_TOGETHER)
