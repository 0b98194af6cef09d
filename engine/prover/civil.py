"""The civil calendar in linear integer arithmetic, so the solver reasons about dates exactly.

Day numbers are Python's proleptic ordinals (date.toordinal()). A date term is split into
year, month and day by three auxiliary integers tied to it by one equation (the ordinal of
1 January of the year, as datetime computes it, plus the days of the months before, plus
the day) and their ranges; that decomposition is unique, so year(), month(), quarter(),
month ends, quarter starts and `add_months` (clamped to the end of a shorter month, as
dates.add_months) are exact. The auxiliary form keeps every division flat (one division
of a variable by a constant), which the solver handles far better than nested divisions.
Only working days (public holidays) stay outside: see Translator._calendar.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import z3

# days of the months before month m (index m - 1), in a common year
_BEFORE = (0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334)
QUARTER_LABEL_BASE = 10_000_000


FIRST_YEAR, LAST_YEAR = 1901, 2199  # the calendar the solver knows (see space.EARLIEST, LATEST)
_JAN_1_1901 = dt.date(FIRST_YEAR, 1, 1).toordinal()
_DEC_31_2199 = dt.date(LAST_YEAR, 12, 31).toordinal()


def leap(year: Any) -> Any:
    """Gregorian leap years between FIRST_YEAR and LAST_YEAR: 2100 is the one century."""
    return z3.And(year % 4 == 0, year != 2100)


def days_in_month(year: Any, month: Any) -> Any:
    return z3.If(
        month == 2,
        z3.If(leap(year), 29, 28),
        z3.If(z3.Or(month == 4, month == 6, month == 9, month == 11), 30, 31),
    )


def _days_before_month(year: Any, month: Any) -> Any:
    table: Any = z3.IntVal(_BEFORE[11])
    for index in range(10, -1, -1):
        table = z3.If(month == index + 1, _BEFORE[index], table)
    return table + z3.If(z3.And(month > 2, leap(year)), 1, 0)


def ordinal_of(year: Any, month: Any, day: Any) -> Any:
    """date(year, month, day).toordinal() for integer terms (a valid date of FIRST_YEAR to
    LAST_YEAR assumed): one division, which the solver handles far better than four."""
    since = year - FIRST_YEAR
    return _JAN_1_1901 + 365 * since + since / 4 - z3.If(year > 2100, 1, 0) + _days_before_month(year, month) + day - 1


class Calendar:
    """Year, month and day of date terms, each split once; the ties go to `side`."""

    def __init__(self, side: Any) -> None:
        self._side = side  # a callable adding a constraint every query must respect
        self._split: dict[int, tuple[Any, Any, Any]] = {}

    def split(self, ordinal: Any) -> tuple[Any, Any, Any]:
        key = ordinal.get_id()
        if key not in self._split:
            index = len(self._split)
            year, month, day = z3.Int(f"cal!{index}!year"), z3.Int(f"cal!{index}!month"), z3.Int(f"cal!{index}!day")
            # Only a day number of the known calendar is tied: a term may stand for nothing
            # (the placeholder of a missing date), and must not be forced into range.
            known = z3.And(ordinal >= _JAN_1_1901, ordinal <= _DEC_31_2199)
            self._side(z3.Implies(known, z3.And(
                year >= FIRST_YEAR, year <= LAST_YEAR, month >= 1, month <= 12, day >= 1, day <= days_in_month(year, month),
                ordinal_of(year, month, day) == ordinal,
            )))
            self._split[key] = (year, month, day)
        return self._split[key]

    def quarter(self, ordinal: Any) -> Any:
        _, month, _ = self.split(ordinal)
        return (month - 1) / 3 + 1

    def quarter_label_code(self, ordinal: Any) -> Any:
        """`quarter_label` as a text code: QUARTER_LABEL_BASE + 10 * year + quarter (see Texts)."""
        year, month, _ = self.split(ordinal)
        return QUARTER_LABEL_BASE + 10 * year + (month - 1) / 3 + 1

    def add_months(self, ordinal: Any, count: int) -> Any:
        year, month, day = self.split(ordinal)
        total = year * 12 + (month - 1) + count
        new_year = total / 12
        new_month = total % 12 + 1
        limit = days_in_month(new_year, new_month)
        return ordinal_of(new_year, new_month, z3.If(day > limit, limit, day))

    def edge(self, name: str, ordinal: Any) -> Any:
        """start_/end_of_month, _quarter, _year of a day number."""
        year, month, day = self.split(ordinal)
        if name == "start_of_month":
            return ordinal - day + 1
        if name == "end_of_month":
            return ordinal - day + days_in_month(year, month)
        first_month = ((month - 1) / 3) * 3 + 1
        if name == "start_of_quarter":
            return ordinal_of(year, first_month, 1)
        if name == "end_of_quarter":
            return ordinal_of(year, first_month + 2, days_in_month(year, first_month + 2))
        if name == "start_of_year":
            return ordinal_of(year, 1, 1)
        if name == "end_of_year":
            return ordinal_of(year, 12, 31)
        raise ValueError(name)
