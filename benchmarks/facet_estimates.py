"""How close a search's estimated facets come to its exact ones (findings_api.estimates):
for each search, every facet value counted exactly and estimated from the sample, and how
often the exact count lies within the estimate's 95 % margin.

    uv run python -m benchmarks.facet_estimates --keep /path/to/bench-api-database

Reads a database `benchmarks.api_load --keep` filled (migrated to the code's schema first).
Prints one row per search and facet: values, values estimated, values missing from the
estimate (no sampled report had them), the exact count inside the margin (share of the
values estimated), and the median and largest relative error of the values with at least
1,000 findings; then the same over everything.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from dataclasses import replace
from pathlib import Path

from findings_api.estimates import Estimate, Sample, estimated_findings
from findings_api.repository import COUNTED_TOGETHER, FindingFilter, ReadRepository
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


async def measure(url: str, sample: Sample) -> None:
    await migrate(MIGRATIONS, url)
    engine = make_engine(DatabaseSettings(url=url))
    sessions = make_sessionmaker(engine)
    print(f"sample: {sample.share:.4f} of the reports; large: {LARGE}+ findings")  # noqa: T201
    print(  # noqa: T201
        f"{'search':<22} {'facet':<12} {'values':>6} {'estimated':>9} {'missing':>7}"
        f" {'in margin':>9} {'median err':>10} {'max err':>8} {'exact ms':>8} {'sample ms':>9}"
    )
    inside = estimated_all = 0
    errors: list[float] = []
    for q in SEARCHES:
        where = FindingFilter(q=q)
        async with sessions() as session:
            started = time.perf_counter()
            exact_totals, exact_rows = await ReadRepository(session).counted_together(where)
            exact_ms = (time.perf_counter() - started) * 1000
        async with sessions() as session:
            started = time.perf_counter()
            sampled_totals, sampled_rows = await ReadRepository(session).sampled_together(
                replace(where, sampled_below=sample.below)
            )
            sample_ms = (time.perf_counter() - started) * 1000
        for group in (None, *COUNTED_TOGETHER):
            exact: dict[str | None, int]
            estimates: dict[str | None, Estimate]
            if group is None:
                exact = {None: exact_totals.findings}
                estimates = {None: estimated_findings(sampled_totals, sample)}
            else:
                exact = {r.key: r.findings for r in exact_rows if r.by == group}
                estimates = {
                    r.key: estimated_findings(r, sample) for r in sampled_rows if r.by == group
                }
            within = sum(abs(e.value - exact.get(k, 0)) <= e.margin for k, e in estimates.items())
            inside += within
            estimated_all += len(estimates)
            large = [
                abs(estimates[k].value - n) / n
                for k, n in exact.items()
                if n >= LARGE and k in estimates
            ]
            errors += large
            print(  # noqa: T201
                f"{q:<22} {group or 'total':<12} {len(exact):>6} {len(estimates):>9}"
                f" {len(set(exact) - set(estimates)):>7}"
                f" {within / len(estimates) if estimates else 0:>9.2f}"
                f" {statistics.median(large) if large else 0:>10.3f}"
                f" {max(large) if large else 0:>8.3f} {exact_ms:>8.0f} {sample_ms:>9.0f}"
            )
    print(  # noqa: T201
        f"in all: the exact count within the margin for {inside} of {estimated_all} values"
        f" estimated ({inside / estimated_all:.3f}); values of {LARGE}+ findings: median"
        f" relative error {statistics.median(errors):.3f}, largest {max(errors):.3f}"
    )
    await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, required=True, help="the database's folder")
    parser.add_argument("--sixteenths", type=int, default=1, help="the sample's size")
    args = parser.parse_args()
    postgres = EmbeddedPostgres(data_dir=args.keep / "postgres").start()
    try:
        asyncio.run(measure(postgres.url, Sample(args.sixteenths)))
    finally:
        postgres.stop("fast")


if __name__ == "__main__":
    main()
