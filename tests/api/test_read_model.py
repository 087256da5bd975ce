"""The read model (docs/read-model.md): the views store's and ingest's migrations create
hold the columns the API reads, and the API's SQL reads those views and no table."""

from __future__ import annotations

import inspect
import re
from collections.abc import AsyncIterator
from dataclasses import asdict, replace
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from findings_api import repository
from findings_api.estimates import Sample
from findings_api.repository import (
    FACET_GROUPS,
    FILE_STATES,
    READ_MODEL,
    FacetRow,
    FailureRow,
    FindingFilter,
    FindingPage,
    FindingRow,
    JudgementRow,
    ReadRepository,
    ReportFilter,
    ReportRow,
    _counted_together,
    field_names,
    found_findings_query,
)
from findings_ingest.migrations_path import MIGRATIONS as INGEST_MIGRATIONS
from findings_shared.database import make_engine, make_sessionmaker, migrate
from findings_shared.settings import DatabaseSettings
from findings_store.migrations_path import MIGRATIONS as STORE_MIGRATIONS

pytestmark = pytest.mark.integration

# A schema-qualified name in SQL text: store.x or ingest.x.
QUALIFIED = re.compile(r"\b(store|ingest)\.([a-z_][a-z0-9_]*)\b")


@pytest.fixture
async def session(database_settings: DatabaseSettings) -> AsyncIterator[AsyncSession]:
    """A session on a fresh database brought to ingest's and store's heads."""
    await migrate(INGEST_MIGRATIONS, database_settings.url)
    await migrate(STORE_MIGRATIONS, database_settings.url)
    engine = make_engine(database_settings)
    async with make_sessionmaker(engine)() as session:
        yield session
    await engine.dispose()


async def test_every_view_of_the_read_model_has_exactly_its_columns(
    session: AsyncSession,
) -> None:
    rows = await session.execute(
        text(
            """select v.table_schema || '.' || v.table_name, c.column_name
               from information_schema.views v
               join information_schema.columns c
                 on c.table_schema = v.table_schema and c.table_name = v.table_name
               where v.table_schema in ('store', 'ingest')"""
        )
    )
    views: dict[str, set[str]] = {}
    for view, column in rows:
        views.setdefault(view, set()).add(column)
    assert set(READ_MODEL) <= set(views), f"views missing: {set(READ_MODEL) - set(views)}"
    for view, columns in READ_MODEL.items():
        assert views[view] == set(columns), view


@pytest.mark.parametrize(
    ("view", "row_type"),
    [
        pytest.param("store.report_read", ReportRow, id="reports"),
        pytest.param("store.judgement_read", JudgementRow, id="judgements"),
        pytest.param("store.finding_read", FindingRow, id="findings"),
        pytest.param("store.failure_read", FailureRow, id="failures"),
    ],
)
def test_the_typed_rows_read_columns_of_their_view(view: str, row_type: type[object]) -> None:
    assert set(field_names(row_type)) <= set(READ_MODEL[view])


def test_the_repository_names_no_table_but_the_views() -> None:
    source = inspect.getsource(repository)
    named = {f"{schema}.{name}" for schema, name in QUALIFIED.findall(source)}
    assert named, "the pattern found no schema-qualified name at all"
    assert named <= set(READ_MODEL), f"not views of the read model: {named - set(READ_MODEL)}"


