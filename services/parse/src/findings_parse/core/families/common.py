"""Headings that every family may print: what must improve, strengths, areas for development."""

from __future__ import annotations

from findings_parse.core.family import section_rules
from findings_shared.events import FindingCategory

SECTIONS = section_rules(
    {
        r"^(?:areas? for )?priority (?:and immediate )?action": FindingCategory.PRIORITY_ACTION,
        r"^(?:what needs to improve|what does (?:the )?[\w ]{1,40}? need to improve"
        r"|areas? for improvement\b|recommendations?$)": FindingCategory.IMPROVEMENT,
        r"^(?:key |areas of )?strengths?$": FindingCategory.STRENGTH,
        r"^areas? for development$": FindingCategory.AREA_FOR_DEVELOPMENT,
    }
)
