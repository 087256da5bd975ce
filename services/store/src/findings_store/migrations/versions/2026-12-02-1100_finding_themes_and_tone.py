"""Each finding's themes and tone (events of schema version 4, docs/themes.md): the theme
slugs as an array for filters and counts (GIN-indexed), the tags with their matched words
and each sentence's tone as JSON for display. The API's view of findings gains them.

Findings stored before have no themes and no tone until `findings replay` parses their
reports again.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 11:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

FINDING_READ = """
    select finding_id, report_id, ordinal, category, section, judgement_area, paragraph,
           text, search{more}
    from store.findings"""
THEMES = ", theme_slugs, themes, tone, sentence_tones"


def upgrade() -> None:
    op.add_column(
        "findings",
        sa.Column(
            "theme_slugs",
            postgresql.ARRAY(sa.Text),
            nullable=False,
            server_default=sa.text("'{}'"),
        ),
        schema="store",
    )
    for name in ("themes", "sentence_tones"):
        op.add_column(
            "findings",
            sa.Column(
                name, postgresql.JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")
            ),
            schema="store",
        )
    op.add_column("findings", sa.Column("tone", sa.Text), schema="store")
    op.create_index(
        "ix_findings_theme_slugs",
        "findings",
        ["theme_slugs"],
        postgresql_using="gin",
        schema="store",
    )
    op.create_index("ix_findings_tone", "findings", ["tone"], schema="store")
    # New columns go at the end of a view: `create or replace` keeps the others.
    op.execute(f"create or replace view store.finding_read as {FINDING_READ.format(more=THEMES)}")


def downgrade() -> None:
    op.execute("drop view store.finding_read")
    op.execute(f"create view store.finding_read as {FINDING_READ.format(more='')}")
    op.drop_index("ix_findings_tone", "findings", schema="store")
    op.drop_index("ix_findings_theme_slugs", "findings", schema="store")
    for name in ("tone", "sentence_tones", "themes", "theme_slugs"):
        op.drop_column("findings", name, schema="store")
