"""Body lines to blocks: headings, bullets, numbered paragraphs and narrative paragraphs.

A block is one whole item, joined across line wraps and page breaks. Which lines are
headings is partly generic (a larger font in a PDF) and partly the report family's
knowledge, passed in as `is_heading`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from findings_parse.core.extract import PARAGRAPH_NUMBER_ALONE, Line
from findings_parse.core.judgements import GRADE_AT_END, GRADE_PATTERN, TO_BE_GOOD

BlockKind = Literal["heading", "bullet", "numbered", "paragraph"]

# Bullet glyphs seen in Ofsted reports, plus any Private Use Area glyph (Wingdings/Symbol).
_BULLET = re.compile(r"^(?:[▪●•◼■◦‣∙·➢✓\u2500\u0336\uf000-\uf8ff]|[-–−o](?=\s))\s*")
_NUMBERED = re.compile(r"^(?P<number>\d{1,3})(?:(?P<stop>[.)])(?!\d)\s*|\s+)(?P<rest>\S.*)$")
_SENTENCE_END = (".", "?", "!", ":", ";", ")", "’", "'", '"', "”")


@dataclass(slots=True)
class Block:
    kind: BlockKind
    text: str
    number: int | None = None
    glyph: str = ""
    size: float = 0.0  # a heading's font size: its level
    in_body_type: bool = False  # a heading set like the text (PDF): a weak one
    left: float = 0.0  # where a bullet's glyph stands (PDF), to tell its wrapped lines
    # Its lines, joined once when the block is complete (see `split_blocks`).
    parts: list[str] = field(default_factory=list)
    items: int = 0  # list items kept in it (see `_add_item`)

    def add(self, text: str) -> None:
        self.parts.append(text)

    @property
    def ends_sentence(self) -> bool:
        """Whether the text so far ends a sentence."""
        return bool(self.parts) and self.parts[-1].rstrip().endswith(_SENTENCE_END)


# A word cut at a line's end by its hyphen ("cross-" / "party", "24-" / "hour") is whole
# again; not one that hangs before "and", "or", "to" ("16- and 17-year-olds").
_CUT_WORD = re.compile(r"(?<=[^\W_])- (?=[^\W\d_])(?!(?:and|or|to)\b)(?=[a-z])")
# A full stop or comma left on a line of its own (its footnote mark was dropped).
_LONE_PUNCTUATION = re.compile(r" (?=[.,;:](?: |$))")


def join_wrapped(parts: Sequence[str]) -> str:
    """The lines of an item as one text: single spaces, words cut at a hyphen whole."""
    joined = " ".join(" ".join(parts).split())
    if "- " in joined:
        joined = _CUT_WORD.sub("-", joined)
    if " ." in joined or " ," in joined or " ;" in joined or " :" in joined:
        joined = _LONE_PUNCTUATION.sub("", joined)
    return joined


_OPENING_QUOTES = "‘'\"(“"


def _starts_lower(text: str) -> bool:
    first = text.lstrip("‘'\"(“")[:1]
    return first.islower()


def split_blocks(
    lines: Sequence[Line],
    *,
    is_heading: Callable[[str], bool],
    body_size: float,
    plain_text: bool,
) -> list[Block]:
    """Group lines into blocks. Multi-line headings are joined when they match together."""
    blocks: list[Block] = []
    expected_number = 1
    current: Block | None = None
    index = 0
    larger = body_size * 1.1
    while index < len(lines):
        line = lines[index]
        text = line.text
        if not plain_text and line.bold and _RESPONSIBLE_BODY.match(text.strip()):
            rows, table_end = _responsibility_rows(lines, index)
            if rows:
                blocks.extend(rows)
                current, index = None, table_end
                continue

        # Most lines of a PDF go on from the line above in body type: no heading, no
        # bullet or number (a letter then no space), no new paragraph (no gap).
        plain = body_size and not (line.gap_before or line.bold or line.size >= larger)
        if (
            plain
            and current is not None
            and current.kind != "heading"
            and text[:1].isalpha()
            and text[1:2] != " "
            and not _outdented(line, current)
            and not (len(text) <= _SHORT_HEADING_CHARS and current.ends_sentence)
        ):
            current.parts.append(text.strip())
            index += 1
            continue
        # A short line after a finished sentence may be a heading set in body type.
        may_be_heading = not plain or (
            len(text) <= _SHORT_HEADING_CHARS and current is not None and current.ends_sentence
        )
        heading_span = _heading_span(lines, index, is_heading, body_size) if may_be_heading else 0
        if heading_span:
            heading_text = join_wrapped([ln.text for ln in lines[index : index + heading_span]])
            # In body type (not larger, not bold): told only by its words or its place.
            in_body_type = bool(body_size) and not (line.bold or line.size >= larger)
            current = Block(
                kind="heading", text=heading_text, size=line.size, in_body_type=in_body_type
            )
            blocks.append(current)
            index += heading_span
            continue

        # Bullets start with a symbol, a dash or "o "; most lines start with a letter.
        bullet = None if text[:1].isalnum() and text[1:2] != " " else _BULLET.match(text)
        # Plain-text exports often lose the bullet glyph but keep its leading space.
        lost_glyph = plain_text and text.startswith(" ") and not text.startswith("  ")
        content = text[bullet.end() :] if bullet else text.strip()
        first = content[:1]
        # A bullet's text that goes on over a page break keeps the bullet's indent.
        indented = (
            bullet is None
            and current is not None
            and current.kind == "bullet"
            and current.left > 0
            and line.left > current.left + _INDENT
        )
        continues = indented or (
            # In a PDF a new bullet is a new item, whatever its first letter; a plain-text
            # export puts a dash before the rest of an item cut by a page break.
            (bullet is None or plain_text)
            and (first.islower() or (first in _OPENING_QUOTES and _starts_lower(content)))
            and current is not None
            and current.kind != "heading"
            and not current.ends_sentence
            and not _outdented(line, current)
        )
        numbered = _NUMBERED.match(content) if content[:1].isdigit() else None
        if numbered is None and (
            after := _text_after_lone_number(lines, index, content, expected_number)
        ):
            # The number set apart from its paragraph, on a line of its own (pdftotext's
            # exports).
            following, skipped = after
            numbered = _NUMBERED.match(f"{content} {following}")
            index += skipped
        glyph = text[:1] if bullet else ""
        # A sub-list ("… the response to children: − experiencing neglect") belongs to
        # the item that introduces it.
        sub_item = (
            bullet is not None
            and current is not None
            and current.kind == "bullet"
            and glyph != current.glyph
            and any(":" in part for part in current.parts)
        )
        if continues or sub_item:
            assert current is not None
            if sub_item:
                _add_item(current, [content])
            else:
                current.add(content)
        elif (
            numbered
            and _is_next_number(int(numbered["number"]), expected_number)
            # Without its full stop, a number opens a paragraph only after a finished one.
            and (
                numbered["stop"]
                or current is None
                or current.kind == "heading"
                or current.ends_sentence
            )
        ):
            number = int(numbered["number"])
            current = Block(kind="numbered", text="", number=number)
            current.add(numbered["rest"])
            blocks.append(current)
            expected_number = number + 1
        elif bullet or (lost_glyph and content[:1].isupper()):
            current = Block(kind="bullet", text="", glyph=glyph, left=line.left)
            current.add(content)
            blocks.append(current)
        elif (
            current is None
            or current.kind == "heading"
            or line.gap_before
            or _outdented(line, current)
        ):
            current = Block(kind="paragraph", text="")
            current.add(content)
            blocks.append(current)
        else:
            current.add(content)
        index += 1
    blocks = _lists_in_their_sentence(_numbered_items_whole(blocks))
    for block in blocks:
        if block.parts:
            block.text = join_wrapped(block.parts)
    # A lone glyph (a bullet with nothing after it) or a rule ("____") says nothing.
    return [block for block in blocks if block.kind == "heading" or _has_word(block.text)]


def _has_word(text: str) -> bool:
    return any(character.isalnum() for character in text)


def _add_item(block: Block, item: list[str]) -> None:
    """A list's item kept in the paragraph or item that introduces it, apart from the item
    before it as a sentence parts them, not by the list's glyph: "… relating to:
    alternative provision; post-16 education for those with the most complex needs"."""
    if block.items and not block.parts[-1].rstrip().endswith((";", ",", ".", ":")):
        block.parts[-1] = f"{block.parts[-1].rstrip()};"
    block.parts += item
    block.items += 1


