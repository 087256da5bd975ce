"""Families recognised from what a report is (its structure, its title), never from what it
mentions; each family's front matter read from the forms Ofsted has printed.

Minimal reports written here stand for layouts and wordings met outside the fixtures.
"""

from __future__ import annotations

from datetime import date

import pytest

from findings_parse.core.families import FAMILIES
from findings_parse.core.parser import parse_report
from findings_shared.events import FindingCategory, JudgementArea, ReportParsed, ReportType

_TABLE = """Judgement\tGrade
The impact of leaders on social work practice with children and families\tGood
The experiences and progress of children who need help and protection\tRequires improvement to be good
The experiences and progress of children in care\tGood
The experiences and progress of care leavers\tInadequate
Overall effectiveness\tRequires improvement to be good
"""


def ilacs_text(title: str, opening: str, table: str = _TABLE) -> str:
    """An ILACS report as a plain-text export prints it: title, cover, table, body."""
    return f"""{title}

Inspection dates: 6 to 17 March 2023

Lead inspector: Jane Smith, His Majesty's Inspector

{table}
{opening}

What needs to improve?

- The timeliness of assessments for children in need.

The experiences and progress of children who need help and protection: requires improvement to be good

- 1. Children's needs are identified quickly at the front door.
- 2. Strategy meetings are timely and well attended.
- 3. Assessments are thorough and analytical.
"""


def parse_text(text: str) -> ReportParsed:
    return parse_report(text.encode(), "report.txt")


# --- The family: structure and title, not mentions ---


@pytest.mark.parametrize(
    "opening",
    [
        pytest.param(
            "Following the joint targeted area inspection in July 2022, leaders have improved"
            " the response to children at risk of exploitation.",
            id="jtai-mentioned",
        ),
        pytest.param(
            "Weaknesses identified at the focused visit to the local authority in 2021 have been"
            " addressed, and a monitoring visit to the service found progress.",
            id="visits-mentioned",
        ),
    ],
)
def test_an_inspection_mentioning_other_inspections_is_an_inspection(opening: str) -> None:
    report = parse_text(
        ilacs_text("Inspection of Kent County Council children's services", opening)
    )
    assert report.report_type is ReportType.ILACS_INSPECTION
    assert {j.area: j.grade.value for j in report.judgements} == {
        JudgementArea.IMPACT_OF_LEADERS: "good",
        JudgementArea.HELP_AND_PROTECTION: "requires_improvement",
        JudgementArea.CHILDREN_IN_CARE: "good",
        JudgementArea.CARE_LEAVERS: "inadequate",
        JudgementArea.OVERALL_EFFECTIVENESS: "requires_improvement",
    }
    assert not report.quality.needs_review


def test_the_judgement_table_tells_the_family_when_the_title_is_lost() -> None:
    opening = "Identified at the focused visit to Kent in 2021, drift has been reduced."
    report = parse_text(ilacs_text("Kent County Council", opening))
    assert report.report_type is ReportType.ILACS_INSPECTION
    assert not report.quality.needs_review


@pytest.mark.parametrize(
    ("title", "la_code"),
    [
        ("Inspection of Kent County Council children's services", "886"),
        ("Inspection of Doncaster Metropolitan Borough Council children's services", "371"),
        ("Inspection of Barking and Dagenham children's services", "301"),
        ("Inspection of Bradford Children and Families Trust", "380"),
        ("Inspection of East Riding of Yorkshire Council children's services", "811"),
        ("Inspection of Newcastle City Council children's services", "391"),
    ],
)
def test_titles_naming_a_council_or_a_trust(title: str, la_code: str) -> None:
    """Recognised from the title alone, when no judgement table can be read."""
    opening = "Children are helped and protected well."
    report = parse_text(ilacs_text(title, opening, table="Judgement\tGrade\n"))
    assert report.report_type is ReportType.ILACS_INSPECTION
    assert report.local_authority is not None
    assert report.local_authority.la_code == la_code
    # The title is the family's; the lost table is what needs review.
    [warning] = report.quality.warnings
    assert warning.startswith("incomplete judgement set for the framework: missing")


