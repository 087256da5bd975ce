"""The API's read model: views over the store's tables, each with exactly the columns the
API reads (docs/read-model.md). The tables may change behind them; a view's columns are
a contract with the API, changed only together with it.

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
    "report_read": """
        select report_id, parser_version, report_type, title, la_name, ofsted_urn, la_code,
               ons_code, inspection_start, inspection_end, published, lead_inspector,
               finding_count, stored_at, coverage, warnings, needs_review, object_uri
        from store.reports""",
    "judgement_read": "select report_id, area, label, grade from store.judgements",
    "finding_read": """
        select finding_id, report_id, ordinal, category, section, judgement_area, paragraph,
               text, search
        from store.findings""",
    "failure_read": """
        select report_id, stage, error_type, reason, attempt, occurred_at
        from store.failures""",
}


def upgrade() -> None:
    for name, query in VIEWS.items():
        op.execute(f"create view store.{name} as {query}")


def downgrade() -> None:
    for name in reversed(VIEWS):
        op.execute(f"drop view store.{name}")
