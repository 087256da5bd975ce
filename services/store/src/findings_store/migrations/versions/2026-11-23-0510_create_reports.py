"""Create reports, judgements, findings (with full-text search) and failures.

Revision ID: 0001
Revises:
Create Date: 2026-11-23 05:10
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reports",
        sa.Column("report_id", sa.String(64), primary_key=True),
        sa.Column("parser_version", sa.Text, nullable=False),
        sa.Column("report_type", sa.Text, nullable=False),
        sa.Column("title", sa.Text),
        sa.Column("la_name", sa.Text),
        sa.Column("ofsted_urn", sa.Text),
        sa.Column("la_code", sa.String(3)),
        sa.Column("ons_code", sa.String(9)),
        sa.Column("inspection_start", sa.Date),
        sa.Column("inspection_end", sa.Date),
        sa.Column("published", sa.Date),
        sa.Column("lead_inspector", sa.Text),
        sa.Column("object_uri", sa.Text, nullable=False),
        sa.Column("coverage", sa.Float, nullable=False),
        sa.Column("warnings", postgresql.JSONB, nullable=False),
        sa.Column("finding_count", sa.Integer, nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        schema="store",
    )
    op.create_index("ix_reports_la_code", "reports", ["la_code"], schema="store")
    op.create_index("ix_reports_report_type", "reports", ["report_type"], schema="store")
    op.create_index("ix_reports_published", "reports", ["published"], schema="store")
    op.create_table(
        "judgements",
        sa.Column(
            "report_id",
            sa.String(64),
            sa.ForeignKey("store.reports.report_id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("area", sa.Text, primary_key=True),
        sa.Column("label", sa.Text, nullable=False),
        sa.Column("grade", sa.Text, nullable=False),
        schema="store",
    )
    op.create_table(
        "findings",
        sa.Column("finding_id", sa.String(32), primary_key=True),
        sa.Column(
            "report_id",
            sa.String(64),
            sa.ForeignKey("store.reports.report_id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("ordinal", sa.Integer, nullable=False),
        sa.Column("category", sa.Text, nullable=False),
        sa.Column("section", sa.Text, nullable=False),
        sa.Column("judgement_area", sa.Text),
        sa.Column("paragraph", sa.Integer),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column(
            "search",
            postgresql.TSVECTOR,
            sa.Computed("to_tsvector('english', text)", persisted=True),
        ),
        sa.UniqueConstraint("report_id", "ordinal", name="uq_findings_report_id_ordinal"),
        schema="store",
    )
    op.create_index("ix_findings_category", "findings", ["category"], schema="store")
    op.create_index(
        "ix_findings_search", "findings", ["search"], postgresql_using="gin", schema="store"
    )
    op.create_table(
        "failures",
        sa.Column("event_id", sa.String(32), primary_key=True),
        sa.Column("report_id", sa.String(64), nullable=False),
        sa.Column("object_uri", sa.Text, nullable=False),
        sa.Column("stage", sa.Text, nullable=False),
        sa.Column("error_type", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("attempt", sa.Integer, nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        schema="store",
    )
    op.create_index("ix_failures_report_id", "failures", ["report_id"], schema="store")


def downgrade() -> None:
    for table in ("failures", "findings", "judgements", "reports"):
        op.drop_table(table, schema="store")
