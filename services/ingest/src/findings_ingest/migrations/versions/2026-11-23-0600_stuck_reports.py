"""Reports announced too often without an outcome become `stuck`.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 06:00
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_constraint("status", "reports", schema="ingest", type_="check")
    op.create_check_constraint(
        "status",
        "reports",
        "status in ('pending', 'announced', 'stored', 'failed', 'stuck')",
        schema="ingest",
    )


def downgrade() -> None:
    op.drop_constraint("status", "reports", schema="ingest", type_="check")
    op.create_check_constraint(
        "status",
        "reports",
        "status in ('pending', 'announced', 'stored', 'failed')",
        schema="ingest",
    )
