"""Aggregates served from memory until store counts a change (findings_api.cache); facets
kept across changes that only add reports."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import event, text

from findings_api.app import create_app
from findings_api.cache import ReadCache
from findings_api.repository import COUNTED_TOGETHER, ReadRepository, ReportFilter
from findings_api.settings import ApiSettings
from findings_api.warm import WARM_PATHS
from findings_shared.database import make_engine
from findings_shared.events import ReportParsed, ReportReplaced
from findings_shared.metrics import READ_CACHE
from findings_shared.settings import DatabaseSettings
from findings_store.repository import ReportRepository
from tests.api.conftest import api_client
from tests.api.storing import store_changes
from tests.api.test_queries import LEWISHAM_2019, SALFORD_2018, WANDSWORTH_2023
from tests.conftest import wait_until

pytestmark = pytest.mark.integration

FILES = [WANDSWORTH_2023, SALFORD_2018, LEWISHAM_2019]

# Facets asked in every test below: plain, by two keys, with finding and report filters.
FACETS: list[dict[str, str]] = [
    {"group_by": "category"},
    {"group_by": "theme", "tone": "concern"},
    {"group_by": "theme", "then_by": "year"},
    {"group_by": "area", "then_by": "region", "category": "improvement"},
    {"group_by": "grade", "region": "London"},
    # A search's: counted together with the six others a search page shows.
    {"group_by": "tone", "q": "children"},
]


async def execute(database_settings: DatabaseSettings, *statements: str) -> None:
    engine = make_engine(database_settings)
    async with engine.begin() as connection:
        for statement in statements:
            await connection.execute(text(statement))
    await engine.dispose()


async def facets(client: httpx.AsyncClient, params: dict[str, str]) -> dict[str, Any]:
    response = await client.get("/findings/facets", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def withdrawal(report: ReportParsed) -> ReportReplaced:
    return ReportReplaced(
        report_id=report.report_id, object_uri="file:///replaced.pdf", replaced_at=datetime.now(UTC)
    )


def stored_again(
    report: ReportParsed, withdrawing: ReportParsed | None = None
) -> Callable[[ReportRepository], Awaitable[None]]:
    """A change of store: the report stored again as store stores a new report (its
    tombstone cleared first), after another is withdrawn if given."""

    async def change(store: ReportRepository) -> None:
        if withdrawing is not None:
            await store.withdraw(withdrawal(withdrawing))
        await store.revive([report.report_id])
        await store.replace_report(report, "file:///again.pdf", datetime.now(UTC))

    return change


async def fresh_facets(database_settings: DatabaseSettings) -> list[dict[str, Any]]:
    """FACETS as a fresh app (nothing kept) answers them."""
    async with api_client(ApiSettings(database=database_settings)) as fresh:
        return [await facets(fresh, params) for params in FACETS]


def facets_counted(
    outcome: str = "added", kinds: tuple[str, ...] = ("facets", "facet set")
) -> float:
    """Questions of facets answered so (the facets a search page shows for words are kept
    together as one question of each search, `facet set`)."""
    counts: list[float] = [READ_CACHE.labels(kind, outcome)._value.get() for kind in kinds]
    return sum(counts)


async def test_facets_and_summaries_are_kept_until_store_counts_a_change(
    stored: dict[str, ReportParsed],
    client: httpx.AsyncClient,
    database_settings: DatabaseSettings,
) -> None:
    categories = {"group_by": "category"}
    before = await facets(client, categories)
    national = (await client.get("/summary/national")).json()
    salford = stored[SALFORD_2018]
    assert before["total_reports"] == 3
    # Changed behind store's back (no change counted): the kept answers still stand,
    # which shows they are kept.
    await execute(
        database_settings,
        f"delete from store.findings where report_id = '{salford.report_id}'",
        f"delete from store.judgements where report_id = '{salford.report_id}'",
    )
    assert await facets(client, categories) == before
    assert (await client.get("/summary/national")).json() == national
    # Store withdraws another report: the kept facet takes it away (Salford's findings
    # still counted, as kept), and the latest grades are asked again of its authority
    # alone (Salford's kept too).
    await store_changes(
        database_settings, lambda store: store.withdraw(withdrawal(stored[LEWISHAM_2019]))
    )
    after = await facets(client, categories)
    assert after["total_reports"] == 2
    assert after["total_findings"] == len(stored[WANDSWORTH_2023].findings) + len(salford.findings)
    summary = (await client.get("/summary/national")).json()
    assert {row["la_code"] for row in national["latest"]} == {"209", "212", "355"}
    assert {row["la_code"] for row in summary["latest"]} == {"212", "355"}


async def test_facets_add_the_reports_stored_since_and_equal_a_fresh_count(
    stored: dict[str, ReportParsed],
    client: httpx.AsyncClient,
    database_settings: DatabaseSettings,
) -> None:
    lewisham = stored[LEWISHAM_2019]
    await store_changes(database_settings, lambda store: store.withdraw(withdrawal(lewisham)))
    kept = [await facets(client, params) for params in FACETS]
    assert {body["total_reports"] for body in kept} <= {1, 2}

    await store_changes(database_settings, stored_again(lewisham))
    added = facets_counted()
    grown = [await facets(client, params) for params in FACETS]
    # Two of them ask a second facet for the shares: eight questions (one of them a
    # search's facets, counted together), each kept and added to.
    assert facets_counted() - added == 8
    assert grown != kept
    assert await fresh_facets(database_settings) == grown


async def test_facets_take_withdrawn_reports_away_and_equal_a_fresh_count(
    stored: dict[str, ReportParsed],
    client: httpx.AsyncClient,
    database_settings: DatabaseSettings,
) -> None:
    """A withdrawn report is taken from the kept counts as store kept it; in a change that
    also stores one, that one is added: the answers are those a fresh app gives."""
    lewisham, salford = stored[LEWISHAM_2019], stored[SALFORD_2018]
    kept = [await facets(client, params) for params in FACETS]
    taken = facets_counted("withdrawn")
    await store_changes(database_settings, lambda store: store.withdraw(withdrawal(lewisham)))
    shrunk = [await facets(client, params) for params in FACETS]
    assert facets_counted("withdrawn") - taken == 8
    assert shrunk != kept
    assert shrunk[0]["total_reports"] == 2
    assert await fresh_facets(database_settings) == shrunk

    await store_changes(database_settings, stored_again(lewisham, withdrawing=salford))
    changed = [await facets(client, params) for params in FACETS]
    assert facets_counted("withdrawn") - taken == 16
    assert await fresh_facets(database_settings) == changed


async def test_a_search_pages_facets_asked_at_once_are_counted_once(
    stored: dict[str, ReportParsed], client: httpx.AsyncClient
) -> None:
    """The web page asks the seven facets of a search at once: one request counts them
    all, and their totals, from one read of the findings; the others wait for it or find
    them kept."""
    search = {"q": "children", "tone": "concern"}
    before = {o: facets_counted(o, ("facet set",)) for o in ("miss", "shared", "hit")}
    alone = facets_counted("miss", ("facets", "finding count"))
    bodies = await asyncio.gather(
        *(facets(client, {**search, "group_by": group}) for group in COUNTED_TOGETHER)
    )
    after = {o: facets_counted(o, ("facet set",)) - before[o] for o in before}
    assert after["miss"] == 1
    assert after["shared"] + after["hit"] == len(COUNTED_TOGETHER) - 1
    # Nothing else was counted: not each facet alone, nor their totals apart.
    assert facets_counted("miss", ("facets", "finding count")) == alone
    assert [body["group_by"] for body in bodies] == list(COUNTED_TOGETHER)
    assert all(body["buckets"] and body["total_findings"] > 0 for body in bodies)


# The totals `total=true` asks, as an API client may (the search page takes its count
# from the facets, which share it).
TOTALS: list[dict[str, str]] = [{}, {"tone": "concern"}, {"q": "children"}, {"region": "London"}]


async def totals(client: httpx.AsyncClient) -> list[int]:
    found = []
    for params in TOTALS:
        response = await client.get("/findings", params={**params, "total": "true", "limit": "1"})
        assert response.status_code == 200, response.text
        found.append(response.json()["total"])
    return found


async def test_the_findings_total_is_kept_and_follows_stores_changes(
    stored: dict[str, ReportParsed],
    client: httpx.AsyncClient,
    database_settings: DatabaseSettings,
) -> None:
    """`total=true` is kept as a facet's totals are: until store counts a change, then
    with the withdrawn reports taken away and the stored ones added; equal to a fresh
    app's count each time."""
    lewisham, salford = stored[LEWISHAM_2019], stored[SALFORD_2018]
    first = await totals(client)
    assert first[0] == sum(len(report.findings) for report in stored.values())
    await execute(
        database_settings, f"delete from store.findings where report_id = '{salford.report_id}'"
    )
    assert await totals(client) == first  # kept: no change counted

    def counted(outcome: str) -> float:
        return READ_CACHE.labels("finding count", outcome)._value.get()  # type: ignore[no-any-return]

    async def fresh() -> list[int]:
        async with api_client(ApiSettings(database=database_settings)) as fresh_client:
            return await totals(fresh_client)

    taken, added = counted("withdrawn"), counted("added")
    await store_changes(database_settings, lambda store: store.withdraw(withdrawal(lewisham)))
    shrunk = await totals(client)
    assert counted("withdrawn") - taken == len(TOTALS)
    assert shrunk[0] == first[0] - len(lewisham.findings)
    await store_changes(database_settings, stored_again(lewisham))
    grown = await totals(client)
    assert counted("added") - added == len(TOTALS)
    # Salford's findings, deleted behind store's back, stay counted as kept: the only
    # difference from a fresh count, which shows the totals were added to, not recounted.
    assert grown[0] == first[0]
    await store_changes(database_settings, stored_again(salford, withdrawing=lewisham))
    assert await totals(client) == await fresh()


