"""The section a finding sits in decides its category."""

from __future__ import annotations

from findings_parse.core.blocks import Block
from findings_parse.core.families import ALL_SECTIONS, sif
from findings_parse.core.parser import parse_report
from findings_parse.core.sections import Sectioning, section_findings
from findings_shared.events import FindingCategory, JudgementArea, ReportType
from tests.pdfs import PdfLine, focused_visit_letter, paragraph


def test_a_bold_sub_heading_straight_after_a_categorys_heading_keeps_the_category() -> None:
    pdf = focused_visit_letter(
        PdfLine("Areas for improvement", 12, True, 12),
        PdfLine("Early help", 12, True, 12),
        *paragraph(
            "The quality of early help assessments for children and families, and the",
            "management oversight of plans when needs change.",
        ),
        PdfLine("Children in care", 12, True, 12),
        *paragraph(
            "The timeliness of health assessments for children in care, and how well their",
            "plans reflect what children say about where they live.",
        ),
        PdfLine("Main findings", 12, True, 12),
        *paragraph(
            "Leaders know their services well and act on what they learn from audits and",
            "from what children and their families tell them.",
        ),
    )
    report = parse_report(pdf, "visit.pdf")
    assert report.report_type is ReportType.FOCUSED_VISIT
    assert [(f.category, f.section) for f in report.findings[-3:]] == [
        (FindingCategory.IMPROVEMENT, "Early help"),
        # A heading after findings of the category, at the same size, is a new section.
        (FindingCategory.EVIDENCE, "Children in care"),
        (FindingCategory.EVIDENCE, "Main findings"),
    ]


def test_a_sentence_saying_there_are_none_is_no_action_of_its_kind() -> None:
    """ "There are no areas for priority action" under that heading counts no priority
    action: it is a statement about the report."""
    pdf = focused_visit_letter(
        PdfLine("Areas for priority action", 12, True, 12),
        *paragraph("There are no areas for priority action."),
        PdfLine("Areas for improvement", 12, True, 12),
        *paragraph(
            "The quality of early help assessments for children and families, and the",
            "management oversight of plans when needs change.",
        ),
    )
    report = parse_report(pdf, "visit.pdf")
    assert [(f.category, f.text[:28]) for f in report.findings[-2:]] == [
        (FindingCategory.SUMMARY, "There are no areas for prior"),
        (FindingCategory.IMPROVEMENT, "The quality of early help as"),
    ]


def _sif_sections(blocks: list[Block]) -> Sectioning:
    """Blocks sectioned as a SIF report's, every judgement area judged."""
    return section_findings(
        "report",
        "Title",
        blocks,
        sif.FAMILY.sections + ALL_SECTIONS,
        sif.LABELS,
        frozenset(JudgementArea),
    )


def test_the_boards_recommendations_are_the_boards_and_its_findings_end_them() -> None:
    """In a combined report the board's review makes its own recommendations; its
    "Inspection findings" heading ends them though set smaller than "Recommendations"."""
    blocks = [
        Block("heading", "The Local Safeguarding Children Board (LSCB)", size=16),
        Block("heading", "Executive summary", size=14),
        Block("paragraph", "The LSCB requires improvement."),
        Block("heading", "Recommendations", size=14),
        Block("numbered", "Ensure that the dataset is analysed for board members.", number=100),
        Block("heading", "Inspection findings – the Local Safeguarding Children Board", size=12),
        Block("numbered", "There are appropriate governance arrangements.", number=101),
    ]
    sectioned = _sif_sections(blocks)
    assert [(f.category, f.judgement_area) for f in sectioned.findings] == [
        (FindingCategory.EVIDENCE, JudgementArea.LSCB),
        (FindingCategory.IMPROVEMENT, JudgementArea.LSCB),
        (FindingCategory.EVIDENCE, JudgementArea.LSCB),
    ]


def test_the_areas_facts_stay_skipped_past_a_sub_section_that_is_skipped_too() -> None:
    """A sub-section of the information about the area that is itself skipped ("Previous
    Ofsted inspections") does not lower what ends the skipping: the sub-sections after
    it, in the same type, are the area's facts too, up to the next section."""
    blocks = [
        Block("heading", "Information about this local authority area", size=14),
        Block("heading", "Previous Ofsted inspections", size=12),
        Block("paragraph", "The local authority operates three children's homes."),
        Block("heading", "Children living in Testshire", size=12),
        Block(
            "paragraph", "Approximately 23.2% of the local authority's children live in poverty."
        ),
        Block("heading", "Recommendations", size=14),
        Block("numbered", "Ensure that plans are reviewed.", number=1),
    ]
    sectioned = _sif_sections(blocks)
    assert [(f.category, f.text) for f in sectioned.findings] == [
        (FindingCategory.IMPROVEMENT, "Ensure that plans are reviewed.")
    ]


def test_a_grade_below_its_judgement_with_a_full_stop_is_the_judgements() -> None:
    """A cover's judgement with its grade on the line below, as a sentence ("Requires
    improvement."): the grade goes with the judgement, as it does without the full stop."""
    blocks = [
        Block(
            "heading", "The effectiveness of the Local Safeguarding Children Board (LSCB)", size=14
        ),
        Block("heading", "Requires improvement.", size=12),
        Block("paragraph", "The LSCB is not yet demonstrating the characteristics of good."),
    ]
    sectioned = _sif_sections(blocks)
    assert [(f.section, f.judgement_area) for f in sectioned.findings] == [
        (
            "The effectiveness of the Local Safeguarding Children Board (LSCB): Requires"
            " improvement.",
            JudgementArea.LSCB,
        )
    ]
