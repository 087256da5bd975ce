"""Lines to findings whole: where a paragraph, a list item or a heading begins and ends.

Letters made as PDFs here stand for layouts met in real reports: lists whose items start in
lower case, a paragraph set straight after a list, paragraphs without space between them,
footnote marks, words cut at a hyphen, sub-headings in body type.
"""

from __future__ import annotations

from findings_parse.core.blocks import split_blocks
from findings_parse.core.extract import Line
from findings_parse.core.parser import parse_report
from findings_shared.events import Finding, FindingCategory
from tests.pdfs import PdfLine, focused_visit_letter, paragraph


def findings_of(pdf: bytes) -> list[Finding]:
    """The letter's findings after its opening (the visit's own description)."""
    findings = parse_report(pdf, "visit.pdf").findings
    return [f for f in findings if not f.text.startswith(("This letter", "Inspectors spoke"))]


def bullet(text: str, *more: str) -> list[PdfLine]:
    """A list item: the glyph at the margin, the text and its wrapped lines indented."""
    return [
        PdfLine(f"• {text}", 12, space_before=6),
        *(PdfLine(line, 12, indent=12) for line in more),
    ]


def test_list_items_that_finish_their_sentence_are_one_finding_with_it() -> None:
    """Items in lower case after a sentence that ends in a colon finish that sentence: one
    finding, the items parted as a sentence parts them (not run together, as they once
    were); items that start sentences of their own are findings of their own."""
    pdf = focused_visit_letter(
        PdfLine("Areas for improvement", 12, True, 12),
        *paragraph("Leaders should strengthen their quality assurance by:"),
        *bullet("improving the timeliness of annual reviews of plans"),
        *bullet(
            "using the voice of children when shaping their plans, and making sure",
            "that plans are reviewed when needs change",
        ),
        *bullet("ensuring that preparation for adulthood starts in Year 9."),
        *paragraph("Leaders should make sure that:"),
        *bullet("Plans are reviewed when needs change."),
    )
    assert [(f.category, f.text) for f in findings_of(pdf)] == [
        (
            FindingCategory.IMPROVEMENT,
            "Leaders should strengthen their quality assurance by: improving the timeliness of"
            " annual reviews of plans; using the voice of children when shaping their plans,"
            " and making sure that plans are reviewed when needs change; ensuring that"
            " preparation for adulthood starts in Year 9.",
        ),
        (FindingCategory.IMPROVEMENT, "Leaders should make sure that:"),
        (FindingCategory.IMPROVEMENT, "Plans are reviewed when needs change."),
    ]


def test_a_paragraph_back_at_the_margin_after_a_list_is_a_finding_of_its_own() -> None:
    pdf = focused_visit_letter(
        PdfLine("Areas for improvement", 12, True, 12),
        *bullet(
            "The timeliness of assessments for disabled children, which too often wait",
            "for months before a plan is agreed with their families, their schools and GPs.",
        ),
        # No space above it: only its place at the margin says the list has ended.
        PdfLine("Leaders need to refine how they monitor the quality of plans for care", 12),
        PdfLine("leavers, so that every plan is reviewed on time.", 12),
    )
    assert [f.text for f in findings_of(pdf)] == [
        "The timeliness of assessments for disabled children, which too often wait for months"
        " before a plan is agreed with their families, their schools and GPs.",
        "Leaders need to refine how they monitor the quality of plans for care leavers, so that"
        " every plan is reviewed on time.",
    ]


def test_paragraphs_set_without_space_are_told_by_their_short_last_line() -> None:
    first = [
        "Social workers know the children they work with well, and they visit them regularly",
        "and see them alone when it is right to. Their records are up to date and clear about",
        "what needs to change.",
    ]
    second = [
        "Managers oversee the work closely. Supervision is regular and reflective, and it helps",
        "social workers to plan their work with children and families. Caseloads are",
        "manageable.",
    ]
    # A line that breaks early only because its next word is long is no paragraph's end.
    long_word = [
        "Plans are reviewed at the right time by independent reviewing officers, who challenge",
        "drift and delay. Children are supported well by their independent reviewing officers.",
    ]
    lines = [*first, *second, *long_word]
    pdf = focused_visit_letter(
        PdfLine("Main findings", 12, True, 12),
        *paragraph(*lines),
    )
    assert [f.text for f in findings_of(pdf)] == [
        " ".join(first),
        " ".join(second),
        " ".join(long_word),
    ]


