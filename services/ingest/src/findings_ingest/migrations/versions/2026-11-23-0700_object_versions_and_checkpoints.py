"""Objects carry an opaque version (S3 ETag, or size:mtime for files); listings keep a
checkpoint so a restart resumes a long S3 listing where it stopped.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 07:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("objects", sa.Column("version", sa.Text), schema="ingest")
    op.execute("update ingest.objects set version = size || ':' || mtime_ns")
    op.alter_column("objects", "version", nullable=False, schema="ingest")
    op.create_table(
        "listing_checkpoints",
        sa.Column("bucket", sa.Text, primary_key=True),
        sa.Column("start_after", sa.Text, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        schema="ingest",
    )


def downgrade() -> None:
    op.drop_table("listing_checkpoints", schema="ingest")
    op.drop_column("objects", "version", schema="ingest")
