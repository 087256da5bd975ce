"""The parser against every fixture report: golden files, official grades, invariants."""

from __future__ import annotations

import csv
import json
import re
from datetime import date, datetime
from pathlib import Path

import pytest

from findings_parse.core.parser import parse_report
from findings_shared.events import FindingCategory, JudgementArea, ReportParsed, ReportType
from tests.golden import EXPECTED, FIXTURES, REPORTS, expected_path, summarise

REPORT_FILES = sorted(REPORTS.iterdir())


def _golden_type(report_file: Path) -> str:
    report_type: str = json.loads(expected_path(report_file).read_text())["report_type"]
    return report_type


ILACS_FILES = [f for f in REPORT_FILES if _golden_type(f) == "ilacs_inspection"]
SIF_FILES = [f for f in REPORT_FILES if _golden_type(f) == "sif_inspection"]


def parsed(path: Path) -> ReportParsed:
    return parse_report(path.read_bytes(), path.name)


@pytest.mark.parametrize("report_file", REPORT_FILES, ids=lambda p: p.name)
def test_report_matches_its_golden_file(report_file: Path) -> None:
    expected = json.loads(expected_path(report_file).read_text(encoding="utf-8"))
    assert summarise(parsed(report_file)) == expected


def test_every_fixture_has_a_golden_file() -> None:
    assert {p.name.removesuffix(".json") for p in EXPECTED.iterdir()} == {
        p.name for p in REPORT_FILES
    }


# --- Grades against Ofsted's official outcomes (an independent source) ---

_LABEL_COLUMNS = {
    "Overall effectiveness": JudgementArea.OVERALL_EFFECTIVENESS,
    "The impact of leaders on social work practice with children and families": (
        JudgementArea.IMPACT_OF_LEADERS
    ),
    "The experiences and progress of children who need help and protection": (
        JudgementArea.HELP_AND_PROTECTION
    ),
    "The experiences and progress of children in care": JudgementArea.CHILDREN_IN_CARE,
    "The experiences and progress of care leavers": JudgementArea.CARE_LEAVERS,
}
_GRADES = {
    "Outstanding": "outstanding",
    "Good": "good",
    "Requires improvement to be good": "requires_improvement",
    "Inadequate": "inadequate",
}