def test_footnote_marks_are_not_the_texts() -> None:
    """A note's number after a word ("reviewed1", "managers.2") is the note's mark when the
    page prints that note below its text."""
    pdf = focused_visit_letter(
        PdfLine("Main findings", 12, True, 12),
        *paragraph(
            "Children in Kent are helped when they need it, and their plans are reviewed^1^ often",
            "by their social workers and managers.^2^ The LSCP2 board meets monthly; there were",
            "12 meetings in 2022.",
        ),
        # the notes, in small type below the page's text
        notes=(
            PdfLine("1 Plans are reviewed at least every six months.", 8, space_before=40),
            PdfLine("2 Managers include team managers and senior practitioners.", 8),
        ),
    )
    assert [f.text for f in findings_of(pdf)] == [
        "Children in Kent are helped when they need it, and their plans are reviewed often by"
        " their social workers and managers. The LSCP2 board meets monthly; there were 12"
        " meetings in 2022."
    ]


def test_a_word_cut_at_a_hyphen_is_whole_but_a_hanging_hyphen_keeps_its_space() -> None:
    pdf = focused_visit_letter(
        PdfLine("Main findings", 12, True, 12),
        *paragraph(
            "Strong corporate and cross-",
            "party support helps leaders to improve services for 16- and 17-year-olds",
            "who present as homeless, with a 24-",
            "hour response.",
        ),
    )
    assert [f.text for f in findings_of(pdf)] == [
        "Strong corporate and cross-party support helps leaders to improve services for 16- and"
        " 17-year-olds who present as homeless, with a 24-hour response."
    ]


def test_sub_headings_in_body_type_under_a_category_keep_it() -> None:
    pdf = focused_visit_letter(
        PdfLine("Areas for improvement", 12, True, 12),
        PdfLine("Quality of practice", 12, space_before=12),
        *paragraph(
            "Ensure that assessments are analytical and take into account children's histories."
        ),
        PdfLine("Partnership", 12, space_before=12),
        *paragraph("Ensure that all partner agencies attend child protection conferences."),
    )
    assert [(f.category, f.section, f.text[:22]) for f in findings_of(pdf)] == [
        (FindingCategory.IMPROVEMENT, "Quality of practice", "Ensure that assessment"),
        (FindingCategory.IMPROVEMENT, "Partnership", "Ensure that all partne"),
    ]


def test_a_number_alone_on_its_line_opens_the_paragraph_below_it() -> None:
    """Some exports set a paragraph's number apart ("3." on a line, the text below it);
    a page number (no full stop) and a number out of sequence stay where they are."""
    text = "\n".join(
        [
            "Inspection of Testshire local authority children's services",
            "Inspection dates: 1 to 12 May 2023",
            "Lead inspector: Ann Example, His Majesty's Inspector",
            "The experiences and progress of children who need help and protection: good",
            "1.",
            "",
            "Children receive help at the right time.",
            "2.",
            "",
            "Strategy meetings are timely and thorough.",
            "7",
            "Leaders know their services well.",
            "3.",
            "Plans are clear.",
            "9.",
            "Not a paragraph's number.",
        ]
    )
    findings = parse_report(text.encode(), "report.txt").findings
    numbered = {f.paragraph: f.text for f in findings if f.paragraph}
    assert numbered[1] == "Children receive help at the right time."
    assert numbered[2].startswith("Strategy meetings are timely and thorough.")
    assert numbered[3] == "Plans are clear. 9. Not a paragraph's number."
    assert 9 not in numbered


def test_a_lone_number_finds_its_text_past_a_page_number_or_opening_with_a_figure() -> None:
    """pdftotext may set the page's number between a paragraph's number and its text,
    where the page's last block starts; and a paragraph may open with a figure."""
    numbered = _numbered_paragraphs(
        "Inspection of Testshire local authority children's services",
        "Inspection dates: 1 to 12 May 2023",
        "Lead inspector: Ann Example, His Majesty's Inspector",
        "The experiences and progress of children who need help and protection: good",
        "1. Children receive help at the right time.",
        "2. Plans are reviewed on time.",
        "3.",
        "",
        "14",
        "",
        "Strategy meetings are timely and thorough.",
        "4.",
        "",
        "16- and 17-year-olds who are homeless are helped quickly.",
        "5. Leaders know their services well.",
    )
    assert numbered[3].text == "Strategy meetings are timely and thorough."
    assert numbered[4].text == "16- and 17-year-olds who are homeless are helped quickly."
    assert sorted(numbered) == [1, 2, 3, 4, 5]