async def test_a_report_replaced_then_withdrawn_is_counted_again_not_taken_away(
    stored: dict[str, ReportParsed],
    client: httpx.AsyncClient,
    database_settings: DatabaseSettings,
) -> None:
    """store kept the withdrawn report as its last version, not as the kept counts had it:
    taking that away would be wrong, so everything is counted again."""
    salford = stored[SALFORD_2018]
    [await facets(client, params) for params in FACETS]
    fewer = salford.model_copy(
        update={"findings": salford.findings[:3], "parser_version": "99.0.0"}
    )
    await store_changes(
        database_settings,
        lambda store: store.replace_report(fewer, "file:///salford.pdf", datetime.now(UTC)),
    )
    await store_changes(database_settings, lambda store: store.withdraw(withdrawal(salford)))
    taken = facets_counted("withdrawn")
    after = [await facets(client, params) for params in FACETS]
    assert facets_counted("withdrawn") == taken
    assert await fresh_facets(database_settings) == after


# The answers made per authority, each kept under its kind (findings_api.cache).
PER_AUTHORITY = {
    "/summary/national": "latest grades",
    "/summary/authorities": "latest ilacs",
    "/next-inspections": "latest of types",
}


async def fresh_answers(database_settings: DatabaseSettings) -> dict[str, Any]:
    """PER_AUTHORITY's answers from a fresh app (nothing kept)."""
    async with api_client(ApiSettings(database=database_settings)) as fresh:
        return {path: (await fresh.get(path)).json() for path in PER_AUTHORITY}