def test_a_family_known_only_from_a_mention_is_flagged_for_review() -> None:
    text = """Sunderland City Council

Inspection dates: 12 to 13 February 2019

This letter summarises the findings of the focused visit to Sunderland children's services.

Areas for improvement

- The quality of plans for children in need.
"""
    report = parse_text(text)
    assert report.report_type is ReportType.FOCUSED_VISIT
    assert report.quality.needs_review
    assert "recognised only from a mention" in report.quality.warnings[0]


def test_a_letters_title_straight_after_its_greeting_is_its_title() -> None:
    """pdftotext's exports of letters leave no blank line around the title after "Dear …":
    it is still the title, and the family is not merely mentioned."""
    text = """Ofsted
Piccadilly Gate

22 November 2022
Jane Example
Director of Children's Services

Dear Jane
Focused visit to Sunderland children's services
This letter summarises the findings of the focused visit to Sunderland children's services
on 18 to 19 October 2022. His Majesty's Inspectors for this visit were Ann Example and
Bob Example.

Areas for improvement
- The quality of plans for children in need.
"""
    report = parse_text(text)
    assert report.report_type is ReportType.FOCUSED_VISIT
    assert not any("mention" in warning for warning in report.quality.warnings)


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
    report = parse_text(letter)
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
    assert not report.quality.needs_review


@pytest.mark.parametrize(
    ("sentence", "start", "end"),
    [
        # The year is the letter's: the visit came before it.
        ("a focused visit to Sunderland children’s services on 30 and 31 January.", 30, 31),
        (
            "a focused visit to Sunderland children’s services on the 30 and 31 of January 2019.",
            30,
            31,
        ),
    ],
)
def test_a_letters_dates_without_a_year_or_worded(sentence: str, start: int, end: int) -> None:
    letter = f"""8 March 2019

Dear Ms Colbert

Focused visit to Sunderland children’s services

This letter summarises the findings of {sentence} The inspectors were Lisa Summers,
Her Majesty’s Inspector, and Rachel Holden, Her Majesty’s Inspector.

Areas for improvement

- The quality of assessments.

Yours sincerely

Lisa Summers
"""
    report = parse_text(letter)
    assert (report.inspection_start, report.inspection_end) == (
        date(2019, 1, start),
        date(2019, 1, end),
    )


# --- 2012-13 inspections: grades in the record of main findings ---


def test_a_2012_13_record_of_main_findings_without_grade_numbers() -> None:
    text = """Inspection of local authority arrangements for the protection of children

Sunderland City Council

Inspection dates: 11 - 20 March 2013
Lead inspector: Jane Smith HMI
Published: 26 April 2013

About this inspection

1. The inspection was carried out under section 136 of the Education and Inspections Act.

Overall effectiveness

2. The overall effectiveness of the arrangements to protect children is inadequate.

Areas for improvement

3. Ensure that all children at risk are seen promptly.

Record of main findings

Overall effectiveness Inadequate
Effectiveness of the help and protection provided to children, young people, families and carers Inadequate
Quality of practice Adequate
Leadership and governance Inadequate
"""
    report = parse_text(text)
    assert report.report_type is ReportType.SAFEGUARDING_LAC_INSPECTION
    assert {j.area.value: j.grade.value for j in report.judgements} == {
        "overall_effectiveness": "inadequate",
        "help_and_protection": "inadequate",
        "quality_of_practice": "adequate",
        "leadership_and_governance": "inadequate",
    }
    assert report.published == date(2013, 4, 26)
    assert not report.quality.needs_review


