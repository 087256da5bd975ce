"""What a report family declares: how it is recognised, read and sectioned.

Each family is one module under `findings_parse.core.families`; the recogniser, the
label table and the section rules are assembled from their declarations.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from findings_parse.core.extract import Line
from findings_parse.core.front import FrontReader
from findings_parse.core.judgements import LabelTable
from findings_shared.events import FindingCategory, JudgementArea, ReportType

JudgementSet = frozenset[JudgementArea]


@dataclass(frozen=True, slots=True)
class SectionRule:
    """Findings under a heading that matches `pattern` (folded text) have `category`."""

    pattern: re.Pattern[str]
    category: FindingCategory


def section_rules(headings: Mapping[str, FindingCategory]) -> tuple[SectionRule, ...]:
    return tuple(SectionRule(re.compile(p), category) for p, category in headings.items())


@dataclass(frozen=True, slots=True)
class Family:
    """One kind of report.

    - `titles`: how its title reads (regular expressions searched in a folded title
      line: the cover's large type, or a letter's bold subject line);
    - `structure`: whether the report shows the family's own structure (its judgement
      table, its outcome), the strongest evidence, given the opening lines;
    - `read_front`: its front-matter reader (title, dates, inspectors, judgements, body);
    - `labels`: its judgement labels → areas, and `judgement_sets` the complete sets
      its reports print (one of them);
    - `sections`: its headings → finding categories.
    """

    report_type: ReportType
    read_front: FrontReader
    titles: tuple[re.Pattern[str], ...] = ()
    structure: Callable[[Sequence[Line]], bool] | None = None
    labels: LabelTable = field(default_factory=lambda: LabelTable(()))
    judgement_sets: tuple[JudgementSet, ...] = (frozenset(),)
    sections: tuple[SectionRule, ...] = ()

    def title_matches(self, folded_title: str) -> bool:
        return any(pattern.search(folded_title) for pattern in self.titles)

    def judgement_set_complete(self, areas: JudgementSet) -> bool:
        return any(areas == complete for complete in self.judgement_sets)


def titles(*patterns: str) -> tuple[re.Pattern[str], ...]:
    """Title patterns over folded text (lower case, ' for ’); each starts at a word."""
    return tuple(re.compile(rf"(?<!\w){pattern}") for pattern in patterns)