async def test_kept_answers_older_than_the_withdrawals_store_purged_are_counted_again(
    stored: dict[str, ReportParsed],
    client: httpx.AsyncClient,
    database_settings: DatabaseSettings,
) -> None:
    """A withdrawal store no longer keeps cannot be taken away: the facets and the answers
    per authority kept before it are computed again, and equal a fresh app's."""
    [await facets(client, params) for params in FACETS]
    [await client.get(path) for path in PER_AUTHORITY]
    await store_changes(
        database_settings, lambda store: store.withdraw(withdrawal(stored[LEWISHAM_2019]))
    )
    # Kept for no time: withdrawing Salford purges Lewisham's withdrawal.
    await store_changes(
        database_settings,
        lambda store: store.withdraw(withdrawal(stored[SALFORD_2018])),
        withdrawn_kept=timedelta(0),
    )
    taken, missed = facets_counted("withdrawn"), facets_counted("miss")
    after = [await facets(client, params) for params in FACETS]
    assert (facets_counted("withdrawn"), facets_counted("miss") - missed) == (taken, 8)
    assert after[0]["total_reports"] == 1
    assert await fresh_facets(database_settings) == after
    answers = {path: (await client.get(path)).json() for path in PER_AUTHORITY}
    assert answers == await fresh_answers(database_settings)


async def test_answers_per_authority_take_the_new_reports_authorities_and_equal_fresh_ones(
    stored: dict[str, ReportParsed],
    client: httpx.AsyncClient,
    database_settings: DatabaseSettings,
) -> None:
    """The latest grades and inspections are asked again of the authorities of the
    reports stored since, not of all: the answers are those a fresh app gives."""
    lewisham = stored[LEWISHAM_2019]
    await store_changes(database_settings, lambda store: store.withdraw(withdrawal(lewisham)))
    kept = {path: (await client.get(path)).json() for path in PER_AUTHORITY}

    await store_changes(database_settings, stored_again(lewisham))
    added = {kind: READ_CACHE.labels(kind, "added")._value.get() for kind in PER_AUTHORITY.values()}
    grown = {path: (await client.get(path)).json() for path in PER_AUTHORITY}
    for path, kind in PER_AUTHORITY.items():
        assert READ_CACHE.labels(kind, "added")._value.get() - added[kind] == 1, path
    # (The map shows Ofsted's published record where it is newer than the reports: for
    # Lewisham it is, so there the answer is the same.)
    assert grown["/summary/national"] != kept["/summary/national"]
    assert await fresh_answers(database_settings) == grown


