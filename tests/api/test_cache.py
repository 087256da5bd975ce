"""Aggregates served from memory until store counts a change (findings_api.cache)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import text

from findings_shared.database import make_engine
from findings_shared.events import ReportParsed
from findings_shared.settings import DatabaseSettings
from tests.api.test_queries import SALFORD_2018, WANDSWORTH_2023

pytestmark = pytest.mark.integration

FILES = [WANDSWORTH_2023, SALFORD_2018]


async def execute(database_settings: DatabaseSettings, *statements: str) -> None:
    engine = make_engine(database_settings)
    async with engine.begin() as connection:
        for statement in statements:
            await connection.execute(text(statement))
    await engine.dispose()


async def categories(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get("/findings/facets", params={"group_by": "category"})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_facets_and_summaries_are_kept_until_store_counts_a_change(
    stored: dict[str, ReportParsed],
    client: httpx.AsyncClient,
    database_settings: DatabaseSettings,
) -> None:
    before = await categories(client)
    national = (await client.get("/summary/national")).json()
    salford = stored[SALFORD_2018].report_id
    assert before["total_reports"] == 2
    # Changed behind store's back (no change counted): the kept answers still stand,
    # which shows they are kept.
    await execute(database_settings, f"delete from store.findings where report_id = '{salford}'")
    await execute(database_settings, f"delete from store.judgements where report_id = '{salford}'")
    assert await categories(client) == before
    assert (await client.get("/summary/national")).json() == national
    # Store counts every change it makes: then every answer is read again.
    await execute(database_settings, "update store.changes set version = version + 1")
    after = await categories(client)
    assert after["total_reports"] == 1
    assert after["total_findings"] == len(stored[WANDSWORTH_2023].findings)
    summary = (await client.get("/summary/national")).json()
    assert summary != national
    assert "355" not in {row["la_code"] for row in summary["latest"]}
