"""Parser speed on the fixture reports, in one process.

uv run python -m benchmarks.parser
"""

from __future__ import annotations

import time
from pathlib import Path

import pypdfium2 as pdfium

from findings_parse.core.parser import parse_report

FIXTURES = Path(__file__).parents[1] / "tests" / "fixtures" / "reports"


def main(rounds: int = 3) -> None:
    files = [(p.name, p.read_bytes()) for p in sorted(FIXTURES.iterdir())]
    pages = sum(len(pdfium.PdfDocument(c)) for n, c in files if n.endswith(".pdf"))
    findings = sum(len(parse_report(c, n).findings) for n, c in files)
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        for name, content in files:
            parse_report(content, name)
        best = min(best, time.perf_counter() - started)
    print(f"{'metric':<22} {'value':>10}")  # noqa: T201
    print(f"{'-' * 22} {'-' * 10}")  # noqa: T201
    for label, value in [
        ("reports", len(files)),
        ("pdf pages", pages),
        ("findings", findings),
        ("seconds (best of 3)", best),
        ("reports/s", len(files) / best),
        ("pages/s", pages / best),
        ("ms/page", 1000 * best / pages),
    ]:
        print(f"{label:<22} {value:>10.2f}")  # noqa: T201


if __name__ == "__main__":
    main()
