"""Text extraction: report bytes (PDF or plain text) to body lines.

PDF text comes from PDFium (pypdfium2: permissive licence, ~2 ms a page). Each line
keeps its page, its font size and whether a vertical gap precedes it, which is what
tells headings, footnotes and paragraph boundaries apart later. Running headers,
footers, page numbers and footnotes are removed here, so nothing downstream sees them.
"""

from __future__ import annotations

import ctypes
import itertools
import math
import re
import statistics
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from findings_shared.admission import sniff, unicode_encoding


class UnreadableReport(Exception):
    """The bytes are not a report we can read; the message says why, in one line."""

    error_type = "unreadable_report"


class NotAReport(UnreadableReport):
    """A readable document that is no Ofsted inspection report (a note, a README)."""

    error_type = "not_a_report"


@dataclass(slots=True)
class Line:
    text: str
    page: int
    size: float = 0.0  # font size of the line's first letter; 0 for plain text
    gap_before: bool = False  # a blank line or vertical gap precedes it: a paragraph hint
    bold: bool = False  # first and last letters bold: a heading at body size
    bottom: float = 0.0  # a PDF line's baseline on its page, from the bottom (its origin)
    left: float = 0.0  # where a PDF line starts on its page
    right: float = 0.0  # where it ends, for a line that ends a sentence (else 0)
    # Its last letter's baseline: lower than `bottom` when PDFium ran two printed lines
    # into one at a soft hyphen ("multi-" / "agency").
    last_bottom: float = 0.0
    end: float = 0.0  # where any PDF line ends: the right edge of the column it is in


@dataclass(slots=True)
class ExtractedText:
    kind: Literal["pdf", "text"]
    lines: list[Line]
    body_size: float = 0.0
    pages: int = 0  # a PDF's pages; 0 for text


# No report comes near these; beyond them a file is refused before any real work.
MAX_TEXT_BYTES = 10 * 1024 * 1024
MAX_PDF_PAGES = 1000
# A page number, or the last digits of a contact number wrapped at a page's edge.
_PAGE_NUMBER = re.compile(r"^(page\s+)?\d{1,4}(\s+of\s+\d{1,3})?$", re.IGNORECASE)
# PDFium marks a hyphen at a line end with U+FFFE; Ofsted hyphens are real ("multi-agency").
_SOFT_HYPHEN = "\ufffe"
# The Symbol font's minus sign within a word or number ("2016\uf02d17"): a hyphen. (Fonts
# put their own glyphs at U+F0xx, so only this one, between letters or digits, is read.)
_SYMBOL_MINUS = "\uf02d"
_SYMBOL_DASH = re.compile(rf"(?<=\w){_SYMBOL_MINUS}(?=\w)")
_INLINE_BULLET = re.compile(r"(?<=\S)\s*([▪●•◼])\s*")
_HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def extract_text(content: bytes, name: str) -> ExtractedText:
    if not content:
        raise UnreadableReport("the file is empty")
    # The same judgement as admission's, which let the file in.
    kind = sniff(content[:1024])
    if kind == "pdf":
        return _extract_pdf(content)
    if kind == "html":
        raise UnreadableReport(
            "the file is an HTML page, not a report (a download error page saved as a file?)"
        )
    if name.lower().endswith(".pdf"):
        raise UnreadableReport("the file is named .pdf but is not a PDF (no %PDF header)")
    return _extract_plain_text(content)


# The least share of ASCII in a text's first characters (every report has over 0.95).
_ASCII_SHARE = 0.5


def _decode(content: bytes) -> str:
    encoding = unicode_encoding(content[:4])
    if encoding is None and b"\x00" in content[:65536]:
        raise UnreadableReport("the file holds binary data, not text")
    if len(content) > MAX_TEXT_BYTES:
        raise UnreadableReport(
            f"the text file is {len(content) >> 20} MB, more than any report"
            f" (limit {MAX_TEXT_BYTES >> 20} MB)"
        )
    if encoding is not None:
        text = content.decode(encoding, errors="replace")
    else:
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = content.decode("cp1252", errors="replace")
    sample = text[:65536]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\r\n\t\f")
    if controls > len(sample) * 0.01 or sample.count("\ufffd") > len(sample) * 0.05:
        raise UnreadableReport("the file holds binary data, not text")
    # Any bytes read as UTF-16 or cp1252 are letters of some script: a report's English is
    # almost all ASCII, such bytes hardly any.
    if sum(1 for ch in sample if ch < "\x80") < len(sample) * _ASCII_SHARE:
        raise UnreadableReport("the file holds binary data or text in another script, not a report")
    # A stray NUL past the sample: no text column in PostgreSQL can hold one.
    return text.replace("\x00", " ")


