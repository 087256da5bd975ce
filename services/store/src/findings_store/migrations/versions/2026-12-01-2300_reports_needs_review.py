"""Reports flagged for review: the parser's `quality.needs_review` (schema version 2), so
that the API can list the reports a person should look at. Reports stored before it are
flagged when they carry a warning, as the parser flags them now.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 23:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "reports",
        sa.Column("needs_review", sa.Boolean, nullable=False, server_default=sa.false()),
        schema="store",
    )
    op.execute("update store.reports set needs_review = jsonb_array_length(warnings) > 0")
    op.create_index(
        "ix_reports_needs_review",
        "reports",
        ["needs_review"],
        schema="store",
        postgresql_where=sa.text("needs_review"),
    )


def downgrade() -> None:
    op.drop_index("ix_reports_needs_review", "reports", schema="store")
    op.drop_column("reports", "needs_review", schema="store")