# The front of a plain-text report of the 2012 framework.
COVER_2012 = (
    "Testshire Council Inspection of safeguarding and looked after children",
    "Inspection dates: 1 to 12 May 2012",
    "Lead inspector: Ann Example HMI",
)


# A plain-text SIF report's front and the heading of its areas for improvement.
_SIF_AREAS_FOR_IMPROVEMENT = (
    "Testshire County Council",
    "Inspection of services for children in need of help and protection, children"
    " looked after and care leavers",
    "Inspection date: 1 to 12 May 2015",
    "Lead inspector: Ann Example HMI",
    "What does the local authority need to improve?",
    "Areas for improvement",
)


def _numbered_paragraphs(*lines: str) -> dict[int, Finding]:
    """A plain-text report's numbered paragraphs, by their numbers."""
    findings = parse_report("\n".join(lines).encode(), "report.txt").findings
    return {f.paragraph: f for f in findings if f.paragraph}


def test_in_plain_text_a_judgements_heading_is_told_by_its_grade_below_it() -> None:
    """A judgement's heading over two lines, its grade on the next ("Grade 4
    (Inadequate)"), ends the recommendations before it: its paragraphs are evidence."""
    text = "\n".join(
        [
            *COVER_2012,
            "Areas for improvement",
            "1. The local authority should take the following action.",
            "Ensure that every plan is reviewed.",
            "",
            "Outcomes for looked after children and young",
            "people",
            "Grade 4 (Inadequate)",
            "2. Outcomes for looked after children and young people are inadequate.",
            "3. Health outcomes are poor.",
        ]
    )
    findings = parse_report(text.encode(), "report.txt").findings
    by_number = {f.paragraph: f for f in findings if f.paragraph}
    assert by_number[1].category is FindingCategory.IMPROVEMENT
    assert by_number[2].category is FindingCategory.EVIDENCE
    assert by_number[3].category is FindingCategory.EVIDENCE
    assert by_number[2].section.startswith("Outcomes for looked after children and young people")
    assert not any("Grade 4" in f.text for f in findings)


def test_in_plain_text_a_judgements_heading_over_three_lines_after_a_sentence() -> None:
    """Without a blank line (pypdf's exports), a judgement's heading over three lines after
    a finished sentence, its grade below it, still ends the recommendations before it."""
    by_number = _numbered_paragraphs(
        *COVER_2012,
        "Areas for improvement",
        "1. Ensure that every plan is reviewed.",
        "The experiences and progress of",
        "children who need help and",
        "protection",
        "Requires improvement",
        "2. Early help is well coordinated.",
    )
    assert by_number[1].category is FindingCategory.IMPROVEMENT
    assert by_number[1].text == "Ensure that every plan is reviewed."
    assert by_number[2].category is FindingCategory.EVIDENCE
    assert by_number[2].section.startswith("The experiences and progress of children who need")


def test_in_plain_text_a_heading_does_not_run_into_the_item_below_it() -> None:
    """A line above a bulleted item ("Leadership and management") does not become the
    first line of a heading that takes the item in (read as a judgement's heading, graded
    by the word the item's first line ends in), losing the item as a finding."""
    text = "\n".join(
        [
            "Joint targeted area inspection of the multi-agency response to abuse and"
            " neglect in Testshire",
            "Inspection dates: 1 to 5 May 2016",
            "Areas for improvement",
            "Leadership and management",
            # (the item's first line ends in a grade's word, as a judgement's heading does)
            "\uf06e Senior leaders have not yet achieved the same good",
            "standard of practice across all services.",
            "\uf06e Plans are not reviewed often enough.",
        ]
    )
    findings = parse_report(text.encode(), "report.txt").findings
    items = [f for f in findings if f.text.startswith(("Senior leaders", "Plans are"))]
    assert [f.text for f in items] == [
        "Senior leaders have not yet achieved the same good standard of practice across all"
        " services.",
        "Plans are not reviewed often enough.",
    ]
    assert all(f.category is FindingCategory.IMPROVEMENT for f in items)
    assert all(f.section == "Areas for improvement" for f in items)


