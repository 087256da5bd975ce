"""Dates as Ofsted prints them, to ISO dates."""

from __future__ import annotations

import re
from datetime import date

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = r"(?:of\s+)?(?P<{0}>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\b\.?"
# "15", "15th", "the 15th": the article is worded in some letters ("on the 15 and 16 of May").
_DAY = r"(?:the\s+)?(?P<{0}>\d{{1,2}})(?:st|nd|rd|th)?"
_YEAR = r"(?P<{0}>(?:19|20)\d\d)"
_SEPARATOR = r"\s*(?:to|until|and|–|—|-)\s*"

# "7 to 18 October 2024", "20 February to 3 March 2023", "14 October 2024 to 25 October 2024",
# "11 – 22 July 2022", "14 and 15 September 2010", "the 15 and 16 of May 2018", and without
# a year in some letters ("on 30 and 31 January."), which the letter's own date supplies.
_WORD_RANGE = re.compile(
    _DAY.format("d1")
    + r"(?:\s+"
    + _MONTH.format("m1")
    + r")?(?:\s+"
    + _YEAR.format("y1")
    + r")?"
    + _SEPARATOR
    + _DAY.format("d2")
    + r"\s+"
    + _MONTH.format("m2")
    + r"(?:,?\s+"
    + _YEAR.format("y2")
    + r")?",
    re.IGNORECASE,
)
_NUMERIC = r"(?P<{0}d>\d{{1,2}})/(?P<{0}m>\d{{1,2}})/(?P<{0}y>\d{{4}})"
# "1/06/2015 – 25/06/2015"
_NUMERIC_RANGE = re.compile(_NUMERIC.format("a") + _SEPARATOR + _NUMERIC.format("b"))
_SINGLE = re.compile(
    _DAY.format("d") + r"\s+" + _MONTH.format("m") + r",?\s+" + _YEAR.format("y"), re.IGNORECASE
)


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _year_before(reference: date, month: int, day: int) -> int:
    """The year of the last (month, day) on or before `reference`: an inspection precedes
    the letter that reports it."""
    return (
        reference.year if (month, day) <= (reference.month, reference.day) else reference.year - 1
    )


def parse_date_range(text: str, reference: date | None = None) -> tuple[date, date] | None:
    """The first date range printed in `text`, as (start, end). A range printed without a
    year takes the latest that is not after `reference` (none without a reference)."""
    numeric = _NUMERIC_RANGE.search(text)
    word = next((w for w in _WORD_RANGE.finditer(text) if _has_year(w, reference)), None)
    if numeric and (not word or numeric.start() < word.start()):
        start = _safe_date(int(numeric["ay"]), int(numeric["am"]), int(numeric["ad"]))
        end = _safe_date(int(numeric["by"]), int(numeric["bm"]), int(numeric["bd"]))
        return (start, end) if start and end else None
    if not word:
        return None
    end_month = MONTHS[word["m2"].lower()]
    if word["y2"]:
        end_year = int(word["y2"])
    else:
        assert reference is not None  # see _has_year
        end_year = _year_before(reference, end_month, int(word["d2"]))
    end = _safe_date(end_year, end_month, int(word["d2"]))
    if end is None:
        return None
    start_month = MONTHS[word["m1"].lower()] if word["m1"] else end_month
    start_year = int(word["y1"]) if word["y1"] else end.year
    # "4 December to 8 January 2018" spans a new year.
    if not word["y1"] and start_month > end_month:
        start_year -= 1
    start = _safe_date(start_year, start_month, int(word["d1"]))
    return (start, end) if start else None


def _has_year(word: re.Match[str], reference: date | None) -> bool:
    """A range has its year printed, or one from `reference`; then only a capitalised month
    (prose such as "stages 1 and 2 may" is no date)."""
    if word["y2"]:
        return True
    return reference is not None and not word["y1"] and word["m2"][:1].isupper()


def parse_single_date(text: str) -> date | None:
    """The first full date ("13 October 2010") printed in `text`."""
    match = _SINGLE.search(text)
    if not match:
        return None
    return _safe_date(int(match["y"]), MONTHS[match["m"].lower()], int(match["d"]))
