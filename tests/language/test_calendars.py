"""Tests for engine.language.calendars.

The expected dates are worked out by hand from the official calendars, not from the code:

* Russia 2024: Постановление Правительства РФ от 10.08.2023 № 1314 — working Saturdays
  27 April, 2 November and 28 December; days off 29–30 April, 10 May, 30–31 December.
* Russia 2025: Постановление Правительства РФ от 04.10.2024 № 1335 — days off 1–8 January,
  1–4 May, 8–11 May, 12–15 June, 2–4 November, 31 December; 1 November (Saturday) worked.
* Russia 2026: days off 1–11 January (9 January moved from Saturday 3 January).
* China 2024: 国务院办公厅关于2024年部分节假日安排的通知 — 春节 10–17 February with
  4 and 18 February (Sundays) worked; 清明 4–6 April, 7 April worked; 劳动节 1–5 May,
  28 April and 11 May worked; 国庆 1–7 October, 29 September and 12 October worked.
* Austria: Feiertagsruhegesetz public holidays; Good Friday, 24 and 31 December are
  ordinary working days (Easter Sunday 2024 = 31 March, 2025 = 20 April).

Counting follows НК РФ ст. 6.1 п. 2 and п. 6: the day after the event is the first
candidate, so "+N working days" is the N-th working day strictly after the start date.
"""

import time
from datetime import date, timedelta
from decimal import Decimal

import holidays
import pytest

from engine.language.calendars import (
    CALENDARS,
    CalendarRangeError,
    UnknownCalendar,
    add_working_days,
    is_working_day,
    next_working_day,
)

D = date


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def test_calendar_names() -> None:
    assert CALENDARS == ("RU", "CN", "AT")


# --- is_working_day -----------------------------------------------------------------------

RU_DAYS = [
    (D(2024, 3, 15), True),  # ordinary Friday
    (D(2024, 3, 16), False),  # ordinary Saturday
    (D(2024, 4, 27), True),  # working Saturday (for 29 April)
    (D(2024, 4, 29), False),
    (D(2024, 4, 30), False),
    (D(2024, 5, 10), False),
    (D(2024, 11, 2), True),  # working Saturday (for 30 April)
    (D(2024, 11, 4), False),  # Unity Day
    (D(2024, 12, 28), True),  # working Saturday (for 30 December)
    (D(2024, 12, 29), False),
    (D(2024, 12, 30), False),
    (D(2024, 12, 31), False),  # moved from Sunday 7 January 2024
    (D(2025, 1, 9), True),
    (D(2025, 2, 24), True),  # 23 Feb (Sunday) was moved to 8 May, not to this Monday
    (D(2025, 3, 10), True),  # 8 Mar (Saturday) was moved to 13 June
    (D(2025, 5, 2), False),  # moved from Saturday 4 January
    (D(2025, 5, 5), True),
    (D(2025, 5, 8), False),  # moved from Sunday 23 February
    (D(2025, 6, 13), False),
    (D(2025, 11, 1), True),  # working Saturday
    (D(2025, 11, 3), False),
    (D(2025, 12, 31), False),
]

CN_DAYS = [
    (D(2024, 2, 3), False),  # ordinary Saturday
    (D(2024, 2, 4), True),  # make-up working Sunday
    (D(2024, 2, 9), True),  # New Year's Eve: only "encouraged" off in 2024, not a day off
    (D(2024, 2, 18), True),  # make-up working Sunday
    (D(2024, 4, 7), True),  # make-up working Sunday (Qingming)
    (D(2024, 4, 28), True),  # make-up working Sunday (Labour Day)
    (D(2024, 5, 11), True),  # make-up working Saturday (Labour Day)
    (D(2024, 9, 14), True),  # make-up working Saturday (Mid-Autumn)
    (D(2024, 9, 29), True),  # make-up working Sunday (National Day)
    (D(2024, 10, 8), True),
    (D(2024, 10, 12), True),  # make-up working Saturday (National Day)
    (D(2024, 10, 13), False),
]

AT_DAYS = [
    (D(2024, 1, 6), False),  # Epiphany (a Saturday anyway)
    (D(2024, 3, 29), True),  # Good Friday is not a public holiday
    (D(2024, 4, 1), False),  # Easter Monday
    (D(2024, 5, 1), False),  # Staatsfeiertag
    (D(2024, 5, 9), False),  # Ascension (Easter + 39)
    (D(2024, 5, 20), False),  # Whit Monday (Easter + 50)
    (D(2024, 5, 30), False),  # Corpus Christi (Easter + 60)
    (D(2024, 8, 15), False),  # Assumption
    (D(2023, 10, 26), False),  # National Day on a Thursday
    (D(2024, 11, 1), False),  # All Saints
    (D(2024, 12, 24), True),  # Christmas Eve is not a public holiday
    (D(2024, 12, 25), False),
    (D(2024, 12, 26), False),
    (D(2024, 12, 27), True),
    (D(2024, 12, 31), True),
    (D(2025, 1, 6), False),  # Epiphany on a Monday
    (D(2025, 4, 21), False),  # Easter Monday
    (D(2024, 6, 15), False),  # plain Saturday
]