# Points a bullet's wrapped lines sit right of its glyph, at the least.
_INDENT = 2.0


def _outdented(line: Line, current: Block) -> bool:
    """A line back at a bullet's glyph (or left of it) after the bullet's text: the list
    has ended and a paragraph begins, though no space was left before it."""
    return current.kind == "bullet" and current.left > 0 and 0 < line.left <= current.left + _INDENT


def _lists_in_their_sentence(blocks: list[Block]) -> list[Block]:
    """A paragraph that ends in a colon, and the items in lower case after it that finish
    its sentence ("…should improve the education offer relating to:" / "• alternative
    provision" / "• post-16 education…"), are one finding: the items are no findings
    of their own. Items that start a sentence of their own stay items."""
    whole: list[Block] = []
    sentence: Block | None = None
    for block in blocks:
        if (
            sentence is not None
            and block.kind == "bullet"
            and block.parts
            and _starts_lower(block.parts[0])
        ):
            _add_item(sentence, block.parts)
            continue
        sentence = (
            block
            if block.kind == "paragraph" and block.parts and block.parts[-1].rstrip().endswith(":")
            else None
        )
        whole.append(block)
    return whole


# A report numbers its evidence when it prints at least this many numbered paragraphs.
NUMBERED_REPORT = 3


def _numbered_items_whole(blocks: list[Block]) -> list[Block]:
    """In a report that numbers its paragraphs, a numbered item is whole up to the next
    number or heading: a paragraph of its own after it (the item went on after a page
    break, or in a second paragraph) and the list it introduces belong to it."""
    if sum(block.kind == "numbered" for block in blocks) < NUMBERED_REPORT:
        return blocks
    whole: list[Block] = []
    item: Block | None = None
    for block in blocks:
        if block.kind == "numbered" or block.kind == "heading":
            item = block if block.kind == "numbered" else None
        elif item is not None and (
            block.kind == "paragraph"
            # the list an item introduces ("… to include:", "…; this to include")
            or not item.parts[-1].rstrip().endswith((".", "?", "!"))
        ):
            if block.kind == "bullet":
                _add_item(item, block.parts)
            else:
                item.parts += block.parts
            continue
        whole.append(block)
    return whole


