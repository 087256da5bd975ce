"""Text extraction keeps what a reader sees: titles, sizes, words; drops page furniture."""

from __future__ import annotations

from findings_parse.core.extract import extract_text
from findings_parse.core.parser import parse_report
from tests.pdfs import PdfLine, styled_pdf

TITLE = "Inspection of Kent County Council children’s services"
BODY = (
    "Children in Kent receive help that is timely and proportionate to their needs, and"
    " their plans are reviewed regularly by managers who know them well."
)


def _pages_with_running_header(count: int) -> list[list[PdfLine]]:
    return [
        [
            PdfLine(TITLE, size=8),
            PdfLine("The experiences and progress of children in care: good", 14, True, 12),
            *(PdfLine(BODY[i : i + 80], 12) for i in range(0, len(BODY), 80)),
            PdfLine(f"{page}", size=10, space_before=300),
        ]
        for page in range(2, count + 2)
    ]


def test_a_cover_title_the_running_header_repeats_is_kept() -> None:
    cover = [
        PdfLine(TITLE, 20),
        PdfLine("Inspection dates: 6 to 17 March 2023", 12, space_before=12),
        PdfLine("Lead inspector: Jane Smith, His Majesty’s Inspector", 12, space_before=6),
        *(PdfLine(BODY[i : i + 80], 12, space_before=6) for i in range(0, len(BODY), 80)),
    ]
    pdf = styled_pdf([cover, *_pages_with_running_header(4)])
    texts = [line.text for line in extract_text(pdf, "report.pdf").lines]
    assert texts[0] == TITLE  # the cover's, in large type
    assert texts.count(TITLE) == 1  # the small running header is gone from every other page
    report = parse_report(pdf, "report.pdf")
    assert report.title == TITLE
    assert report.local_authority is not None
    assert report.local_authority.name == "Kent"


def test_text_scaled_by_its_matrix_has_its_printed_size() -> None:
    pdf = styled_pdf(
        [
            [
                PdfLine("A heading", 16, bold=True, scaled=True),
                *(PdfLine(BODY[i : i + 80], 12, scaled=True) for i in range(0, len(BODY), 80)),
            ]
        ]
    )
    extracted = extract_text(pdf, "report.pdf")
    assert [line.size for line in extracted.lines] == [16.0, 12.0, 12.0]
    assert extracted.body_size == 12.0
