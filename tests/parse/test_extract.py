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


def _text_lines(text: str) -> list[str]:
    return [line.text for line in extract_text(text.encode(), "report.txt").lines]


def test_a_layout_export_reads_a_label_wrapped_below_its_grade_before_the_grade() -> None:
    """`pdftotext -layout` sets a table's cells side by side: a label's second line comes
    below its grade, and the heading under the table may follow without a blank line."""
    text = (
        " Judgement                                  Grade\n"
        "\n"
        " The impact of leaders on social work       Good\n"
        " practice with children and families\n"
        "\n"
        " The experiences and progress of            Requires improvement to be good\n"
        " children who need help and protection\n"
        " Summary\n"
    )
    assert _text_lines(text) == [
        "Judgement",
        "Grade",
        "The impact of leaders on social work",
        "practice with children and families",
        "Good",
        "The experiences and progress of",
        "children who need help and protection",
        "Requires improvement to be good",
        "Summary",
    ]


def test_a_layout_export_reads_a_centred_grade_after_its_label() -> None:
    """A grade centred beside its label falls between the label's lines, or the label
    between the grade's; a grade alone above the next label is that label's, and text
    the table runs into without a blank line stays where it is."""
    grade_column = " " * 60
    text = (
        "    Children's services in Northtown require improvement to\n"
        "    be good\n"
        f"{grade_column}Requires improvement to\n"
        "    1. Children who need help and protection\n"
        f"{grade_column}be good\n"
        "\n"
        "    The experiences and progress of care       Good\n"
        "    leavers\n"
        f"{grade_column[:-16]}Inadequate\n"
        "    Overall effectiveness\n"
        "\n"
        "The experiences and progress of\n"
        f"{grade_column}Inadequate\n"
        "children who need help and protection\n"
        "Too many children wait too long for an assessment of their needs.\n"
    )
    assert _text_lines(text) == [
        "Children's services in Northtown require improvement to",
        "be good",
        "1. Children who need help and protection",
        "Requires improvement to",
        "be good",
        "The experiences and progress of care",
        "leavers",
        "Good",
        "Overall effectiveness",
        "Inadequate",
        "The experiences and progress of",
        "children who need help and protection",
        "Inadequate",
        "Too many children wait too long for an assessment of their needs.",
    ]


def test_a_layout_export_keeps_page_numbers_and_names_with_their_lines() -> None:
    """A contents entry keeps its page number; names in two columns are read a column's
    cell at a time, a title going on in capitals on the next line included."""
    text = (
        "Contents\n"
        "Summary of key findings                                          3\n"
        "What does the local authority need to improve?                   6\n"
        "\n"
        " Ofsted                                      Care Quality Commission\n"
        " Jane Smith, Ofsted HMI Lead                 John Brown, CQC Lead Inspector\n"
        " Inspector\n"
    )
    assert _text_lines(text) == [
        "Contents",
        "Summary of key findings 3",
        "What does the local authority need to improve? 6",
        "Ofsted",
        "Care Quality Commission",
        "Jane Smith, Ofsted HMI Lead",
        "Inspector",
        "John Brown, CQC Lead Inspector",
    ]


def test_a_layout_export_loses_a_footer_whose_page_number_is_right_aligned() -> None:
    """Pages 8 and 9 set the footer's number a space further right than pages 10 to 19:
    one running footer all the same."""
    words = "few some many most all no several older younger disabled local other"
    bodies = [f"Inspectors saw {word} children." for word in words.split()]
    pages = [
        f"{body}\n\nInspection of Northtown children's services\n"
        f"4 to 15 March 2024{' ' * (70 - len(str(page)))}{page}\n"
        for page, body in enumerate(bodies, start=8)
    ]
    assert _text_lines("\f".join(pages)) == bodies


