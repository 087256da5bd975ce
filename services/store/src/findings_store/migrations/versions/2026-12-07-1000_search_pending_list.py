"""The search index's pending lists kept small: `gin_pending_list_limit` of 256 kB on each
partition's GIN index of `store.finding_search` (the default is 4 MB).

Why (docs/benchmarks.md, issue 16): GIN puts new rows in a pending list, an unindexed
heap of entries that every search of the index reads in full until the list is merged
into the index (when it passes its limit, or at vacuum). With 16 partitions there are 16
lists: after 20,000 reports stored as they arrive they held 4,320 pages (34 MB), and a
national search read every list it reached. Merging them by hand made searches at 20,000
reports 8-43 % faster by `bench-api` (a rare word most); with a limit of 256 kB a list
stays small between merges (278 pages in all after the same fill). It costs store about
0.3-0.4 PostgreSQL CPU-s more per 1,000 reports (`bench-store`, two interleaved pairs:
8.18, 7.48 against 7.75, 7.23), against merges the default leaves for later; 64 kB cost
more (8.20, 8.52).

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