@pytest.mark.parametrize(("d", "expected"), RU_DAYS)
def test_ru_is_working_day(d: date, expected: bool) -> None:
    assert is_working_day(d, "RU") is expected


@pytest.mark.parametrize(("d", "expected"), CN_DAYS)
def test_cn_is_working_day(d: date, expected: bool) -> None:
    assert is_working_day(d, "CN") is expected


@pytest.mark.parametrize(("d", "expected"), AT_DAYS)
def test_at_is_working_day(d: date, expected: bool) -> None:
    assert is_working_day(d, "AT") is expected


@pytest.mark.parametrize(
    ("calendar", "first", "last"),
    [
        ("RU", D(2024, 12, 29), D(2025, 1, 8)),  # New Year holidays 2025
        ("RU", D(2025, 5, 1), D(2025, 5, 4)),
        ("RU", D(2025, 5, 8), D(2025, 5, 11)),
        ("RU", D(2025, 12, 31), D(2026, 1, 11)),  # New Year holidays 2026
        ("CN", D(2024, 2, 10), D(2024, 2, 17)),  # Spring Festival 2024
        ("CN", D(2024, 4, 4), D(2024, 4, 6)),
        ("CN", D(2024, 5, 1), D(2024, 5, 5)),
        ("CN", D(2024, 10, 1), D(2024, 10, 7)),  # National Day 2024
    ],
)
def test_whole_holiday_runs_are_off(calendar: str, first: date, last: date) -> None:
    assert [d for d in _days(first, last) if is_working_day(d, calendar)] == []


# --- next_working_day (НК РФ ст. 6.1 п. 7) ------------------------------------------------


@pytest.mark.parametrize(
    ("calendar", "d", "expected"),
    [
        ("RU", D(2025, 4, 25), D(2025, 4, 25)),  # a working day is its own answer
        ("RU", D(2024, 3, 16), D(2024, 3, 18)),  # plain Saturday -> Monday
        ("RU", D(2024, 12, 28), D(2024, 12, 28)),  # working Saturday stays
        ("RU", D(2024, 11, 2), D(2024, 11, 2)),  # working Saturday stays
        ("RU", D(2025, 1, 1), D(2025, 1, 9)),
        ("RU", D(2024, 12, 29), D(2025, 1, 9)),  # across the year end
        ("RU", D(2024, 11, 3), D(2024, 11, 5)),  # Sunday, then Unity Day Monday
        ("RU", D(2025, 5, 1), D(2025, 5, 5)),
        ("RU", D(2025, 12, 31), D(2026, 1, 12)),
        ("CN", D(2024, 2, 10), D(2024, 2, 18)),  # lands on the make-up Sunday
        ("CN", D(2024, 2, 3), D(2024, 2, 4)),  # Saturday -> make-up Sunday
        ("CN", D(2024, 10, 1), D(2024, 10, 8)),
        ("AT", D(2024, 3, 30), D(2024, 4, 2)),  # Sat, Easter Sunday, Easter Monday
        ("AT", D(2024, 12, 25), D(2024, 12, 27)),
        ("AT", D(2024, 12, 24), D(2024, 12, 24)),
    ],
)
def test_next_working_day(calendar: str, d: date, expected: date) -> None:
    assert next_working_day(d, calendar) == expected