def test_a_footnote_at_a_pages_foot_is_not_a_numbered_paragraph() -> None:
    """A footnote whose mark is on its page goes, as a PDF's small print does: set after
    its number (pypdf) or below it, a blank line between (pdftotext). A numbered paragraph
    at a page's foot, whose number no word above carries, stays."""
    pages = [
        "Review of the Local Safeguarding Children Board1\n"
        "Inspection date: 12 June 2017\n\n"
        "1 Ofsted produces this report under its power to combine reports.\n",
        " 2 \nInformation about this local authority area2\n"
        "The local authority operates two children's homes.\n\n"
        "2\n\nThe local authority was given the opportunity to review this section.\n",
        " 3 \nRecommendations\n"
        "1. Improve the effectiveness of frontline managers.\n\n"
        "2 Ensure that plans are reviewed.\n",
    ]
    lines = _text_lines("\f".join(pages))
    assert not any(
        line.startswith(("Ofsted produces", "The local authority was")) for line in lines
    )
    assert not any(line.strip() == "2" for line in lines)  # the pages' numbers at their tops
    assert lines[-2:] == [
        "1. Improve the effectiveness of frontline managers.",
        "2 Ensure that plans are reviewed.",
    ]


def test_a_footnote_above_the_pages_number_in_body_type_is_small_print() -> None:
    """The page's number, set in body type below the footnotes, is no body line: the note
    above it in small type goes, and the paragraph it cut goes on over the page."""
    note = "1 This joint inspection was conducted under section 20 of the Act."
    pages = [
        [
            PdfLine("Senior leaders recognise that the arrangements at the front door do not", 12),
            PdfLine(note, 7, top=780),
        ],
        [PdfLine("provide a sufficiently resilient response for all children.", 12)],
        [PdfLine("Leaders know their services well.", 12)],
    ]
    for number, page in enumerate(pages, start=1):
        page.append(PdfLine(str(number), 12, top=800))
    lines = [line.text for line in extract_text(styled_pdf(pages), "r.pdf").lines]
    assert lines == [
        "Senior leaders recognise that the arrangements at the front door do not",
        "provide a sufficiently resilient response for all children.",
        "Leaders know their services well.",
    ]


# A paragraph's lines that fill the width and end a sentence: what tells a page's spacing
# and right edge.
_SENTENCE = "Inspectors read the minutes of the meetings held over the year before the visit."
_FULL_LINES = [PdfLine(_SENTENCE, 12) for _ in range(12)]


def test_a_footnote_after_a_hyphen_at_the_pages_foot_is_small_print() -> None:
    """PDFium runs a line that ends in a hyphen into the line it reads next, here the
    footnote below: the note still goes, and the word goes on over the page."""
    body = "The multi-agency safeguarding hub provides a timely and proportionate response."
    cut = "Experienced and skilled managers provide robust oversight at all decision-"
    note = "1 The areas for improvement have been cross-referenced with the outcomes"
    pages = [
        [
            *(PdfLine(body, 12) for _ in range(4)),
            PdfLine(cut, 12),
            PdfLine(note, 7, top=790),
            PdfLine("or principles in the Children's Social Care: National Framework.", 7),
        ],
        [PdfLine("making points. Records show decisive management guidance.", 12)],
    ]
    lines = [line.text for line in extract_text(styled_pdf(pages), "r.pdf").lines]
    assert lines[-2:] == [cut, "making points. Records show decisive management guidance."]


def test_paragraphs_set_a_little_apart_are_two_though_the_first_fills_its_last_line() -> None:
    """Some layouts set paragraphs 6 points apart, under one and a half line spacings: a
    sentence's end, that space and a capital part two paragraphs; a line that goes on in
    lower case stays in its paragraph."""
    lines = [
        *_FULL_LINES,
        PdfLine(_SENTENCE, 12, space_before=6),
        PdfLine("and " + _SENTENCE, 12, space_before=6),
    ]
    extracted = extract_text(styled_pdf([lines]), "r.pdf").lines
    assert [line.gap_before for line in extracted[-3:]] == [False, True, False]


def test_lines_are_spaced_by_their_baselines_not_their_first_glyphs() -> None:
    """A line that opens with a quotation mark, whose glyph sits high above the baseline,
    is no further from the line below it than any other line of its paragraph."""
    quoted = _SENTENCE.replace("Inspectors", "\u2018Inspectors\u2019")
    lines = [
        *_FULL_LINES,
        PdfLine(quoted, 12),
        PdfLine("Children's plans draw on an impressive range of resources and services.", 12),
    ]
    extracted = extract_text(styled_pdf([lines]), "r.pdf").lines
    assert extracted[-2].text.startswith("\u2018Inspectors")
    assert [line.gap_before for line in extracted[-2:]] == [False, False]


