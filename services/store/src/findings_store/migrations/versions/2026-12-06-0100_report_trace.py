"""The trace a report was stored in (its W3C traceparent, where traces are on), so that the
API's reads of the report join the report's trace; and the API's view of reports with it.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 01:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

REPORT_COLUMNS = """report_id, parser_version, report_type, title, la_name, ofsted_urn, la_code,
           ons_code, inspection_start, inspection_end, published, lead_inspector,
           finding_count, stored_at, coverage, warnings, needs_review, object_uri,
           next_inspection"""


def upgrade() -> None:
    op.add_column("reports", sa.Column("trace_parent", sa.String(55)), schema="store")
    # New columns go at the end of a view: `create or replace` keeps the others.
    op.execute(
        f"create or replace view store.report_read as select {REPORT_COLUMNS}, trace_parent"
        " from store.reports where same_as is null"
    )


def downgrade() -> None:
    op.execute("drop view store.report_read")
    op.execute(
        f"create view store.report_read as select {REPORT_COLUMNS}"
        " from store.reports where same_as is null"
    )
    op.drop_column("reports", "trace_parent", schema="store")
