"""The read model's views leave copies out with `report_id not in (select report_id from
store.reports where same_as is not null)`: without an index that subquery read the whole
reports table for every query (20,000 rows: most of a report fetch's 30 ms). A partial
index holds only the copies, so it costs what the copies are, a handful.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 02:00
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "create index ix_reports_copies on store.reports (report_id) where same_as is not null"
    )


def downgrade() -> None:
    op.execute("drop index store.ix_reports_copies")
