"""Searches read a narrow table of their own: each finding's key, its `tsvector` and the
columns a search filters and counts by (`store.finding_search`), in 16 partitions by
report. The findings table loses its generated `tsvector` and that index.

Why (docs/benchmarks.md, issue 16): a common phrase's GIN bitmap covered every match
before PostgreSQL read the first, so a search's first page cost in proportion to how often
its words occur (27-56 ms at 20,000 reports). Over partitions PostgreSQL reads one
partition's matches at a time under a page's `limit` and never starts the rest (5-8 ms),
and a narrow row makes counting a search's facets cheaper. The findings table itself stays
whole: partitioned, every other read of it paid for planning 16 partitions (measured and
reverted).

Store writes both tables in one statement; the `tsvector` is made once, as the generated
column made it (`to_tsvector('english', text)`). Its rows go with their report, as the
findings' do (a report deleted by hand leaves no search rows behind to match).
`store.finding_search_read` leaves copies out, as `store.finding_read` does.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 05:00
"""

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

PARTITIONS = 16
SEARCH_COLUMNS = "report_id, ordinal, search, category, tone, judgement_area, theme_slugs"
FINDING_COLUMNS = """finding_id, report_id, ordinal, category, section, judgement_area,
           paragraph, text, {search}theme_slugs, themes, tone, sentence_tones"""
# Copies are few: a hashed subplan, not a probe per finding (as in revision 0008).
NOT_A_COPY = "report_id not in (select report_id from store.reports where same_as is not null)"


def upgrade() -> None:
    op.execute(
        """create table store.finding_search (
               report_id varchar(64) not null,
               ordinal integer not null,
               search tsvector not null,
               category text not null,
               tone text,
               judgement_area text,
               theme_slugs text[] not null,
               constraint pk_finding_search primary key (report_id, ordinal),
               constraint fk_finding_search_report_id foreign key (report_id)
                   references store.reports (report_id) on delete cascade
           ) partition by hash (report_id)"""
    )
    for remainder in range(PARTITIONS):
        op.execute(
            f"create table store.finding_search_{remainder} partition of store.finding_search"
            f" for values with (modulus {PARTITIONS}, remainder {remainder})"
        )
    # Filled before its index: one build, not an insertion per row.
    op.execute(
        f"insert into store.finding_search ({SEARCH_COLUMNS})"
        f" select {SEARCH_COLUMNS} from store.findings"
    )
    op.execute("create index ix_finding_search_search on store.finding_search using gin (search)")
    op.execute(
        f"create view store.finding_search_read as select {SEARCH_COLUMNS}"
        f" from store.finding_search where {NOT_A_COPY}"
    )
    # The view reads the column the findings table loses: made again without it.
    op.execute("drop view store.finding_read")
    op.execute("alter table store.findings drop column search")
    op.execute(
        "create view store.finding_read as select"
        f" {FINDING_COLUMNS.format(search='')} from store.findings where {NOT_A_COPY}"
    )


def downgrade() -> None:
    op.execute("drop view store.finding_read")
    op.execute(
        "alter table store.findings add column search tsvector"
        " generated always as (to_tsvector('english', text)) stored"
    )
    op.execute("create index ix_findings_search on store.findings using gin (search)")
    op.execute(
        "create view store.finding_read as select"
        f" {FINDING_COLUMNS.format(search='search, ')} from store.findings where {NOT_A_COPY}"
    )
    op.execute("drop view store.finding_search_read")
    op.execute("drop table store.finding_search")