def _extract_plain_text(content: bytes) -> ExtractedText:
    text = _decode(content)
    text = _HTML_TAG.sub("", text).replace(_SOFT_HYPHEN, "-")
    pages: list[list[Line]] = []
    gap = True
    # A form feed starts a page (pdftotext's exports keep the PDF's pages so).
    for page, page_text in enumerate(text.split("\f"), start=1):
        page_lines: list[Line] = []
        for raw in page_text.splitlines():
            # Some exports run bullets into one line: put each on a line of its own.
            for piece in _INLINE_BULLET.sub(r"\n\1 ", raw.rstrip()).split("\n"):
                if not piece.strip():
                    gap = True
                    continue
                page_lines.append(Line(text=piece.rstrip(), page=page, gap_before=gap))
                gap = False
        pages.append(_without_footnotes(page_lines))
    # With pages, their running headers and footers go as a PDF's do (from three pages,
    # as `_running_keys` counts; a file without form feeds keeps every line).
    edges = [_edge_keys(page_lines) if len(pages) >= 3 else {} for page_lines in pages]
    running = _running_keys(edges)
    lines = [
        line
        for page_lines, edge_keys in zip(pages, edges, strict=True)
        for position, line in enumerate(page_lines)
        if not _runs_on_every_page(line, edge_keys.get(position), running)
    ]
    if not lines:
        raise UnreadableReport("the file holds no text")
    # A page's first line after a finished sentence starts a block, as in a PDF, though no
    # blank line is left once the page's header or number is gone (pypdf's exports).
    for previous, line in itertools.pairwise(lines):
        if line.page != previous.page and not line.gap_before:
            line.gap_before = _page_start_is_new_block([previous], line.text, 0.0)
    _mark_short_last_text_lines(lines)
    return ExtractedText(kind="text", lines=_cells_in_reading_order(lines))


# Without fonts a line's width is its letters, which differ in width: a line is short when
# it and the next word fill less than this share of the text's width (0.6 to 0.95 measured
# over pdftotext's and pypdf's exports of the corpus, docs/accuracy.md).
_SHORT_TEXT_LINE = 0.75


def _mark_short_last_text_lines(lines: list[Line]) -> None:
    """Paragraphs with no blank line between them (pypdf's exports, and some of
    pdftotext's): as in a PDF (`_mark_short_last_lines`), a sentence's last line that
    stops well short of the text's width, the next line's first word and all, ended its
    paragraph."""
    lengths = sorted(len(line.text) for line in lines if not _CELL_GAP.search(line.text.strip()))
    if len(lengths) < _MEASURED_LINES:
        return
    width = lengths[int(len(lengths) * 0.95)]  # the text's width, less the odd long line
    for previous, line in itertools.pairwise(lines):
        if line.gap_before or previous.page != line.page or not line.text[:1].isupper():
            continue
        if not previous.text.endswith(_SENTENCE_ENDS):
            continue
        first_word = line.text.split(maxsplit=1)[0]
        if len(previous.text) + len(first_word) + 1 < width * _SHORT_TEXT_LINE:
            line.gap_before = True


# A footnote at a page's foot: its number and its text ("2 The local authority was given
# the opportunity…", as pypdf exports it), or its number on a line of its own above the
# text (pdftotext, with or without a blank line between). Its mark is glued to a word above
# it on the page ("…area2", "Board1").
_NOTE_START = re.compile(r"^\s*(?P<number>\d{1,2})(?:\s*$| +(?=[A-Z‘'\"(“]))")
_NOTE_NUMBER_ALONE = re.compile(r"^\s*(?P<number>\d{1,2})\s*$")
# What a footnote's mark follows: a word, or a word and its punctuation; never a number
# ("2.2 Adoption performance" holds no mark "2").
_MARK_AFTER = r"(?:(?<=[^\W\d_])|(?<=[^\W\d_][.,;:)’”]))"


