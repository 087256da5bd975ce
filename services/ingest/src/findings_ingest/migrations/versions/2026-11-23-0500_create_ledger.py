"""Create the ingest ledger: objects seen in the bucket and reports announced.

Revision ID: 0001
Revises:
Create Date: 2026-11-23 05:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "objects",
        sa.Column("object_uri", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("mtime_ns", sa.BigInteger, nullable=False),
        sa.Column("sha256", sa.String(64)),
        sa.Column("content_type", sa.Text),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status in ('accepted', 'rejected')", name="status"),
        schema="ingest",
    )
    op.create_index("ix_objects_sha256", "objects", ["sha256"], schema="ingest")
    op.create_table(
        "reports",
        sa.Column("report_id", sa.String(64), primary_key=True),
        sa.Column("object_uri", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("content_type", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("announce_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("announced_at", sa.DateTime(timezone=True)),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.CheckConstraint(
            "status in ('pending', 'announced', 'stored', 'failed')", name="status"
        ),
        schema="ingest",
    )
    op.create_index("ix_reports_status", "reports", ["status"], schema="ingest")


def downgrade() -> None:
    op.drop_table("reports", schema="ingest")
    op.drop_table("objects", schema="ingest")