def test_a_sentence_that_ends_at_a_boxs_edge_goes_on_in_its_paragraph() -> None:
    """A case study in a frame narrower than the page: a line that fills the box and
    ends a sentence is no paragraph's short last line, though the page's text reaches
    further right."""
    box = [
        "The local area has built on the good practice of a scheme",
        "known to every school. Every school and general practice",
        "receives notifications on the day that a child goes missing.",
        "This initiative strengthens the sharing of information about",
        "children of concern and results in work to reduce their harm.",
    ]
    lines = [
        *_FULL_LINES,
        *(PdfLine(text, 12, space_before=12 * (i == 0), indent=50) for i, text in enumerate(box)),
    ]
    extracted = extract_text(styled_pdf([lines]), "r.pdf").lines
    assert extracted[-2].text.startswith("This initiative")
    assert not extracted[-2].gap_before


def test_a_box_drawn_after_the_text_below_it_is_read_where_the_page_shows_it() -> None:
    """A practice study in a frame at a page's top, which the PDF draws after the page's
    other text: read first, so the actions below it stay together over the page break."""
    body = [
        PdfLine("Areas for improvement", 12, True, top=600),
        PdfLine(
            "Within the front door, strategy discussions are mostly timely, but they do not", 12
        ),
    ]
    box = [
        PdfLine("Practice study: highly effective practice", 12, True, top=100),
        PdfLine("All names are pseudonyms.", 12),
        PdfLine("Sarah was helped to understand healthy relationships.", 12, space_before=12),
    ]
    next_page = [PdfLine("routinely involve all relevant agencies.", 12)]
    lines = [line.text for line in extract_text(styled_pdf([body + box, next_page]), "r.pdf").lines]
    assert lines == [
        "Practice study: highly effective practice",
        "All names are pseudonyms.",
        "Sarah was helped to understand healthy relationships.",
        "Areas for improvement",
        "Within the front door, strategy discussions are mostly timely, but they do not",
        "routinely involve all relevant agencies.",
    ]


def test_a_footnote_above_the_pages_number_goes_and_a_section_number_is_no_mark() -> None:
    """pdftotext prints a page's number below its footnotes: the notes above it go. A
    table's "2.2" carries no mark "2", so the lines below it are no footnote."""
    pages = [
        "Inspection of Testshire\nInspection dates: 1 to 12 May 2016\n\n1\n",
        "Children looked after in this area\n"
        " 2 live in residential special schools2, all within the authority\n\n"
        "2\n\nThese are residential special schools that look after children.\n\n5\n",
        "2.1 Adoption performance\n2.2 Experiences and progress of care leavers\n\n2\n\n"
        "Requires improvement\nGood\n",
        "Contents\n\n7\n",
    ]
    lines = _text_lines("\f".join(pages))
    assert not any(line.startswith("These are residential") for line in lines)
    assert lines[-3:] == ["Requires improvement", "Good", "Contents"]


def test_a_page_that_starts_after_a_finished_sentence_starts_a_block() -> None:
    """With its number gone, a page's first line after a finished sentence is a new
    block's; after a sentence cut by the page, it goes on."""
    pages = [
        "Leaders know their services well.\n",
        " 2 \nThe experiences and progress of children\nwho need help\n",
        " 3 \nand protection are good.\n",
    ]
    lines = extract_text("\f".join(pages).encode(), "report.txt").lines
    assert [(line.text, line.gap_before) for line in lines] == [
        ("Leaders know their services well.", True),
        ("The experiences and progress of children", True),
        ("who need help", False),
        ("and protection are good.", False),
    ]


def test_a_short_last_line_ends_its_paragraph_in_text_without_blank_lines() -> None:
    """pypdf leaves no blank line between paragraphs: a sentence's last line well short of
    the text's width ends its paragraph; a sentence that ends on a full line does not."""
    full = "Children in Testshire receive help that is timely and proportionate to their"
    text = "\n".join(
        [
            *[full] * 10,
            "needs, and their plans are reviewed regularly by managers who know them.",
            "Leaders know their services well, and they act on what they find in audits of",
            "practice.",
            "Social workers visit children often and see them alone when that is right.",
        ]
    )
    lines = extract_text(text.encode(), "report.txt").lines
    starts = [line.text for line in lines if line.gap_before]
    assert starts == [
        full,  # the file's first line
        "Social workers visit children often and see them alone when that is right.",
    ]
