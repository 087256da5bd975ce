"""A search's facets estimated from a sample of the reports, when counting every match
would be slow: a broad search's first count reads every match (0.6-1.5 s for a common
phrase at 20,000 reports, docs/benchmarks.md), a sample of one report in 16 a sixteenth.

The sample is the reports whose ids begin with some hex digits: an id is the sha256 of the
report's file, so each report is in it with the same chance, independently of the others,
whatever the question. Each count is the sample's divided by that chance (the
Horvitz-Thompson estimator). For reports sampled independently with chance p, the variance
of the estimated sum of y over reports is estimated by (1 - p) / p² times the sum of y²
over the reports sampled (y: a report's findings with the value, or 1 to count reports).

The 95 % interval is not the normal one (estimate ± 1.96 standard errors): a value that few
sampled reports carry has a skewed estimate whose variance is estimated low when the
estimate is. Over the 16 samples the ids' first digits make, for seven searches at 20,000
reports (`make bench-estimates`), the normal interval held the exact count of values seen
in 3-9 sampled reports 77 times in 100. This one is Fay and Feuer's gamma interval for a
weighted sum of rare events (Statistics in Medicine 16, 1997, as used for age-adjusted
rates): a gamma distribution with the estimate's mean and variance gives the lower bound;
for the upper, one more sampled report, as large as the largest seen, is added to both, so
that a value seen in one or two reports gets the wide upper bound it needs (with y = 1 and
p small this is close to Garwood's exact Poisson interval). Where fewer than `FEW` sampled reports
carry a value, the largest seen says too little, and the added report is as large as the
most matches of the search a sampled report has. It held the exact count 99 times in 100
for values seen in 3-9 sampled reports, 96 in 100 from 10 on. A value that no sampled
report has is missing from the estimate: one that K reports carry is missed with chance
(1 - p)^K, one time in 20 for 47 reports at p = 1/16."""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

from findings_api.repository import SampledRow

# Each tail of a two-sided 95 % interval.
TAIL = 0.025
# Sampled reports with a value below which its own counts do not bound the upper end (the
# usual rule of thumb for when counts of rare events behave normally).
FEW = 10


@dataclass(frozen=True, slots=True)
class Sample:
    """Reports whose ids begin with one of `sixteenths` hex digits from `first`."""

    sixteenths: int
    first: int = 0

    @property
    def sampled_from(self) -> str | None:
        """The digit report ids begin at or after (None: from the first)."""
        return f"{self.first:x}" if self.first else None

    @property
    def below(self) -> str:
        """The bound report ids sort below (they are lower-case hex)."""
        end = self.first + self.sixteenths
        return f"{end:x}" if end < 16 else "g"

    @property
    def share(self) -> float:
        return self.sixteenths / 16


@dataclass(frozen=True, slots=True)
class Estimate:
    """A count and its 95 % interval."""

    value: int
    low: int
    high: int


def gamma_quantile(shape: float, probability: float) -> float:
    """The quantile of a gamma distribution of unit scale, by Wilson and Hilferty's cube
    root transformation: the upper quantiles within 0.6 % of the exact ones from a shape
    of one; the lower ones below the exact (a more cautious lower bound), by up to half
    where the shape is one (tests/api/test_estimates.py checks both against tabulated
    quantiles)."""
    z = NormalDist().inv_cdf(probability)
    root = 1 - 1 / (9 * shape) + z * math.sqrt(1 / (9 * shape))
    return shape * max(root, 0.0) ** 3


def estimated(count: int, squares: int, largest: int, sample: Sample) -> Estimate:
    """The estimate of a sum over every report from the sample's sum (`count`), sum of
    squares and largest value."""
    p = sample.share
    value = count / p
    variance = (1 - p) * squares / p**2
    if count == 0 or variance == 0:
        # Every report sampled: nothing is left to chance. (No sampled report with the value:
        # no interval to draw; the API never asks, as such a value is missing from the
        # estimate and a search without sampled matches is counted exactly.)
        return Estimate(value=round(value), low=round(value), high=round(value))
    low = gamma_quantile(value**2 / variance, TAIL) * variance / value
    more, more_variance = value + largest / p, variance + (1 - p) * largest**2 / p**2
    high = gamma_quantile(more**2 / more_variance, 1 - TAIL) * more_variance / more
    return Estimate(value=round(value), low=math.floor(low), high=math.ceil(high))


def estimated_findings(row: SampledRow, sample: Sample, most: int) -> Estimate:
    """A value's findings. `most`: the most matches of the whole search a sampled report
    has, which no report's findings with one value exceed. Where fewer than `FEW` sampled
    reports carry the value, their own largest count says too little of how many a report
    may have, and the upper bound's added report is given `most`."""
    largest = row.largest if row.reports >= FEW else max(row.largest, most)
    return estimated(row.findings, row.squares, largest, sample)


def estimated_reports(row: SampledRow, sample: Sample) -> Estimate:
    # Each report counts once: its y is 1, and so is its square and the largest.
    return estimated(row.reports, row.reports, 1 if row.reports else 0, sample)
