"""Withdrawn reports: a report whose file came to hold other content is deleted, and a
tombstone keeps a late parse of it from bringing it back (events of schema version 3).

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
    op.create_table(
        "replaced",
        sa.Column("report_id", sa.String(64), primary_key=True),
        sa.Column("object_uri", sa.Text, nullable=False),
        sa.Column("replaced_by", sa.String(64)),
        sa.Column("replaced_at", sa.DateTime(timezone=True), nullable=False),
        schema="store",
    )


def downgrade() -> None:
    op.drop_table("replaced", schema="store")