async def test_answers_per_authority_drop_an_authority_whose_report_is_withdrawn(
    stored: dict[str, ReportParsed],
    client: httpx.AsyncClient,
    database_settings: DatabaseSettings,
) -> None:
    """Salford's only report withdrawn: its kept rows go and nothing takes their place;
    in the same change Lewisham's report is stored again, and its rows are asked again.
    The answers are those a fresh app gives."""
    lewisham, salford = stored[LEWISHAM_2019], stored[SALFORD_2018]
    await store_changes(database_settings, lambda store: store.withdraw(withdrawal(lewisham)))
    kept = {path: (await client.get(path)).json() for path in PER_AUTHORITY}
    assert "355" in {row["la_code"] for row in kept["/summary/national"]["latest"]}

    await store_changes(database_settings, stored_again(lewisham, withdrawing=salford))
    taken = {
        kind: READ_CACHE.labels(kind, "withdrawn")._value.get() for kind in PER_AUTHORITY.values()
    }
    changed = {path: (await client.get(path)).json() for path in PER_AUTHORITY}
    for path, kind in PER_AUTHORITY.items():
        assert READ_CACHE.labels(kind, "withdrawn")._value.get() - taken[kind] == 1, path
    latest = {row["la_code"] for row in changed["/summary/national"]["latest"]}
    assert latest == {"209", "212"}
    assert await fresh_answers(database_settings) == changed


