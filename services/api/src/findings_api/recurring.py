"""Weaknesses that recur: each weakness a report lists (an improvement, priority action or
area for development) linked to the most similar weaknesses of the same authority's
earlier reports of the same kind of service (children's services, or area SEND).

Similar means sharing a theme and the same content words (stop words out, simple suffixes
off): of the shorter text's, at least `THRESHOLD` in the other. Earlier
weaknesses are the earlier reports' listed ones and their paragraphs read as concerns.
Pure: from finding rows to links.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from functools import cache

THRESHOLD = 0.3
LINKS_PER_WEAKNESS = 3
LISTED = frozenset({"improvement", "priority_action", "area_for_development"})
SEND = frozenset({"area_send"})

_STOP = frozenset(
    [
        "a",
        "about",
        "above",
        "across",
        "after",
        "again",
        "against",
        "all",
        "also",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "more",
        "most",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "children",
        "child",
        "young",
        "people",
        "local",
        "authority",
        "leaders",
        "ensure",
        "including",
        "include",
        "improve",
        "improving",
        "improvement",
        "quality",
        "work",
        "well",
        "make",
        "made",
    ]
)
_WORD = re.compile(r"[a-z]+")


@dataclass(frozen=True, slots=True)
class WeaknessRow:
    finding_id: str
    report_id: str
    report_type: str
    report_date: date | None
    category: str
    tone: str | None
    theme_slugs: list[str]
    text: str


@dataclass(frozen=True, slots=True)
class Link:
    later: WeaknessRow
    earlier: WeaknessRow
    similarity: float
    themes: list[str]


@cache
def _stem(word: str) -> str:
    for suffix in ("ments", "ment", "ings", "ing", "ies", "ed", "es", "ly", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def content_words(text: str) -> Counter[str]:
    return Counter(
        _stem(word) for word in _WORD.findall(text.lower()) if len(word) > 2 and word not in _STOP
    )


def similarity(a: Counter[str], b: Counter[str]) -> float:
    """Of the shorter text's content words, the share the other has too (a listed
    weakness is a line; the paragraph that raised it before may be long)."""
    if not a or not b:
        return 0.0
    return len(a.keys() & b.keys()) / min(len(a), len(b))


def _service(report_type: str) -> str:
    return "send" if report_type in SEND else "children"


def _is_weakness(row: WeaknessRow) -> bool:
    return row.category in LISTED or (row.tone == "concern" and bool(row.theme_slugs))


def recurring(rows: list[WeaknessRow], of_report: str | None = None) -> list[Link]:
    """For every listed weakness (of one report, with `of_report`), its most similar
    weaknesses in earlier reports."""
    dated = [row for row in rows if row.report_date is not None and _is_weakness(row)]
    words = {row.finding_id: content_words(row.text) for row in dated}
    links = []
    for later in dated:
        if later.category not in LISTED or of_report not in (None, later.report_id):
            continue
        assert later.report_date is not None
        candidates = []
        for earlier in dated:
            assert earlier.report_date is not None
            if earlier.report_date >= later.report_date or earlier.report_id == later.report_id:
                continue
            if _service(earlier.report_type) != _service(later.report_type):
                continue
            themes = sorted(set(later.theme_slugs) & set(earlier.theme_slugs))
            if not themes:
                continue
            score = similarity(words[later.finding_id], words[earlier.finding_id])
            if score >= THRESHOLD:
                candidates.append(Link(later, earlier, round(score, 3), themes))
        candidates.sort(key=lambda link: -link.similarity)
        links += candidates[:LINKS_PER_WEAKNESS]
    return links
