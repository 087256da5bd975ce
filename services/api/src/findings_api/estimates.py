"""A search's facets estimated from a sample of the reports, when counting every match
would be slow: a broad search's first count reads every match (0.6-1.5 s for a common
phrase at 20,000 reports, docs/benchmarks.md), a sample of one report in 16 a sixteenth.

The sample is the reports whose ids sort below a hex digit: an id is the sha256 of the
report's file, so each report is in it with the same chance, independently of the others,
whatever the question. Each count is the sample's divided by that chance (the
Horvitz-Thompson estimator) with the half-width of its 95 % interval: for reports sampled
independently with chance p, the variance of the estimated sum of y over reports is
estimated by (1 - p) / p² times the sum of y² over the reports sampled (y: a report's
findings with the value, or 1 to count reports). A value that no sampled report has is
missing from the estimate."""

from __future__ import annotations

import math
from dataclasses import dataclass

from findings_api.repository import SampledRow

# The normal quantile of a two-sided 95 % interval.
Z_95 = 1.96


@dataclass(frozen=True, slots=True)
class Sample:
    """Reports whose ids begin with one of the first `sixteenths` hex digits."""

    sixteenths: int

    @property
    def below(self) -> str:
        """The bound report ids sort below (they are lower-case hex)."""
        return f"{self.sixteenths:x}" if self.sixteenths < 16 else "g"

    @property
    def share(self) -> float:
        return self.sixteenths / 16


@dataclass(frozen=True, slots=True)
class Estimate:
    """A count and the half-width of its 95 % interval."""

    value: int
    margin: int


def estimated(count: int, squares: int, sample: Sample) -> Estimate:
    """The estimate of a sum over every report from its sum (`count`) and sum of squares
    over the sample's."""
    p = sample.share
    return Estimate(
        value=round(count / p),
        margin=math.ceil(Z_95 * math.sqrt((1 - p) * squares) / p),
    )


def estimated_findings(row: SampledRow, sample: Sample) -> Estimate:
    return estimated(row.findings, row.squares, sample)


def estimated_reports(row: SampledRow, sample: Sample) -> Estimate:
    # Each report counts once: its y is 1, and so is its square.
    return estimated(row.reports, row.reports, sample)