def test_in_plain_text_topics_among_recommendations_keep_their_category() -> None:
    """Without type to tell a topic's heading from a section's, a heading among actions
    whose first item is one more action ("Ensure…") is a topic of theirs, a judgement's
    name included; a section's heading by its words or a judgement's graded heading
    still ends them."""
    by_number = _numbered_paragraphs(
        *_SIF_AREAS_FOR_IMPROVEMENT,
        "",
        "Missing children",
        "1. Improve the quality of return interviews.",
        "",
        "Leadership, management and governance",
        "2. Urgently strengthen the oversight of casework.",
        "3. Ensure that supervision is regular.",
        "",
        "Care leavers",
        "4. Ensure that care leavers have pathway plans.",
        "",
        "The experiences and progress of children who need help and protection",
        "Requires improvement",
        "5. Early help is well coordinated.",
    )
    assert [by_number[n].category for n in (1, 2, 3, 4)] == [FindingCategory.IMPROVEMENT] * 4
    assert by_number[4].section == "Care leavers"
    assert by_number[5].category is FindingCategory.EVIDENCE


def _pdf_line(
    text: str, left: float, bold: bool = False, page: int = 5, size: float = 12.0
) -> Line:
    return Line(text=text, page=page, size=size, bold=bold, left=left)


def test_a_responsibility_tables_rows_are_a_body_and_its_action_each() -> None:
    """An area SEND report's table ("Responsible body | Areas for priority action") has
    no space between rows: each row is the body's name (the section) and its action, a
    row going on over a page until its action ends a sentence; a list in the action's
    cell stays in it."""
    lines = [
        _pdf_line("Areas for priority action", 57, bold=True, size=14.0),
        _pdf_line("Responsible body Areas for priority action", 63, bold=True),
        _pdf_line("Testshire Council and", 63),
        _pdf_line("NHS Testshire ICB", 63),
        _pdf_line("Leaders should cooperate at pace to improve", 224),
        _pdf_line("the shared oversight of services.", 224),
        _pdf_line("Testshire Council and", 63),
        _pdf_line("Leaders should improve the joint commissioning", 224),
        _pdf_line("of services to ensure", 224),
        _pdf_line("NHS Testshire ICB", 63, page=6),
        _pdf_line("that children receive support, particularly:", 224, page=6),
        _pdf_line("◼ children who wait for an assessment.", 242, page=6),
        _pdf_line("Areas for improvement", 57, bold=True, page=6),
    ]
    blocks = split_blocks(
        lines, is_heading=lambda text: text.startswith("Areas"), body_size=12.0, plain_text=False
    )
    assert [(block.kind, block.text) for block in blocks[1:]] == [
        ("heading", "Testshire Council and NHS Testshire ICB"),
        (
            "paragraph",
            "Leaders should cooperate at pace to improve the shared oversight of services.",
        ),
        ("heading", "Testshire Council and NHS Testshire ICB"),
        (
            "paragraph",
            "Leaders should improve the joint commissioning of services to ensure that children"
            " receive support, particularly: ◼ children who wait for an assessment.",
        ),
        ("heading", "Areas for improvement"),
    ]
    assert blocks[1].in_body_type  # names the row: a section within the actions


def test_a_responsibility_table_whose_cells_share_a_line_reads_as_text() -> None:
    """Where the PDF set a body's name and its action's first words as one line, the
    cells cannot be told apart: the table is read as before, nothing lost."""
    lines = [
        _pdf_line("Responsible body Areas for priority action", 63, bold=True),
        _pdf_line("Testshire Council Testshire Council leaders should ensure that", 63),
        _pdf_line("children with SEND get the care they need.", 224),
    ]
    blocks = split_blocks(lines, is_heading=lambda _: False, body_size=12.0, plain_text=False)
    assert [block.kind for block in blocks[1:]] == ["paragraph"]
    assert "Council leaders should ensure that children with SEND" in blocks[1].text


def test_a_judgements_heading_ends_at_its_grade() -> None:
    """Large type's wrapped lines join into one heading, but not past a judgement's grade:
    the heading after it in the same type is another one. A grade cut after "requires
    improvement" goes on."""
    lines = [
        _pdf_line("The Local Safeguarding Children Board is outstanding", 71, True, size=14.0),
        _pdf_line("Executive summary", 71, True, size=14.0),
        _pdf_line("The board is outstanding.", 71),
        _pdf_line("The experiences and progress of children who need help and", 71, True, size=14),
        _pdf_line("protection requires improvement", 71, True, size=14.0),
        _pdf_line("to be good", 71, True, size=14.0),
        _pdf_line("Children are seen.", 71),
    ]
    blocks = split_blocks(lines, is_heading=lambda _: False, body_size=12.0, plain_text=False)
    assert [block.text for block in blocks if block.kind == "heading"] == [
        "The Local Safeguarding Children Board is outstanding",
        "Executive summary",
        "The experiences and progress of children who need help and protection requires"
        " improvement to be good",
    ]


