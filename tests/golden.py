"""Golden expectations for the parser: one reviewed JSON per fixture report.

Regenerate after an intended parser change, then review the diff before committing:

    uv run python -m tests.golden
"""

from __future__ import annotations

import functools
import json
from collections import Counter
from pathlib import Path
from typing import Any

from findings_parse.core.parser import parse_report
from findings_shared.events import Finding, ReportParsed

FIXTURES = Path(__file__).parent / "fixtures"
REPORTS = FIXTURES / "reports"
EXPECTED = FIXTURES / "expected"


@functools.cache
def parsed_fixture(name: str) -> ReportParsed:
    """A fixture report parsed in this process, once per test session."""
    return parse_report((REPORTS / name).read_bytes(), name)


def _sample(finding: Finding) -> dict[str, Any]:
    return finding.model_dump(mode="json", exclude={"finding_id"})


def _page_break_sample(report: ReportParsed) -> Finding | None:
    """A numbered paragraph long enough to have crossed a page in most layouts."""
    numbered = [f for f in report.findings if f.paragraph is not None]
    return max(numbered, key=lambda f: len(f.text)) if numbered else None


def summarise(report: ReportParsed) -> dict[str, Any]:
    """What a golden file pins: metadata, judgements, counts and a few exact texts."""
    numbered = [f.paragraph for f in report.findings if f.paragraph is not None]
    samples = [report.findings[0], report.findings[-1]] if report.findings else []
    longest = _page_break_sample(report)
    if longest is not None:
        samples.append(longest)
    return {
        "report_type": report.report_type.value,
        "title": report.title,
        "local_authority": report.local_authority.model_dump() if report.local_authority else None,
        "inspection_start": str(report.inspection_start) if report.inspection_start else None,
        "inspection_end": str(report.inspection_end) if report.inspection_end else None,
        "published": str(report.published) if report.published else None,
        "lead_inspector": report.lead_inspector,
        "judgements": [j.model_dump(mode="json") for j in report.judgements],
        "finding_count": len(report.findings),
        "counts": dict(sorted(Counter(f.category.value for f in report.findings).items())),
        "paragraphs": [min(numbered), max(numbered)] if numbered else None,
        "sections": list(dict.fromkeys(f.section for f in report.findings)),
        "warnings": report.quality.warnings,
        "samples": [_sample(f) for f in samples],
    }


def expected_path(report_file: Path) -> Path:
    return EXPECTED / f"{report_file.name}.json"


def regenerate() -> None:
    EXPECTED.mkdir(exist_ok=True)
    for report_file in sorted(REPORTS.iterdir()):
        report = parse_report(report_file.read_bytes(), report_file.name)
        text = json.dumps(summarise(report), indent=2, ensure_ascii=False) + "\n"
        expected_path(report_file).write_text(text, encoding="utf-8")
    print(f"wrote {len(list(EXPECTED.iterdir()))} golden files to {EXPECTED}")  # noqa: T201


if __name__ == "__main__":
    regenerate()
