"""Joint targeted area inspections (2016 on): letters from Ofsted, the CQC, HMICFRS and HMI
Probation to an area's partners."""

from __future__ import annotations

from findings_parse.core.family import Family, titles
from findings_parse.core.front import letter_front
from findings_shared.events import ReportType

FAMILY = Family(
    report_type=ReportType.JTAI,
    # Signed by the inspectorates' national directors, not by the lead inspector.
    read_front=letter_front(r"^joint targeted area inspection\b", signed_by_lead=False),
    titles=titles(r"joint targeted area inspection\b"),
)
