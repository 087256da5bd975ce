"""Plain-text exports of a corpus folder's PDFs, made by another extractor (docs/accuracy.md).

Usage: python scripts/export_text.py EXTRACTOR PDF_FOLDER TEXT_FOLDER
where EXTRACTOR is `pdftotext` (poppler-utils), `pdftotext-layout` (its `-layout` mode) or
`pypdf` (`page.extract_text()` for each page, pages joined by form feeds; pypdf is no
dependency of this project: install it where you run this). TEXT_FOLDER gets
`<name>.txt` for each `<name>.pdf`, the folder's MANIFEST.tsv with the names changed to
match, and the corpus's `labels/` (PDF_FOLDER's parent's) beside it, so that
`findings evaluate TEXT_FOLDER` scores the exports as it does the PDFs and
`scripts/compare_text_exports.py PDF_FOLDER TEXT_FOLDER` compares them with the PDFs.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

EXTRACTORS = ("pdftotext", "pdftotext-layout", "pypdf")


def export(extractor: str, pdf: Path, text: Path) -> None:
    if extractor == "pypdf":
        import pypdf  # type: ignore[import-not-found,unused-ignore]

        pages = pypdf.PdfReader(str(pdf)).pages
        text.write_text("\f".join(page.extract_text() or "" for page in pages), "utf-8")
        return
    layout = ["-layout"] if extractor == "pdftotext-layout" else []
    subprocess.run(["pdftotext", *layout, "-enc", "UTF-8", str(pdf), str(text)], check=True)


def main() -> None:
    if len(sys.argv) != 4 or sys.argv[1] not in EXTRACTORS:
        sys.exit(__doc__)
    extractor, pdf_folder, text_folder = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    text_folder.mkdir(parents=True, exist_ok=True)
    pdfs = sorted(pdf_folder.glob("*.pdf"))
    texts = [text_folder / f"{pdf.stem}.txt" for pdf in pdfs]
    with ProcessPoolExecutor(2) as pool:
        list(pool.map(export, [extractor] * len(pdfs), pdfs, texts))
    manifest = pdf_folder / "MANIFEST.tsv"
    if manifest.exists():
        rows = manifest.read_text("utf-8").splitlines()
        exported = {pdf.name for pdf in pdfs}
        renamed = [rows[0]] + [
            row.replace(".pdf\t", ".txt\t", 1) for row in rows[1:] if row.split("\t")[0] in exported
        ]
        (text_folder / "MANIFEST.tsv").write_text("\n".join(renamed) + "\n", "utf-8")
    labels = pdf_folder.parent / "labels"
    if labels.is_dir():
        shutil.copytree(labels, text_folder.parent / "labels", dirs_exist_ok=True)
    sys.stdout.write(f"{len(pdfs)} exports in {text_folder}\n")


if __name__ == "__main__":
    main()
