"""Withdrawn reports are kept for a time, not for ever: each withdrawal records when it
was made (`withdrawn_at`), and store purges those older than its setting
(`FINDINGS_STORE_WITHDRAWN_KEPT_DAYS`) when it withdraws another. The counter's row says
up to which version withdrawals were purged (`withdrawals_purged_through`): a reader that
kept sums at an older version cannot take the purged reports away and counts again.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 22:00
"""

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Those withdrawn before this migration are kept from now for the setting's time.
    op.execute("alter table store.withdrawn_reports add column withdrawn_at timestamptz")
    op.execute("update store.withdrawn_reports set withdrawn_at = now()")
    op.execute(
        "create index ix_withdrawn_reports_withdrawn_at on store.withdrawn_reports (withdrawn_at)"
    )
    op.execute(
        "alter table store.changes"
        " add column withdrawals_purged_through bigint not null default 0"
    )
    op.execute(
        "create or replace view store.change_read as"
        " select version, withdrawals_purged_through from store.changes"
    )


def downgrade() -> None:
    op.execute("drop view store.change_read")
    op.execute("create view store.change_read as select version from store.changes")
    op.execute("alter table store.changes drop column withdrawals_purged_through")
    op.execute("alter table store.withdrawn_reports drop column withdrawn_at")
