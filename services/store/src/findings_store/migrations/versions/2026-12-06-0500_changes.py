"""A counter of changes to what the read model serves: store adds one in every transaction
that stores, replaces or withdraws a report, so a reader can tell in one row whether its
cached aggregates (facets, the national summary, the map's data) still hold. The counter is
transactional (a row, not a sequence): a reader that sees a number sees every change it
counts.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 05:00
"""

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "create table store.changes (only_row boolean primary key default true"
        " check (only_row), version bigint not null default 0)"
    )
    op.execute("insert into store.changes default values")
    op.execute("create view store.change_read as select version from store.changes")


def downgrade() -> None:
    op.execute("drop view store.change_read")
    op.execute("drop table store.changes")