# A paragraph's number with its full stop, before its text.
_STOPPED_NUMBER = re.compile(r"^\d{1,3}[.)](?!\d)")


# A line that is a number and nothing else (a page's number: no full stop).
_BARE_NUMBER = re.compile(r"^\d{1,4}$")
# A sentence that opens with a figure ("16- and 17-year-olds who…", "2,000 children…").
_FIGURE_THEN_WORDS = re.compile(r"^\d[\d,.%–-]*\s+[^\W\d_]")


# An area SEND report's table of actions: "Responsible body | Areas for priority action",
# each row a body's name beside the action it must take, no space between rows.
_RESPONSIBLE_BODY = re.compile(r"^responsible bod(?:y|ies)\b", re.IGNORECASE)
_CELL_LEFT = 3.0  # points either side of a column's left edge
_SECOND_COLUMN = 100.0  # points right of the first column at least
_LETTER_WIDTH = 0.45  # a letter's average width in ems, spaces included (Arial)


def _responsibility_rows(lines: Sequence[Line], header: int) -> tuple[list[Block], int]:
    """The rows below a responsibility table's header, each the body's name (a heading in
    body type: it names the row's section) and its action (a paragraph), and the index
    after the table. A row goes on, over a page too, until its action ends a sentence and
    the first column starts again; the table ends at a line in neither column."""
    first = lines[header].left
    second: float | None = None
    rows: list[tuple[list[str], list[str]]] = []
    body: list[str] = []
    action: list[str] = []
    index = header + 1
    while index < len(lines):
        line = lines[index]
        if abs(line.left - first) <= _CELL_LEFT and not line.bold:
            if action and action[-1].endswith(_SENTENCE_END):
                rows.append((body, action))
                body, action = [], []
            body.append(line.text.strip())
        elif not line.bold and (
            # A list in the action's cell is set right of the column's edge.
            line.left >= second - _CELL_LEFT
            if second is not None
            else line.left - first >= _SECOND_COLUMN
        ):
            second = second or line.left
            action.append(line.text.strip())
        else:
            break
        index += 1
    rows.append((body, action))
    if second is None or not all(body and action for body, action in rows):
        return [], header
    # A body's line as long as a line of the action's column has both cells' words in it
    # (the PDF set them as one line): no telling them apart, so the table reads as text.
    widest_body = max(len(text) for body, _ in rows for text in body)
    if widest_body * lines[header].size * _LETTER_WIDTH > second - first:
        return [], header
    blocks: list[Block] = []
    for body, action in rows:
        blocks.append(Block(kind="heading", text=join_wrapped(body), in_body_type=True))
        blocks.append(Block(kind="paragraph", text=join_wrapped(action)))
    return blocks, index


