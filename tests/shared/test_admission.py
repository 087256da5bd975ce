"""What ingest and the upload take as a report file, judged before any parsing."""

from __future__ import annotations

import gzip
import io
import zipfile

import pytest

from findings_shared.admission import (
    Admitted,
    Rejected,
    admit,
    is_hidden_or_partial,
    looks_unfinished,
)
from tests.conftest import REPORTS


@pytest.mark.parametrize(
    "name",
    [
        ".report.pdf.swp",
        "report.pdf.part",
        "report.pdf.PART",
        "report.pdf.partial",
        "report.pdf.crdownload",
        "report.pdf.download",
        "report.pdf.tmp",
        "report.pdf.temp",
        "report.pdf~",
        "~$report.txt",
    ],
)
def test_temporary_names_of_writers_are_ignored(name: str) -> None:
    assert is_hidden_or_partial(name)


@pytest.mark.parametrize("name", ["report.pdf", "report.txt", "part 2.pdf", "temp.pdf"])
def test_report_names_are_not_ignored(name: str) -> None:
    assert not is_hidden_or_partial(name)


def test_a_pdf_is_unfinished_until_its_end_marker_is_written() -> None:
    pdf = (REPORTS / "inspection_salford_2018-11-12.pdf").read_bytes()
    assert not looks_unfinished(pdf)
    assert not looks_unfinished(pdf + b"\r\n" + b"\0" * 100)  # trailing bytes some tools add
    assert all(looks_unfinished(pdf[:cut]) for cut in (100, len(pdf) // 3, len(pdf) // 2))
    text = (REPORTS / "letter_wandsworth_2011-07-07.txt").read_bytes()
    assert not looks_unfinished(text[:100])  # text has no end marker: never judged so


def test_an_archive_holding_a_pdf_is_refused_by_what_it_is() -> None:
    pdf = (REPORTS / "letter_wandsworth_2011-07-07.txt").read_bytes()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("report.pdf", b"%PDF-1.7\n" + pdf)
    zipped = buffer.getvalue()
    assert b"%PDF-" in zipped[:1024]  # what let it in before
    for name in ("report.pdf", "report.txt"):
        verdict = admit(name, zipped[:4096], len(zipped), 10**8)
        assert isinstance(verdict, Rejected)
        assert "a ZIP archive" in verdict.reason
    gzipped = gzip.compress(b"%PDF-1.7\n")
    verdict = admit("report.pdf", gzipped, len(gzipped), 10**8)
    assert isinstance(verdict, Rejected)
    assert "gzip" in verdict.reason


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_text_in_utf16_or_utf32_with_its_mark_is_taken(encoding: str) -> None:
    """Their bytes hold NULs, as binary data's do; their byte-order mark tells them."""
    content = "\ufeffInspection of Testshire children's services".encode(encoding)
    assert b"\x00" in content
    assert admit("report.txt", content, len(content), 10**8) == Admitted("text/plain")
    verdict = admit("report.txt", content[len("\ufeff".encode(encoding)) :], len(content), 10**8)
    assert isinstance(verdict, Rejected)
    assert "binary" in verdict.reason
