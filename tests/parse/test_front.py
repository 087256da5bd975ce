from datetime import date

import pytest

from findings_parse.core.dates import parse_date_range, parse_single_date
from findings_parse.core.front import find_inspection_dates, find_lead_inspector


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("Inspection dates: 7 to 18 October 2024", (date(2024, 10, 7), date(2024, 10, 18))),
        ("14 October 2024 to 25 October 2024", (date(2024, 10, 14), date(2024, 10, 25))),
        ("11 – 22 July 2022", (date(2022, 7, 11), date(2022, 7, 22))),
        ("1/06/2015 – 25/06/2015", (date(2015, 6, 1), date(2015, 6, 25))),
        ("20 February to 3 March 2023", (date(2023, 2, 20), date(2023, 3, 3))),
        ("conducted on 14 and 15 September 2010.", (date(2010, 9, 14), date(2010, 9, 15))),
        ("4 December to 8 January 2018", (date(2017, 12, 4), date(2018, 1, 8))),
        ("28 November 2022 to 9 December 2022", (date(2022, 11, 28), date(2022, 12, 9))),
    ],
)
def test_printed_date_ranges(printed: str, expected: tuple[date, date]) -> None:
    assert parse_date_range(printed) == expected


@pytest.mark.parametrize("printed", ["no dates here", "31 to 32 February 2023", "2023"])
def test_text_without_a_valid_range(printed: str) -> None:
    assert parse_date_range(printed) is None


def test_single_dates() -> None:
    assert parse_single_date("13 October 2010") == date(2010, 10, 13)
    assert parse_single_date("7th July 2011") == date(2011, 7, 7)
    assert parse_single_date("31 February 2011") is None


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("on the 15 and 16 of May 2018", (date(2018, 5, 15), date(2018, 5, 16))),
        ("on the 15th and 16th of May 2018", (date(2018, 5, 15), date(2018, 5, 16))),
        # Without a year, the latest before the letter that reports it.
        ("on 30 and 31 January.", (date(2019, 1, 30), date(2019, 1, 31))),
        ("between 3 and 5 December.", (date(2018, 12, 3), date(2018, 12, 5))),
    ],
)
def test_worded_ranges_and_ranges_without_a_year(printed: str, expected: tuple[date, date]) -> None:
    assert parse_date_range(printed, reference=date(2019, 3, 8)) == expected


def test_a_range_without_a_year_needs_a_reference_and_a_month() -> None:
    assert parse_date_range("on 30 and 31 January.") is None
    # "may" in prose is no month
    assert parse_date_range("stages 1 and 2 may follow", reference=date(2019, 3, 8)) is None


def test_an_inspection_in_two_parts_runs_from_the_first_day_to_the_last() -> None:
    printed = "Inspection dates: 30 September to 11 October 2024 and 13 to 16 January 2025"
    assert find_inspection_dates(printed) == (date(2024, 9, 30), date(2025, 1, 16))


@pytest.mark.parametrize(
    ("printed", "name"),
    [
        ("Lead inspector: Amanda Maxwell, His Majesty's Inspector", "Amanda Maxwell"),
        ("Reporting inspector Sarah Urding HMI", "Sarah Urding"),
        # An area SEND team: Ofsted's lead beside the CQC's, with or without "HMI"
        (
            "Ofsted Care Quality Commission Sue Eastwood, Ofsted Lead inspector Gerry Bates,"
            " CQC Lead inspector Nick Bennison, Ofsted HMI",
            "Sue Eastwood",
        ),
        (
            "Ofsted Care Quality Commission Rebecca Sharples, Ofsted HMI Lead Inspector"
            " Geraldine Bates, CQC Lead Inspector",
            "Rebecca Sharples",
        ),
        ("Andrew Wright, Ofsted HMI lead inspector", "Andrew Wright"),
    ],
)
def test_lead_inspectors_as_printed(printed: str, name: str) -> None:
    assert find_lead_inspector(printed) == name