def test_the_record_of_main_findings_is_the_one_with_grades_not_its_contents_entry() -> None:
    """A contents list names the record too; in text without page breaks its entry reads
    as a heading, with the contents and the body's headings below it."""
    text = """Inspection of looked after children services
Testshire Council

Inspection dates: 15-19 July 2013
Reporting inspector Ann Example HMI
Published: 23 August 2013

Contents
About this inspection

2

Overall effectiveness of services for looked after children and
young people

4

Record of main findings

24

About this inspection

1. The inspection was carried out under section 136 of the Education and Inspections Act.

Overall effectiveness
Grade 4 (Inadequate)

2. The judgement for overall effectiveness is inadequate.

Record of main findings
Services for looked after children
Overall effectiveness

Inadequate Grade 4

Capacity to improve

Adequate Grade 3
"""
    report = parse_text(text)
    assert report.report_type is ReportType.SAFEGUARDING_LAC_INSPECTION
    assert {j.area.value: j.grade.value for j in report.judgements} == {
        "overall_effectiveness": "inadequate",
        "capacity_to_improve": "adequate",
    }


# --- Annual unannounced inspection letters in plain text ---


def test_a_strength_split_by_a_page_break_stays_a_strength() -> None:
    letter = """7 July 2011

Dear Mr Robinson

Annual unannounced inspection of contact, referral and assessment arrangements within Wandsworth Council children's services

This letter summarises the findings of the recent unannounced inspection of contact, referral and assessment arrangements which was conducted on 8 and 9 June 2011.

Strengths

Managers provide regular and reflective supervision which is recorded

clearly on case files and drives the progress of each child's plan.

Thresholds are understood by partner agencies.

Areas for development

Ensure that assessments are completed on time.

The areas for development identified above will be specifically considered in any future inspection of services for children in need and those in need of protection.

Yours sincerely

Nicholas McMullen
Her Majesty's Inspector
"""
    report = parse_text(letter)
    assert report.report_type is ReportType.ANNUAL_UNANNOUNCED_INSPECTION
    assert [(f.category, f.text) for f in report.findings if f.section != report.title] == [
        (
            FindingCategory.STRENGTH,
            "Managers provide regular and reflective supervision which is recorded clearly on"
            " case files and drives the progress of each child's plan.",
        ),
        (FindingCategory.STRENGTH, "Thresholds are understood by partner agencies."),
        (FindingCategory.AREA_FOR_DEVELOPMENT, "Ensure that assessments are completed on time."),
    ]


def test_every_family_declares_titles_and_judgement_sets() -> None:
    for family in FAMILIES:
        assert family.titles, family.report_type
        assert family.judgement_sets, family.report_type
    assert len({family.report_type for family in FAMILIES}) == len(FAMILIES)


def test_an_ilacs_table_without_its_header_or_with_it_split() -> None:
    split = _TABLE.replace("Judgement\tGrade", "Judgement\nGrade")
    headless = _TABLE.replace("Judgement\tGrade\n", "")
    for table in (split, headless):
        report = parse_text(
            ilacs_text("Inspection of Kent County Council children's services", "Good.", table)
        )
        assert len(report.judgements) == 5
        assert not report.quality.needs_review


def test_a_joint_local_area_send_letter_of_2016_22_has_no_outcome_to_find() -> None:
    letter = """12 March 2019

Dear Ms Brown

Joint local area SEND inspection in Kent

Between 4 and 8 February 2019, Ofsted and the Care Quality Commission (CQC) conducted a joint inspection of the local area of Kent. The inspection team was led by one of Her Majesty's Inspectors.

Main findings

- Leaders know the area's strengths and weaknesses well.

Areas for development

- The timeliness of education, health and care plans.

Yours sincerely

Jane Smith
Her Majesty's Inspector
"""
    report = parse_text(letter)
    assert report.report_type is ReportType.AREA_SEND
    assert report.judgements == []
    assert (report.inspection_start, report.inspection_end) == (date(2019, 2, 4), date(2019, 2, 8))
    assert not report.quality.needs_review
