"""Ofsted's published outcome tables, read from the spreadsheets as Ofsted publishes them."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

from findings_shared.events import Grade, JudgementArea, ReportType
from findings_shared.official import BUNDLED, OfficialInspection, OfficialRecords

LABELS = Path(__file__).parents[1] / "fixtures" / "labels"
REFERENCE = Path(__file__).parents[2] / "shared" / "src" / "findings_shared" / "reference"


def test_the_shipped_tables_hold_every_kind_of_inspection_and_visit() -> None:
    records = OfficialRecords.published_tables()
    kinds = {(i.report_type, i.inspection_type) for i in records.inspections}
    assert {
        (ReportType.ILACS_INSPECTION, "standard"),
        (ReportType.ILACS_INSPECTION, "short"),
        (ReportType.FOCUSED_VISIT, "focused visit"),
        (ReportType.MONITORING_VISIT, "monitoring visit"),
        (ReportType.SIF_INSPECTION, ""),
    } <= kinds
    visits = [i for i in records.inspections if i.report_type is ReportType.FOCUSED_VISIT]
    assert all(i.visit_theme for i in visits), "every focused visit names its theme"


def test_an_authority_history_reaches_back_through_the_frameworks() -> None:
    wandsworth = OfficialRecords.published_tables().of_authority("212")
    latest = wandsworth[0]
    assert (latest.framework, latest.inspection_date, latest.published) == (
        "ILACS Standard Inspection",
        date(2022, 11, 7),
        date(2023, 1, 13),
    )
    # Before 2023 children in care and care leavers were one judgement.
    assert latest.grades[JudgementArea.CHILDREN_IN_CARE_AND_CARE_LEAVERS] is Grade.GOOD
    assert latest.wording[JudgementArea.OVERALL_EFFECTIVENESS] == "Good"
    assert latest.web_link == "https://reports.ofsted.gov.uk/provider/44/212"
    sif = next(i for i in wandsworth if i.framework == "SIF inspection")
    assert sif.published == date(2016, 2, 16)
    assert sif.grades[JudgementArea.OVERALL_EFFECTIVENESS] is Grade.INADEQUATE
    days = [i.published or date.min for i in wandsworth]
    assert days == sorted(days, reverse=True)


def test_the_spreadsheet_and_its_csv_export_agree_on_every_ilacs_inspection() -> None:
    def key(i: OfficialInspection) -> tuple[object, ...]:
        return (i.ofsted_urn, i.framework, i.published, tuple(sorted(i.grades.items())))

    spreadsheet = OfficialRecords.from_spreadsheets([REFERENCE / BUNDLED[0]])
    exported = OfficialRecords.read(LABELS)
    ilacs = ReportType.ILACS_INSPECTION
    from_spreadsheet = {key(i) for i in spreadsheet.inspections if i.report_type is ilacs}
    from_csv = {key(i) for i in exported.inspections if i.report_type is ilacs}
    assert len(from_csv) > 250
    assert from_spreadsheet == from_csv


def test_a_report_is_matched_by_authority_kind_and_dates() -> None:
    records = OfficialRecords.published_tables()
    ilacs = ReportType.ILACS_INSPECTION
    by_start = records.of_report("212", ilacs, date(2022, 11, 8), None)
    by_publication = records.of_report("212", ilacs, None, date(2023, 1, 12))
    assert by_start is not None
    assert by_start is by_publication
    assert records.of_report("212", ReportType.FOCUSED_VISIT, date(2022, 11, 7), None) is None
    assert records.of_report("212", ilacs, date(2022, 12, 20), None) is None
    assert records.of_report(None, ilacs, date(2022, 11, 7), None) is None


def test_a_newer_edition_is_loaded_and_a_wrong_file_refused(tmp_path: Path) -> None:
    def load(file: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                *(sys.executable, "-m", "findings_cli.main", "reference", "load", str(file)),
                *("--dir", str(tmp_path / "reference")),
            ],
            capture_output=True,
            text=True,
            check=False,
        )

    loaded = load(REFERENCE / BUNDLED[0])
    assert loaded.returncode == 0, loaded.stderr
    assert "170 standard" in loaded.stdout
    assert (tmp_path / "reference" / BUNDLED[0]).is_file()

    not_ods = tmp_path / "report.pdf"
    not_ods.write_bytes(b"%PDF-1.7")
    refused = load(not_ods)
    assert refused.returncode == 2
    assert "not an .ods file" in refused.stderr
    foreign = tmp_path / "budget.ods"
    foreign.write_bytes(b"PK\x03\x04 not really a spreadsheet")
    refused = load(foreign)
    assert refused.returncode == 2
    assert "cannot read" in refused.stderr
    assert sorted(p.name for p in (tmp_path / "reference").iterdir()) == [BUNDLED[0]]