async def test_a_replaced_report_is_counted_again_not_added(
    stored: dict[str, ReportParsed],
    client: httpx.AsyncClient,
    database_settings: DatabaseSettings,
) -> None:
    salford = stored[SALFORD_2018]
    before = [await facets(client, params) for params in FACETS]
    # A newer parse of the same report, with half its findings: nothing to add, something
    # to take away.
    fewer = salford.model_copy(
        update={
            "findings": salford.findings[: len(salford.findings) // 2],
            "parser_version": "99.0.0",
        }
    )
    await store_changes(
        database_settings,
        lambda store: store.replace_report(fewer, "file:///salford.pdf", datetime.now(UTC)),
    )
    added = facets_counted()
    after = [await facets(client, params) for params in FACETS]
    assert facets_counted() == added
    assert after[0]["total_findings"] == before[0]["total_findings"] - (
        len(salford.findings) - len(fewer.findings)
    )
    assert await fresh_facets(database_settings) == after


async def test_a_request_on_an_older_snapshot_does_not_take_kept_answers_back(
    stored: dict[str, ReportParsed], database_settings: DatabaseSettings
) -> None:
    """Requests read one snapshot each (REPEATABLE READ): one that began before a change
    may ask after a later one was kept. It gets its own snapshot's answer, and the kept
    answer and the grade check stay at the later version."""
    app = create_app(ApiSettings(database=database_settings))
    async with app.router.lifespan_context(app), app.state.sessions() as early_session:
        cache: ReadCache = app.state.cache
        early = ReadRepository(early_session)
        before = await early.change_version()  # the early request's snapshot starts here
        await store_changes(
            database_settings, lambda store: store.withdraw(withdrawal(stored[LEWISHAM_2019]))
        )
        async with app.state.sessions() as late_session:
            late = ReadRepository(late_session)
            counted = await cache.get(late, ("probe",), lambda: late.count_reports(ReportFilter()))
            await app.state.mismatches.current(late)
        assert counted == 2
        assert await cache.get(early, ("probe",), lambda: early.count_reports(ReportFilter())) == 3
        assert cache.kept[("probe",)].version == before + 1
        await app.state.mismatches.current(early)
        assert app.state.mismatches.version == before + 1


def computed_in_full() -> float:
    """Every kept answer computed from nothing so far (outcome `miss`), all kinds."""
    [family] = READ_CACHE.collect()
    return sum(
        sample.value
        for sample in family.samples
        if sample.name.endswith("_total") and sample.labels["outcome"] == "miss"
    )


@pytest.mark.parametrize("warmed", [True, False], ids=["warmed", "not warmed"])
async def test_a_new_process_has_the_home_pages_answers_before_its_first_visitor(
    stored: dict[str, ReportParsed], database_settings: DatabaseSettings, warmed: bool
) -> None:
    """A new process asks the home page's questions of itself as it starts (through its key
    check, with a key of its own): its first visitor finds them kept, where without the
    warm-up each is computed in full for that visitor."""
    settings = ApiSettings(
        database=database_settings,
        warm_paths=list(WARM_PATHS) if warmed else [],
        read_keys=["a-reader"],
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        await asyncio.wait_for(app.state.warming, 60)
        transport = httpx.ASGITransport(app=app)
        headers = {"x-api-key": "a-reader"}
        async with httpx.AsyncClient(
            transport=transport, base_url="http://api", headers=headers
        ) as visitor:
            computed_for_the_visitor: dict[str, float] = {}
            for path in WARM_PATHS:
                before = computed_in_full()
                response = await visitor.get(path)
                assert response.status_code == 200, response.text
                computed_for_the_visitor[path] = computed_in_full() - before
    # Each path's answer is counted for the visitor unless the warm-up counted it first.
    assert all(bool(count) is not warmed for count in computed_for_the_visitor.values()), (
        computed_for_the_visitor
    )


async def test_requests_that_miss_together_share_one_computation(
    stored: dict[str, ReportParsed], database_settings: DatabaseSettings
) -> None:
    """Requests at one version that miss while another computes the answer wait for it;
    if that request fails, each of them computes its own."""
    app = create_app(ApiSettings(database=database_settings))
    async with app.router.lifespan_context(app):
        cache: ReadCache = app.state.cache
        release = asyncio.Event()
        computed: list[int] = []

        async def compute(fail: bool) -> int:
            computed.append(len(computed) + 1)
            await release.wait()
            if fail and len(computed) == 1:
                raise RuntimeError("the first request's query failed")
            return len(computed)

        versions_read = 0

        class Counting(ReadRepository):
            async def change_version(self) -> int:
                nonlocal versions_read
                version = await super().change_version()
                # The cache looks for a computation and waits on it in this same step.
                versions_read += 1
                return version

        async def ask(key: str, fail: bool = False) -> int:
            async with app.state.sessions() as session:
                return await cache.get(Counting(session), (key,), lambda: compute(fail))

        async def all_asked(requests: int) -> None:
            """One request computes, and the others have read their version and found it
            computing."""
            nonlocal versions_read
            versions_read = 0

            async def waiting() -> bool:
                return bool(computed) and versions_read == requests

            await wait_until(waiting)

        def shared() -> float:
            return READ_CACHE.labels("probe", "shared")._value.get()  # type: ignore[no-any-return]

        before = shared()
        asking = [asyncio.create_task(ask("probe")) for _ in range(4)]
        await all_asked(4)
        release.set()
        assert await asyncio.gather(*asking) == [1, 1, 1, 1]
        assert computed == [1]
        assert shared() - before == 3

        release.clear()
        computed.clear()
        failing = [asyncio.create_task(ask("probe failing", fail=True)) for _ in range(3)]
        await all_asked(3)
        release.set()
        outcomes = await asyncio.gather(*failing, return_exceptions=True)
        # The others did not take the first one's failure: the next computed it again
        # and the last found that kept (or waited for it). Which request read its version
        # first, and computed, is the pool's order.
        failed = [outcome for outcome in outcomes if isinstance(outcome, RuntimeError)]
        assert len(failed) == 1
        assert [outcome for outcome in outcomes if outcome not in failed] == [2, 2]
        assert computed == [1, 2]


async def test_the_change_counter_is_read_once_a_transaction(
    stored: dict[str, ReportParsed], database_settings: DatabaseSettings
) -> None:
    """A request's snapshot cannot see the counter move: a facet asks it for its rows and
    its totals, and reads it once; the next transaction reads it again."""
    app = create_app(ApiSettings(database=database_settings))
    reads: list[str] = []

    def counted(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "store.change_read" in statement:
            reads.append(statement)

    async with app.router.lifespan_context(app), app.state.sessions() as session:
        engine = session.bind
        event.listen(engine.sync_engine, "before_cursor_execute", counted)
        repository = ReadRepository(session)
        first = await repository.change_version()
        await store_changes(
            database_settings, lambda store: store.withdraw(withdrawal(stored[LEWISHAM_2019]))
        )
        assert await repository.change_version() == first
        assert len(reads) == 1
        await session.rollback()  # the request's transaction ends; the next one reads it
        assert await repository.change_version() == first + 1
        assert len(reads) == 2
        event.remove(engine.sync_engine, "before_cursor_execute", counted)
