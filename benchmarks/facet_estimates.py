"""How close a search's estimated facets come to its exact ones (findings_api.estimates):
for each search, every facet value counted exactly, and estimated from each of the 16
samples of one report in 16 that the ids' first digits make (each a sample the API could
have drawn), and how often the exact count lies within the estimate's 95 % interval.

    uv run python -m benchmarks.facet_estimates --keep /path/to/bench-api-database

Reads a database `benchmarks.api_load --keep` filled (migrated to the code's schema first).
Prints one row per search and facet, over its values and the 16 samples: values, values
estimated (summed over the samples), values missing from a sample (no sampled report had
them) and the largest exact count missing, how often the exact count lies within the
interval the API gives (and within the normal interval, estimate ± 1.96 standard errors,
for comparison), how often the count of reports with the value lies within its own
interval, and the median and largest relative error of the values with at least 1,000
findings; then the same by how many sampled reports carried the value; then over
everything.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

from findings_api.estimates import Sample, estimated_findings, estimated_reports
from findings_api.repository import COUNTED_TOGETHER, FindingFilter, ReadRepository, SampledRow
from findings_cli.embedded import EmbeddedPostgres
from findings_shared.database import make_engine, make_sessionmaker, migrate
from findings_shared.settings import DatabaseSettings
from findings_store.migrations_path import MIGRATIONS

SEARCHES = (
    "care leavers",
    "domestic abuse",
    "management oversight",
    "private fostering",
    "exploitation",
    "children in need",
    "radicalisation",
)
LARGE = 1000
# Bands of how many sampled reports carry a value.
BANDS = ((1, 2), (3, 9), (10, 29), (30, math.inf))


@dataclass
class Tally:
    """How often the exact count lay within an interval, over values estimated."""

    estimated: int = 0
    inside: int = 0
    inside_normal: int = 0
    # The count of reports with the value within its own interval.
    inside_reports: int = 0
    errors: list[float] = field(default_factory=list)

    def add(
        self, row: SampledRow, exact_counts: tuple[int, int], sample: Sample, most: int
    ) -> None:
        """`exact_counts`: the value's findings and reports, counted exactly."""
        exact, exact_reports = exact_counts
        estimate = estimated_findings(row, sample, most)
        reports = estimated_reports(row, sample)
        self.estimated += 1
        self.inside += estimate.low <= exact <= estimate.high
        self.inside_reports += reports.low <= exact_reports <= reports.high
        p = sample.share
        normal = 1.96 * math.sqrt((1 - p) * row.squares) / p
        self.inside_normal += abs(estimate.value - exact) <= normal
        if exact >= LARGE:
            self.errors.append(abs(estimate.value - exact) / exact)

    def held(self) -> str:
        if not self.estimated:
            return f"{'-':>7} {'-':>7} {'-':>7}"
        return " ".join(
            f"{inside / self.estimated:>7.3f}"
            for inside in (self.inside, self.inside_normal, self.inside_reports)
        )


def band(reports: int) -> str:
    low, high = next(b for b in BANDS if b[0] <= reports <= b[1])
    return f"{low}+" if high == math.inf else f"{low}-{high}"


async def measure(url: str) -> None:
    await migrate(MIGRATIONS, url)
    engine = make_engine(DatabaseSettings(url=url))
    sessions = make_sessionmaker(engine)
    samples = [Sample(1, first=digit) for digit in range(16)]
    print(f"16 samples of one report in 16; large: {LARGE}+ findings")  # noqa: T201
    print(  # noqa: T201
        f"{'search':<22} {'facet':<12} {'values':>6} {'estimated':>9} {'missing':>7}"
        f" {'largest':>7} {'held':>7} {'normal':>7} {'reports':>7} {'median':>7} {'max err':>7}"
        f" {'exact ms':>8} {'sample ms':>9}"
    )
    everything = Tally()
    by_band: dict[str, Tally] = {band(low): Tally() for low, _ in BANDS}
    for q in SEARCHES:
        where = FindingFilter(q=q)
        async with sessions() as session:
            started = time.perf_counter()
            exact_totals, exact_rows = await ReadRepository(session).counted_together(where)
            exact_ms = (time.perf_counter() - started) * 1000
        sampled: list[tuple[Sample, SampledRow, list[SampledRow]]] = []
        started = time.perf_counter()
        for sample in samples:
            async with sessions() as session:
                totals, rows = await ReadRepository(session).sampled_together(
                    replace(where, sampled_from=sample.sampled_from, sampled_below=sample.below)
                )
            sampled.append((sample, totals, rows))
        sample_ms = (time.perf_counter() - started) * 1000 / len(samples)
        for group in (None, *COUNTED_TOGETHER):
            exact: dict[str | None, tuple[int, int]]
            estimates: dict[str | None, SampledRow]
            if group is None:
                exact = {None: (exact_totals.findings, exact_totals.reports)}
            else:
                exact = {r.key: (r.findings, r.reports) for r in exact_rows if r.by == group}
            tally, missing = Tally(), Counter[str | None]()
            for sample, totals, rows in sampled:
                if group is None:
                    estimates = {None: totals}
                else:
                    estimates = {r.key: r for r in rows if r.by == group}
                for key, row in estimates.items():
                    for kept in (tally, by_band[band(row.reports)], everything):
                        kept.add(row, exact.get(key, (0, 0)), sample, totals.largest)
                missing.update(set(exact) - set(estimates))
            largest_missing = max((exact[key][0] for key in missing), default=0)
            print(  # noqa: T201
                f"{q:<22} {group or 'total':<12} {len(exact):>6} {tally.estimated:>9}"
                f" {sum(missing.values()):>7} {largest_missing:>7} {tally.held()}"
                f" {statistics.median(tally.errors) if tally.errors else 0:>7.3f}"
                f" {max(tally.errors, default=0):>7.3f} {exact_ms:>8.0f} {sample_ms:>9.0f}"
            )
    print(  # noqa: T201
        "\nsampled reports with the value: values estimated, findings held, by the normal"
        " interval, reports held"
    )
    for name, tally in by_band.items():
        print(f"{name:>6} {tally.estimated:>7} {tally.held()}")  # noqa: T201
    print(  # noqa: T201
        f"in all: the exact count within the interval for {everything.inside} of"
        f" {everything.estimated} values estimated ({everything.inside / everything.estimated:.3f};"
        f" the normal interval {everything.inside_normal / everything.estimated:.3f}; the count"
        f" of reports within its own {everything.inside_reports / everything.estimated:.3f});"
        f" values of {LARGE}+ findings: median relative error"
        f" {statistics.median(everything.errors):.3f}, largest {max(everything.errors):.3f}"
    )
    await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, required=True, help="the database's folder")
    args = parser.parse_args()
    postgres = EmbeddedPostgres(data_dir=args.keep / "postgres").start()
    try:
        asyncio.run(measure(postgres.url))
    finally:
        postgres.stop("fast")


if __name__ == "__main__":
    main()
