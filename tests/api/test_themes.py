"""Themes and tone over the API: each finding's, the filters, and /findings/facets, whose
counts are checked against the parsed reports counted here independently."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from findings_api.repository import COUNTED_TOGETHER, FacetRow, FindingFilter, ReadRepository
from findings_shared.database import make_engine
from findings_shared.events import THEME_AREA, Finding, JudgementArea, ReportParsed
from findings_shared.local_authorities import local_authority_by_code
from findings_shared.settings import DatabaseSettings
from tests.api.test_queries import LEWISHAM_2019, SALFORD_2018, WANDSWORTH_2011, WANDSWORTH_2023

pytestmark = pytest.mark.integration

FILES = [WANDSWORTH_2023, LEWISHAM_2019, SALFORD_2018, WANDSWORTH_2011]

Pairs = Iterable[tuple[ReportParsed, Finding]]


def every_finding(stored: dict[str, ReportParsed]) -> list[tuple[ReportParsed, Finding]]:
    return [(report, finding) for report in stored.values() for finding in report.findings]


def expected_buckets(
    pairs: Pairs, keys: Callable[[ReportParsed, Finding], set[Any]]
) -> dict[Any, tuple[int, int]]:
    findings: Counter[Any] = Counter()
    reports: dict[Any, set[str]] = {}
    for report, finding in pairs:
        for key in keys(report, finding):
            findings[key] += 1
            reports.setdefault(key, set()).add(report.report_id)
    return {key: (findings[key], len(reports[key])) for key in findings}


async def facets(client: httpx.AsyncClient, **params: Any) -> dict[str, Any]:
    response = await client.get("/findings/facets", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def buckets(body: dict[str, Any]) -> dict[Any, tuple[int, int]]:
    return {b["key"]: (b["findings"], b["reports"]) for b in body["buckets"]}


async def test_findings_carry_their_themes_and_tone(
    stored: dict[str, ReportParsed], client: httpx.AsyncClient
) -> None:
    report = stored[SALFORD_2018]
    detail = (await client.get(f"/reports/{report.report_id}")).json()
    served = {f["finding_id"]: f for f in detail["findings"]}
    for finding in report.findings:
        item = served[finding.finding_id]
        assert item["themes"] == [t.model_dump(mode="json") for t in finding.themes]
        assert item["tone"] == (finding.tone.value if finding.tone else None)
        assert item["sentence_tones"] == [s.model_dump(mode="json") for s in finding.sentence_tones]
    assert any(item["themes"] for item in served.values())


async def test_findings_filtered_by_theme_area_and_tone(
    stored: dict[str, ReportParsed], client: httpx.AsyncClient
) -> None:
    pairs = every_finding(stored)
    concerns = [f for _, f in pairs if f.tone and f.tone.value == "concern"]
    theme, _ = Counter(t.theme for f in concerns for t in f.themes).most_common(1)[0]
    response = await client.get(
        "/findings", params={"theme": theme.value, "tone": "concern", "limit": 500}
    )
    assert response.status_code == 200, response.text
    got = {item["finding_id"] for item in response.json()["items"]}
    wanted = {
        f.finding_id
        for _, f in pairs
        if f.tone and f.tone.value == "concern" and theme in {t.theme for t in f.themes}
    }
    assert got == wanted
    assert wanted

    area = THEME_AREA[theme]
    response = await client.get("/findings", params={"area": area.value, "limit": 500})
    got = {item["finding_id"] for item in response.json()["items"]}
    assert got == {f.finding_id for _, f in pairs if area in {t.area for t in f.themes}}

    for bad in ({"theme": "astrology"}, {"tone": "grumpy"}, {"area": "nowhere"}):
        assert (await client.get("/findings", params=bad)).status_code == 422


async def test_facets_count_findings_and_reports_as_the_reports_say(
    stored: dict[str, ReportParsed], client: httpx.AsyncClient
) -> None:
    pairs = every_finding(stored)
    concerns = [(r, f) for r, f in pairs if f.tone and f.tone.value == "concern"]

    body = await facets(client, group_by="theme", tone="concern")
    assert body["total_findings"] == len(concerns)
    assert body["total_reports"] == len({r.report_id for r, _ in concerns})
    assert buckets(body) == expected_buckets(
        concerns, lambda _, f: {t.theme.value for t in f.themes}
    )
    shares = {b["key"]: b["share_of_reports"] for b in body["buckets"]}
    assert all(0 < share <= 1 for share in shares.values())

    assert buckets(await facets(client, group_by="area")) == expected_buckets(
        pairs, lambda _, f: {t.area.value for t in f.themes}
    )
    assert buckets(await facets(client, group_by="tone")) == expected_buckets(
        pairs, lambda _, f: {f.tone.value if f.tone else None}
    )
    assert buckets(await facets(client, group_by="category")) == expected_buckets(
        pairs, lambda _, f: {f.category.value}
    )
    assert buckets(await facets(client, group_by="report_type")) == expected_buckets(
        pairs, lambda r, _: {r.report_type.value}
    )

    def year(report: ReportParsed) -> str | None:
        day = report.published or report.inspection_end
        return str(day.year) if day else None

    assert buckets(await facets(client, group_by="year")) == expected_buckets(
        pairs, lambda r, _: {year(r)}
    )

    def region(report: ReportParsed) -> str | None:
        code = report.local_authority.la_code if report.local_authority else None
        authority = local_authority_by_code(code) if code else None
        return authority.region if authority else None

    assert buckets(await facets(client, group_by="region")) == expected_buckets(
        pairs, lambda r, _: {region(r)}
    )

    def overall(report: ReportParsed) -> str | None:
        grades = [
            j.grade.value
            for j in report.judgements
            if j.area is JudgementArea.OVERALL_EFFECTIVENESS
        ]
        return grades[0] if grades else None

    assert buckets(await facets(client, group_by="grade")) == expected_buckets(
        pairs, lambda r, _: {overall(r)}
    )


async def test_facets_take_the_filters_of_findings(
    stored: dict[str, ReportParsed], client: httpx.AsyncClient
) -> None:
    wandsworth = [
        (r, f)
        for r, f in every_finding(stored)
        if r.local_authority and r.local_authority.la_code == "212"
    ]
    body = await facets(client, group_by="category", la_code="212")
    assert buckets(body) == expected_buckets(wandsworth, lambda _, f: {f.category.value})
    assert body["total_reports"] == 2
    assert (await client.get("/findings/facets", params={"group_by": "colour"})).status_code == 422
    assert (await client.get("/findings/facets")).status_code == 422


async def test_a_search_pages_facets_counted_together_equal_each_counted_alone(
    stored: dict[str, ReportParsed], database_settings: DatabaseSettings
) -> None:
    """The facets a search page asks at once are counted from one read of the findings
    (`counted_together`): each equals the facet counted alone, with the same totals."""
    engine = make_engine(database_settings)
    try:
        async with AsyncSession(engine) as session:
            read = ReadRepository(session)
            wheres = [
                FindingFilter(),
                FindingFilter(q="children"),
                FindingFilter(q="care leavers", tone="concern"),
                FindingFilter(la_codes=("212",), category="improvement"),
                FindingFilter(la_codes=("212", "209"), report_grade="good"),
                FindingFilter(q="astrology horoscope"),
            ]
            for where in wheres:
                totals, rows = await read.counted_together(where)
                assert totals == await read.count_findings(where), where
                for group in COUNTED_TOGETHER:
                    alone = await read.finding_facets(where, group)
                    together = [
                        FacetRow(r.key, r.findings, r.reports) for r in rows if r.by == group
                    ]
                    assert together == alone, (where, group)
                assert {r.by for r in rows} == (set(COUNTED_TOGETHER) if totals.findings else set())
            # Not vacuous: a search with a filter as well found findings to count.
            assert (await read.counted_together(wheres[2]))[0].findings > 0
    finally:
        await engine.dispose()


async def test_a_finding_export_names_each_findings_themes_and_tone(
    stored: dict[str, ReportParsed], client: httpx.AsyncClient
) -> None:
    report = stored[SALFORD_2018]
    response = await client.get(
        "/findings", params={"report_id": report.report_id, "format": "csv", "sort": "oldest"}
    )
    assert response.status_code == 200, response.text
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["Finding ID"] for row in rows] == [f.finding_id for f in report.findings]
    for row, finding in zip(rows, report.findings, strict=True):
        assert row["Themes"] == "; ".join(t.theme.value for t in finding.themes)
        assert row["Tone"] == (finding.tone.value if finding.tone else "")