def _without_footnotes(page_lines: list[Line]) -> list[Line]:
    """A page's lines less the footnotes at its foot, as a PDF's are dropped by their
    type: in plain text a footnote "1 Ofsted produces this report…" reads as a numbered
    paragraph, and the report's own paragraph 1 then as a repeat."""

    def block_start(end: int) -> int:
        start = end - 1
        while start > 0 and not page_lines[start].gap_before:
            start -= 1
        return start

    # A number alone on the page's last line is its page number, below its notes
    # (pdftotext): the notes are looked for above it, and it stays for the page's edges.
    page_number = [
        line for line in page_lines[-1:] if _NOTE_NUMBER_ALONE.match(line.text) and line.gap_before
    ]
    end = len(page_lines) - len(page_number)
    while end > 0:
        start = block_start(end)
        note = _NOTE_START.match(page_lines[start].text)
        if note is None and start > 0 and start - (before := block_start(start)) == 1:
            note = _NOTE_NUMBER_ALONE.match(page_lines[before].text)
            start = before
        if note is None:
            break
        mark = re.compile(rf"{_MARK_AFTER}{note['number']}(?!\d)")
        if not any(mark.search(line.text) for line in page_lines[:start]):
            break
        end = start
    return page_lines[:end] + page_number


# pdftotext's layout mode (`pdftotext -layout`) sets a table's cells side by side, apart by
# runs of spaces, and a cell's lines among its neighbour's: "Requires" / "2. Children looked
# after and achieving permanence" / "Improvement", or a label's second line below its
# grade. Such text is read a row at a time, each column's cell whole, as pdftotext's
# default mode prints it.
_CELL_GAP = re.compile(r"(?<=\S) {3,}(?=\S)")
# A paragraph's number or a bullet set apart from its text ("1.      Since") is no cell.
_LEADING_MARK = re.compile(r"(?:\d{1,3}[.)]|[▪●•◼■◦‣∙·➢✓\uf000-\uf8ff]|[-–−o](?= )) +")
# A page number in a contents list's column stays on its entry's line ("Summary 3").
_PAGE_CELL = re.compile(r"^\d{1,4}$")
# A line alone in the right column starts this far right of the text it sits among, and
# where the page's right cells start (within a few places), or it is short and the block's
# lines at the left and at the right are interleaved: a cell centred beside a taller one
# ("Requires" / "1. Children who need help and protection" / "improvement", or "The
# experiences and progress of" / "Requires improvement" / "children who need help …").
_COLUMN_INDENT = 20
_COLUMN_SLACK = 3
_CENTRED_CELL_CHARS = 40


@dataclass(slots=True)
class _Row:
    left: list[str] = field(default_factory=list)
    right: list[str] = field(default_factory=list)
    # A cell beside the label's line: the row's cells are set from the top, so a
    # right-hand cell starting a sentence below it is the next row's.
    top_aligned: bool = False


def _cells(text: str) -> tuple[int, str, int, str]:
    """A line as (start, text) of its left cell and of its right cell ((0, "") if none)."""
    indent = len(text) - len(text.lstrip(" "))
    mark = _LEADING_MARK.match(text, indent)
    gap = _CELL_GAP.search(text, mark.end() if mark else indent)
    if gap is None:
        return indent, text[indent:], 0, ""
    right = " ".join(_CELL_GAP.split(text[gap.end() :]))
    return indent, text[indent : gap.start()], gap.end(), right


def _cells_in_reading_order(lines: list[Line]) -> list[Line]:
    """Plain text with a table in columns, read cell by cell (see `_CELL_GAP`)."""
    if not any(_CELL_GAP.search(line.text.strip()) for line in lines):
        return lines
    ordered: list[Line] = []
    for page, page_lines in itertools.groupby(lines, key=lambda line: line.page):
        on_page = list(page_lines)
        cells = [_cells(line.text) for line in on_page]
        column_starts = {right_at for _, _, right_at, right in cells if right}
        starts = [index for index, line in enumerate(on_page) if index == 0 or line.gap_before]
        for start, end in itertools.pairwise([*starts, len(on_page)]):
            rows = _rows(cells[start:end], column_starts)
            if rows is None:
                ordered += on_page[start:end]
                continue
            for row in rows:
                for column in (row.left, row.right):
                    ordered += [
                        Line(text=text, page=page, gap_before=position == 0)
                        for position, text in enumerate(column)
                    ]
    return ordered


