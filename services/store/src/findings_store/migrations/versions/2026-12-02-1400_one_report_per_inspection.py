"""One report per inspection: a report stored after another of the same authority, family
and days on site (the same inspection as another file: a PDF and its text export) is
marked its copy (`same_as`), and the API's views leave copies, their judgements and their
findings out; `store.report_copy_read` names each copy's report and file. Reports stored before are
settled here the same way (the first stored stands for the inspection).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 14:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

REPORT_COLUMNS = """report_id, parser_version, report_type, title, la_name, ofsted_urn, la_code,
           ons_code, inspection_start, inspection_end, published, lead_inspector,
           finding_count, stored_at, coverage, warnings, needs_review, object_uri,
           next_inspection"""
FINDING_COLUMNS = """finding_id, report_id, ordinal, category, section, judgement_area,
           paragraph, text, search, theme_slugs, themes, tone, sentence_tones"""
# Copies are few: a hashed subplan, not a probe per finding.
NOT_A_COPY = "report_id not in (select report_id from store.reports where same_as is not null)"


def upgrade() -> None:
    op.add_column("reports", sa.Column("same_as", sa.String(64)), schema="store")
    op.create_index(
        "ix_reports_inspection",
        "reports",
        ["la_code", "report_type", "inspection_start", "inspection_end"],
        schema="store",
    )
    op.execute(
        """update store.reports r set same_as = first.report_id
           from (select distinct on (la_code, report_type, inspection_start, inspection_end)
                        report_id, la_code, report_type, inspection_start, inspection_end
                 from store.reports
                 where la_code is not null and inspection_start is not null
                   and inspection_end is not null
                 order by la_code, report_type, inspection_start, inspection_end,
                          stored_at, report_id) first
           where r.la_code = first.la_code and r.report_type = first.report_type
             and r.inspection_start = first.inspection_start
             and r.inspection_end = first.inspection_end
             and r.report_id <> first.report_id"""
    )
    # The views keep their columns; only their rows change.
    op.execute(
        f"create or replace view store.report_read as select {REPORT_COLUMNS}"
        " from store.reports where same_as is null"
    )
    op.execute(
        "create or replace view store.judgement_read as"
        f" select report_id, area, label, grade from store.judgements where {NOT_A_COPY}"
    )
    op.execute(
        f"create or replace view store.finding_read as select {FINDING_COLUMNS}"
        f" from store.findings where {NOT_A_COPY}"
    )
    op.execute(
        "create view store.report_copy_read as"
        " select report_id, same_as, object_uri, finding_count, needs_review"
        " from store.reports where same_as is not null"
    )


def downgrade() -> None:
    op.execute("drop view store.report_copy_read")
    op.execute(f"create or replace view store.finding_read as select {FINDING_COLUMNS} from store.findings")
    op.execute(
        "create or replace view store.judgement_read as"
        " select report_id, area, label, grade from store.judgements"
    )
    op.execute(f"create or replace view store.report_read as select {REPORT_COLUMNS} from store.reports")
    op.drop_index("ix_reports_inspection", "reports", schema="store")
    op.drop_column("reports", "same_as", schema="store")
