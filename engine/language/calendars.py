"""Working-day calendars for the jurisdictions rulebooks speak for.

Deadlines "in N working days" and the rule that a deadline falling on a non-working day
moves to the next working day (НК РФ ст. 6.1 п. 2, 6, 7) need to know, for every date,
whether it is a working day. That is more than "not a weekend and not a public holiday":

* Russia moves days off every year by government decree (2025-05-02 and 2024-12-30/31
  were days off) and makes some Saturdays working days (2024-11-02, 2024-12-28).
* China builds its Spring Festival and National Day "golden weeks" from weekday days off
  paid for by make-up working Saturdays and Sundays (调休), e.g. 2024-02-04 and
  2024-02-18 (Sundays) and 2024-10-12 (a Saturday).
* Austria has only Saturday/Sunday weekends and statutory public holidays.

We do not maintain these lists ourselves: the ``holidays`` package tracks the decrees and
State Council notices year by year, and its ``HolidayBase.is_working_day`` already combines
weekends, holidays, moved days off and working weekend days (``weekend_workdays``,
including make-up days that belong to the previous year, which it collects when the
object is created). This module is a thin, fast wrapper that asks it once per
(calendar, year), and answers every later question from a precomputed table.

The library only knows the moved days that have been published: at version 0.109, the
Russian transfers run to 2027 and the Chinese notices to 2026. Later years get the
statutory holidays and plain weekends only; that is a limit of the source data, not
something to patch with hand-written lists here.
"""

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Final

import holidays
from holidays.version import __version__ as _HOLIDAYS_VERSION

__all__ = [
    "CALENDARS",
    "CalendarRangeError",
    "UnknownCalendar",
    "add_working_days",
    "is_working_day",
    "next_working_day",
]

CALENDARS: Final[tuple[str, ...]] = ("RU", "CN", "AT")
"""Calendar names accepted by this module (ISO 3166-1 alpha-2 codes of the countries)."""

_ALLOWED: Final = frozenset(CALENDARS)


class UnknownCalendar(ValueError):
    """Raised for a calendar name that is not one of :data:`CALENDARS`."""


class CalendarRangeError(ValueError):
    """Raised for a date in a year the ``holidays`` library has no data for.

    Outside the library's year range every weekday would silently count as a working day,
    which is wrong for any real deadline; refusing is safer than guessing.
    """


@dataclass(frozen=True, slots=True)
class _YearTable:
    """Working days of one calendar year, in two shapes for the two kinds of query.

    ``flags`` answers "is this date a working day?" with one index operation, and the
    sorted ``working`` ordinals let ``add_working_days`` jump straight to the n-th
    working day with a binary search instead of walking the calendar day by day.
    """

    first_ordinal: int
    """``date(year, 1, 1).toordinal()``; ``flags`` is indexed from it."""
    flags: bytes
    """``flags[i] == 1`` when ``first_ordinal + i`` is a working day."""
    working: tuple[int, ...]
    """Ordinals of the year's working days, ascending."""


def _check_calendar(calendar: str) -> str:
    """Return *calendar* if it is known, else raise :class:`UnknownCalendar`."""
    if calendar not in _ALLOWED:
        raise UnknownCalendar(
            f"unknown calendar {calendar!r}; expected one of {', '.join(CALENDARS)}"
        )
    return calendar


def _require_int(value: object) -> int:
    """Reject ``bool``, ``Decimal`` and ``float`` counts early with a clear message."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"n must be an int, got {type(value).__name__} {value!r}")
    return value


@cache
def _year_table(calendar: str, year: int) -> _YearTable:
    """Build (once per calendar and year) the table of working days of *year*.

    Building asks the library about each of the ~365 days, which takes a few
    milliseconds; afterwards every query is a dictionary hit in this cache plus an index
    or a bisection. The cache is bounded in practice by the library's year range
    (at most ~200 years times three calendars).

    Only the ``public`` category is requested: other categories (e.g. Austria's "bank"
    holidays Good Friday, 24 and 31 December) are not statutory days off. ``expand`` is
    off so that nothing can add further years to the cached object behind our back.
    """
    entity = holidays.country_holidays(
        calendar, years=year, expand=False, categories=(holidays.PUBLIC,)
    )
    if not entity.start_year <= year <= entity.end_year:
        raise CalendarRangeError(
            f"calendar {calendar!r} has data for years {entity.start_year}.."
            f"{entity.end_year} only (holidays {_HOLIDAYS_VERSION}); got year {year}"
        )
    first = date(year, 1, 1).toordinal()
    last = date(year, 12, 31).toordinal()
    flags = bytes(
        1 if entity.is_working_day(date.fromordinal(ordinal)) else 0
        for ordinal in range(first, last + 1)
    )
    working = tuple(first + offset for offset, flag in enumerate(flags) if flag)
    return _YearTable(first_ordinal=first, flags=flags, working=working)


def is_working_day(d: date, calendar: str) -> bool:
    """Return whether *d* is a working day in *calendar*.

    A Saturday or Sunday is a working day only when a decree or notice made it one
    (Russia's working Saturdays, China's make-up days); a weekday is a working day unless
    it is a public holiday or a day off moved onto it.
    """
    table = _year_table(_check_calendar(calendar), d.year)
    return table.flags[d.toordinal() - table.first_ordinal] == 1


def next_working_day(d: date, calendar: str) -> date:
    """Return *d* if it is a working day, else the first working day after it.

    This is the НК РФ ст. 6.1 п. 7 rule for a period whose last day is a non-working day.
    It is deliberately only the plain calendar question: where another jurisdiction's
    deadline rule differs (Austria's BAO § 108 Abs. 3 also skips Good Friday and
    24 December, which are not public holidays), the rulebook has to say so explicitly.
    """
    year = d.year
    table = _year_table(_check_calendar(calendar), year)
    index = bisect_left(table.working, d.toordinal())
    while index >= len(table.working):
        year += 1
        table = _year_table(calendar, year)
        index = 0
    return date.fromordinal(table.working[index])


def add_working_days(d: date, n: int, calendar: str) -> date:
    """Return the *n*-th working day after *d* in *calendar*.

    Counting starts on the day after *d*, which is how НК РФ ст. 6.1 п. 2 and п. 6 count
    a period in working days: the event day itself is never the first day, whether or not
    it is a working day. ``n == 0`` returns *d* unchanged (no period, nothing to move).
    A negative *n* counts backwards: the |n|-th working day before *d*, so that
    ``add_working_days(add_working_days(d, n, c), -n, c) == d`` whenever *d* is a
    working day.
    """
    _require_int(n)
    _check_calendar(calendar)
    if n == 0:
        return d
    year = d.year
    table = _year_table(calendar, year)
    ordinal = d.toordinal()
    if n > 0:
        # Working days up to and including d are skipped; then take the n-th one after.
        index = bisect_right(table.working, ordinal) + n - 1
        while index >= len(table.working):
            index -= len(table.working)
            year += 1
            table = _year_table(calendar, year)
    else:
        # bisect_left counts the working days strictly before d; step back |n| of them.
        index = bisect_left(table.working, ordinal) + n
        while index < 0:
            year -= 1
            table = _year_table(calendar, year)
            index += len(table.working)
    return date.fromordinal(table.working[index])
