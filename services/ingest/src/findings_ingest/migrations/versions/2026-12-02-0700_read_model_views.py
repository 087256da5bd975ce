"""The API's read model: views over the ledger, each with exactly the columns the API
reads (docs/read-model.md). The tables may change behind them; a view's columns are a
contract with the API, changed only together with it.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 07:00
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

VIEWS = {
    # Every object seen in the bucket; sha256 is the report's id once it was read.
    "file_read": """
        select object_uri, name, size, sha256, status, reason, seen_at
        from ingest.objects""",
    # Every report announced, and where it is in the pipeline.
    "ledger_report_read": """
        select report_id, status, reason, replaced_by, announce_count, received_at,
               announced_at, finished_at
        from ingest.reports""",
}


def upgrade() -> None:
    for name, query in VIEWS.items():
        op.execute(f"create view ingest.{name} as {query}")


def downgrade() -> None:
    for name in reversed(VIEWS):
        op.execute(f"drop view ingest.{name}")
