"""The arithmetic of estimated facets (findings_api.estimates): the gamma quantiles its
intervals are made of, and how often an interval holds the count it estimates when
reports are sampled as the API samples them."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from findings_api.estimates import (
    FEW,
    Sample,
    estimated,
    estimated_findings,
    estimated_reports,
    gamma_quantile,
)
from findings_api.repository import SampledRow

# Quantiles of the gamma distribution of unit scale (scipy.stats.gamma.ppf): shape,
# 2.5 % and 97.5 %.
TABULATED = (
    (1.0, 0.0253, 3.6889),
    (2.0, 0.2422, 5.5716),
    (3.0, 0.6187, 7.2247),
    (5.0, 1.6235, 10.2416),
    (10.0, 4.7954, 17.0848),
    (30.0, 20.2409, 41.6488),
    (100.0, 81.3640, 120.5289),
)


@pytest.mark.parametrize(("shape", "lower", "upper"), TABULATED)
def test_gamma_quantiles_are_close_to_the_tabulated_ones(
    shape: float, lower: float, upper: float
) -> None:
    """The upper quantile, which makes an interval's upper bound, within 0.6 %; the lower
    never above the exact one (a lower bound at most more cautious), within 3 % from a
    shape of 3."""
    assert gamma_quantile(shape, 0.975) == pytest.approx(upper, rel=0.006)
    assert gamma_quantile(shape, 0.025) <= lower
    if shape >= 3:
        assert gamma_quantile(shape, 0.025) == pytest.approx(lower, rel=0.03)


def test_every_report_sampled_leaves_nothing_to_chance() -> None:
    whole = estimated(40, 300, 12, Sample(16))
    assert (whole.low, whole.value, whole.high) == (40, 40, 40)


def test_a_value_seen_in_one_sampled_report_has_a_wide_upper_bound() -> None:
    """One sampled report in 16 with 3 findings: 48 is the estimate, and as few as one
    such report in the 16 (3 findings) or five or more (the Poisson upper bound for one
    event is 5.57) remain likely; the normal interval's upper bound was 48 + 1.96 x 46."""
    one = estimated(3, 9, 3, Sample(1))
    assert one.value == 48
    assert one.low <= 3
    assert one.high >= 5 * 48


def test_a_value_few_sampled_reports_carry_is_bounded_by_the_searchs_largest() -> None:
    """Below `FEW` sampled reports, a value's upper bound adds a report with as many
    findings as the most matches a sampled report has (40 here), not its own largest (1);
    from `FEW` on, its own."""
    few = SampledRow(key="x", findings=FEW - 1, reports=FEW - 1, squares=FEW - 1, largest=1)
    bounded = estimated_findings(few, Sample(1), most=40)
    assert bounded == estimated(FEW - 1, FEW - 1, 40, Sample(1))
    assert bounded.high > estimated(FEW - 1, FEW - 1, 1, Sample(1)).high
    enough = replace(few, findings=FEW, reports=FEW, squares=FEW)
    assert estimated_findings(enough, Sample(1), most=40) == estimated(FEW, FEW, 1, Sample(1))


def test_the_interval_holds_the_count_about_95_times_in_100() -> None:
    """Reports with 1-120 matches of a search, each sampled with chance 1/16 as the API
    samples them; each value a finding has with a chance from 1 in 2,000 to 3 in 10, so
    that from a handful of reports to most have it. Over 300 samples, each value's
    interval holds its exact count at least 94 times in 100 (the normal interval held one
    rare value's count 86 times in 100 here)."""
    rng = random.Random(7)
    matches = [min(int(rng.expovariate(1 / 8)) + 1, 120) for _ in range(3000)]
    values = {
        chance: [sum(rng.random() < chance for _ in range(n)) for n in matches]
        for chance in (0.0005, 0.002, 0.005, 0.01, 0.03, 0.1, 0.3)
    }
    held = dict.fromkeys(values, 0)
    drawn = dict.fromkeys(values, 0)
    for _ in range(300):
        chosen = [rng.random() < 1 / 16 for _ in matches]
        most = max(n for n, c in zip(matches, chosen, strict=True) if c)
        for chance, counts in values.items():
            sampled = [y for y, c in zip(counts, chosen, strict=True) if c and y]
            if not sampled:
                continue  # a value no sampled report has is missing from the estimate
            row = SampledRow(
                key=None,
                findings=sum(sampled),
                reports=len(sampled),
                squares=sum(y * y for y in sampled),
                largest=max(sampled),
            )
            interval = estimated_findings(row, Sample(1), most)
            drawn[chance] += 1
            held[chance] += interval.low <= sum(counts) <= interval.high
    assert all(drawn[chance] >= 200 for chance in values), drawn
    assert {chance: held[chance] / drawn[chance] >= 0.94 for chance in values} == dict.fromkeys(
        values, True
    ), {chance: held[chance] / drawn[chance] for chance in values}


def test_the_count_of_reports_with_a_value_is_held_about_95_times_in_100() -> None:
    """Each report counts 1: of K reports with a value, those sampled with chance 1/16 give
    an interval that holds K at least 94 times in 100 over 2,000 samples, from K = 30 (two
    reports sampled on average) to 300 (here 0.99, 0.96, 0.95; the normal interval held
    K = 300 0.92 of the time)."""
    rng = random.Random(3)
    held: dict[int, float] = {}
    for carried in (30, 100, 300):
        inside = drawn = 0
        for _ in range(2000):
            sampled = sum(rng.random() < 1 / 16 for _ in range(carried))
            if not sampled:
                continue  # missing from the estimate
            row = SampledRow(key=None, findings=0, reports=sampled, squares=0, largest=0)
            interval = estimated_reports(row, Sample(1))
            drawn += 1
            inside += interval.low <= carried <= interval.high
        held[carried] = inside / drawn
    assert all(share >= 0.94 for share in held.values()), held