async def test_every_query_of_the_repository_runs_on_the_views(session: AsyncSession) -> None:
    """On an empty database: each statement parses and names only columns the views have."""
    read = ReadRepository(session)
    missing = "0" * 64
    await read.ping()
    area = "overall_effectiveness"
    # One authority (compared by equality) and several (`any`).
    for la_codes in (("212",), ("212", "213")):
        reports = ReportFilter(la_codes=la_codes, grade="good", judgement_area=area)
        findings = FindingFilter(la_codes=la_codes, grade="good", judgement_area=area)
        for sort in ("newest", "oldest"):
            assert await read.list_reports(reports, sort, 10, 0, None) == []
            assert await read.search_findings(findings, FindingPage(sort, 10)) == []
        # Words within authorities (one names its authority on the search rows).
        worded = replace(findings, q="care leavers")
        for sort in ("relevance", "newest"):
            assert await read.search_findings(worded, FindingPage(sort, 10)) == []
        assert await read.count_findings(worded) == FacetRow(None, 0, 0)
        assert await read.counted_together(worded) == (FacetRow(None, 0, 0), [])
    searched = FindingFilter(q="care leavers", report_id=missing, category="strength")
    assert await read.search_findings(searched, FindingPage("relevance", 10)) == []
    assert await read.get_report(missing) is None
    assert await read.judgements_of(missing) == []
    assert await read.findings_of(missing) == []
    for state in (None, *FILE_STATES):
        assert await read.list_files(state, 10, 0, None) == []
    assert await read.list_files(None, 10, 0, [datetime.now(UTC), "file:///a.pdf"]) == []
    assert await read.file_report(missing) is None
    assert await read.failures_of(missing) == []
    assert await read.authority_reports(["212"]) == []
    assert await read.latest_graded_reports(["212"]) == []
    for changed_after in (None, 0):
        assert await read.latest_inspected(["212"], "ilacs_inspection", changed_after) == []
        assert await read.latest_of_types(["ilacs_inspection"], changed_after) == []
    assert await read.latest_grades() == []
    assert await read.stored_after(None, ReportFilter(needs_review=True), 10) == []
    assert await read.last_stored() is None
    growth = await read.report_growth(0)
    assert (growth.reports, growth.withdrawn) == (0, 0)
    # What a kept facet takes away: the same questions, of the withdrawn views.
    withdrawn = replace(findings, withdrawn_after=0, report_grade="good", q="care")
    for group_by in FACET_GROUPS:
        assert await read.finding_facets(withdrawn, group_by, "grade") == []
    assert await read.count_findings(withdrawn) == FacetRow(None, 0, 0)
    for where in (findings, withdrawn):
        assert await read.counted_together(where) == (FacetRow(None, 0, 0), [])


async def plan_of(session: AsyncSession, sql: str, params: dict[str, Any]) -> Any:
    plan = await session.execute(text(f"explain (format json) {sql}"), params)
    return plan.scalar_one()


def index_scans(plan: Any) -> set[tuple[str, str]]:
    """(node type, index name) of every node of a JSON plan that reads an index."""
    if isinstance(plan, list):
        return set().union(*(index_scans(item) for item in plan))
    if not isinstance(plan, dict):
        return set()
    found = {(plan["Node Type"], plan["Index Name"])} if "Index Name" in plan else set()
    return found.union(*(index_scans(value) for value in plan.values()))


def relations(plan: Any) -> set[str]:
    """The tables (partitions included) a JSON plan reads."""
    if isinstance(plan, list):
        return set().union(*(relations(item) for item in plan))
    if not isinstance(plan, dict):
        return set()
    found = {plan["Relation Name"]} if "Relation Name" in plan else set()
    return found.union(*(relations(value) for value in plan.values()))


async def test_a_search_finds_and_counts_its_matches_in_the_search_table(
    session: AsyncSession,
) -> None:
    """With words (`q`), the matches, their totals and facets are read from the narrow
    search table's partitions (store migration 0019; a common phrase's first page 27-56 to
    5-8 ms at 20,000 reports, docs/benchmarks.md): every partition for a national search,
    one authority's own for its search (migration 0020: 35 to 6 ms); only a page's own
    rows from the findings. Without words, from the findings alone."""
    read = ReadRepository(session)
    partitions = {f"finding_search_{n}" for n in range(16)}
    national = FindingFilter(q="care leavers", tone="concern")
    one_authority = replace(national, la_codes=("212",))
    for where, read_partitions in ((national, 16), (one_authority, 1)):
        sql, params = found_findings_query(where, FindingPage("relevance", 20))
        read_tables = relations(await plan_of(session, sql, params))
        assert "findings" in read_tables
        assert len(read_tables & partitions) == read_partitions, (where, read_tables)
    join, key = FACET_GROUPS["theme"]
    for where in (national, one_authority, replace(one_authority, q=None)):
        counting = read._counted_findings(where, key, None, join)
        read_tables = relations(await plan_of(session, counting, asdict(where)))
        if where.q:
            assert len(read_tables & partitions) == (1 if where.la_codes else 16)
            assert "findings" not in read_tables
        else:
            assert "findings" in read_tables
            assert not read_tables & partitions


