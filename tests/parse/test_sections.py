"""The section a finding sits in decides its category."""

from __future__ import annotations

from findings_parse.core.parser import parse_report
from findings_shared.events import FindingCategory, ReportType
from tests.pdfs import PdfLine, styled_pdf


def _letter(*body: PdfLine) -> bytes:
    opening = (
        "This letter summarises the findings of the focused visit to Kent children’s services on",
        "6 and 7 March 2023. The inspectors were Jane Smith, His Majesty’s Inspector, and",
        "Sam Jones, His Majesty’s Inspector.",
    )
    return styled_pdf(
        [
            [
                PdfLine("3 April 2023", 12),
                PdfLine("Dear Ms Brown", 12, space_before=12),
                PdfLine("Focused visit to Kent children’s services", 12, True, 12),
                *_paragraph(*opening),
                *_CONTEXT,
                *body,
                PdfLine("Yours sincerely", 12, space_before=12),
                PdfLine("Jane Smith", 12, space_before=12),
                PdfLine("His Majesty’s Inspector", 12),
            ]
        ]
    )


def _paragraph(*lines: str) -> list[PdfLine]:
    return [PdfLine(text, 12, space_before=12 * (i == 0)) for i, text in enumerate(lines)]


# Most lines of a letter follow the line above without a gap: what tells a gap.
_CONTEXT = _paragraph(
    *(
        f"Inspectors spoke with social workers and managers and looked at the records of {n}"
        for n in (
            "children in need,",
            "children subject to plans,",
            "children in care,",
            "children missing from home,",
            "disabled children,",
            "young carers,",
            "privately fostered children,",
            "adopted children,",
        )
    ),
    "care leavers and the local authority's own audits of practice over the last year.",
)


def test_a_bold_sub_heading_straight_after_a_categorys_heading_keeps_the_category() -> None:
    pdf = _letter(
        PdfLine("Areas for improvement", 12, True, 12),
        PdfLine("Early help", 12, True, 12),
        *_paragraph(
            "The quality of early help assessments for children and families, and the",
            "management oversight of plans when needs change.",
        ),
        PdfLine("Children in care", 12, True, 12),
        *_paragraph(
            "The timeliness of health assessments for children in care, and how well their",
            "plans reflect what children say about where they live.",
        ),
        PdfLine("Main findings", 12, True, 12),
        *_paragraph(
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
