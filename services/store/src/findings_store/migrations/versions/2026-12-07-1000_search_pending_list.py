"""The search index's pending lists kept small: `gin_pending_list_limit` of 256 kB on each
partition's GIN index of `store.finding_search` (the default is 4 MB).

Why (docs/benchmarks.md, issue 16): GIN puts new rows in a pending list, an unindexed
heap of entries that every search of the index reads in full until the list is merged
into the index (when it passes its limit, or at vacuum). With 16 partitions there are 16
lists: after 20,000 reports stored as they arrive they held 4,320 pages (34 MB), and a
national search read every list it reached. Flushing them made searches at 20,000 reports
13-43 % faster by `bench-api`; with a limit of 256 kB a list stays small between merges,
and store writes no slower (`bench-store`: PostgreSQL 7.2-7.5 CPU-s per 1,000 reports
against 7.0-7.8 with the default; 64 kB cost 8.2-8.5).

A partitioned index takes no storage parameter (PostgreSQL refuses `alter index ... set`
on it), so each partition's index is set.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 10:00
"""

from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

PENDING_LIST_KB = 256


def _each_partition(action: str) -> None:
    """`action` (a format string of `alter index %s`) on each partition of the search
    index."""
    op.execute(
        f"""do $$ declare partition text; begin
            for partition in select i.inhrelid::regclass::text from pg_inherits i
                             where i.inhparent = 'store.ix_finding_search_search'::regclass loop
                execute format('alter index %s {action}', partition);
            end loop; end $$"""
    )


def upgrade() -> None:
    _each_partition(f"set (gin_pending_list_limit = {PENDING_LIST_KB})")


def downgrade() -> None:
    _each_partition("reset (gin_pending_list_limit)")
