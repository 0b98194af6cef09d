"""Tests for engine.language.dates.

Expected values are worked out by hand from the calendar and from НК РФ ст. 6.1 п. 3 (a
period of months ends on the same-numbered day, or on the last day of a month that has no
such day); they are not the code's own output pasted back.
"""

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest

from engine.language.dates import (
    add_days,
    add_months,
    add_years,
    days_between,
    end_of_month,
    end_of_quarter,
    end_of_year,
    make_date,
    parse_iso_date,
    quarter,
    quarter_label,
    start_of_month,
    start_of_quarter,
    start_of_year,
)

D = date


# --- add_days -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (D(2024, 2, 28), 1, D(2024, 2, 29)),  # 2024 is a leap year
        (D(2023, 2, 28), 1, D(2023, 3, 1)),
        (D(2024, 12, 31), 1, D(2025, 1, 1)),
        (D(2024, 3, 1), -1, D(2024, 2, 29)),
        (D(2024, 1, 1), 366, D(2025, 1, 1)),
        (D(2024, 5, 2), 0, D(2024, 5, 2)),
        (D(2024, 5, 2), 5, D(2024, 5, 7)),  # НК РФ ст. 168 п. 3: five calendar days
    ],
)
def test_add_days(start: date, n: int, expected: date) -> None:
    assert add_days(start, n) == expected


# --- add_months / add_years (НК РФ ст. 6.1 п. 3) ------------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (D(2024, 11, 30), 3, D(2025, 2, 28)),  # February 2025 has no 30th
        (D(2024, 1, 31), 1, D(2024, 2, 29)),  # leap February
        (D(2023, 1, 31), 1, D(2023, 2, 28)),  # common February
        (D(2024, 5, 31), 1, D(2024, 6, 30)),  # 30-day month
        (D(2024, 12, 31), 2, D(2025, 2, 28)),  # across the year end
        (D(2024, 2, 28), 1, D(2024, 3, 28)),  # not snapped to the month end
        (D(2024, 2, 29), 1, D(2024, 3, 29)),  # not snapped to the month end either
        (D(2024, 2, 29), 12, D(2025, 2, 28)),
        (D(2024, 10, 31), 24, D(2026, 10, 31)),
        (D(2024, 1, 15), 0, D(2024, 1, 15)),
        (D(2024, 3, 31), -1, D(2024, 2, 29)),  # negative n clamps the same way
        (D(2024, 8, 31), -6, D(2024, 2, 29)),
        (D(2023, 12, 31), -10, D(2023, 2, 28)),
        (D(2025, 1, 15), -1, D(2024, 12, 15)),
    ],
)
def test_add_months(start: date, n: int, expected: date) -> None:
    assert add_months(start, n) == expected


def test_add_months_counts_from_the_start_date_not_stepwise() -> None:
    # The law counts the whole period from the start date: 31 Jan + 2 months = 31 Mar,
    # whereas two single-month steps lose the 31st on the way (31 Jan -> 29 Feb -> 29 Mar).
    assert add_months(D(2024, 1, 31), 2) == D(2024, 3, 31)
    assert add_months(add_months(D(2024, 1, 31), 1), 1) == D(2024, 3, 29)


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (D(2024, 2, 29), 1, D(2025, 2, 28)),
        (D(2024, 2, 29), 4, D(2028, 2, 29)),  # 2028 is a leap year again
        (D(2024, 2, 29), -1, D(2023, 2, 28)),
        (D(2023, 3, 1), 1, D(2024, 3, 1)),
        (D(2024, 12, 31), 3, D(2027, 12, 31)),
        (D(2024, 7, 1), 0, D(2024, 7, 1)),
    ],
)
def test_add_years(start: date, n: int, expected: date) -> None:
    assert add_years(start, n) == expected


def test_add_years_is_twelve_months() -> None:
    for start in (D(2024, 2, 29), D(2023, 8, 31), D(2024, 1, 1)):
        for n in (-3, -1, 1, 2, 5):
            assert add_years(start, n) == add_months(start, 12 * n)


@pytest.mark.parametrize(
    ("func", "start", "n"),
    [
        (add_days, D(9999, 12, 31), 1),
        (add_days, D(1, 1, 1), -1),
        (add_months, D(9999, 12, 1), 1),
        (add_months, D(1, 1, 31), -1),
        (add_years, D(9999, 1, 1), 1),
        (add_years, D(1, 6, 1), -1),
    ],
)
def test_out_of_range_is_a_value_error(
    func: Callable[[date, int], date], start: date, n: int
) -> None:
    with pytest.raises(ValueError, match="outside the supported date range"):
        func(start, n)


@pytest.mark.parametrize("func", [add_days, add_months, add_years])
@pytest.mark.parametrize("bad", [Decimal(1), True, "1"])
def test_counts_must_be_plain_ints(func: Callable[..., date], bad: object) -> None:
    with pytest.raises(TypeError, match="must be an int"):
        func(D(2024, 1, 1), bad)


# --- days_between -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (D(2024, 1, 1), D(2024, 12, 31), 365),  # leap year: 366 days, 365 between
        (D(2024, 12, 31), D(2024, 1, 1), -365),
        (D(2024, 5, 2), D(2024, 5, 2), 0),
        (D(2024, 2, 28), D(2024, 3, 1), 2),
        (D(2023, 2, 28), D(2023, 3, 1), 1),
        (D(2024, 12, 25), D(2025, 1, 17), 23),
    ],
)
def test_days_between(a: date, b: date, expected: int) -> None:
    assert days_between(a, b) == expected


