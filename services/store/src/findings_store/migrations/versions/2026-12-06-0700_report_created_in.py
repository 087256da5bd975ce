"""Which change (`store.changes`) first stored each report, beside the last (`changed_in`): a
reader that keeps sums over reports (the API's facets) adds the reports first stored since
the version it holds, and counts everything again only when a change replaced or withdrew a
report it had counted. Reports stored before count as stored at the current version.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 07:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

REPORT_COLUMNS = """report_id, parser_version, report_type, title, la_name, ofsted_urn, la_code,
           ons_code, inspection_start, inspection_end, published, lead_inspector,
           finding_count, stored_at, coverage, warnings, needs_review, object_uri,
           next_inspection, trace_parent, changed_in"""


def upgrade() -> None:
    # Null until store's transaction stamps it (`ReportRepository.changed`).
    op.add_column("reports", sa.Column("created_in", sa.BigInteger), schema="store")
    op.execute("update store.reports set created_in = (select version from store.changes)")
    # New columns go at the end of a view: `create or replace` keeps the others.
    op.execute(
        f"create or replace view store.report_read as select {REPORT_COLUMNS}, created_in"
        " from store.reports where same_as is null"
    )


def downgrade() -> None:
    op.execute("drop view store.report_read")
    op.execute(
        f"create view store.report_read as select {REPORT_COLUMNS}"
        " from store.reports where same_as is null"
    )
    op.drop_column("reports", "created_in", schema="store")
