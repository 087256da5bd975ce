"""How a report's plain-text export reads against its PDF (docs/accuracy.md).

Usage: python scripts/compare_text_exports.py PDF_FOLDER TEXT_FOLDER
where TEXT_FOLDER holds `<name>.txt` for each `<name>.pdf` (made by
`scripts/export_text.py`, say). The PDF's reading is the reference: it
is the one `findings evaluate` scores against Ofsted's records. Prints how many of the
PDF's numbered paragraphs the text gives the same category, and the reports that differ
most.
"""

from __future__ import annotations

import sys
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import NamedTuple

from findings_parse.core.parser import parse_report


class Compared(NamedTuple):
    name: str
    numbered: int  # the PDF's numbered paragraphs
    same: int  # of them, the text's with the same number and category
    pdf_findings: int
    text_findings: int
    category_difference: int  # findings a category has more or fewer in the text


def compare(pdf: Path, text: Path) -> Compared:
    by_pdf = parse_report(pdf.read_bytes(), pdf.name).findings
    by_text = parse_report(text.read_bytes(), text.name).findings
    pdf_numbered = {f.paragraph: f.category for f in by_pdf if f.paragraph}
    text_numbered = {f.paragraph: f.category for f in by_text if f.paragraph}
    pdf_counts = Counter(f.category for f in by_pdf)
    text_counts = Counter(f.category for f in by_text)
    return Compared(
        name=pdf.stem,
        numbered=len(pdf_numbered),
        same=sum(text_numbered.get(n) == category for n, category in pdf_numbered.items()),
        pdf_findings=len(by_pdf),
        text_findings=len(by_text),
        category_difference=sum(
            abs(pdf_counts[c] - text_counts[c]) for c in pdf_counts.keys() | text_counts.keys()
        ),
    )


def say(line: str) -> None:
    sys.stdout.write(line + "\n")


def main() -> None:
    pdf_folder, text_folder = (Path(arg) for arg in sys.argv[1:3])
    pairs = [
        (pdf, text_folder / f"{pdf.stem}.txt")
        for pdf in sorted(pdf_folder.glob("*.pdf"))
        if (text_folder / f"{pdf.stem}.txt").exists()
    ]
    with ProcessPoolExecutor(2) as pool:
        rows = list(pool.map(compare, *zip(*pairs, strict=True)))
    numbered = sum(row.numbered for row in rows)
    same = sum(row.same for row in rows)
    say(f"{len(rows)} reports; numbered paragraphs {numbered}, same category in the text")
    say(f"  {same} ({same / max(numbered, 1):.3f})")
    say(
        f"findings: PDFs {sum(row.pdf_findings for row in rows)},"
        f" texts {sum(row.text_findings for row in rows)};"
        f" by category, {sum(row.category_difference for row in rows)} more or fewer"
    )
    say("most different (name, numbered, same, PDF findings, text findings, difference):")
    for row in sorted(rows, key=lambda row: row.numbered - row.same, reverse=True)[:8]:
        say("  " + " ".join(str(value) for value in row))


if __name__ == "__main__":
    main()
