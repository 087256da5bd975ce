"""Parser speed on the fixture reports, one process, against bare text extraction.

    uv run python -m benchmarks.parser

Both are timed in the same run, in alternating rounds so that a noisy neighbour
slows both alike; the figures are medians over the rounds. "bare" is PDFium opening
each page and returning its text (`get_text_range`), the least any parse must do;
"parse" is the whole parser (`parse_report`) on the same files.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path

import pypdfium2 as pdfium

from findings_parse.core.parser import parse_report

FIXTURES = Path(__file__).parents[1] / "tests" / "fixtures" / "reports"


def bare_extraction(files: list[tuple[str, bytes]]) -> None:
    for _name, content in files:
        document = pdfium.PdfDocument(content)
        for index in range(len(document)):
            page = document[index]
            textpage = page.get_textpage()
            textpage.get_text_range()
            textpage.close()
            page.close()
        document.close()


def full_parse(files: list[tuple[str, bytes]]) -> None:
    for name, content in files:
        parse_report(content, name)


def timed(work: Callable[[], None]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def main(rounds: int = 9) -> None:
    pdfs = [(p.name, p.read_bytes()) for p in sorted(FIXTURES.glob("*.pdf"))]
    pages = sum(len(pdfium.PdfDocument(content)) for _, content in pdfs)
    findings = sum(len(parse_report(content, name).findings) for name, content in pdfs)
    bares, parses = [], []
    for _ in range(rounds):
        bares.append(timed(lambda: bare_extraction(pdfs)))
        parses.append(timed(lambda: full_parse(pdfs)))
    bare, parse = statistics.median(bares), statistics.median(parses)
    ratio = statistics.median(p / b for p, b in zip(parses, bares, strict=True))
    print(f"{'metric':<28} {'value':>10}")  # noqa: T201
    print(f"{'-' * 28} {'-' * 10}")  # noqa: T201
    for label, value in [
        ("PDF reports", len(pdfs)),
        ("pages", pages),
        ("findings", findings),
        ("bare extraction ms/page", 1000 * bare / pages),
        ("parse ms/page", 1000 * parse / pages),
        ("parse / bare (median)", ratio),
        ("parse pages/s (one core)", pages / parse),
        ("parse reports/s (one core)", len(pdfs) / parse),
    ]:
        print(f"{label:<28} {value:>10.2f}")  # noqa: T201


if __name__ == "__main__":
    main()