# --- quarters -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("d", "q", "label", "start", "end"),
    [
        (D(2024, 1, 1), 1, "2024-Q1", D(2024, 1, 1), D(2024, 3, 31)),
        (D(2024, 2, 29), 1, "2024-Q1", D(2024, 1, 1), D(2024, 3, 31)),
        (D(2024, 3, 31), 1, "2024-Q1", D(2024, 1, 1), D(2024, 3, 31)),
        (D(2024, 4, 1), 2, "2024-Q2", D(2024, 4, 1), D(2024, 6, 30)),
        (D(2024, 6, 30), 2, "2024-Q2", D(2024, 4, 1), D(2024, 6, 30)),
        (D(2024, 7, 1), 3, "2024-Q3", D(2024, 7, 1), D(2024, 9, 30)),
        (D(2024, 9, 30), 3, "2024-Q3", D(2024, 7, 1), D(2024, 9, 30)),
        (D(2024, 10, 1), 4, "2024-Q4", D(2024, 10, 1), D(2024, 12, 31)),
        (D(2024, 12, 31), 4, "2024-Q4", D(2024, 10, 1), D(2024, 12, 31)),
        (D(999, 5, 15), 2, "0999-Q2", D(999, 4, 1), D(999, 6, 30)),
    ],
)
def test_quarter_functions(d: date, q: int, label: str, start: date, end: date) -> None:
    assert quarter(d) == q
    assert quarter_label(d) == label
    assert start_of_quarter(d) == start
    assert end_of_quarter(d) == end


def test_quarter_labels_sort_chronologically() -> None:
    days = [D(2023, 12, 31), D(2024, 1, 1), D(2024, 4, 1), D(2024, 10, 1), D(2025, 1, 1)]
    labels = [quarter_label(d) for d in days]
    assert labels == sorted(labels)


# --- months and years ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("d", "start", "end"),
    [
        (D(2024, 2, 15), D(2024, 2, 1), D(2024, 2, 29)),
        (D(2023, 2, 15), D(2023, 2, 1), D(2023, 2, 28)),
        (D(1900, 2, 10), D(1900, 2, 1), D(1900, 2, 28)),  # century, not a leap year
        (D(2000, 2, 10), D(2000, 2, 1), D(2000, 2, 29)),  # divisible by 400: leap year
        (D(2024, 4, 30), D(2024, 4, 1), D(2024, 4, 30)),
        (D(2024, 12, 1), D(2024, 12, 1), D(2024, 12, 31)),
        (D(2024, 12, 31), D(2024, 12, 1), D(2024, 12, 31)),
    ],
)
def test_month_bounds(d: date, start: date, end: date) -> None:
    assert start_of_month(d) == start
    assert end_of_month(d) == end


@pytest.mark.parametrize("d", [D(2024, 1, 1), D(2024, 7, 15), D(2024, 12, 31)])
def test_year_bounds(d: date) -> None:
    assert start_of_year(d) == D(2024, 1, 1)
    assert end_of_year(d) == D(2024, 12, 31)


# --- make_date ----------------------------------------------------------------------------


def test_make_date_valid() -> None:
    assert make_date(2024, 2, 29) == D(2024, 2, 29)
    assert make_date(1, 1, 1) == D(1, 1, 1)
    assert make_date(9999, 12, 31) == D(9999, 12, 31)


@pytest.mark.parametrize(
    ("y", "m", "d", "message"),
    [
        (2023, 2, 29, r"impossible date 2023-02-29: February 2023 has days 1\.\.28"),
        (2024, 2, 30, r"impossible date 2024-02-30: February 2024 has days 1\.\.29"),
        (2024, 4, 31, r"impossible date 2024-04-31: April 2024 has days 1\.\.30"),
        (2024, 1, 0, r"impossible date 2024-01-00"),
        (2024, 13, 1, r"month 13 is outside 1\.\.12"),
        (2024, 0, 1, r"month 0 is outside 1\.\.12"),
        (0, 1, 1, r"year 0 is outside 1\.\.9999"),
        (10000, 1, 1, r"year 10000 is outside 1\.\.9999"),
    ],
)
def test_make_date_impossible(y: int, m: int, d: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make_date(y, m, d)


def test_make_date_rejects_non_int() -> None:
    with pytest.raises(TypeError, match="day must be an int"):
        make_date(2024, 1, Decimal(1))  # type: ignore[arg-type]


# --- parse_iso_date -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-05-02", D(2024, 5, 2)),
        ("2024-02-29", D(2024, 2, 29)),
        ("0001-01-01", D(1, 1, 1)),
        ("9999-12-31", D(9999, 12, 31)),
    ],
)
def test_parse_iso_date(text: str, expected: date) -> None:
    assert parse_iso_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "20240502",  # basic form: date.fromisoformat accepts it since 3.11, we do not
        "2024-W18-4",  # ISO week date, also accepted by date.fromisoformat
        "2024-5-2",
        "2024-05-02T00:00",
        "2024-05-02 ",
        " 2024-05-02",
        "2024-05-02\n",
        "02.05.2024",
        "\uff12\uff10\uff12\uff14-05-02",  # full-width digits
        "+2024-05-02",
    ],
)
def test_parse_iso_date_rejects_other_spellings(text: str) -> None:
    with pytest.raises(ValueError, match=r"expected YYYY-MM-DD"):
        parse_iso_date(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2023-02-29", r"invalid date '2023-02-29': impossible date 2023-02-29"),
        ("2024-13-01", r"invalid date '2024-13-01': .*month 13"),
        ("0000-01-01", r"invalid date '0000-01-01': .*year 0"),
    ],
)
def test_parse_iso_date_rejects_impossible_dates(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_iso_date(text)
