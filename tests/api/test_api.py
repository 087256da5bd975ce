"""The HTTP API over a real PostgreSQL filled by the real pipeline (`tests.corpus`)."""

from __future__ import annotations

from collections import Counter

import httpx
import pytest
from pydantic import ValidationError
from sqlalchemy import text

from findings_api.app import create_app
from findings_api.settings import ApiSettings
from findings_shared.database import make_engine
from findings_shared.events import ReportParsed
from findings_shared.settings import DatabaseSettings

pytestmark = pytest.mark.integration


FILES = [
    "inspection_wandsworth_2023-01-13.pdf",
    "letter_wandsworth_2011-07-07.txt",
    "inspection_salford_2018-11-12.pdf",
]


async def test_health_checks_the_database(
    stored: dict[str, ReportParsed], client: httpx.AsyncClient
) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


async def test_reports_are_listed_and_filtered(
    stored: dict[str, ReportParsed], client: httpx.AsyncClient
) -> None:
    everything = (await client.get("/reports")).json()
    assert len(everything["items"]) == 3
    assert everything["next_offset"] is None
    wandsworth = (await client.get("/reports", params={"la_code": "212"})).json()["items"]
    assert {r["report_id"] for r in wandsworth} == {
        stored[FILES[0]].report_id,
        stored[FILES[1]].report_id,
    }
    letters = (
        await client.get("/reports", params={"report_type": "annual_unannounced_inspection"})
    ).json()["items"]
    assert [r["local_authority"]["name"] for r in letters] == ["Wandsworth"]
    since = (await client.get("/reports", params={"published_from": "2020-01-01"})).json()
    assert [r["title"] for r in since["items"]] == [stored[FILES[0]].title]
    page = (await client.get("/reports", params={"limit": 2})).json()
    assert len(page["items"]) == 2
    assert page["next_offset"] == 2


async def test_a_report_comes_with_its_judgements_and_findings(
    stored: dict[str, ReportParsed], client: httpx.AsyncClient
) -> None:
    report = stored[FILES[0]]
    body = (await client.get(f"/reports/{report.report_id}")).json()
    assert body["local_authority"] == report.local_authority.model_dump()  # type: ignore[union-attr]
    assert body["lead_inspector"] == "Amanda Maxwell"
    assert body["inspection_start"] == "2022-11-07"
    assert [j["area"] for j in body["judgements"]] == [j.area.value for j in report.judgements]
    assert [f["text"] for f in body["findings"]] == [f.text for f in report.findings]
    assert body["quality"]["coverage"] == report.quality.coverage


async def test_unknown_and_malformed_report_ids(
    stored: dict[str, ReportParsed], client: httpx.AsyncClient
) -> None:
    missing = await client.get(f"/reports/{'0' * 64}")
    assert missing.status_code == 404
    assert "No report" in missing.json()["detail"]
    assert (await client.get("/reports/not-a-sha")).status_code == 422
    assert (await client.get("/reports", params={"la_code": "12"})).status_code == 422
    assert (await client.get("/findings", params={"category": "nonsense"})).status_code == 422


async def test_findings_are_filtered_and_searched(
    stored: dict[str, ReportParsed], client: httpx.AsyncClient
) -> None:
    letter = stored[FILES[1]]
    strengths = (
        await client.get(
            "/findings", params={"report_id": letter.report_id, "category": "strength"}
        )
    ).json()["items"]
    assert [f["text"] for f in strengths] == [
        f.text for f in letter.findings if f.category.value == "strength"
    ]
    help_protection = (
        await client.get(
            "/findings",
            params={"la_code": "355", "judgement_area": "help_and_protection", "limit": 500},
        )
    ).json()["items"]
    expected = [
        f
        for f in stored[FILES[2]].findings
        if f.judgement_area and f.judgement_area.value == "help_and_protection"
    ]
    assert len(help_protection) == len(expected)
    assert {f["local_authority_name"] for f in help_protection} == {"Salford"}

    hits = (await client.get("/findings", params={"q": "domestic abuse"})).json()["items"]
    assert hits
    assert all("domestic abuse" in f["text"].lower() for f in hits[:5])
    ranks = [f["rank"] for f in hits]
    assert ranks == sorted(ranks, reverse=True)
    none = (await client.get("/findings", params={"q": "zyzzyva"})).json()["items"]
    assert none == []