def _rows(block: list[tuple[int, str, int, str]], column_starts: set[int]) -> list[_Row] | None:
    """A block's rows (None: the block is no table)."""
    leftmost = min(left_at for left_at, _, _, _ in block)
    far = [
        index
        for index, (left_at, _, _, _) in enumerate(block)
        if left_at >= leftmost + _COLUMN_INDENT
    ]
    near = [index for index in range(len(block)) if index not in far]
    # A cell centred beside its label falls between the label's lines ("The experiences
    # and progress of" / "Requires improvement" / "children who need …"), or the label
    # between the cell's lines ("Requires" / "1. Children who need …" / "improvement").
    between = bool(far and near) and any(far[0] < index < far[-1] for index in near)
    around = bool(far and near) and any(near[0] < index < near[-1] for index in far)
    centred = range(0)
    if between:
        centred = range(far[0], far[-1] + 1)
    elif around:
        # The label's first line above the cell starts a sentence; a line in lower case
        # goes on from the row before. Below, the label's next line, or its only one.
        above = far[0] > 0 and not _starts_lower(block[far[0] - 1][1])
        below = far[-1] + 1 < len(block) and (_starts_lower(block[far[-1] + 1][1]) or not above)
        centred = range(far[0] - above, far[-1] + 1 + below)

    def alone_on_the_right(index: int) -> bool:
        left_at, text, _, _ = block[index]
        return index in far and (
            any(abs(left_at - column) <= _COLUMN_SLACK for column in column_starts)
            or (index in centred and len(text) <= _CENTRED_CELL_CHARS)
        )

    if not any(right for _, _, _, right in block) and not any(map(alone_on_the_right, far)):
        return None
    rows = [_Row()]
    for index, (_, left, _, right) in enumerate(block):
        row = rows[-1]
        if right and _PAGE_CELL.match(right):
            row.left.append(f"{left} {right}")
            continue
        cell = right or (left if alone_on_the_right(index) else "")
        # A centred cell's row is its own. Otherwise a cell that starts a sentence beside
        # a label that starts one, or alone below a row's top-aligned cell, is the next
        # row's; so is a line at the left that starts one below a label wrapped over lines
        # (whose next line starts in lower case: "children who need help and" /
        # "protection", then "Summary"; one line, "…, Ofsted HMI Lead" / "Inspector", may
        # go on in capitals).
        if index in centred:
            new_row = index == centred.start
        else:
            new_row = index == centred.stop or bool(
                row.right
                and (
                    (
                        cell
                        and not _starts_lower(cell)
                        and (not _starts_lower(left) if right else row.top_aligned)
                    )
                    or (not cell and len(row.left) > 1 and not _starts_lower(left))
                )
            )
        if new_row and (row.left or row.right):
            row = _Row()
            rows.append(row)
        if right:
            row.left.append(left)
            row.right.append(right)
            row.top_aligned = row.top_aligned or len(row.left) == 1
        elif cell:
            row.right.append(cell)
        else:
            row.left.append(left)
    return rows


def _starts_lower(text: str) -> bool:
    return text[:1].islower()


def _extract_pdf(content: bytes) -> ExtractedText:
    try:
        pdf = pdfium.PdfDocument(content)
    except pdfium.PdfiumError as error:
        reason = str(error).lower()
        if "password" in reason:
            raise UnreadableReport("the PDF is encrypted with a password") from error
        raise UnreadableReport(f"the PDF cannot be opened ({error})") from error
    try:
        if len(pdf) > MAX_PDF_PAGES:
            raise UnreadableReport(
                f"the PDF has {len(pdf)} pages, more than the {MAX_PDF_PAGES}-page limit"
            )
        if len(pdf) == 0:
            raise UnreadableReport("the PDF has no pages")
        pages = [_page_lines(pdf, index) for index in range(len(pdf))]
    finally:
        pdf.close()
    if not any(pages):  # lines are never blank: an empty page has none
        raise UnreadableReport("the PDF has no text layer (a scan?); OCR is not supported")
    return _assemble_pdf_lines(pages)


