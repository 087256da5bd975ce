"""Findings by report and category: a filtered query (an authority's improvements) read
12 000 category entries per report through a bitmap AND; this index reads a handful.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 08:00
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_findings_report_id_category", "findings", ["report_id", "category"], schema="store"
    )


def downgrade() -> None:
    op.drop_index("ix_findings_report_id_category", "findings", schema="store")
