"""Draw a held-out sample of findings to label by hand, from reports the tagger was never tuned on.

    .venv/bin/python scripts/themes/heldout_sample.py ../shared/corpus/archive OUT.jsonl [N]

Reports are taken from the folder's MANIFEST.tsv (kind per file); findings are drawn at random
(seed 20261206), stratified by report kind and finding category so that every family and every
list is represented (at least 3 per stratum), one report contributing at most 3 findings.
"""

from __future__ import annotations

import csv
import json
import random
import sys
from collections import defaultdict
from pathlib import Path

from findings_parse.core.extract import UnreadableReport
from findings_parse.core.parser import parse_report

SEED = 20261206
PER_REPORT = 3
# Full inspections (ILACS and the frameworks before it) are what analysts read most.
REPORTS_PER_KIND = {"inspection": 30, "focused_visit": 15}


def main() -> int:
    folder, out = Path(sys.argv[1]), Path(sys.argv[2])
    wanted = int(sys.argv[3]) if len(sys.argv) > 3 else 240
    rng = random.Random(SEED)
    with (folder / "MANIFEST.tsv").open() as manifest:
        rows = list(csv.DictReader(manifest, delimiter="\t"))
    rng.shuffle(rows)
    # Parse a share of each kind: enough findings to sample from without parsing everything.
    strata: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    per_kind: dict[str, int] = defaultdict(int)
    for row in rows:
        if per_kind[row["kind"]] >= REPORTS_PER_KIND.get(row["kind"], 10):
            continue
        try:
            report = parse_report((folder / row["file"]).read_bytes(), row["file"])
        except UnreadableReport:
            continue
        per_kind[row["kind"]] += 1
        by_category: dict[str, list[dict[str, str]]] = defaultdict(list)
        for finding in report.findings:
            by_category[finding.category].append(
                {
                    "finding_id": finding.finding_id,
                    "file": f"archive/{row['file']}",
                    "report_type": report.report_type,
                    "category": finding.category,
                    "section": finding.section,
                    "text": finding.text,
                }
            )
        for category, items in by_category.items():
            strata[(row["kind"], category)].extend(rng.sample(items, min(PER_REPORT, len(items))))
    total = sum(len(items) for items in strata.values())
    sample: list[dict[str, str]] = []
    for key in sorted(strata):
        items = strata[key]
        share = max(3, round(wanted * len(items) / total))
        sample.extend(rng.sample(items, min(share, len(items))))
    rng.shuffle(sample)
    with out.open("w") as handle:
        for item in sample:
            handle.write(json.dumps(item) + "\n")
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for item in sample:
        counts[(item["report_type"], item["category"])] += 1
    for key in sorted(counts):
        print(*key, counts[key], sep="\t")  # noqa: T201
    print("total", len(sample), sep="\t")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