_FIRST_LETTER = re.compile(r"[^\W_]")


def _first_letter(text: str) -> int | None:
    match = _FIRST_LETTER.search(text)
    return match.start() if match else None


def _page_lines(pdf: pdfium.PdfDocument, index: int) -> list[Line]:
    """The page's text lines with the geometry and font of their letters.

    Hot path (every page of every report): raw PDFium calls, one pass over the text.
    """
    page = pdf[index]
    textpage = page.get_textpage()
    raw_page = textpage.raw
    left, right = ctypes.c_double(), ctypes.c_double()
    bottom, top = ctypes.c_double(), ctypes.c_double()
    end_left, end_right = ctypes.c_double(), ctypes.c_double()
    end_bottom, end_top = ctypes.c_double(), ctypes.c_double()
    origin_x, baseline = ctypes.c_double(), ctypes.c_double()
    char_box = pdfium_c.FPDFText_GetCharBox
    # A glyph's box sits above its baseline (a quotation mark, 6 points up) or below it
    # (a descender): lines are measured by their baselines.
    char_origin = pdfium_c.FPDFText_GetCharOrigin
    font_size = pdfium_c.FPDFText_GetFontSize
    font_weight = pdfium_c.FPDFText_GetFontWeight
    matrix = pdfium_c.FS_MATRIX()
    try:
        # Replacements keep the length, so character offsets still index the text page.
        text = textpage.get_text_range()
        if "\x00" in text:  # a glyph PDFium maps to nothing; PostgreSQL refuses NUL in text
            text = text.replace("\x00", " ")
        if _SYMBOL_MINUS in text:
            text = _SYMBOL_DASH.sub("-", text)
        lines: list[Line] = []
        starts: list[int] = []  # each line's first character in the page's text
        letter_sizes: list[float] = []  # and its first letter's size, unscaled
        printed = [(raw, 2) for raw in text.split("\r\n")]  # a line and its "\r\n"
        if _SOFT_HYPHEN in text:
            printed = _smaller_type_apart(printed, lambda at: font_size(raw_page, at))
        offset = 0
        for raw, separator in printed:
            # A soft hyphen inside a line: PDFium ran two printed lines into one.
            runs_on = _SOFT_HYPHEN in raw and _SOFT_HYPHEN in raw.rstrip()[:-1]
            raw = raw.replace(_SOFT_HYPHEN, "-")
            stripped = raw.lstrip()
            indent = len(raw) - len(stripped)
            # Most lines start with a letter; the regex is for bullets and symbols.
            first_letter = indent if stripped[:1].isalnum() else _first_letter(raw)
            if first_letter is not None or stripped:
                char_box(raw_page, offset + indent, left, right, bottom, top)
                char_origin(raw_page, offset + indent, origin_x, baseline)
                if first_letter is None:  # symbols only (a lone bullet, a rule): never bold
                    letter, bold = offset + indent, False
                else:
                    # Size of the first letter, not of a bullet glyph, which is often larger.
                    letter = offset + first_letter
                    end = len(raw) - 1
                    while not raw[end].isalnum():  # stops at the first letter at the latest
                        end -= 1
                    bold = (
                        font_weight(raw_page, letter) >= 600
                        and font_weight(raw_page, offset + end) >= 600
                    )
                letter_size = size = font_size(raw_page, letter)
                if size < _SCALED_BELOW:
                    size *= _matrix_scale(raw_page, letter, matrix)
                line_text = stripped.rstrip()
                start = offset + indent
                # Where a sentence's last line ends tells a paragraph's end (see below).
                line_bottom = baseline.value
                last = start + len(line_text) - 1
                char_box(raw_page, last, end_left, end_right, end_bottom, end_top)
                ends = end_right.value if line_text.endswith(_SENTENCE_ENDS) else 0.0
                if runs_on:
                    char_origin(raw_page, last, origin_x, baseline)
                last_bottom = baseline.value
                # (text, page, size, gap_before, bold, bottom, left, right, last_bottom, end)
                lines.append(
                    Line(
                        line_text,
                        index + 1,
                        round(size, 1),
                        False,
                        bold,
                        line_bottom,
                        left.value,
                        ends,
                        last_bottom,
                        end_right.value,
                    )
                )
                starts.append(start)
                letter_sizes.append(letter_size)
            offset += len(raw) + separator
        # Only a page with a line that starts like a note pays for looking at its marks.
        if _NOTE_LINE.search(text):
            _without_note_marks(lines, starts, letter_sizes, lambda at: font_size(raw_page, at))
        return lines
    finally:
        textpage.close()
        page.close()