def test_a_long_topic_alone_above_a_numbered_action_is_its_heading() -> None:
    """A topic's heading in body type, alone between gaps, may run to a dozen words where
    a numbered paragraph follows it; above a paragraph without a number it stays text."""

    def gapped(text: str) -> Line:
        return Line(text=text, page=5, size=12.0, gap_before=True, left=71)

    lines = [
        gapped("Areas for improvement"),
        gapped("Assessment, planning, recording and reviewing children’s progress"),
        gapped("1. Improve the quality of all plans for children and young people."),
        gapped("Direct engagement with children, young people and their families"),
        gapped("Some plans are reviewed late."),
    ]
    blocks = split_blocks(
        lines, is_heading=lambda text: text.startswith("Areas"), body_size=12.0, plain_text=False
    )
    assert [(block.kind, block.text[:30]) for block in blocks] == [
        ("heading", "Areas for improvement"),
        ("heading", "Assessment, planning, recordin"),
        ("numbered", "Improve the quality of all pla"),
        ("paragraph", "Direct engagement with childre"),
        ("paragraph", "Some plans are reviewed late."),
    ]


def test_a_headings_words_in_another_weight_go_on_from_it() -> None:
    """A judgement's statement in large type with its grade in bold: one heading, the
    grade going on in lower case; a line in another weight that starts a sentence is a
    heading of its own."""
    lines = [
        _pdf_line("The effectiveness of the Local Safeguarding Children Board (LSCB)", 71, size=14),
        _pdf_line("requires improvement.", 72, True, size=14.0),
        _pdf_line("The LSCB is not yet demonstrating the characteristics of good.", 71),
        _pdf_line("Report details", 71, size=14.0),
        _pdf_line("Inspection dates", 71, True, size=14.0),
    ]
    blocks = split_blocks(lines, is_heading=lambda _: False, body_size=12.0, plain_text=False)
    assert [(block.kind, block.text) for block in blocks] == [
        (
            "heading",
            "The effectiveness of the Local Safeguarding Children Board (LSCB) requires"
            " improvement.",
        ),
        ("paragraph", "The LSCB is not yet demonstrating the characteristics of good."),
        ("heading", "Report details"),
        ("heading", "Inspection dates"),
    ]


def test_in_plain_text_a_long_topic_above_a_numbered_action_is_its_heading() -> None:
    """As in a PDF, a topic's heading alone above a numbered action may run to a dozen
    words; a sentence wrapped before a figure ("… aged 18 to" / "25. …") is none."""
    by_number = _numbered_paragraphs(
        *_SIF_AREAS_FOR_IMPROVEMENT,
        "",
        "Enable looked after children and young people to live in permanent homes",
        "1. Ensure that all routes to permanence are maximised.",
        "",
        "Inspectors looked at the arrangements for the care leavers who are aged 18 to",
        "2. Ensure that care leavers have pathway plans.",
    )
    assert by_number[1].section == (
        "Enable looked after children and young people to live in permanent homes"
    )
    assert by_number[2].section == by_number[1].section


def test_a_list_kept_in_the_item_that_introduces_it_keeps_its_items_apart() -> None:
    """A numbered action's list ("… this to include" / "- reliable data" / …) stays in the
    action, its items parted as a sentence parts them, not run together."""
    lines = [
        Line(text=text, page=4, size=12.0, gap_before=gap, left=left)
        for text, gap, left in [
            ("1. Put into place a performance framework; this to include", True, 72),
            ("\uf02d comprehensive and reliable performance data", True, 116),
            ("\uf02d clear monitoring and quality assurance arrangements.", False, 116),
            ("2. Ensure that all staff receive regular supervision.", True, 72),
            ("3. Ensure that plans are reviewed.", True, 72),
        ]
    ]
    blocks = split_blocks(lines, is_heading=lambda _: False, body_size=12.0, plain_text=False)
    assert blocks[0].text == (
        "Put into place a performance framework; this to include comprehensive and reliable"
        " performance data; clear monitoring and quality assurance arrangements."
    )
