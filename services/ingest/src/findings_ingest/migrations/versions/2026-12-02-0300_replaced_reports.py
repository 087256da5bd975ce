"""A report whose file came to hold other content is withdrawn: `replacing` until the
notice is published, then `replaced`, with the report that took its place.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 03:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("reports", sa.Column("replaced_by", sa.String(64)), schema="ingest")
    op.add_column("reports", sa.Column("replaced_at", sa.DateTime(timezone=True)), schema="ingest")
    op.drop_constraint("status", "reports", schema="ingest", type_="check")
    op.create_check_constraint(
        "status",
        "reports",
        "status in ('pending', 'announced', 'stored', 'failed', 'stuck', 'replacing', 'replaced')",
        schema="ingest",
    )


def downgrade() -> None:
    op.execute("update ingest.reports set status = 'stored' where status like 'replac%'")
    op.drop_constraint("status", "reports", schema="ingest", type_="check")
    op.create_check_constraint(
        "status",
        "reports",
        "status in ('pending', 'announced', 'stored', 'failed', 'stuck')",
        schema="ingest",
    )
    op.drop_column("reports", "replaced_at", schema="ingest")
    op.drop_column("reports", "replaced_by", schema="ingest")