def index_conditions(plan: Any) -> list[str]:
    """The index condition of every node of a JSON plan that has one."""
    if isinstance(plan, list):
        return [c for item in plan for c in index_conditions(item)]
    if not isinstance(plan, dict):
        return []
    found = [plan["Index Cond"]] if "Index Cond" in plan else []
    return found + [c for value in plan.values() for c in index_conditions(value)]


async def test_a_sample_of_a_search_is_read_from_the_search_index_alone(
    session: AsyncSession,
) -> None:
    """A search's facets estimated from a sample of reports (findings_api.estimates) find
    the sample's matches in the search index, which holds each row's first hex digit of its
    report's id beside its words (store migration 0022): one condition on both, in each
    partition, not the words' whole matches intersected with another index (50 of a common
    phrase's 80 ms at 20,000 reports)."""
    # This test's tables are nearly empty: the plan PostgreSQL chooses at 20,000 reports is
    # the only one left to it here.
    for method in ("seqscan", "nestloop"):
        await session.execute(text(f"set local enable_{method} = off"))
    # The API's sample, ids below "1"; and one from a later digit (benchmarks.facet_estimates
    # draws all 16), bounded on both sides.
    for sample, bounds in ((Sample(1), ("< ",)), (Sample(1, first=5), (">= ", "< "))):
        where = FindingFilter(
            q="care leavers", sampled_from=sample.sampled_from, sampled_below=sample.below
        )
        sql = _counted_together(ReadRepository(session)._selected_findings(where), sampled=True)
        conditions = [
            c.replace('"', "")
            for c in index_conditions(await plan_of(session, sql, asdict(where)))
            if "@@" in c
        ]
        assert len(conditions) == 16, conditions
        for bound in bounds:
            assert all(f"left((report_id)::text, 1) {bound}" in c for c in conditions), bound


async def test_a_page_of_findings_newest_first_walks_the_reports_index(
    session: AsyncSession,
) -> None:
    """A page of findings filtered by their own fields read and sorted every finding
    (0.2-0.8 s at 20,000 reports, docs/benchmarks.md). With whole sorts priced out, the
    planner can avoid one only by walking store's index of reports in the API's order,
    which it can only if the index's expression is the API's `REPORT_DATE`; one authority
    walks its own."""
    await session.execute(text("set local enable_sort = off"))
    walks = {
        "ix_reports_newest": FindingFilter(tone="concern"),
        "ix_reports_authority_newest": FindingFilter(la_codes=("355",), category="improvement"),
    }
    for index, where in walks.items():
        sql, params = found_findings_query(where, FindingPage("newest", 50))
        scans = index_scans(await plan_of(session, sql, params))
        assert index in {name for _, name in scans}, (where, scans)


async def test_the_findings_index_holds_every_column_a_facet_reads(
    session: AsyncSession,
) -> None:
    """A facet over every finding reads only the index of each report's findings, which
    carries the columns facets count and filter by (an index-only scan: 275 MB against the
    table's 1.9 GB at 20,000 reports, docs/benchmarks.md); a facet that read one more
    column of the findings would read the table again. The index still keeps a report's
    ordinals unique."""
    index = await session.execute(
        text(
            """select i.indisunique, array_agg(a.attname::text) from pg_index i
               join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
               where i.indexrelid = cast(:index as regclass) group by i.indisunique"""
        ),
        {"index": "store.uq_findings_report_id_ordinal"},
    )
    unique, indexed = index.one()
    assert unique is True
    # Every filter of a finding's own fields but the search text (its own GIN index).
    where = FindingFilter(
        category="improvement",
        judgement_area="help_and_protection",
        theme="neglect",
        any_theme=("neglect",),
        tone="concern",
        report_grade="good",
    )
    read = ReadRepository(session)
    for group_by, (join, key) in FACET_GROUPS.items():
        sql = read._counted_findings(where, key, "null", join)
        read_columns = set(re.findall(r"\bf\.([a-z_]+)\b", sql))
        assert read_columns, sql
        assert read_columns <= set(indexed), (group_by, read_columns - set(indexed))
