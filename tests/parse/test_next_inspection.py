"""What a report says of its next inspection (area SEND reports say it in one sentence)."""

from __future__ import annotations

import pytest

from findings_parse.core.extract import UnreadableReport
from findings_parse.core.next_inspection import next_inspection_notice
from findings_parse.core.parser import parse_report
from findings_shared.events import ReportType
from tests.conftest import REPORTS


@pytest.mark.parametrize(
    ("text", "kind", "months"),
    [
        (
            "The next full area SEND inspection will be within approximately five years.",
            "full inspection",
            60,
        ),
        (
            "The next full area SEND inspection will take place within approximately 3 years.",
            "full inspection",
            36,
        ),
        (
            "A monitoring inspection will be carried out within approximately 18 months.",
            "monitoring inspection",
            18,
        ),
        (
            "The next full area SEND inspection will be within approximately\nthree years.",
            "full inspection",
            36,
        ),
    ],
)
def test_the_sentence_is_read_in_its_published_forms(text: str, kind: str, months: int) -> None:
    notice = next_inspection_notice("Some text before. " + text)
    assert notice is not None
    assert (notice.kind, notice.within_months) == (kind, months)
    assert notice.text.startswith(("The next", "A monitoring"))


def test_other_mentions_of_inspection_are_not_read_as_the_next_one() -> None:
    assert (
        next_inspection_notice("Since the last inspection in 2019, leaders have improved.") is None
    )
    assert next_inspection_notice("The inspection took place within two weeks of notice.") is None


def test_every_area_send_fixture_says_when_and_no_other_family_does() -> None:
    for path in sorted(REPORTS.iterdir()):
        if path.suffix not in (".pdf", ".txt"):
            continue
        try:
            report = parse_report(path.read_bytes(), path.name)
        except UnreadableReport:  # the refused fixtures are tested elsewhere
            continue
        said = report.next_inspection is not None
        assert said == (report.report_type is ReportType.AREA_SEND), path.name
