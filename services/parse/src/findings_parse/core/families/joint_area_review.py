"""Joint area reviews (2005-2009): letters on an area's children's services."""

from __future__ import annotations

from findings_parse.core.family import Family, titles
from findings_parse.core.front import letter_front
from findings_shared.events import ReportType

FAMILY = Family(
    report_type=ReportType.JOINT_AREA_REVIEW,
    read_front=letter_front(r"^joint area review\b"),
    titles=titles(r"joint area review\b"),
)