async def test_a_search_within_authorities_finds_their_matches_alone(
    stored: dict[str, ReportParsed], client: httpx.AsyncClient
) -> None:
    """One authority's search names it on the search rows, not on their reports (a plan
    of its own: its partition alone); its page, total and facets are what the national
    search finds of that authority, as two authorities' are (a join to their reports)."""

    async def found(params: dict[str, str]) -> dict[str, dict[str, str]]:
        answer = await client.get("/findings", params={"q": "children", "limit": "500", **params})
        return {f["finding_id"]: f for f in answer.json()["items"]}

    everywhere = await found({})
    assert {f["la_code"] for f in everywhere.values()} == {"212", "355"}
    for la_code in ("212", "355"):
        alone = {key: f for key, f in everywhere.items() if f["la_code"] == la_code}
        assert await found({"la_code": la_code}) == alone
        params = {"q": "children", "la_code": la_code}
        page = await client.get("/findings", params={**params, "total": "true", "limit": "1"})
        assert page.json()["total"] == len(alone)
        by_tone = await client.get("/findings/facets", params={**params, "group_by": "tone"})
        facets = by_tone.json()
        assert (facets["total_findings"], facets["total_reports"]) == (
            len(alone),
            len({f["report_id"] for f in alone.values()}),
        )
        assert {b["key"]: b["findings"] for b in facets["buckets"]} == Counter(
            f["tone"] for f in alone.values()
        )
    both = await client.get(
        "/findings",
        params=[("q", "children"), ("limit", 500), ("la_code", "212"), ("la_code", "355")],
    )
    assert {f["finding_id"] for f in both.json()["items"]} == set(everywhere)


async def test_local_authorities(client: httpx.AsyncClient) -> None:
    authorities = (await client.get("/local-authorities")).json()
    wandsworth = next(a for a in authorities if a["la_code"] == "212")
    assert wandsworth == {
        "la_code": "212",
        "name": "Wandsworth",
        "ofsted_urn": "80518",
        "ons_code": "E09000032",
        "region": "London",
        "la_type": "London Borough",
    }


async def test_an_unmigrated_database_gives_503_not_500(client: httpx.AsyncClient) -> None:
    health = await client.get("/health")
    assert health.status_code == 503
    assert health.json()["status"] == "unhealthy"
    reports = await client.get("/reports")
    assert reports.status_code == 503
    assert "not available" in reports.json()["detail"]


@pytest.mark.parametrize(
    ("setting", "server_name", "value", "shown"),
    [
        ("query_parallel_workers", "max_parallel_workers_per_gather", 0, "0"),
        ("query_parallel_workers", "max_parallel_workers_per_gather", 3, "3"),
        ("query_parallel_workers", "max_parallel_workers_per_gather", None, None),
        ("query_random_page_cost", "random_page_cost", 1.1, "1.1"),
        ("query_random_page_cost", "random_page_cost", 1.7, "1.7"),
        ("query_random_page_cost", "random_page_cost", None, None),
        ("query_work_mem", "work_mem", "16MB", "16MB"),
        ("query_work_mem", "work_mem", "40MB", "40MB"),
        ("query_work_mem", "work_mem", None, None),
    ],
    ids=[
        "no workers",
        "three workers",
        "server's workers",
        "1.1",
        "1.7",
        "server's cost",
        "16MB",
        "40MB",
        "server's memory",
    ],
)
async def test_the_api_reads_with_the_planner_settings_it_is_given(
    database_settings: DatabaseSettings,
    setting: str,
    server_name: str,
    value: float | str | None,
    shown: str | None,
) -> None:
    """Each connection starts with `query_parallel_workers` (none by default),
    `query_random_page_cost` (1.1) and `query_work_mem` (16MB); unset, the server's own
    setting stands."""
    show = f"select current_setting('{server_name}')"
    engine = make_engine(database_settings)
    async with engine.connect() as connection:
        server = (await connection.execute(text(show))).scalar_one()
    await engine.dispose()
    settings = ApiSettings(database=database_settings).model_copy(update={setting: value})
    app = create_app(settings)
    async with app.router.lifespan_context(app), app.state.sessions() as session:
        assert (await session.execute(text(show))).scalar_one() == (shown or server)
    # The server's own differs from every value given, and from the defaults (0, 1.1, 16MB).
    assert server not in {"0", "3", "1.1", "1.7", "16MB", "40MB"}


def test_the_defaults_and_empty_planner_settings_leave_the_servers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert (ApiSettings().query_parallel_workers, ApiSettings().query_random_page_cost) == (0, 1.1)
    assert ApiSettings().query_work_mem == "16MB"
    monkeypatch.setenv("FINDINGS_API_QUERY_PARALLEL_WORKERS", "")
    monkeypatch.setenv("FINDINGS_API_QUERY_RANDOM_PAGE_COST", "")
    monkeypatch.setenv("FINDINGS_API_QUERY_WORK_MEM", "")
    assert ApiSettings().query_parallel_workers is None
    assert ApiSettings().query_random_page_cost is None
    assert ApiSettings().query_work_mem is None
    monkeypatch.setenv("FINDINGS_API_QUERY_WORK_MEM", "a lot")
    with pytest.raises(ValidationError):
        ApiSettings()
    monkeypatch.setenv("FINDINGS_API_QUERY_WORK_MEM", "64MB")
    assert ApiSettings().query_work_mem == "64MB"
    monkeypatch.setenv("FINDINGS_API_QUERY_PARALLEL_WORKERS", "2")
    monkeypatch.setenv("FINDINGS_API_QUERY_RANDOM_PAGE_COST", "1.5")
    assert (ApiSettings().query_parallel_workers, ApiSettings().query_random_page_cost) == (2, 1.5)