# --- add_working_days ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("calendar", "d", "n", "expected"),
    [
        # Demand received Wed 2024-12-25, 10 working days: 26, 27, 28 (working Saturday),
        # then 29 Dec .. 8 Jan off, then Jan 9, 10, 13, 14, 15, 16, 17.
        ("RU", D(2024, 12, 25), 10, D(2025, 1, 17)),
        ("RU", D(2024, 12, 25), 3, D(2024, 12, 28)),
        ("RU", D(2024, 12, 27), 1, D(2024, 12, 28)),
        ("RU", D(2024, 12, 28), 1, D(2025, 1, 9)),
        # Fri 2025-04-25, 10 working days: Apr 28, 29, 30, May 5, 6, 7, 12, 13, 14, 15.
        ("RU", D(2025, 4, 25), 10, D(2025, 5, 15)),
        # Starting on a day off: the first candidate is still the next day.
        ("RU", D(2025, 1, 4), 1, D(2025, 1, 9)),
        # Wed 2025-10-29: Oct 30, 31, Nov 1 (working Saturday), Nov 5, 6.
        ("RU", D(2025, 10, 29), 5, D(2025, 11, 6)),
        # n = 0 is the date itself, even a day off.
        ("RU", D(2025, 1, 1), 0, D(2025, 1, 1)),
        # Backwards: the 10th working day before 2025-01-17 is 2024-12-25 again.
        ("RU", D(2025, 1, 17), -10, D(2024, 12, 25)),
        ("RU", D(2025, 1, 9), -1, D(2024, 12, 28)),
        # CN Spring Festival 2024: Feb 9, then 10-17 off, then 18 (Sunday), 19.
        ("CN", D(2024, 2, 8), 3, D(2024, 2, 19)),
        ("CN", D(2024, 2, 2), 1, D(2024, 2, 4)),
        # Thu 2024-02-01: Feb 2, 4, 5, 6, 7, 8, 9, 18, 19, 20.
        ("CN", D(2024, 2, 1), 10, D(2024, 2, 20)),
        # CN National Day 2024: Sep 29 (Sunday), Sep 30, then Oct 1-7 off, Oct 8.
        ("CN", D(2024, 9, 27), 1, D(2024, 9, 29)),
        ("CN", D(2024, 9, 27), 3, D(2024, 10, 8)),
        ("CN", D(2024, 10, 8), 4, D(2024, 10, 12)),  # Oct 9, 10, 11, 12 (Saturday)
        ("CN", D(2024, 10, 11), 2, D(2024, 10, 14)),
        ("CN", D(2024, 10, 8), -1, D(2024, 9, 30)),
        # AT Easter 2024: Mar 29 (Good Friday, working), then Apr 1 off, Apr 2.
        ("AT", D(2024, 3, 28), 2, D(2024, 4, 2)),
        # AT Easter 2025: Apr 18 (Good Friday), Apr 21 Easter Monday off, Apr 22.
        ("AT", D(2025, 4, 17), 2, D(2025, 4, 22)),
        # AT Christmas 2024: Dec 24, 27, 30.
        ("AT", D(2024, 12, 23), 3, D(2024, 12, 30)),
        # Dec 31 works, 1 Jan off, 2 Jan.
        ("AT", D(2024, 12, 30), 2, D(2025, 1, 2)),
        ("AT", D(2025, 1, 3), 1, D(2025, 1, 7)),  # Epiphany on Monday 6 January
    ],
)
def test_add_working_days(calendar: str, d: date, n: int, expected: date) -> None:
    assert add_working_days(d, n, calendar) == expected


@pytest.mark.parametrize("calendar", CALENDARS)
def test_add_working_days_agrees_with_holidays_library(calendar: str) -> None:
    """Cross-check the bisection tables against the library's own day-by-day stepping."""
    oracle = holidays.country_holidays(calendar, years=range(2023, 2027))
    for d in _days(D(2024, 1, 1), D(2025, 12, 31)):
        assert is_working_day(d, calendar) is oracle.is_working_day(d), d
        for n in (1, 2, 7, 23, -1, -5, -23):
            assert add_working_days(d, n, calendar) == oracle.get_nth_working_day(d, n), (d, n)


@pytest.mark.parametrize("calendar", CALENDARS)
def test_add_then_subtract_round_trips_on_working_days(calendar: str) -> None:
    for d in _days(D(2024, 12, 1), D(2025, 1, 31)):
        if is_working_day(d, calendar):
            for n in (1, 5, 20):
                assert add_working_days(add_working_days(d, n, calendar), -n, calendar) == d


def test_ten_working_days_is_fast_after_warm_up() -> None:
    start = D(2024, 12, 25)
    add_working_days(start, 10, "RU")  # warm the per-year tables
    rounds = 10_000
    began = time.perf_counter_ns()
    for _ in range(rounds):
        add_working_days(start, 10, "RU")
    per_call_ns = (time.perf_counter_ns() - began) // rounds
    # Typically about one microsecond; the bound is loose so slow CI machines pass.
    assert per_call_ns < 50_000


# --- errors -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["ru", "RUS", "DE", ""])
def test_unknown_calendar(name: str) -> None:
    for call in (
        lambda: is_working_day(D(2024, 1, 1), name),
        lambda: next_working_day(D(2024, 1, 1), name),
        lambda: add_working_days(D(2024, 1, 1), 1, name),
        lambda: add_working_days(D(2024, 1, 1), 0, name),
    ):
        with pytest.raises(UnknownCalendar, match="expected one of RU, CN, AT"):
            call()


def test_unknown_calendar_is_a_value_error() -> None:
    assert issubclass(UnknownCalendar, ValueError)
    assert issubclass(CalendarRangeError, ValueError)


@pytest.mark.parametrize(
    ("calendar", "d"),
    [("RU", D(2101, 1, 3)), ("RU", D(1990, 6, 1)), ("CN", D(1949, 1, 3)), ("AT", D(1933, 2, 1))],
)
def test_years_without_data_are_refused(calendar: str, d: date) -> None:
    with pytest.raises(CalendarRangeError, match="has data for years"):
        is_working_day(d, calendar)


def test_counting_past_the_data_range_is_refused() -> None:
    with pytest.raises(CalendarRangeError):
        add_working_days(D(2100, 12, 30), 5, "AT")
    with pytest.raises(CalendarRangeError):
        add_working_days(D(1991, 1, 3), -5, "RU")


@pytest.mark.parametrize("bad", [Decimal(1), True, "1"])
def test_working_day_count_must_be_int(bad: object) -> None:
    with pytest.raises(TypeError, match="n must be an int"):
        add_working_days(D(2024, 1, 1), bad, "RU")  # type: ignore[arg-type]
