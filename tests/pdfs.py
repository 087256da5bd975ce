"""PDFs made for tests: what users drop that no fixture shows."""

from __future__ import annotations

import io
from dataclasses import dataclass

from pypdf import PdfReader, PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject, NumberObject

# An A4 page in points: what every made PDF prints on.
A4_WIDTH, A4_HEIGHT = 595, 842


def encrypted_pdf(content: bytes) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(content)))
    writer.encrypt(user_password="secret", owner_password="owner")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def text_pdf(lines: list[str]) -> bytes:
    """A valid one-page PDF with these lines in Helvetica: readable, but no Ofsted report."""
    shown = " ".join(f"({line}) '" for line in lines)
    return one_page_pdf(f"BT /F1 11 Tf 16 TL 72 790 Td {shown} ET".encode("latin-1"))


def one_page_pdf(content: bytes, compressed: bool = False) -> bytes:
    """A one-page PDF whose page draws `content` (operators) with Helvetica as /F1."""
    writer = PdfWriter()
    page = writer.add_blank_page(width=A4_WIDTH, height=A4_HEIGHT)
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})}
    )
    stream = DecodedStreamObject()
    stream.set_data(content)
    page[NameObject("/Contents")] = writer._add_object(
        stream.flate_encode() if compressed else stream
    )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@dataclass(frozen=True, slots=True)
class PdfLine:
    """A line of a made PDF: its text, type size, weight, and space before it (points)."""

    text: str
    size: float = 11.0
    bold: bool = False
    space_before: float = 0.0
    scaled: bool = False  # set at size 1 and scaled by the text matrix, as some producers do
    indent: float = 0.0  # points right of the left margin
    # A baseline this far below the page's top, the lines after it going on from there: a
    # box drawn after the text below it.
    top: float | None = None


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def styled_pdf(pages: list[list[PdfLine]]) -> bytes:
    """A PDF of these pages, each line in Helvetica (bold: Helvetica-Bold) at its size: the
    layouts a test needs (a large cover title, a running header, a narrow column)."""
    writer = PdfWriter()
    fonts = DictionaryObject(
        {
            NameObject(f"/F{index}"): writer._add_object(
                DictionaryObject(
                    {
                        NameObject("/Type"): NameObject("/Font"),
                        NameObject("/Subtype"): NameObject("/Type1"),
                        NameObject("/BaseFont"): NameObject(base),
                        NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
                        # PDFium reads a font's weight from its descriptor.
                        NameObject("/FontDescriptor"): writer._add_object(
                            DictionaryObject(
                                {
                                    NameObject("/Type"): NameObject("/FontDescriptor"),
                                    NameObject("/FontName"): NameObject(base),
                                    NameObject("/Flags"): NumberObject(32),
                                    NameObject("/FontWeight"): NumberObject(weight),
                                    NameObject("/ItalicAngle"): NumberObject(0),
                                    NameObject("/StemV"): NumberObject(weight // 5),
                                }
                            )
                        ),
                    }
                )
            )
            for index, (base, weight) in enumerate((("/Helvetica", 400), ("/Helvetica-Bold", 700)))
        }
    )
    for lines in pages:
        page = writer.add_blank_page(width=A4_WIDTH, height=A4_HEIGHT)
        page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): fonts})
        commands, y = [], 800.0
        for line in lines:
            y = (
                A4_HEIGHT - line.top
                if line.top is not None
                else y - line.space_before - line.size * 1.3
            )
            font = "/F1" if line.bold else "/F0"
            x = 72 + line.indent
            # "^1^": a run in small raised type (a footnote's mark) within the line.
            runs = line.text.split("^")
            text = _escaped(runs[0]) + "".join(
                f") Tj {font} {line.size * 0.6:.1f} Tf 4 Ts ({_escaped(run)}"
                if i % 2
                else f") Tj {font} {line.size} Tf 0 Ts ({_escaped(run)}"
                for i, run in enumerate(runs[1:], start=1)
            )
            if line.scaled:
                placed = f"{font} 1 Tf {line.size} 0 0 {line.size} {x:.1f} {y:.1f} Tm"
            else:
                placed = f"{font} {line.size} Tf {x:.1f} {y:.1f} Td"
            commands.append(f"BT {placed} ({text}) Tj ET")
        stream = DecodedStreamObject()
        stream.set_data("\n".join(commands).encode("cp1252"))
        page[NameObject("/Contents")] = writer._add_object(stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def paragraph(*lines: str, size: float = 12, indent: float = 0.0) -> list[PdfLine]:
    """Lines of one paragraph: space above its first line only."""
    return [
        PdfLine(text, size, space_before=12 * (i == 0), indent=indent)
        for i, text in enumerate(lines)
    ]


# Most lines of a letter follow the line above without a gap: what tells a gap.
_CONTEXT = paragraph(
    *(
        f"Inspectors spoke with social workers and managers and looked at the records of {n}"
        for n in (
            "children in need,",
            "children subject to plans,",
            "children in care,",
            "children missing from home,",
            "disabled children,",
            "young carers,",
            "privately fostered children,",
            "adopted children,",
            "children in custody,",
            "children at risk of exploitation,",
            "children who go missing,",
            "children with plans at home,",
            "children placed far away,",
            "children leaving care,",
        )
    ),
    "care leavers and the local authority's own audits of practice over the last year.",
    # Lines that run to the right margin and end a sentence: the text's right edge.
    *(
        f"Inspectors also read the minutes of {n} meetings held over the year before the visit."
        for n in ("twelve", "eleven", "twenty", "thirty", "sixty", "ninety", "fifty", "forty")
    ),
)


def focused_visit_letter(*body: PdfLine, notes: tuple[PdfLine, ...] = ()) -> bytes:
    """A focused visit letter (Helvetica 12, bold headings) with `body` after its opening
    paragraphs; `notes` at the foot of its first page, the signature then on a second."""
    opening = (
        "This letter summarises the findings of the focused visit to Kent children’s services on",
        "6 and 7 March 2023. The inspectors were Jane Smith, His Majesty’s Inspector, and",
        "Sam Jones, His Majesty’s Inspector.",
    )
    first = [
        PdfLine("3 April 2023", 12),
        PdfLine("Dear Ms Brown", 12, space_before=12),
        PdfLine("Focused visit to Kent children’s services", 12, True, 12),
        *paragraph(*opening),
        *_CONTEXT,
        *body,
    ]
    signature = [
        PdfLine("Yours sincerely", 12, space_before=12),
        PdfLine("Jane Smith", 12, space_before=12),
        PdfLine("His Majesty’s Inspector", 12),
    ]
    if notes:
        return styled_pdf([[*first, *notes], signature])
    return styled_pdf([[*first, *signature]])


def slow_pdf(text_operators: int) -> bytes:
    """A small PDF (its one page's content compressed) that takes PDFium long to read:
    `text_operators` text-showing operators, about 3 µs each on this machine."""
    content = b"BT /F1 11 Tf 72 790 Td " + b"(x) Tj " * text_operators + b"ET"
    return one_page_pdf(content, compressed=True)