_SMALLER_TYPE = 0.9  # a footnote's letters against the body's


def _smaller_type_apart(
    printed: list[tuple[str, int]], char_size: Callable[[int], float]
) -> list[tuple[str, int]]:
    """PDFium runs a line that ends in a hyphen into the next line it reads, and at a
    page's foot that is a footnote ("…decision-1 The areas for improvement have been
    cross-referenced…"): where the type after the hyphen is smaller, the two are lines
    apart again, so the note goes as small print and the word goes on over the page.
    (`printed`: each line with the length of what separates it from the next.)"""
    apart: list[tuple[str, int]] = []
    offset = 0
    for raw, separator in printed:
        start = 0
        end = len(raw.rstrip()) - 1  # a hyphen at the line's end runs into nothing
        at = raw.find(_SOFT_HYPHEN, 0, end)
        while at > 0:
            after = len(raw) - len(raw[at + 1 :].lstrip())  # the next letter, past spaces
            if char_size(offset + after) < char_size(offset + at - 1) * _SMALLER_TYPE:
                apart.append((raw[start : at + 1], 0))
                start = at + 1
            at = raw.find(_SOFT_HYPHEN, at + 1, end)
        apart.append((raw[start:], separator))
        offset += len(raw) + separator
    return apart


_SENTENCE_ENDS = (".", "?", "!", ":")
# A footnote's text, set small below the page's body: its number first.
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_NOTE_NUMBER = re.compile(rf"^(\d{{1,2}})\s*(?!{_MONTHS})[A-Z]")
# A line that starts like a note (not a date: running headers print the inspection's),
# after a line break or a hyphen PDFium ran into it.
_NOTE_LINE = re.compile(rf"[\n{_SOFT_HYPHEN}]\s*\d{{1,2}} ?(?!{_MONTHS})[A-Z]")
_NOTE_MARK_SIZE = 0.8  # a mark is set smaller than its line's letters


def _without_note_marks(
    lines: list[Line],
    starts: list[int],
    letter_sizes: list[float],
    char_size: Callable[[int], float],
) -> None:
    """Take the marks of the page's footnotes out of its lines: a note's number printed
    below the text ("1 The inspection…"), found set small after a word or its punctuation
    in a line above ("in Oxfordshire.1 This"). Only pages with notes pay for the search."""
    sizes: Counter[float] = Counter()
    for line in lines:
        sizes[line.size] += len(line.text)
    page_body = sizes.most_common(1)[0][0]
    numbers = {
        note[1]
        for line in lines
        if line.size < page_body * 0.9 and (note := _NOTE_NUMBER.match(line.text))
    }
    if not numbers:
        return
    mark = re.compile(
        rf"{_MARK_AFTER}(?:{'|'.join(sorted(numbers))})"
        r"(?=[\s.,;:)–-]|$)"
    )
    for line, start, letter_size in zip(lines, starts, letter_sizes, strict=True):
        if line.size < page_body * 0.9:
            continue
        small = [
            found.span()
            for found in mark.finditer(line.text)
            if all(
                char_size(start + at) < letter_size * _NOTE_MARK_SIZE for at in range(*found.span())
            )
        ]
        for mark_start, mark_end in reversed(small):
            line.text = line.text[:mark_start] + line.text[mark_end:]
        if small:
            line.text = " ".join(line.text.split())


# Some producers set every font at size 1 and scale the text by its matrix instead.
_SCALED_BELOW = 2.0