def _text_after_lone_number(
    lines: Sequence[Line], index: int, content: str, expected_number: int
) -> tuple[str, int] | None:
    """The paragraph's text and how many lines on it is, where this line is the next
    paragraph's number alone and the text below starts a sentence (a page number has no
    full stop; a figure in a table is not followed by one). pdftotext may set the page's
    number between the two, where the page's last block starts."""
    if not PARAGRAPH_NUMBER_ALONE.match(content) or not _is_next_number(
        int(content[:-1]), expected_number
    ):
        return None
    ahead = index + 1
    if ahead + 1 < len(lines) and _BARE_NUMBER.match(lines[ahead].text.strip()):
        ahead += 1
    if ahead >= len(lines):
        return None
    following = lines[ahead].text.strip()
    first = following.lstrip("‘'\"(“")[:1]
    starts = first.isupper() or _FIGURE_THEN_WORDS.match(following) is not None
    return (following, ahead - index) if starts else None


def _is_next_number(number: int, expected: int) -> bool:
    # Tolerate one skipped number (a misprint) but not a jump to an unrelated figure.
    return expected <= number <= expected + 1


def _heading_span(
    lines: Sequence[Line], index: int, is_heading: Callable[[str], bool], body_size: float
) -> int:
    """How many lines from `index` form a heading (0 if none).

    In a PDF the fonts tell (larger, or bold at body size); a heading wrapped over lines
    keeps its style. A plain-text export has only words: `is_heading` knows them.
    """
    line = lines[index]
    if body_size:
        larger = line.size >= body_size * 1.1
        bold = line.bold and line.size >= body_size * 0.95
        if not (larger or bold):  # most lines: decided without a regex
            # Some reports print a known heading in body type ("Recommendations").
            return 1 if _plain_known_heading(lines, index, is_heading) else 0
        if len(line.text) >= 160 or _BULLET.match(line.text):
            return 0
        if not larger and _NUMBERED.match(line.text):
            return 0
        span = 1
        while (
            index + span < len(lines)
            and lines[index + span].size == line.size
            # A heading's words in another weight go on from it in lower case, without a
            # gap: "The effectiveness of the Local Safeguarding Children Board (LSCB)" /
            # "requires improvement." (its grade in bold).
            and (
                lines[index + span].bold == line.bold
                or (_starts_lower(lines[index + span].text) and not lines[index + span].gap_before)
            )
            # Large type has a wide line pitch: its wrapped lines look like a gap.
            and (larger or not lines[index + span].gap_before)
            and not _BULLET.match(lines[index + span].text)
            and span < _MAX_HEADING_LINES
            and not _ends_at_its_grade(lines[index + span - 1].text, lines[index + span].text)
        ):
            span += 1
        return span
    # Without fonts only words tell, and a heading starts with a capital: a line that
    # starts lower case goes on from the one before ("… to clearly define / what needs
    # to improve in children's lives").
    if line.text[:1].islower():
        return 0
    # A grade alone on its line ("Grade 4 (Inadequate)") is its judgement's, not a finding.
    if _GRADE_LINE.match(line.text.strip()):
        return 1
    for span in (1, 2, 3):
        chunk = lines[index : index + span]
        # A heading goes on over lines of its own, never into an item below it
        # ("Leadership and management" / "• Senior leaders within…").
        if len(chunk) < span or (
            span > 1 and (chunk[-1].gap_before or _BULLET.match(chunk[-1].text))
        ):
            break
        if is_heading(join_wrapped([ln.text for ln in chunk])):
            return span
    if _stands_alone_as_heading(lines, index):
        return 1
    return _judgement_heading_span(lines, index)


def _ends_at_its_grade(text: str, next_text: str) -> bool:
    """A judgement's heading ends at its grade ("The Local Safeguarding Children Board is
    outstanding"): the next heading in the same type ("Executive summary") is another
    one, unless the grade goes on ("requires improvement" / "to be good")."""
    return GRADE_AT_END.search(text.strip()) is not None and not TO_BE_GOOD.match(next_text.strip())


# A judgement's grade on the line below its heading ("Grade 4 (Inadequate)", "Good").
_GRADE_LINE = re.compile(rf"^(?:grade\s+[1-4]\s*\([\w ]+\)|{GRADE_PATTERN})$", re.IGNORECASE)
_JUDGEMENT_HEADING_WORDS = 14


