"""Bad input gets a clear, one-line reason, never a crash."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from findings_parse.core.extract import NotAReport, UnreadableReport, extract_text
from findings_parse.core.parser import parse_report
from tests.golden import FIXTURES, REPORTS
from tests.pdfs import encrypted_pdf

A_PDF = (REPORTS / "inspection_salford_2018-11-12.pdf").read_bytes()
FIFTY_MB = 50 * 1024 * 1024


@pytest.mark.parametrize(
    ("make_content", "name", "reason"),
    [
        pytest.param(lambda: b"", "empty.pdf", "empty", id="empty"),
        pytest.param(
            lambda: (FIXTURES / "bad" / "inspection_birmingham_2012-10-19.pdf").read_bytes(),
            "inspection_birmingham_2012-10-19.pdf",
            "HTML page",
            id="html-error-page",
        ),
        pytest.param(
            lambda: A_PDF[: len(A_PDF) // 3], "cut.pdf", "cannot be opened", id="truncated"
        ),
        pytest.param(lambda: b"\x00\x01\x02junk" * 100, "junk.txt", "binary", id="binary-as-txt"),
        # Bytes after a UTF-16 mark decode to letters of some script, no controls among them.
        pytest.param(
            lambda: "".join(chr(0x4E00 + i * 7919 % 20000) for i in range(5000)).encode("utf-16"),
            "junk.txt",
            "binary",
            id="junk-after-a-utf16-mark",
        ),
        pytest.param(
            lambda: b"%PDF-1.7\n garbage", "junk.pdf", "cannot be opened", id="pdf-header"
        ),
        pytest.param(lambda: b"just some words", "note.pdf", "not a PDF", id="text-named-pdf"),
        pytest.param(
            lambda: encrypted_pdf(A_PDF), "locked.pdf", "encrypted with a password", id="encrypted"
        ),
        # Built when the test runs, so 50 MB inputs are not held for the whole session.
        pytest.param(
            lambda: b"%PDF-1.7\n" + b"x" * FIFTY_MB, "huge.pdf", "cannot be opened", id="50mb-pdf"
        ),
        pytest.param(
            lambda: b"word " * (FIFTY_MB // 5), "huge.txt", "50 MB, more than any", id="50mb-txt"
        ),
        pytest.param(
            lambda: bytes(range(256)) * (FIFTY_MB // 256), "huge.txt", "binary", id="50mb-junk"
        ),
    ],
)
def test_unreadable_inputs_have_a_reason(
    make_content: Callable[[], bytes], name: str, reason: str
) -> None:
    with pytest.raises(UnreadableReport, match=reason) as raised:
        parse_report(make_content(), name)
    assert "\n" not in str(raised.value)


@settings(max_examples=300, deadline=None)
@given(content=st.binary(max_size=4096), name=st.sampled_from(["x.txt", "x.pdf", "x"]))
def test_arbitrary_bytes_give_a_report_or_a_reason(content: bytes, name: str) -> None:
    try:
        report = parse_report(content, name)
    except UnreadableReport as error:
        reason = str(error)
        assert reason.strip()
        assert "\n" not in reason  # one line: it is shown in /files and the status command
    else:
        assert report.report_id == hashlib.sha256(content).hexdigest()


@settings(max_examples=100, deadline=None)
@given(cut=st.integers(min_value=0, max_value=len(A_PDF)))
def test_truncated_pdfs_never_crash(cut: int) -> None:
    with contextlib.suppress(UnreadableReport):
        extract_text(A_PDF[:cut], "cut.pdf")


@pytest.mark.parametrize(
    ("text", "name"),
    [
        pytest.param(
            "A note about something\n\nFirst paragraph of it.\n\nSecond paragraph.\n",
            "note.txt",
            id="note",
        ),
        pytest.param(
            "Meeting notes, Salford, 3 May\n\nWe discussed the Ofsted inspection of Wandsworth"
            " local authority children's services and the focused visit to Salford.\n",
            "notes.txt",
            id="meeting-note-naming-authorities",
        ),
        pytest.param(
            (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8"),
            "README.md",
            id="readme",
        ),
    ],
)
def test_documents_that_are_no_report_fail_as_not_a_report(text: str, name: str) -> None:
    """Never attributed to an authority or given a date: a visible failure instead."""
    with pytest.raises(NotAReport, match="not an Ofsted inspection report") as raised:
        parse_report(text.encode(), name)
    assert raised.value.error_type == "not_a_report"


def test_a_report_of_no_known_family_is_kept_whole_and_flagged() -> None:
    text = (
        "Review of something new in Salford\n\nInspection dates: 3 to 5 May 2022\n\n"
        "Lead inspector: Jane Smith, His Majesty's Inspector\n\n"
        "First paragraph of it.\n\nSecond paragraph of it.\n"
    )
    report = parse_report(text.encode(), "review.txt")
    assert report.report_type.value == "unknown"
    assert [f.text for f in report.findings[-2:]] == [
        "First paragraph of it.",
        "Second paragraph of it.",
    ]
    assert report.quality.needs_review
    assert any("not recognised" in w for w in report.quality.warnings)


def test_a_nul_past_the_binary_check_never_reaches_a_finding() -> None:
    """PostgreSQL refuses NUL in text: a report carrying one would be dead-lettered at
    store. A text export with a stray NUL beyond the first 64 KB (the binary check) is
    read with the NUL as a space."""
    letter = (REPORTS / "letter_wandsworth_2011-07-07.txt").read_bytes()
    padding = b"\n" * (65536 - len(letter) + 16) if len(letter) < 65536 else b""
    content = letter + padding + b"The service knows its children well.\x00 Caseloads are high.\n"
    extracted = extract_text(content, "letter.txt")
    assert not any("\x00" in line.text for line in extracted.lines)
    assert any("well.  Caseloads" in line.text for line in extracted.lines)
    report = parse_report(content, "letter.txt")
    assert not any("\x00" in finding.text for finding in report.findings)
