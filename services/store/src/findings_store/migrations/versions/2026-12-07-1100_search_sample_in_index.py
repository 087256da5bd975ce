"""The search index also holds each row's sample digit, the first hex digit of its
report's id (`left(report_id, 1)`), through `btree_gin`: the API estimates a broad
search's facets from the reports whose ids begin with the first of those digits (one in
16; findings_api.estimates), and with the digit in the same GIN index PostgreSQL reads
only the sample's matches of the words.

Why (docs/benchmarks.md, issue 16): with the search index on the `tsvector` alone, the
sample's matches were the words' whole posting lists intersected with the report ids'
B-tree (BitmapAnd): 3-5 ms a partition, 50 ms of a common phrase's 80 ms sampled count
at 20,000 reports, growing with the words' national matches. A multi-column GIN index
answers a search without the digit as the single-column one did.

The partitions' pending-list limit (revision 0021) is set again on the new index.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 11:00
"""

from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

PENDING_LIST_KB = 256


def _index(columns: str) -> None:
    """The search index on `columns`, each partition's pending list limited as 0021 did."""
    op.execute("drop index store.ix_finding_search_search")
    op.execute(f"create index ix_finding_search_search on store.finding_search using gin ({columns})")
    op.execute(
        f"""do $$ declare partition text; begin
            for partition in select i.inhrelid::regclass::text from pg_inherits i
                             where i.inhparent = 'store.ix_finding_search_search'::regclass loop
                execute format('alter index %s set (gin_pending_list_limit = {PENDING_LIST_KB})',
                               partition);
            end loop; end $$"""
    )


def upgrade() -> None:
    # Trusted (PostgreSQL 13 and later): the database's owner may create it.
    op.execute("create extension if not exists btree_gin")
    _index("(left(report_id, 1)), search")


def downgrade() -> None:
    _index("search")
    op.execute("drop extension if exists btree_gin")
