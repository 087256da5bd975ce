"""Monitoring visits to authorities judged inadequate: letters on their progress."""

from __future__ import annotations

from findings_parse.core.family import Family, titles
from findings_parse.core.front import letter_front
from findings_shared.events import ReportType

FAMILY = Family(
    report_type=ReportType.MONITORING_VISIT,
    read_front=letter_front(r"^monitoring visit (?:to|of)\b"),
    titles=titles(r"monitoring visit (?:to|of)\b"),
)