def _official_outcomes() -> list[dict[str, str]]:
    with (FIXTURES / "ilacs_outcomes_2018_2025.csv").open(encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def _official_grades(report: ReportParsed) -> dict[JudgementArea, str] | None:
    authority = report.local_authority
    assert authority is not None
    for row in _official_outcomes():
        same_la = row["Local authority name"] == authority.name or (
            row["Local authority area code"] == authority.ons_code
        )
        started = datetime.strptime(row["Inspection date"], "%d/%m/%Y").date()
        if same_la and started == report.inspection_start:
            grades = {
                area: _GRADES[row[column]] for column, area in _LABEL_COLUMNS.items() if row[column]
            }
            # Before 2023 children in care and care leavers were judged together.
            if JudgementArea.CARE_LEAVERS not in grades:
                grades[JudgementArea.CHILDREN_IN_CARE_AND_CARE_LEAVERS] = grades.pop(
                    JudgementArea.CHILDREN_IN_CARE
                )
            return grades
    return None


def test_grades_match_ofsteds_official_outcomes() -> None:
    checked = 0
    for report_file in ILACS_FILES:
        report = parsed(report_file)
        official = _official_grades(report)
        if official is None:
            continue  # inspected after the outcomes file was published
        assert {j.area: j.grade.value for j in report.judgements} == official, report_file.name
        checked += 1
    assert checked >= 20


def test_the_2026_framework_has_no_overall_effectiveness() -> None:
    report = parsed(REPORTS / "inspection_brent_2026-06-17.pdf")
    assert [j.area for j in report.judgements] == [
        JudgementArea.IMPACT_OF_LEADERS,
        JudgementArea.HELP_AND_PROTECTION,
        JudgementArea.CHILDREN_IN_CARE,
        JudgementArea.CARE_LEAVERS,
    ]


# --- Invariants that hold for every report ---


@pytest.mark.parametrize("report_file", ILACS_FILES + SIF_FILES, ids=lambda p: p.name)
def test_numbered_paragraphs_appear_once_in_order(report_file: Path) -> None:
    numbers = [f.paragraph for f in parsed(report_file).findings if f.paragraph is not None]
    assert numbers == list(range(1, len(numbers) + 1))
    if report_file in ILACS_FILES:  # some SIF reports use bullets, not numbers
        assert len(numbers) >= 30


@pytest.mark.parametrize("report_file", REPORT_FILES, ids=lambda p: p.name)
def test_findings_hold_no_glyphs_headers_or_boilerplate(report_file: Path) -> None:
    report = parsed(report_file)
    for finding in report.findings:
        assert not re.search(r"[\uf000-\uf8ff◼▪●•\ufffe]", finding.text), finding.text
        assert not re.search(r"local authority children.s services\s+\d", finding.text)
        assert "Piccadilly Gate" not in finding.text
        assert "Open Government Licence" not in finding.text
        assert "Yours sincerely" not in finding.text
        # Cover metadata is front matter, never a finding.
        front_matter = ("Reporting inspector", "Inspection date", "Lead inspector", "Published:")
        assert not finding.text.startswith(front_matter), finding.text
        assert finding.text == finding.text.strip()
        assert "  " not in finding.text
    assert report.quality.coverage > 0.95


@pytest.mark.parametrize("report_file", ILACS_FILES, ids=lambda p: p.name)
def test_ilacs_reports_have_every_section(report_file: Path) -> None:
    report = parsed(report_file)
    assert report.report_type is ReportType.ILACS_INSPECTION
    assert report.local_authority is not None
    assert report.inspection_start
    assert report.inspection_end
    assert report.inspection_start <= report.inspection_end
    assert report.lead_inspector
    assert "Inspector" not in report.lead_inspector
    categories = {f.category for f in report.findings}
    assert categories == {FindingCategory.EVIDENCE, FindingCategory.IMPROVEMENT}
    areas = {f.judgement_area for f in report.findings if f.judgement_area}
    assert areas == {j.area for j in report.judgements} - {JudgementArea.OVERALL_EFFECTIVENESS}


def test_pdf_and_text_forms_of_one_report_give_the_same_findings() -> None:
    def texts(name: str) -> list[tuple[str, int | None, str]]:
        report = parsed(REPORTS / name)
        return [
            (f.category.value, f.paragraph, re.sub(r"[‘’]", "'", f.text).replace("multi-", "multi"))
            for f in report.findings
        ]

    from_pdf = texts("inspection_wandsworth_2023-01-13.pdf")
    from_text = texts("inspection_wandsworth_2023-01-13.txt")
    assert len(from_pdf) == len(from_text) == 51
    assert [(c, p) for c, p, _ in from_pdf] == [(c, p) for c, p, _ in from_text]
    same = sum(1 for a, b in zip(from_pdf, from_text, strict=True) if a[2] == b[2])
    assert same >= 40  # the two exports differ in a few hyphens and spaces


def test_a_paragraph_split_by_a_page_break_is_joined() -> None:
    report = parsed(REPORTS / "inspection_wandsworth_2023-01-13.pdf")
    paragraph_4 = next(f for f in report.findings if f.paragraph == 4)
    assert paragraph_4.text == (
        "When risks to children escalate, their needs are considered in timely multi-agency "
        "strategy meetings. The attendance of key partner agencies has improved since the last "
        "inspection, although senior managers are working with police and health partners to "
        "ensure more consistent engagement. Detailed information-sharing and appropriate "
        "decision-making inform child protection enquiries, leading to a clear multi-agency "
        "protection plan being put in place for children."
    )
    assert paragraph_4.section == (
        "The experiences and progress of children who need help and protection: good"
    )
    assert paragraph_4.judgement_area is JudgementArea.HELP_AND_PROTECTION


# --- Annual unannounced inspection letters, counted by hand ---


@pytest.mark.parametrize(
    ("name", "counts", "inspector", "dates", "la_code"),
    [
        pytest.param(
            "letter_wolverhampton_2010-10-13.txt",
            {"strength": 5, "meets_requirements": 12, "area_for_development": 6, "evidence": 4},
            "Brendan Parkinson",
            (date(2010, 9, 14), date(2010, 9, 15), date(2010, 10, 13)),
            "336",
            id="wolverhampton",
        ),
        pytest.param(
            "letter_wandsworth_2011-07-07.txt",
            {"strength": 2, "meets_requirements": 17, "area_for_development": 2, "evidence": 5},
            "Nicholas McMullen",
            (date(2011, 6, 8), date(2011, 6, 9), date(2011, 7, 7)),
            "212",
            id="wandsworth",
        ),
    ],
)
def test_annual_unannounced_letters(
    name: str,
    counts: dict[str, int],
    inspector: str,
    dates: tuple[date, date, date],
    la_code: str,
) -> None:
    report = parsed(REPORTS / name)
    assert report.report_type is ReportType.ANNUAL_UNANNOUNCED_INSPECTION
    got: dict[str, int] = {}
    for finding in report.findings:
        got[finding.category.value] = got.get(finding.category.value, 0) + 1
    assert got == counts
    assert report.lead_inspector == inspector
    assert (report.inspection_start, report.inspection_end, report.published) == dates
    assert report.local_authority is not None
    assert report.local_authority.la_code == la_code


def test_a_bullet_split_over_a_page_break_in_a_text_export_is_joined() -> None:
    report = parsed(REPORTS / "letter_wolverhampton_2010-10-13.txt")
    diversity = next(f for f in report.findings if f.text.startswith("Diversity"))
    assert diversity.category is FindingCategory.STRENGTH
    assert "religion with needs and strengths being identified well" in diversity.text
    assert diversity.text.endswith("where English is not the first language.")


def test_finding_ids_are_deterministic() -> None:
    first = parsed(REPORTS / "inspection_salford_2018-11-12.pdf")
    second = parsed(REPORTS / "inspection_salford_2018-11-12.pdf")
    assert [f.finding_id for f in first.findings] == [f.finding_id for f in second.findings]
    assert len({f.finding_id for f in first.findings}) == len(first.findings)


# --- Every family: the type from the file's name, the front matter from the cover ---

_TYPE_BY_PREFIX = {
    "focused_visit_": ReportType.FOCUSED_VISIT,
    "jtai_": ReportType.JTAI,
    "area_send_": ReportType.AREA_SEND,
    "letter_": ReportType.ANNUAL_UNANNOUNCED_INSPECTION,
}


def _expected_type(name: str) -> set[ReportType]:
    for prefix, report_type in _TYPE_BY_PREFIX.items():
        if name.startswith(prefix):
            return {report_type}
    year = int(name.rsplit("_", 1)[1][:4])
    if year <= 2013:
        return {ReportType.SAFEGUARDING_LAC_INSPECTION}
    if year <= 2018:  # SIF until mid-2018, ILACS from then on
        return {ReportType.SIF_INSPECTION, ReportType.ILACS_INSPECTION}
    return {ReportType.ILACS_INSPECTION}


@pytest.mark.parametrize("report_file", REPORT_FILES, ids=lambda p: p.name)
def test_every_report_is_recognised_with_its_authority_and_dates(report_file: Path) -> None:
    report = parsed(report_file)
    assert report.report_type in _expected_type(report_file.name)
    assert report.local_authority is not None
    slug = report_file.name.rsplit("_", 2)[1] if "_" in report_file.name else ""
    assert slug.split("-")[0] in report.local_authority.name.lower().replace(" ", "-")
    assert report.inspection_start is not None
    assert report.inspection_end is not None
    assert report.inspection_start <= report.inspection_end
    assert report.findings
    assert not [w for w in report.quality.warnings if "not recognised" in w]


@pytest.mark.parametrize(
    ("name", "grades"),
    [
        pytest.param(
            "inspection_coventry_2014-03-21.pdf",
            {
                "overall_effectiveness": "inadequate",
                "help_and_protection": "inadequate",
                "children_looked_after": "requires_improvement",
                "adoption": "requires_improvement",
                "care_leavers": "requires_improvement",
                "leadership_management_governance": "inadequate",
                "lscb": "inadequate",
            },
            id="sif-coventry",
        ),
        pytest.param(
            "inspection_isles-of-scilly_2016-06-27.pdf",
            {  # services for looked after children and care leavers were "Not Judged"
                "overall_effectiveness": "good",
                "help_and_protection": "good",
                "leadership_management_governance": "good",
                "lscb": "requires_improvement",
            },
            id="sif-not-judged",
        ),
        pytest.param(
            "inspection_medway_2013-08-23.pdf",
            {
                "overall_effectiveness": "inadequate",
                "capacity_to_improve": "adequate",
                "outcomes": "inadequate",
                "quality_of_provision": "inadequate",
                "leadership_and_management": "inadequate",
            },
            id="lac-2013",
        ),
        pytest.param(
            "area_send_enfield_2023-08-02.pdf",
            {"area_send_outcome": "inconsistent"},
            id="send-inconsistent",
        ),
        pytest.param(
            "area_send_oxfordshire_2023-09-15.pdf",
            {"area_send_outcome": "systemic_failings"},
            id="send-systemic",
        ),
    ],
)
def test_judgements_of_other_families(name: str, grades: dict[str, str]) -> None:
    report = parsed(REPORTS / name)
    assert {j.area.value: j.grade.value for j in report.judgements} == grades


@pytest.mark.parametrize(
    ("name", "inspector"),
    [
        ("inspection_derbyshire_2014-02-11.pdf", "Fiona J Millns"),
        ("inspection_plymouth_2015-01-06.pdf", "Linda Steele"),
        ("inspection_medway_2013-08-23.pdf", "Sarah Urding"),
        ("focused_visit_ealing_2022-11-22.pdf", "Andy Whippey"),
        ("focused_visit_solihull_2018-03-09.pdf", "Peter McEntee"),
        ("area_send_enfield_2023-08-02.pdf", "Andrew Wright"),
        ("jtai_sutton_2023-09-01.pdf", None),  # signed by national directors, lead not named
    ],
)
def test_lead_inspectors_without_roles(name: str, inspector: str | None) -> None:
    assert parsed(REPORTS / name).lead_inspector == inspector


def test_letters_sections_become_categories() -> None:
    visit = parsed(REPORTS / "focused_visit_solihull_2018-03-09.pdf")
    improvements = [f for f in visit.findings if f.category is FindingCategory.IMPROVEMENT]
    assert [f.section for f in improvements] == [  # as printed: no question mark in 2018
        "What needs to improve in this area of social work practice"
    ] * 3
    assert not any("Ofsted will take the findings" in f.text for f in visit.findings)
    jtai = parsed(REPORTS / "jtai_sutton_2023-09-01.pdf")
    assert {f.category for f in jtai.findings} == {
        FindingCategory.EVIDENCE,
        FindingCategory.IMPROVEMENT,
        FindingCategory.STRENGTH,
    }


@pytest.mark.parametrize(
    ("title", "report_type"),
    [
        ("Monitoring visit to Sunderland children’s services", ReportType.MONITORING_VISIT),
        ("Joint area review of Sunderland children’s services", ReportType.JOINT_AREA_REVIEW),
        ("Focused visit to Sunderland children’s services", ReportType.FOCUSED_VISIT),
    ],
)
def test_letters_of_families_absent_from_the_corpus(title: str, report_type: ReportType) -> None:
    letter = f"""8 March 2019

Ms Jill Colbert
Director of Children’s Services
Sunderland City Council

Dear Ms Colbert

{title}

This letter summarises the findings of the visit to Sunderland children’s services on 12 and
13 February 2019. The inspectors were Lisa Summers, Her Majesty’s Inspector, and Rachel
Holden, Her Majesty’s Inspector.

Areas for priority action

- The quality of assessments for children in need of protection.

Findings

- Leaders have a clear understanding of the service.
- Caseloads are manageable.

Yours sincerely

Lisa Summers
Her Majesty’s Inspector
"""
    report = parse_report(letter.encode(), "letter.txt")
    assert report.report_type is report_type
    assert report.local_authority is not None
    assert report.local_authority.name == "Sunderland"
    assert report.inspection_start == date(2019, 2, 12)
    assert report.inspection_end == date(2019, 2, 13)
    assert report.published == date(2019, 3, 8)
    assert report.lead_inspector == "Lisa Summers"
    assert [(f.category.value, f.text) for f in report.findings[-3:]] == [
        ("priority_action", "The quality of assessments for children in need of protection."),
        ("evidence", "Leaders have a clear understanding of the service."),
        ("evidence", "Caseloads are manageable."),
    ]
