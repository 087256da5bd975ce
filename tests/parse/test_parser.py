"""The parser against every fixture report: golden files, official grades, invariants.

Which family each fixture is comes from its provenance (the archive's catalogue and
Ofsted's own tables), never from the parser's output: a report recognised as the wrong
family fails here instead of dropping out of the family's tests.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from findings_cli.evaluate import (
    CorpusReport,
    Evaluation,
    evaluate_parsed,
    expected_family,
    known_exceptions,
    read_corpus,
    read_printed,
)
from findings_parse.core.extract import extract_text
from findings_parse.core.parser import parse_report
from findings_shared.events import (
    Finding,
    FindingCategory,
    JudgementArea,
    ReportParsed,
    ReportType,
)
from findings_shared.official import OfficialRecords
from tests.golden import EXPECTED, FIXTURES, REPORTS, expected_path, parsed_fixture, summarise
from tests.pdfs import PdfLine, focused_visit_letter, paragraph

CORPUS = {report.path.name: report for report in read_corpus([FIXTURES])}
RECORDS = OfficialRecords.read(FIXTURES / "labels")
REPORT_FILES = sorted(REPORTS.iterdir())
# pdftotext's exports of two fixture PDFs: read apart, as running headers and a SIF
# report's sub-headings still leak into their findings (docs/accuracy.md).
PDFTOTEXT = FIXTURES / "pdftotext"


def _of_family(report_type: ReportType) -> list[Path]:
    return [
        path for path in REPORT_FILES if expected_family(CORPUS[path.name], RECORDS) is report_type
    ]


ILACS_FILES = _of_family(ReportType.ILACS_INSPECTION)
SIF_FILES = _of_family(ReportType.SIF_INSPECTION)


def parsed(path: Path) -> ReportParsed:
    return parsed_fixture(path.name)


def test_every_fixture_has_its_provenance_and_a_golden_file() -> None:
    assert {p.name for p in REPORT_FILES} <= set(CORPUS)
    assert {p.name.removesuffix(".json") for p in EXPECTED.iterdir()} == {
        p.name for p in REPORT_FILES
    }
    # Every family the corpus knows has fixtures, old layouts and new.
    assert len(ILACS_FILES) >= 40
    assert len(SIF_FILES) >= 15


@pytest.mark.parametrize("report_file", REPORT_FILES, ids=lambda p: p.name)
def test_report_matches_its_golden_file(report_file: Path) -> None:
    expected = json.loads(expected_path(report_file).read_text(encoding="utf-8"))
    assert summarise(parsed(report_file)) == expected


# --- Every check of `findings evaluate`, on every fixture ---

# Reports that are right to fail a check (findings evaluate's known exceptions), and the
# warning the parser must give for each.
EXCEPTIONS = known_exceptions()
WARNINGS = {
    # Paragraph 15 is missing from the report as published (14 is followed by 16).
    "inspection_windsor-maidenhead_2020-02-24.pdf": "paragraph numbering gap: 14 is followed by 16",
}


def _evaluation(report: CorpusReport) -> Evaluation:
    result = parsed_fixture(report.path.name)
    extracted = extract_text(report.path.read_bytes(), report.path.name)
    evaluation = Evaluation(report=report, expected=expected_family(report, RECORDS), parsed=result)
    if report.ofsted_urn and report.published and report.kind == "inspection":
        evaluation.official = RECORDS.find(report.ofsted_urn, report.published)
    evaluate_parsed(evaluation, result, read_printed([line.text for line in extracted.lines]))
    return evaluation


@pytest.mark.parametrize("report_file", REPORT_FILES, ids=lambda p: p.name)
def test_report_passes_every_check(report_file: Path) -> None:
    """Family, authority, official grades, judgement set, numbering, actions, dates, lead
    inspector, coverage; an exception is flagged for review with its reason."""
    evaluation = _evaluation(CORPUS[report_file.name])
    exception = EXCEPTIONS.get(parsed(report_file).report_id)
    assert set(evaluation.failures) == (exception.checks if exception else set())
    assert evaluation.flagged == bool(exception)
    if exception:
        assert WARNINGS[report_file.name] in parsed(report_file).quality.warnings


def test_official_grades_are_checked_on_many_fixtures() -> None:
    graded = [
        name
        for name, report in CORPUS.items()
        if name.endswith(".pdf") and report.path.parent == REPORTS
        if "grades" in _evaluation(report).passed
    ]
    assert len(graded) >= 50


def test_the_2026_framework_has_no_overall_effectiveness() -> None:
    report = parsed(REPORTS / "inspection_brent_2026-06-17.pdf")
    assert [j.area for j in report.judgements] == [
        JudgementArea.IMPACT_OF_LEADERS,
        JudgementArea.HELP_AND_PROTECTION,
        JudgementArea.CHILDREN_IN_CARE,
        JudgementArea.CARE_LEAVERS,
    ]


# --- Invariants that hold for every report ---


@pytest.mark.parametrize("report_file", REPORT_FILES, ids=lambda p: p.name)
def test_findings_hold_no_glyphs_headers_or_boilerplate(report_file: Path) -> None:
    report = parsed(report_file)
    for finding in report.findings:
        assert not re.search(r"[\uf000-\uf8ff◼▪●•\ufffe]", finding.text), finding.text
        assert not re.search(r"local authority children.s services\s+\d", finding.text)
        assert "Piccadilly Gate" not in finding.text
        assert "Open Government Licence" not in finding.text
        assert "Yours sincerely" not in finding.text
        assert not re.search(r"\b8524\b", finding.text)  # Ofsted's textphone, wrapped
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
    assert "Inspector" not in (report.lead_inspector or "")  # a name, without the role
    categories = {f.category for f in report.findings}
    assert categories == {
        FindingCategory.SUMMARY,
        FindingCategory.EVIDENCE,
        FindingCategory.IMPROVEMENT,
    }
    areas = {f.judgement_area for f in report.findings if f.judgement_area}
    assert areas == {j.area for j in report.judgements} - {JudgementArea.OVERALL_EFFECTIVENESS}


@pytest.mark.parametrize("report_file", ILACS_FILES + SIF_FILES, ids=lambda p: p.name)
def test_evidence_is_exactly_the_numbered_paragraphs(report_file: Path) -> None:
    """The headline paragraphs before the numbered evidence are its summary."""
    findings = parsed(report_file).findings
    numbered = [f for f in findings if f.paragraph is not None]
    if not numbered:  # early SIF reports print bullets, not numbers
        assert FindingCategory.SUMMARY not in {f.category for f in findings}
        return
    first = findings.index(numbered[0])
    assert all(f.category is not FindingCategory.EVIDENCE for f in findings[:first])
    assert any(f.category is FindingCategory.SUMMARY for f in findings[:first])
    unnumbered_evidence = [
        f for f in findings[first:] if f.category is FindingCategory.EVIDENCE and not f.paragraph
    ]
    assert len(unnumbered_evidence) <= 1  # Windsor and Maidenhead prints one unnumbered


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


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32", "cp1252"])
def test_text_saved_in_another_encoding_reads_as_in_utf8(encoding: str) -> None:
    """Windows saves text as UTF-16 with its byte-order mark (Notepad's "Unicode",
    PowerShell's `>`) or as cp1252: the report reads as its UTF-8 file does."""
    name = "inspection_wandsworth_2023-01-13.txt"
    text = (REPORTS / name).read_text(encoding="utf-8")
    mark = "\ufeff" if encoding == "utf-16-be" else ""  # Python writes the others' mark
    content = (mark + text).encode(encoding, errors="replace")
    report = parse_report(content, name)
    expected = parsed(REPORTS / name)
    assert report.judgements == expected.judgements

    def read(findings: list[Finding]) -> list[dict[str, object]]:
        # Ids are of the file's bytes; cp1252 has no letter such as "≥" (written "?").
        return [
            finding.model_dump(exclude={"finding_id", "text", "themes", "sentence_tones"})
            for finding in findings
        ]

    assert read(report.findings) == read(expected.findings)
    if encoding != "cp1252":
        assert [f.text for f in report.findings] == [f.text for f in expected.findings]


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
    path = REPORTS / "inspection_salford_2018-11-12.pdf"
    first = parse_report(path.read_bytes(), path.name)
    second = parse_report(path.read_bytes(), path.name)
    assert [f.finding_id for f in first.findings] == [f.finding_id for f in second.findings]
    assert len({f.finding_id for f in first.findings}) == len(first.findings)


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
            "inspection_surrey_2015-08-03.pdf",
            {"lscb": "requires_improvement"},
            id="lscb-review-alone",
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
    assert not report.quality.needs_review


@pytest.mark.parametrize(
    ("name", "inspector"),
    [
        ("inspection_derbyshire_2014-02-11.pdf", "Fiona J Millns"),
        ("inspection_plymouth_2015-01-06.pdf", "Linda Steele"),
        ("inspection_medway_2013-08-23.pdf", "Sarah Urding"),
        ("focused_visit_ealing_2022-11-22.pdf", "Andy Whippey"),
        ("focused_visit_solihull_2018-03-09.pdf", "Peter McEntee"),
        ("area_send_enfield_2023-08-02.pdf", "Andrew Wright"),
        # "Sue Eastwood, Ofsted Lead inspector" beside the CQC's lead: no HMI
        ("area_send_bolton_2024-08-30.pdf", "Sue Eastwood"),
        # "Rebecca Sharples, Ofsted HMI Lead" with "Inspector" wrapped to the next line
        ("area_send_halton_2024-01-26.pdf", "Rebecca Sharples"),
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


def test_recommendations_printed_in_body_type_are_findings() -> None:
    """Warwickshire prints "Recommendations" in body type after the area's information."""
    report = parsed(REPORTS / "inspection_warwickshire_2017-07-14.pdf")
    recommendations = [f for f in report.findings if f.section == "Recommendations"]
    # The local authority's, numbered; then the safeguarding board's, in bullets.
    assert [f.paragraph for f in recommendations[:12]] == list(range(1, 13))
    assert {f.category for f in recommendations} == {FindingCategory.IMPROVEMENT}


@pytest.mark.parametrize("report_file", SIF_FILES, ids=lambda p: p.name)
def test_a_judgements_evidence_keeps_its_area_through_its_summary_and_recommendations(
    report_file: Path,
) -> None:
    """The board's review: its summary, its recommendations, then its findings."""
    report = parsed(report_file)
    evidence = [
        f for f in report.findings if f.category is FindingCategory.EVIDENCE and f.paragraph
    ]
    judged = {j.area for j in report.judgements}
    placed = {f.judgement_area for f in evidence} - {None}
    if JudgementArea.LSCB in judged and any("Board" in f.section for f in evidence):
        assert JudgementArea.LSCB in placed
    unplaced = [f for f in evidence if f.judgement_area is None]
    # Only an overall summary's numbered points stand under no judgement.
    assert len(unplaced) <= len(evidence) // 5, [f.section for f in unplaced][:3]


@pytest.mark.parametrize(
    ("export", "same_sections"),
    [
        ("inspection_bolton_2023-10-27.txt", True),
        # Left: a topic within a SIF report's recommendations ("Child protection
        # medicals") whose one action starts "Robustly challenge…" ends the priority
        # actions' category in the text: 1 of 170 numbered paragraphs (docs/accuracy.md).
        ("inspection_plymouth_2015-01-06.txt", False),
        # `pdftotext -layout`: the judgement table's cells side by side, a label's second
        # line below its grade, grades centred beside their labels over two lines.
        ("inspection_birmingham_2023-04-18.layout.txt", True),
        ("inspection_north-somerset_2017-08-25.layout.txt", True),
        # pypdf's export: no blank line between paragraphs, each page's number at its
        # top, and footnotes numbered 1 and 2 like the paragraphs.
        ("../pypdf/inspection_central-bedfordshire_2017-08-25.txt", True),
    ],
)
def test_a_pdftotext_export_reads_as_its_pdf(export: str, same_sections: bool) -> None:
    """pdftotext sets each paragraph's number on a line of its own (or, in its layout
    mode, a table's cells side by side) and keeps the pages by form feeds, the contents
    page among them: its export gives the PDF's judgements, inspectors, dates and numbered
    paragraphs, unflagged. So does pypdf's."""
    name = Path(export).name.split(".")[0]
    from_pdf = parsed(REPORTS / f"{name}.pdf")
    from_text = parse_report((PDFTOTEXT / export).read_bytes(), Path(export).name)
    assert from_text.judgements == from_pdf.judgements
    assert from_text.lead_inspector == from_pdf.lead_inspector
    assert (from_text.inspection_start, from_text.inspection_end) == (
        from_pdf.inspection_start,
        from_pdf.inspection_end,
    )

    def numbered(report: ReportParsed) -> list[tuple[str, int]]:
        return [(f.category.value, f.paragraph) for f in report.findings if f.paragraph]

    assert len(numbered(from_pdf)) >= 4
    assert [n for _, n in numbered(from_text)] == [n for _, n in numbered(from_pdf)]
    if same_sections:
        assert numbered(from_text) == numbered(from_pdf)
    assert not from_text.quality.needs_review
    # The running header and footer of every page are not in the findings.
    title = from_pdf.title or ""
    assert title
    assert not any(title in f.text for f in from_text.findings)


def test_contents_without_pages_end_where_the_body_begins() -> None:
    """A plain-text export without form feeds has no pages to drop the contents by: its
    entries (headings with page numbers) go, and the body after them stays."""
    name = "inspection_plymouth_2015-01-06"
    with_pages = (PDFTOTEXT / f"{name}.txt").read_bytes()
    without_pages = parse_report(with_pages.replace(b"\f", b""), f"{name}.txt")
    by_pdf = parsed(REPORTS / f"{name}.pdf")
    assert without_pages.judgements == by_pdf.judgements
    assert len(without_pages.findings) >= len(by_pdf.findings)
    assert not any(f.text.startswith("Contents") for f in without_pages.findings)
    assert not without_pages.quality.needs_review


def test_a_report_whose_text_was_mostly_set_aside_is_flagged() -> None:
    """Contents, covers and boilerplate are never most of a report: a contents page that
    holds the whole text (every line on one page but the last) is flagged, not trusted."""
    name = "inspection_plymouth_2015-01-06"
    text = (PDFTOTEXT / f"{name}.txt").read_text(encoding="utf-8").replace("\f", "")
    # The contents rule by pages, with the body on the contents' page: all of it dropped.
    one_page = parse_report(f"{text}\fAnnex\n".encode(), f"{name}.txt")
    assert one_page.quality.needs_review
    assert any("set aside" in warning for warning in one_page.quality.warnings)


def test_a_case_studys_note_on_its_names_is_no_finding() -> None:
    """ "All names are pseudonyms." under a case study's heading, and a starred note below
    its last paragraph, are the editor's: neither is a finding nor part of one."""
    pdf = focused_visit_letter(
        PdfLine("Practice study: highly effective practice", 12, True, 12),
        *paragraph("All names are pseudonyms."),
        *paragraph(
            "Hannah was well supported in her interview by an intermediary, and was helped",
            "to understand what would happen next by her social worker.",
        ),
        PdfLine("* Pseudonym used to protect confidentiality.", 12),
    )
    report = parse_report(pdf, "visit.pdf")
    assert report.findings[-1].text == (
        "Hannah was well supported in her interview by an intermediary, and was helped to"
        " understand what would happen next by her social worker."
    )
    assert not any("seudonym" in finding.text for finding in report.findings)