def _matrix_scale(raw_page: object, index: int, matrix: pdfium_c.FS_MATRIX) -> float:
    """The vertical scale of a character's text matrix (1 if PDFium cannot say)."""
    if not pdfium_c.FPDFText_GetMatrix(raw_page, index, ctypes.byref(matrix)):
        return 1.0
    return math.hypot(matrix.c, matrix.d) or 1.0


# Enough sentence-ending lines of a length to measure the text's right edge and letters by.
_MEASURED_LINES = 10
_MEASURED_LINE_CHARS = 40
_EDGE_LINES = 3  # running headers and footers are among a page's first and last lines


def _edge_keys(lines: list[Line]) -> dict[int, tuple[str, float]]:
    """The keys of a page's edge lines, by position on the page."""
    last = len(lines)
    positions = {*range(min(_EDGE_LINES, last)), *range(max(last - _EDGE_LINES, 0), last)}
    return {position: _edge_key(lines[position]) for position in positions}


def _running_keys(edges: list[dict[int, tuple[str, float]]]) -> set[tuple[str, float]]:
    """Lines repeated at the top or bottom of many pages: running headers and footers."""
    if len(edges) < 3:
        return set()
    counts: Counter[tuple[str, float]] = Counter()
    for keys in edges:
        counts.update(set(keys.values()))
    threshold = max(2, int(len(edges) * 0.4))
    return {key for key, count in counts.items() if count >= threshold}


def _runs_on_every_page(
    line: Line, key: tuple[str, float] | None, running: set[tuple[str, float]]
) -> bool:
    """A running header or footer, or a page number: among the page's edge lines (`key`
    set), repeated on many pages or a number alone. Not a paragraph's number set on a line
    of its own ("4."), which many pages start with."""
    return (
        key is not None
        and (key in running or bool(_PAGE_NUMBER.match(line.text.strip())))
        and not PARAGRAPH_NUMBER_ALONE.match(line.text)
    )


_DIGIT_RUNS = re.compile(r"\d+")
# A paragraph's number and its full stop alone on a line ("12.").
PARAGRAPH_NUMBER_ALONE = re.compile(r"^\d{1,3}[.)]$")


def _edge_key(line: Line) -> tuple[str, float]:
    # With its type size: a cover title in large type that the running header repeats in
    # small type is the title, not a header.
    # Spaces as one: pdftotext's layout mode sets a page number right-aligned, so a footer
    # is a space shorter on pages 10 and on.
    return " ".join(_DIGIT_RUNS.sub("#", line.text.lower()).split()), line.size


# Space between two lines, in the text's line spacings, that parts two blocks; or two
# paragraphs where the first ends a sentence and the second starts one. Some layouts set
# paragraphs 6 points apart at a 14.5-point spacing (1.41): over the corpus, spacings of
# 1.27 to 1.45 between such lines part paragraphs, list items or table rows, as read.
_GAP = 1.45
_GAP_AFTER_A_SENTENCE = 1.27


def _assemble_pdf_lines(pages: list[list[Line]]) -> ExtractedText:
    sizes: Counter[float] = Counter()
    for lines in pages:
        for line in lines:
            sizes[line.size] += len(line.text)
    body_size = sizes.most_common(1)[0][0] if sizes else 0.0
    edges = [_edge_keys(lines) for lines in pages]
    running = _running_keys(edges)

    spacings = [
        prev.last_bottom - cur.bottom
        for lines in pages
        for prev, cur in itertools.pairwise(lines)
        if prev.size == cur.size == body_size and 0 < prev.last_bottom - cur.bottom < 40
    ]
    line_spacing = statistics.median(spacings) if spacings else 14.0
    gap_above = line_spacing * _GAP
    sentence_gap_above = line_spacing * _GAP_AFTER_A_SENTENCE

    kept: list[Line] = []
    small_below = body_size * 0.9
    for lines, edge_keys in zip(pages, edges, strict=True):
        previous: Line | None = None
        unrepeated = [
            line
            for position, line in enumerate(lines)
            if not _runs_on_every_page(line, edge_keys.get(position), running)
        ]
        # The page's number in body type below its footnotes is no body line.
        lowest_body = min(
            (ln.bottom for ln in unrepeated if abs(ln.size - body_size) < 0.5),
            default=float("-inf"),
        )
        page_lines = [
            line
            for line in unrepeated
            # Small print below the page's last body line is a footnote or footer; a
            # short run of small glyphs is a superscript footnote marker.
            if not (line.size < small_below and (line.bottom < lowest_body or len(line.text) <= 3))
        ]
        for line in _box_in_reading_order(page_lines):
            if previous is None:
                line.gap_before = _page_start_is_new_block(kept, line.text, body_size)
            else:
                space = previous.last_bottom - line.bottom
                line.gap_before = (
                    space > gap_above
                    or (
                        space > sentence_gap_above
                        and bool(previous.right)  # it ends a sentence
                        and line.text[:1].isupper()
                        and previous.size == line.size == body_size
                    )
                )
            kept.append(line)
            previous = line
    _mark_short_last_lines(kept, body_size)
    return ExtractedText(kind="pdf", lines=kept, body_size=body_size, pages=len(pages))


