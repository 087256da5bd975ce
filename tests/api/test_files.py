"""GET /files: every file's state in the pipeline, from the ingest ledger and the store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest

from findings_api.app import create_app
from findings_api.settings import ApiSettings
from findings_ingest.adapters.repository import LedgerRepository, Outcome
from findings_ingest.migrations_path import MIGRATIONS as INGEST_MIGRATIONS
from findings_parse.core.parser import parse_report
from findings_shared.database import make_engine, make_sessionmaker, migrate
from findings_shared.events import ReportFailed, Stage, report_id_of
from findings_shared.settings import DatabaseSettings
from findings_store.migrations_path import MIGRATIONS as STORE_MIGRATIONS
from findings_store.repository import ReportRepository
from tests.conftest import REPORTS, seen_in_inbox

pytestmark = pytest.mark.integration

GOOD = REPORTS / "letter_wandsworth_2011-07-07.txt"
BROKEN = b"%PDF-1.7 broken"


@pytest.fixture
async def client(database_settings: DatabaseSettings) -> AsyncIterator[httpx.AsyncClient]:
    await migrate(INGEST_MIGRATIONS, database_settings.url)
    await migrate(STORE_MIGRATIONS, database_settings.url)
    engine = make_engine(database_settings)
    now = datetime.now(UTC)
    good = GOOD.read_bytes()
    async with make_sessionmaker(engine).begin() as session:
        ledger = LedgerRepository(session)
        for item in (
            seen_in_inbox(GOOD.name, good),
            seen_in_inbox("copy.txt", good),
            seen_in_inbox("broken.pdf", BROKEN),
            seen_in_inbox("empty.pdf", b"", "the file is empty"),
        ):
            await ledger.record_objects([item])
            # As ingest does: a report is announced once, whatever its names.
            if item.rejection is None and await ledger.add_reports([item]):
                assert item.sha256 is not None
                await ledger.mark_announced([item.sha256], now)
        await ledger.mark_finished(
            [
                Outcome(report_id_of(good), "stored"),
                Outcome(report_id_of(BROKEN), "failed", "the PDF cannot be opened"),
            ],
            now,
        )
        store = ReportRepository(session)
        await store.replace_report(parse_report(good, GOOD.name), "file:///inbox/x", now)
        await store.record_failure(
            ReportFailed(
                report_id=report_id_of(BROKEN),
                object_uri="file:///inbox/broken.pdf",
                stage=Stage.PARSE,
                error_type="unreadable_report",
                reason="the PDF cannot be opened",
            )
        )
        await store.changed()  # as store's handler counts each transaction
    await engine.dispose()
    app = create_app(ApiSettings(database=database_settings))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
            yield client


async def test_files_show_every_state_with_its_reason(client: httpx.AsyncClient) -> None:
    files = (await client.get("/files")).json()["items"]
    by_name = {f["name"]: f for f in files}
    assert set(by_name) == {GOOD.name, "copy.txt", "broken.pdf", "empty.pdf"}
    assert by_name[GOOD.name]["status"] == "stored"
    assert by_name[GOOD.name]["finding_count"] == 26
    assert by_name["copy.txt"]["status"] == "stored"  # same bytes: the same report
    assert by_name["broken.pdf"]["status"] == "failed"
    assert by_name["broken.pdf"]["reason"] == "the PDF cannot be opened"
    assert by_name["empty.pdf"]["status"] == "rejected"
    assert by_name["empty.pdf"]["reason"] == "the file is empty"
    failed = (await client.get("/files", params={"status": "failed"})).json()["items"]
    assert [f["name"] for f in failed] == ["broken.pdf"]
    assert (await client.get("/files", params={"status": "lost"})).status_code == 422
    # Each state's filter (read from the ledger's own columns) keeps exactly the files the
    # whole list shows in that state, in the same order.
    for state in ("rejected", "pending", "announced", "stored", "failed", "stuck"):
        filtered = (await client.get("/files", params={"status": state})).json()["items"]
        assert filtered == [f for f in files if f["status"] == state], state


async def test_files_page_by_cursor_in_the_order_of_the_whole_list(
    client: httpx.AsyncClient,
) -> None:
    everything = (await client.get("/files")).json()["items"]
    walked, cursor = [], None
    while True:
        params = {"limit": "1"} | ({"cursor": cursor} if cursor else {})
        body = (await client.get("/files", params=params)).json()
        walked += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert walked == everything
    assert len(walked) == 4


async def test_a_files_lifecycle(client: httpx.AsyncClient) -> None:
    good = (await client.get(f"/files/{report_id_of(GOOD.read_bytes())}")).json()
    assert good["status"] == "stored"
    assert good["names"] == ["copy.txt", GOOD.name]
    assert good["announce_count"] == 1
    assert good["failures"] == []
    broken = (await client.get(f"/files/{report_id_of(BROKEN)}")).json()
    assert broken["status"] == "failed"
    assert [(f["stage"], f["error_type"]) for f in broken["failures"]] == [
        ("parse", "unreadable_report")
    ]
    missing = await client.get(f"/files/{'0' * 64}")
    assert missing.status_code == 404
