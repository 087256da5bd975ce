"""The search table's partitions by authority, not by report: each search row carries its
report's `la_code`, and `store.finding_search` is partitioned by its hash.

Why (docs/benchmarks.md, issue 16): a search within one authority read the matches of
every partition, 16 GIN scans of its words' full posting lists and 16 probes of the
authority's report ids (35 ms a page for "domestic abuse" in one authority at 20,000
reports, its cost growing with the national number of matches). With the authority as the
partition key PostgreSQL reads its one partition (6 ms), also in a prepared statement's
generic plan (pruned as the executor starts). A national search still reads a partition
at a time under a page's limit, as with revision 0019.

A partitioned table's unique keys must hold its partition key, and `la_code` may be null
(a report whose authority the parser did not find: hash partitioning puts it in one
partition like any value), so the search rows lose their primary key for a plain index on
(report_id, ordinal): store deletes and copies them by it; the findings' own key keeps
them unique, as store writes both in one statement. A report's `la_code` changes only when
store writes it again, and then its search rows with it.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 08:00
"""

from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

PARTITIONS = 16
COLUMNS = "report_id, ordinal, search, category, tone, judgement_area, theme_slugs"
# Copies are few: a hashed subplan, not a probe per finding (as in revision 0008).
NOT_A_COPY = "report_id not in (select report_id from store.reports where same_as is not null)"


def _create(by_authority: bool) -> None:
    """`store.finding_search` and its partitions, empty and without indexes."""
    la_code = "la_code text," if by_authority else ""
    key = (
        ""
        if by_authority
        else "constraint pk_finding_search primary key (report_id, ordinal),"
    )
    op.execute(
        f"""create table store.finding_search (
               report_id varchar(64) not null,
               ordinal integer not null,
               {la_code}
               search tsvector not null,
               category text not null,
               tone text,
               judgement_area text,
               theme_slugs text[] not null,
               {key}
               constraint fk_finding_search_report_id foreign key (report_id)
                   references store.reports (report_id) on delete cascade
           ) partition by hash ({"la_code" if by_authority else "report_id"})"""
    )
    for remainder in range(PARTITIONS):
        op.execute(
            f"create table store.finding_search_{remainder} partition of store.finding_search"
            f" for values with (modulus {PARTITIONS}, remainder {remainder})"
        )


def _set_aside() -> None:
    """The table as it is, renamed with its partitions, its indexes gone (their names are
    the new table's), its view dropped."""
    op.execute("drop view store.finding_search_read")
    op.execute("drop index if exists store.ix_finding_search_search")
    op.execute("drop index if exists store.ix_finding_search_report")
    op.execute("alter table store.finding_search drop constraint if exists pk_finding_search")
    op.execute("alter table store.finding_search rename to finding_search_before")
    for remainder in range(PARTITIONS):
        op.execute(
            f"alter table store.finding_search_{remainder}"
            f" rename to finding_search_before_{remainder}"
        )


def _index_and_view(by_authority: bool) -> None:
    # Filled before its indexes: one build each, not an insertion per row.
    op.execute("create index ix_finding_search_search on store.finding_search using gin (search)")
    if by_authority:
        op.execute(
            "create index ix_finding_search_report on store.finding_search (report_id, ordinal)"
        )
    columns = f"{COLUMNS}, la_code" if by_authority else COLUMNS
    op.execute(
        f"create view store.finding_search_read as select {columns}"
        f" from store.finding_search where {NOT_A_COPY}"
    )
    op.execute("drop table store.finding_search_before")


def upgrade() -> None:
    _set_aside()
    _create(by_authority=True)
    op.execute(
        f"""insert into store.finding_search ({COLUMNS}, la_code)
            select {", ".join(f"s.{c.strip()}" for c in COLUMNS.split(","))}, r.la_code
            from store.finding_search_before s join store.reports r using (report_id)"""
    )
    _index_and_view(by_authority=True)


def downgrade() -> None:
    _set_aside()
    _create(by_authority=False)
    op.execute(
        f"insert into store.finding_search ({COLUMNS})"
        f" select {COLUMNS} from store.finding_search_before"
    )
    _index_and_view(by_authority=False)