# A box (a practice study in a frame) that the PDF draws after the text below it on the
# page: a run of lines headed in bold, each no more than this far up from the line before
# and all of them above every line before the run, is read first, where the page shows it.
_BOX_JUMP = 40.0  # points: more than a paragraph's gap or a table row's


def _box_in_reading_order(lines: list[Line]) -> list[Line]:
    for start in range(1, len(lines)):
        if not lines[start].bold or lines[start].bottom <= lines[start - 1].bottom + _BOX_JUMP:
            continue
        end = start + 1
        while end < len(lines) and lines[end].bottom <= lines[end - 1].bottom + _BOX_JUMP:
            end += 1
        if min(line.bottom for line in lines[start:end]) > max(
            line.bottom for line in lines[:start]
        ):
            return lines[start:end] + lines[:start] + lines[end:]
    return lines


_NEIGHBOURS = 5  # lines either side that tell how far a line's column reaches
_SAME_COLUMN = 4.0  # points between the starts of two lines of one column


def _mark_short_last_lines(lines: list[Line], body_size: float) -> None:
    """Paragraphs set without space between them: a sentence's last line that stops short
    of the text's right edge by more than the next line's first word would need ended its
    paragraph (in ragged-right text a line breaks early only when that word does not fit)."""
    ends = sorted(ln.right for ln in lines if ln.right and ln.size == body_size)
    widths = sorted(
        (ln.right - ln.left) / len(ln.text)
        for ln in lines
        if ln.right and ln.size == body_size and len(ln.text) >= _MEASURED_LINE_CHARS
    )
    if len(ends) < _MEASURED_LINES or not widths:
        return
    text_right = ends[int(len(ends) * 0.95)]  # the right edge, less the odd wide table
    char_width = widths[len(widths) // 2]
    for index in range(len(lines) - 1):
        previous = lines[index]
        if not previous.right:  # most lines: no sentence ends there
            continue
        line = lines[index + 1]
        if line.gap_before or previous.page != line.page or not line.text[:1].isupper():
            continue
        if previous.size != body_size or line.size != body_size:
            continue
        # A box narrower than the page (a case study in a frame) has its own right edge:
        # the furthest the lines around it that start where it starts reach.
        column_ends = [
            ln.end
            for ln in lines[max(index - _NEIGHBOURS, 0) : index + _NEIGHBOURS + 2]
            if ln.page == previous.page
            and ln.size == body_size
            and abs(ln.left - previous.left) < _SAME_COLUMN
        ]
        right_edge = min(text_right, max(column_ends)) if len(column_ends) > 2 else text_right
        first_word = line.text.split(maxsplit=1)[0]
        if right_edge - previous.right > (len(first_word) + 2) * char_width:
            line.gap_before = True


def _page_start_is_new_block(kept: list[Line], text: str, body_size: float) -> bool:
    """A page's first line starts a new block if the text before it ended a sentence: the
    last line in body type, not the small print (a letterhead) below it."""
    before = next((line for line in reversed(kept[-8:]) if line.size >= body_size * 0.9), None)
    if before is None:
        return True
    return before.text.rstrip().endswith(_SENTENCE_ENDS) and text[:1].isupper()
