"""A copy (another file of an inspection already stored) shows which parser read it and
its warnings, as the reports it stands beside do: `findings replay` re-parses copies too
and watches them reach the new version.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 04:00
"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

COLUMNS = "report_id, same_as, object_uri, finding_count, needs_review"


def upgrade() -> None:
    op.execute(
        "create or replace view store.report_copy_read as"
        f" select {COLUMNS}, parser_version, warnings"
        " from store.reports where same_as is not null"
    )


def downgrade() -> None:
    op.execute("drop view store.report_copy_read")
    op.execute(
        f"create view store.report_copy_read as select {COLUMNS}"
        " from store.reports where same_as is not null"
    )
