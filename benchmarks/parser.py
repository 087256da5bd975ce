"""Parser speed against bare text extraction, one process, per corpus.

    uv run python -m benchmarks.parser [FOLDER...]

Without folders: the fixture reports, and ../shared/corpus/archive when it is there (371
reports the repository does not carry). Both are timed in the same run, in alternating
rounds so that a noisy neighbour slows both alike; the figures are over the rounds (CPU
time of this process). "bare" is PDFium opening each page and returning its text
(`get_text_range`), the least any parse must do; "parse" is the whole parser
(`parse_report`) on the same files.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import pypdfium2 as pdfium

from findings_parse.core.parser import parse_report

ROOT = Path(__file__).parents[1]
DEFAULT_CORPORA = [ROOT / "tests" / "fixtures" / "reports", ROOT.parent / "shared/corpus/archive"]


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
    started = time.process_time()
    work()
    return time.process_time() - started


def measure(folder: Path, rounds: int) -> list[tuple[str, float]]:
    pdfs = [(p.name, p.read_bytes()) for p in sorted(folder.glob("*.pdf"))]
    pages = sum(len(pdfium.PdfDocument(content)) for _, content in pdfs)
    findings = sum(len(parse_report(content, name).findings) for name, content in pdfs)
    bares, parses = [], []
    for _ in range(rounds):
        bares.append(timed(lambda: bare_extraction(pdfs)))
        parses.append(timed(lambda: full_parse(pdfs)))
    bare, parse = statistics.median(bares), statistics.median(parses)
    return [
        ("PDF reports", len(pdfs)),
        ("pages", pages),
        ("findings", findings),
        ("bare extraction ms/page", 1000 * bare / pages),
        ("parse ms/page", 1000 * parse / pages),
        (
            "parse / bare (median)",
            statistics.median(p / b for p, b in zip(parses, bares, strict=True)),
        ),
        ("parse / bare (fastest)", min(parses) / min(bares)),
        ("parse pages/s (one core)", pages / parse),
        ("parse reports/s (one core)", len(pdfs) / parse),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folders", type=Path, nargs="*", help="folders of PDF reports")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    folders = args.folders or [folder for folder in DEFAULT_CORPORA if folder.is_dir()]
    results = {folder: measure(folder, args.rounds) for folder in folders}
    names = [f"{folder.parent.name}/{folder.name}" for folder in folders]
    print(f"{'metric':<28} " + " ".join(f"{name[-24:]:>24}" for name in names))  # noqa: T201
    print(f"{'-' * 28} " + " ".join("-" * 24 for _ in names))  # noqa: T201
    for row, (label, _) in enumerate(next(iter(results.values()))):
        values = " ".join(f"{results[folder][row][1]:>24.2f}" for folder in folders)
        print(f"{label:<28} {values}")  # noqa: T201


if __name__ == "__main__":
    main()