def _judgement_heading_span(lines: Sequence[Line], index: int) -> int:
    """In plain text, a judgement's heading (one to three lines after a blank line or a
    finished sentence) is told by its grade on the next line, which is then read as a
    heading of its own."""
    line = lines[index]
    after_a_sentence = index > 0 and lines[index - 1].text.rstrip().endswith(_SENTENCE_END)
    if not ((line.gap_before or after_a_sentence) and line.text[:1].isupper()):
        return 0
    for span in (1, 2, 3):
        chunk = lines[index : index + span]
        below = lines[index + span] if index + span < len(lines) else None
        if len(chunk) < span or below is None or (span > 1 and chunk[-1].gap_before):
            break
        words = sum(len(ln.text.split()) for ln in chunk)
        if (
            words <= _JUDGEMENT_HEADING_WORDS
            and not chunk[-1].text.rstrip().endswith((".", ",", ";", ":"))
            and _GRADE_LINE.match(below.text.strip())
        ):
            return span
    return 0


_SHORT_HEADING_CHARS = 60
_STANDALONE_HEADING_WORDS = 6
_LONG_HEADING_CHARS = 90
_LONG_HEADING_WORDS = 14
# A line that ends so goes on below: "… care leavers aged 18 to" / "25. This visit…" is a
# sentence wrapped at a figure, not a heading above paragraph 25.
_OPEN_ENDED = re.compile(r"\b(?:a|an|and|at|by|for|from|in|of|on|or|the|to|with)$", re.IGNORECASE)
# "The experiences and progress of / children who need help and / protection / Requires
# improvement / to be good": a judgement's heading in a narrow column.
_MAX_HEADING_LINES = 6


def _plain_known_heading(
    lines: Sequence[Line], index: int, is_heading: Callable[[str], bool]
) -> bool:
    """A short line in body type that starts a block and is a heading: by its words, or
    because it stands alone between gaps, a few words without a sentence's punctuation
    (some reports set their sub-headings in body type: "Quality of practice")."""
    line = lines[index]
    following = lines[index + 1] if index + 1 < len(lines) else None
    after_a_sentence = index > 0 and lines[index - 1].text.rstrip().endswith(_SENTENCE_END)
    # Alone between gaps above a numbered paragraph, a topic's heading may be longer
    # ("Assessment, planning, recording and reviewing children's progress" / "15. Improve…").
    above_a_number = (
        line.gap_before
        and following is not None
        and following.gap_before
        and _STOPPED_NUMBER.match(following.text) is not None
    )
    if not (
        (line.gap_before or after_a_sentence)
        and len(line.text) <= (_LONG_HEADING_CHARS if above_a_number else _SHORT_HEADING_CHARS)
        and not line.text.rstrip().endswith((".", ",", ";", ":"))
        and not (following is not None and _starts_lower(following.text))
        and _BULLET.match(line.text) is None
        and _NUMBERED.match(line.text) is None
    ):
        return False
    # (with space below it at least: a short line between two sentences may be a table's)
    stands_alone = (
        following is not None
        and (following.gap_before or _BULLET.match(following.text) is not None)
        and len(line.text.split())
        <= (_LONG_HEADING_WORDS if above_a_number else _STANDALONE_HEADING_WORDS)
        and line.text[:1].isupper()
        and ":" not in line.text  # "Lead inspector: …" is a field, not a heading
    )
    return stands_alone or (line.gap_before and is_heading(line.text))


def _stands_alone_as_heading(lines: Sequence[Line], index: int) -> bool:
    """In plain text, a short unpunctuated line between blank lines, or after a blank line
    and straight above a numbered paragraph, is a heading."""
    line = lines[index]
    text = line.text.strip()
    following = lines[index + 1] if index + 1 < len(lines) else None
    # its number with a full stop: "11 to 15 September" below a running header is a date
    above_a_number = following is not None and _STOPPED_NUMBER.match(following.text.strip())
    return (
        line.gap_before
        and (following is None or following.gap_before or above_a_number is not None)
        # A sentence cut by a page break goes on in lower case: no heading.
        and not (following is not None and _starts_lower(following.text.strip()))
        and len(text.split())
        <= (_LONG_HEADING_WORDS if above_a_number and not _OPEN_ENDED.search(text) else 10)
        and text[:1].isupper()
        and not text.endswith((".", ",", ";", ":"))
        and not line.text.startswith(" ")  # a bullet whose glyph was lost
        and _BULLET.match(text) is None
        and _NUMBERED.match(text) is None
    )
