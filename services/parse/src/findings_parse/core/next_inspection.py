"""When a report says the next inspection will come: area SEND reports end by saying so
("The next full area SEND inspection will be within approximately five years", "A
monitoring inspection will be carried out within approximately 18 months"). Pure."""

from __future__ import annotations

import re

from findings_shared.events import NextInspectionNotice

_NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "nine": 9,
    "twelve": 12,
    "eighteen": 18,
    "twenty-four": 24,
}
_NOTICE = re.compile(
    r"(?P<what>the\s+next\s+(?:full\s+)?(?:area\s+send\s+)?(?:re-?)?inspection"
    r"|an?\s+(?:full\s+)?(?:area\s+send\s+)?(?:monitoring\s+|re-?)inspection)"
    r"\s+will\s+(?:be\s+carried\s+out|take\s+place|be\s+undertaken|happen|be)\s+"
    r"within\s+(?:approximately\s+|around\s+|about\s+)?"
    r"(?P<count>\d{1,2}|" + "|".join(_NUMBERS) + r")\s+(?P<unit>years?|months?)",
    re.IGNORECASE,
)


def next_inspection_notice(text: str) -> NextInspectionNotice | None:
    """The report's own words on its next inspection, if it has them."""
    match = _NOTICE.search(text)
    if match is None:
        return None
    count_text = match["count"].lower()
    count = int(count_text) if count_text.isdigit() else _NUMBERS[count_text]
    months = count * 12 if match["unit"].lower().startswith("year") else count
    what = " ".join(match["what"].lower().split())
    return NextInspectionNotice(
        kind="monitoring inspection" if "monitoring" in what else "full inspection",
        within_months=months,
        text=" ".join(match.group(0).split()),
    )
