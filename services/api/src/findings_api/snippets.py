"""Search snippets that start at a sentence.

PostgreSQL's `ts_headline` picks fragments by word counts, so its snippets start mid-
sentence ("…of children, and <mark>domestic</mark>…"). The database instead highlights the
whole (escaped) text; here it is cut to the first sentences holding a match, from their
start, to about `WORDS` words. Pure: text in, text out.
"""

from __future__ import annotations

import re

WORDS = 45  # about three lines of a results list
LONGEST = 70  # a sentence is cut after its last match's context, never beyond this
FRAGMENT_GAP = " … "
# A sentence ends at . ! or ? (possibly closed by a quote or bracket) before a space and a
# capital, a digit, a quote, a bracket or a highlight: "Dr." and "e.g. the" stay whole.
# The stop itself starts the pattern, not a look-behind, so that the search skips to the
# next stop instead of trying every character (a search page's snippets took 2.5 ms).
_SENTENCE_END = re.compile(r"[.!?][\"'”’)]?\s+(?=(?:<mark>)?[A-Z0-9\"“‘(])")
_ABBREVIATION = re.compile(r"\b(?:e\.g|i\.e|Dr|Mr|Mrs|Ms|No|para|St|etc)\.$")
# The longest abbreviation with its stop, and the character before it for its `\b`.
_ABBREVIATION_TAIL = len("para.") + 1
MARK = "<mark>"


def _sentences(text: str) -> list[str]:
    parts: list[str] = []
    start = 0
    for end in _SENTENCE_END.finditer(text):
        # The sentence to its stop and any closing quote; an abbreviation ends it.
        candidate = text[start : end.start() + 2].rstrip()
        if _ABBREVIATION.search(candidate[-_ABBREVIATION_TAIL:]):
            continue
        parts.append(text[start : end.end()].strip())
        start = end.end()
    parts.append(text[start:].strip())
    return [part for part in parts if part]


def _closed(words: list[str]) -> str:
    """Words joined, with a highlight left open by a cut closed."""
    text = " ".join(words)
    if text.count(MARK) > text.count("</mark>"):
        text += "</mark>"
    return text


def _cut(sentence: str, budget: int) -> tuple[str, int]:
    """The sentence from its start, cut after its last match's few words of context when
    it is longer than the budget; and the words it took."""
    words = sentence.split()
    if len(words) <= budget:
        return sentence, len(words)
    last_match = max(i for i, word in enumerate(words) if MARK in word)
    keep = min(max(budget, last_match + 8), LONGEST)
    if keep >= len(words):
        return sentence, len(words)
    return _closed(words[:keep]) + " …", keep


def sentence_snippet(highlighted: str | None) -> str | None:
    """The sentences of `highlighted` (a finding's escaped text with every match in
    <mark>) that hold matches, each from its start, within about WORDS words; None when
    nothing matched (e.g. a match only in the section's name)."""
    if not highlighted or MARK not in highlighted:
        return highlighted
    sentences = _sentences(highlighted)
    pieces: list[str] = []
    budget = WORDS
    previous = -2
    previous_matched = False
    for index, sentence in enumerate(sentences):
        if budget <= 0:
            break
        holds_match = MARK in sentence
        # A short matching sentence takes the next one along for context.
        follows_short = previous == index - 1 and previous_matched and len(pieces[-1].split()) < 12
        if not holds_match and not follows_short:
            continue
        piece, used = _cut(sentence, budget) if holds_match else _cut_plain(sentence, budget)
        if pieces and previous != index - 1:
            pieces.append(FRAGMENT_GAP.strip())
        pieces.append(piece)
        budget -= used
        previous, previous_matched = index, holds_match
    if previous < len(sentences) - 1 and not pieces[-1].endswith("…"):
        pieces.append("…")
    return " ".join(pieces)


def _cut_plain(sentence: str, budget: int) -> tuple[str, int]:
    words = sentence.split()
    if len(words) <= budget:
        return sentence, len(words)
    return " ".join(words[:budget]) + " …", budget
