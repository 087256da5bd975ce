"""Reports by when they were stored: the API reads what changed since a moment
(`changed_since`, its check of new reports against Ofsted's grades, the latest reports and
their feeds); without an index each of those read the whole reports table.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 03:00
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("create index ix_reports_stored_at on store.reports (stored_at)")


def downgrade() -> None:
    op.execute("drop index store.ix_reports_stored_at")
