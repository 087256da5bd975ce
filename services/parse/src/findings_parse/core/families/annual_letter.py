"""Annual unannounced inspections of contact, referral and assessment (2009-2012): letters
that list strengths, what meets statutory guidance and areas for development."""

from __future__ import annotations

from findings_parse.core.family import Family, section_rules, titles
from findings_parse.core.front import letter_front
from findings_shared.events import FindingCategory, ReportType

_TITLE = r"annual unannounced inspection of contact, referral and assessment"

FAMILY = Family(
    report_type=ReportType.ANNUAL_UNANNOUNCED_INSPECTION,
    read_front=letter_front(rf"^{_TITLE}"),
    titles=titles(_TITLE),
    sections=section_rules(
        {
            r"^the service meets the requirements of statutory guidance": (
                FindingCategory.MEETS_REQUIREMENTS
            ),
        }
    ),
)
