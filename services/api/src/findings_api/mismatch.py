"""Reports whose parsed grades differ from Ofsted's published ones, for every list.

A report's detail compares its grades with Ofsted's record of the same inspection and flags
a difference for review (`quality.official_mismatch`). Lists, their `needs_review` filter
and exports must say the same, so the API keeps every stored report's differences in
memory: read once, then, when store counts a change (`store.change_read`), only the reports
that change touched (`changed_in`: stored, replaced, or standing for their inspection once
the report they copied is withdrawn), and the flagged reports withdrawn since. Ofsted's
tables are fixed for the life of the process (`findings reference load` then a restart).
"""

from __future__ import annotations

import asyncio
from collections import defaultdict

from findings_api.repository import GradedReportRow, ReadRepository
from findings_api.schemas import GradeDifference
from findings_shared.events import Grade, JudgementArea, ReportType
from findings_shared.metrics import READ_CACHE
from findings_shared.official import OfficialInspection, OfficialRecords

# Its kind in `findings_api_read_cache_total`, as the kept answers of findings_api.cache.
KIND = "grade check"


def grade_differences(
    parsed: dict[JudgementArea, Grade], official: OfficialInspection
) -> list[GradeDifference]:
    """Each judgement Ofsted graded whose parsed grade is another, or missing."""
    return [
        GradeDifference(area=area, parsed=parsed.get(area), official=grade)
        for area, grade in official.grades.items()
        if parsed.get(area) != grade
    ]


def mismatch_warning(differences: list[GradeDifference]) -> str:
    described = ", ".join(
        f"{d.area.value} {d.parsed.value if d.parsed else 'missing'} (Ofsted: {d.official.value})"
        for d in differences
    )
    return f"grades differ from Ofsted's: {described}"


class OfficialMismatches:
    """Every stored report's differences from Ofsted's published grades, by report id."""

    def __init__(self, records: OfficialRecords) -> None:
        self.records = records
        self.differences: dict[str, list[GradeDifference]] = {}
        self.version: int | None = None  # store's change version last read
        self.lock = asyncio.Lock()

    async def current(self, repository: ReadRepository) -> dict[str, list[GradeDifference]]:
        """The differences, brought up to date with the changes store made since last asked."""
        async with self.lock:
            # Read first: a change committed after it carries a later version, and is read
            # again next time (versions follow the commits' order).
            version = await repository.change_version()
            if self.version is not None and version <= self.version:
                # Nothing new; or this request's snapshot is older than one already read,
                # which must not take the kept differences back.
                READ_CACHE.labels(KIND, "hit").inc()
                return self.differences
            READ_CACHE.labels(KIND, "miss" if self.version is None else "added").inc()
            rows = await repository.graded_reports(self.version)
            if self.version is not None and self.differences:
                present = await repository.reports_present(list(self.differences))
                for withdrawn in self.differences.keys() - present:
                    del self.differences[withdrawn]
            judged: dict[str, dict[JudgementArea, Grade]] = defaultdict(dict)
            reports: dict[str, GradedReportRow] = {}
            for row in rows:
                reports[row.report_id] = row
                if row.area is not None and row.grade is not None:
                    judged[row.report_id][JudgementArea(row.area)] = Grade(row.grade)
            for report_id, row in reports.items():
                official = self.records.of_report(
                    row.la_code, ReportType(row.report_type), row.inspection_start, row.published
                )
                found = grade_differences(judged[report_id], official) if official else []
                if found:
                    self.differences[report_id] = found
                else:
                    self.differences.pop(report_id, None)
            self.version = version
            return self.differences
