"""Indexes for what the API reads across every report (measured at 20,000 reports,
docs/benchmarks.md):

- Reports newest first, nationally and for one authority: a page of findings filtered by
  tone, category or theme alone read the whole findings table and sorted it (0.2-0.8 s);
  walking the reports in the API's order (`coalesce(published, inspection_end, …)`, then
  `report_id`) and reading each one's findings stops after a page (5-12 ms). The
  expression must stay the API's `REPORT_DATE`.
- Each report's findings with the columns a facet counts by (`include`): a facet that
  counts every finding reads this index alone (an index-only scan, 275 MB) instead of the
  table (1.9 GB). It is the unique index of (report_id, ordinal) widened, not one more.
- The indexes by category and by tone alone go: no plan of the API's used them.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 09:00
"""

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

REPORT_DATE = "(coalesce(published, inspection_end, date '0001-01-01'))"


def upgrade() -> None:
    op.execute(
        f"create index ix_reports_newest on store.reports ({REPORT_DATE} desc, report_id)"
        " where same_as is null"
    )
    op.execute(
        "create index ix_reports_authority_newest on store.reports"
        f" (la_code, {REPORT_DATE} desc, report_id) where same_as is null"
    )
    op.execute("alter table store.findings drop constraint uq_findings_report_id_ordinal")
    op.execute(
        "alter table store.findings add constraint uq_findings_report_id_ordinal"
        " unique (report_id, ordinal) include (category, tone, judgement_area, theme_slugs)"
    )
    op.execute("drop index store.ix_findings_category")
    op.execute("drop index store.ix_findings_tone")


def downgrade() -> None:
    op.execute("create index ix_findings_tone on store.findings (tone)")
    op.execute("create index ix_findings_category on store.findings (category)")
    op.execute("alter table store.findings drop constraint uq_findings_report_id_ordinal")
    op.execute(
        "alter table store.findings add constraint uq_findings_report_id_ordinal"
        " unique (report_id, ordinal)"
    )
    op.execute("drop index store.ix_reports_authority_newest")
    op.execute("drop index store.ix_reports_newest")
