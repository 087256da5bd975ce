"""What a report says of the next inspection (area SEND reports do; events of schema
version 4), and the API's view of reports with it.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 13:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

REPORT_READ = """
    select report_id, parser_version, report_type, title, la_name, ofsted_urn, la_code,
           ons_code, inspection_start, inspection_end, published, lead_inspector,
           finding_count, stored_at, coverage, warnings, needs_review, object_uri{more}
    from store.reports"""


def upgrade() -> None:
    op.add_column("reports", sa.Column("next_inspection", postgresql.JSONB), schema="store")
    # New columns go at the end of a view: `create or replace` keeps the others.
    more = ", next_inspection"
    op.execute(f"create or replace view store.report_read as {REPORT_READ.format(more=more)}")


def downgrade() -> None:
    op.execute("drop view store.report_read")
    op.execute(f"create view store.report_read as {REPORT_READ.format(more='')}")
    op.drop_column("reports", "next_inspection", schema="store")
