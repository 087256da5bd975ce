"""Which change (`store.changes`) last touched each report: a reader that keeps something
per report (the API's check of reports against Ofsted's grades) re-reads exactly the reports
changed since the version it last saw, with no clock involved. A copy that stands for its
inspection once the report it copied is withdrawn is touched too, though its own row did not
otherwise change.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 06:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

REPORT_COLUMNS = """report_id, parser_version, report_type, title, la_name, ofsted_urn, la_code,
           ons_code, inspection_start, inspection_end, published, lead_inspector,
           finding_count, stored_at, coverage, warnings, needs_review, object_uri,
           next_inspection, trace_parent"""


def upgrade() -> None:
    op.add_column(
        "reports",
        sa.Column("changed_in", sa.BigInteger, nullable=False, server_default="0"),
        schema="store",
    )
    op.execute("create index ix_reports_changed_in on store.reports (changed_in)")
    # New columns go at the end of a view: `create or replace` keeps the others.
    op.execute(
        f"create or replace view store.report_read as select {REPORT_COLUMNS}, changed_in"
        " from store.reports where same_as is null"
    )


def downgrade() -> None:
    op.execute("drop view store.report_read")
    op.execute(
        f"create view store.report_read as select {REPORT_COLUMNS}"
        " from store.reports where same_as is null"
    )
    op.drop_column("reports", "changed_in", schema="store")
