"""Focused visits (2018 on): letters on one area of practice, under the ILACS framework."""

from __future__ import annotations

from findings_parse.core.family import Family, titles
from findings_parse.core.front import letter_front
from findings_shared.events import ReportType

FAMILY = Family(
    report_type=ReportType.FOCUSED_VISIT,
    read_front=letter_front(r"^focused visit (?:to|of)\b"),
    titles=titles(r"focused visit (?:to|of)\b"),
)
