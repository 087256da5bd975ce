from datetime import date

import pytest

from findings_parse.core.dates import parse_date_range, parse_single_date


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
