"""What store withdrew, as it was: the row, judgements and findings of a withdrawn report
the read model served (not a copy's) are kept, the last withdrawal of each report, stamped
with the change that withdrew it (`withdrawn_in`). A reader keeping sums over reports (the
API's facets) takes a withdrawn report away instead of counting everything again. Three
views show them with the live views' columns (the reports' with `withdrawn_in`).

The tables copy the live ones' columns (`like`; the generated `tsvector` as a plain
column). Store copies rows into them column for column, so a column added to a live table
must be added here too: store's withdrawals fail until it is.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 08:00
"""

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

REPORT_COLUMNS = """report_id, parser_version, report_type, title, la_name, ofsted_urn, la_code,
           ons_code, inspection_start, inspection_end, published, lead_inspector,
           finding_count, stored_at, coverage, warnings, needs_review, object_uri,
           next_inspection, trace_parent, changed_in, created_in"""
FINDING_COLUMNS = """finding_id, report_id, ordinal, category, section, judgement_area,
           paragraph, text, search, theme_slugs, themes, tone, sentence_tones"""


def upgrade() -> None:
    op.execute("create table store.withdrawn_reports (like store.reports)")
    # Null until store's transaction stamps it (`ReportRepository.changed`).
    op.execute("alter table store.withdrawn_reports add column withdrawn_in bigint")
    op.execute(
        "alter table store.withdrawn_reports"
        " add constraint pk_withdrawn_reports primary key (report_id)"
    )
    op.execute(
        "create index ix_withdrawn_reports_withdrawn_in on store.withdrawn_reports (withdrawn_in)"
    )
    for table, key in (("judgements", "report_id, area"), ("findings", "finding_id")):
        op.execute(f"create table store.withdrawn_{table} (like store.{table})")
        op.execute(
            f"alter table store.withdrawn_{table}"
            f" add constraint pk_withdrawn_{table} primary key ({key}),"
            f" add constraint fk_withdrawn_{table}_report_id foreign key (report_id)"
            " references store.withdrawn_reports (report_id) on delete cascade"
        )
    op.execute(
        "create index ix_withdrawn_findings_report_id on store.withdrawn_findings (report_id)"
    )
    op.execute(
        f"create view store.withdrawn_report_read as select {REPORT_COLUMNS}, withdrawn_in"
        " from store.withdrawn_reports"
    )
    op.execute(
        "create view store.withdrawn_judgement_read as"
        " select report_id, area, label, grade from store.withdrawn_judgements"
    )
    op.execute(
        f"create view store.withdrawn_finding_read as select {FINDING_COLUMNS}"
        " from store.withdrawn_findings"
    )


def downgrade() -> None:
    for name in ("finding", "judgement", "report"):
        op.execute(f"drop view store.withdrawn_{name}_read")
    for table in ("findings", "judgements", "reports"):
        op.execute(f"drop table store.withdrawn_{table}")
